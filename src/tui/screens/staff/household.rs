//! A household as the staff console finds it (by its key, or by a member's name and birth date) and
//! shows it: shared by 再発行 and 会員の相談 (password reset, address correction).

use ratatui::text::{Line, Span};
use time::Date;

use super::{jst, safe};
use crate::dates::iso_date as format_date;
use crate::domain::Lang;
use crate::domain::Msg;
use crate::domain::birthdate::parse_birth_date;
use crate::domain::household::HouseholdKey;
use crate::domain::text::display_width;
use crate::services::households::{HouseholdQuery, HouseholdView};
use crate::store::credentials::CredentialState;
use crate::tui::i18n::{tr, trf};
use crate::tui::theme;
use crate::tui::widgets::page::Row;

/// Members listed for one household before "and n more".
const MAX_MEMBERS_SHOWN: usize = 5;

/// The search field a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchField {
    Key,
    Name,
    BirthDate,
}

/// The search as typed: the household key when one is typed, otherwise name and birth date.
pub fn household_query(
    key: &str,
    name: &str,
    birth: &str,
    today: Date,
) -> Result<HouseholdQuery, (SearchField, Msg)> {
    let (key, name, birth) = (key.trim(), name.trim(), birth.trim());
    if !key.is_empty() {
        return HouseholdKey::parse(key)
            .map(HouseholdQuery::Key)
            .map_err(|e| (SearchField::Key, e.msg()));
    }
    if name.is_empty() {
        return Err((SearchField::Name, Msg::new("staff_reissue.missing")));
    }
    if birth.is_empty() {
        return Err((SearchField::BirthDate, Msg::new("staff_reissue.missing")));
    }
    parse_birth_date(birth, today)
        .map(|birth_date| HouseholdQuery::Member {
            name: name.to_string(),
            birth_date,
        })
        .map_err(|e| (SearchField::BirthDate, e.msg()))
}

pub fn label_line(lang: Lang, label: &str, value: String, w: usize) -> Row {
    let text = tr(lang, label);
    let pad = w.saturating_sub(display_width(text));
    Row::Line(Line::from(vec![
        Span::styled(format!("{text}{}", " ".repeat(pad)), theme::label()),
        Span::raw("  "),
        Span::styled(value, theme::title()),
    ]))
}

/// A household as text: its key, each member (up to five, then how many more), its registration and
/// its postcard. The screen's rows and `--plain`'s lines are made of it.
pub struct HouseholdFacts {
    pub key: String,
    pub members: Vec<String>,
    pub more: Option<String>,
    pub status: String,
    pub credential: String,
}

pub fn household_facts(lang: Lang, h: &HouseholdView, width: usize) -> HouseholdFacts {
    let members = h
        .members
        .iter()
        .take(MAX_MEMBERS_SHOWN)
        .map(|m| {
            trf(
                lang,
                "staff_reissue.member",
                &[
                    ("rel", tr(lang, m.relationship.label_key())),
                    ("name", &safe(&m.name, 30)),
                    ("birth", &format_date(m.birth_date)),
                ],
            )
        })
        .collect();
    let more = (h.members.len() > MAX_MEMBERS_SHOWN).then(|| {
        trf(
            lang,
            "staff_reissue.more_members",
            &[("count", &(h.members.len() - MAX_MEMBERS_SHOWN).to_string())],
        )
    });
    let status = match &h.account {
        None => tr(lang, "staff_reissue.pending").to_string(),
        Some(a) => trf(
            lang,
            "staff_reissue.registered",
            &[
                ("user_id", &safe(&a.user_id, 20)),
                ("at", &jst(a.registered_at)),
                ("channel", &safe(&a.channel, 10)),
            ],
        ),
    };
    let credential = match &h.credential {
        None => tr(lang, "staff_reissue.credential_none").to_string(),
        Some(c) => {
            let id = safe(&c.temp_id, 20);
            let until = jst(c.expires_at);
            match c.state {
                CredentialState::Live if !c.expired_now => trf(
                    lang,
                    "staff_reissue.credential_live",
                    &[("id", &id), ("until", &until)],
                ),
                CredentialState::Live | CredentialState::Expired => trf(
                    lang,
                    "staff_reissue.credential_expired",
                    &[("id", &id), ("until", &until)],
                ),
                CredentialState::Used => trf(lang, "staff_reissue.credential_used", &[("id", &id)]),
                CredentialState::Revoked => {
                    trf(lang, "staff_reissue.credential_revoked", &[("id", &id)])
                }
            }
        }
    };
    HouseholdFacts {
        key: safe(&h.key.to_string(), width),
        members,
        more,
        status,
        credential,
    }
}

/// The labels of the household's lines: household, registration, postcard.
pub const FACT_LABELS: [&str; 3] = [
    "staff_reissue.household",
    "staff_reissue.status",
    "staff_reissue.credential",
];

pub fn household_rows(lang: Lang, h: &HouseholdView, width: usize, out: &mut Vec<Row>) {
    let labels = FACT_LABELS;
    let w = labels
        .iter()
        .map(|k| display_width(tr(lang, k)))
        .max()
        .unwrap_or(0);
    let facts = household_facts(lang, h, width);
    out.push(label_line(lang, labels[0], facts.key, w));
    for text in facts.members {
        out.push(Row::Text(
            format!("{}  {text}", " ".repeat(w)),
            theme::text(),
        ));
    }
    if let Some(more) = facts.more {
        out.push(Row::Text(
            format!("{}  {more}", " ".repeat(w)),
            theme::dim(),
        ));
    }
    out.push(label_line(lang, labels[1], facts.status, w));
    out.push(label_line(lang, labels[2], facts.credential, w));
}
