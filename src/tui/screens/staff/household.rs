//! A household as the staff console finds it (by its key, or by a member's name and birth date) and
//! shows it: shared by 再発行 and 会員の相談 (password reset, address correction).

use ratatui::text::{Line, Span};
use time::Date;

use super::{jst, safe};
use crate::dates::iso_date as format_date;
use crate::domain::Lang;
use crate::domain::Msg;
use crate::domain::birthdate::{self, parse_birth_date};
use crate::domain::household::HouseholdKey;
use crate::domain::text::display_width;
use crate::key;
use crate::services::households::{HouseholdQuery, HouseholdView};
use crate::store::credentials::CredentialState;
use crate::tui::i18n::{tr, trf};
use crate::tui::theme;
use crate::tui::widgets::fields::{ControlId, Fields};
use crate::tui::widgets::form::{Control, TextField};
use crate::tui::widgets::notice::{self, Notice};
use crate::tui::widgets::page::Row;

/// Members listed for one household before "and n more".
const MAX_MEMBERS_SHOWN: usize = 5;

/// Households listed when a search finds several.
const MAX_HOUSEHOLDS_SHOWN: usize = 10;

/// Longest typed household key or name.
pub const KEY_MAX_CHARS: usize = 40;
pub const NAME_MAX_CHARS: usize = 40;

/// A screen whose first phase is the household search: its controls for the household key, the
/// member's name and birth date, [検索] and [戻る], in that order.
pub trait SearchControls: ControlId {
    const SEARCH_FORM: [Self; 5];
}

/// The search form, empty, focus on the household key.
pub fn search_form<I: SearchControls>() -> Fields<I> {
    let [key, name, birth_date, search, back] = I::SEARCH_FORM;
    Fields::new(vec![
        Control::text(
            key,
            key!("staff_reissue.key"),
            TextField::new(KEY_MAX_CHARS),
        ),
        Control::text(
            name,
            key!("staff_reissue.name"),
            TextField::new(NAME_MAX_CHARS),
        ),
        Control::text(
            birth_date,
            key!("staff_reissue.birth_date"),
            TextField::new(birthdate::INPUT_MAX_CHARS),
        ),
        Control::button(search, key!("staff_reissue.search")),
        Control::button(back, key!("common.back")),
    ])
}

/// The search form again ([別の世帯を探す]), holding what [`typed`] kept.
pub fn search_form_again<I: SearchControls>(typed: &[String; 3]) -> Fields<I> {
    let mut form = search_form();
    for (id, value) in I::SEARCH_FORM.iter().zip(typed) {
        form.field_mut(*id).set_value(value);
    }
    form
}

/// What the search form holds: the household key, the name, the birth date.
pub fn typed<I: SearchControls>(form: &Fields<I>) -> [String; 3] {
    let [key, name, birth_date, ..] = I::SEARCH_FORM;
    [key, name, birth_date].map(|id| form.value(id).to_string())
}

/// The search the form asks for; else what is wrong, with the focus on the field it is about. A
/// search by name and birth date says under the field how the date was read, as STEP3 does for the
/// member (`55.1.1` is 昭和55年 = 1980, and how to write 1955): a search that finds no one then shows
/// at once whether the date was the one meant.
pub fn search_query<I: SearchControls>(
    form: &mut Fields<I>,
    today: Date,
    lang: Lang,
) -> Result<HouseholdQuery, Msg> {
    let [key, name, birth_date, ..] = I::SEARCH_FORM;
    let query = household_query(
        form.value(key),
        form.value(name),
        form.value(birth_date),
        today,
    );
    let read_as = match &query {
        Ok(HouseholdQuery::Member { birth_date: d, .. }) => Some(birthdate::understood_input(
            form.value(birth_date).trim(),
            *d,
            lang,
        )),
        _ => None,
    };
    let ok = read_as.is_some();
    form.set_info(birth_date, read_as, ok);
    query.map_err(|(field, m)| {
        form.focus(match field {
            SearchField::Key => key,
            SearchField::Name => name,
            SearchField::BirthDate => birth_date,
        });
        m
    })
}

/// The search phase: `intro_key`'s sentence, the household key, or the name and birth date, the
/// message (rule messages are long: the wrapped message row says them in full), [検索] [戻る].
pub fn search_rows<I: SearchControls>(
    lang: Lang,
    form: &Fields<I>,
    intro_key: &str,
    message: &Option<Notice>,
) -> Vec<Row> {
    let [key, name, birth_date, search, back] = I::SEARCH_FORM;
    vec![
        Row::Text(tr(lang, intro_key).to_string(), theme::text()),
        Row::Blank,
        form.row(key),
        Row::Text(tr(lang, "staff_reissue.or").to_string(), theme::info()),
        form.row(name),
        form.row(birth_date),
        form.note(birth_date),
        notice::row(lang, message),
        form.buttons(&[search, back]),
    ]
}

/// Several households found: each one's key and name, the first ten.
pub fn several_rows(list: &[HouseholdView], out: &mut Vec<Row>) {
    for h in list.iter().take(MAX_HOUSEHOLDS_SHOWN) {
        out.push(Row::Text(
            format!("{}  {}", safe(&h.key.to_string(), 30), safe(h.name(), 30)),
            theme::text(),
        ));
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    crate::controls! {
        enum Ctl {
            Key = "key",
            Name = "name",
            BirthDate = "birth_date",
            Search = "search",
            Back = "back",
        }
    }

    impl SearchControls for Ctl {
        const SEARCH_FORM: [Ctl; 5] = [Ctl::Key, Ctl::Name, Ctl::BirthDate, Ctl::Search, Ctl::Back];
    }

    #[test]
    fn the_search_form_again_holds_what_was_typed_with_focus_on_the_key() {
        let mut form: Fields<Ctl> = search_form();
        assert_eq!(form.focused(), Ctl::Key);
        form.field_mut(Ctl::Name).set_value("山田 花子");
        form.field_mut(Ctl::BirthDate).set_value("1980-04-01");
        let kept = typed(&form);
        assert_eq!(kept, ["", "山田 花子", "1980-04-01"].map(String::from));
        let again: Fields<Ctl> = search_form_again(&kept);
        assert_eq!(typed(&again), kept);
        assert_eq!(again.focused(), Ctl::Key);
    }

    #[test]
    fn a_search_by_name_says_how_the_birth_date_was_read() {
        let today = date!(2026 - 11 - 30);
        let mut form: Fields<Ctl> = search_form();
        form.field_mut(Ctl::Name).set_value("佐藤 一郎");
        form.field_mut(Ctl::BirthDate).set_value("55.1.1");
        assert!(search_query(&mut form, today, Lang::Ja).is_ok());
        let said = form
            .get_mut(Ctl::BirthDate)
            .info
            .clone()
            .expect("read back");
        let text = crate::i18n::msg(Lang::Ja, &said);
        assert!(
            text.contains("1980年1月1日") && text.contains("19550101"),
            "{text}"
        );
        // A search by key says nothing under the birth date.
        form.field_mut(Ctl::Key).set_value("06139497-12-3402");
        assert!(search_query(&mut form, today, Lang::Ja).is_ok());
        assert!(form.get_mut(Ctl::BirthDate).info.is_none());
    }

    #[test]
    fn a_search_that_cannot_run_focuses_the_field_it_is_about() {
        let today = date!(2026 - 11 - 30);
        let mut form: Fields<Ctl> = search_form();
        assert!(search_query(&mut form, today, Lang::Ja).is_err());
        assert_eq!(form.focused(), Ctl::Name);
        form.field_mut(Ctl::Name).set_value("山田 花子");
        assert!(search_query(&mut form, today, Lang::Ja).is_err());
        assert_eq!(form.focused(), Ctl::BirthDate);
        form.field_mut(Ctl::Key).set_value("no key");
        assert!(search_query(&mut form, today, Lang::Ja).is_err());
        assert_eq!(form.focused(), Ctl::Key);
        form.field_mut(Ctl::Key).set_value("06139497-東京-123");
        assert!(search_query(&mut form, today, Lang::Ja).is_ok());
    }

    #[test]
    fn several_households_list_the_first_ten() {
        let h = HouseholdView {
            id: 1,
            key: HouseholdKey::parse("06139497-東京-123").unwrap(),
            members: Vec::new(),
            account: None,
            credential: None,
        };
        let mut rows = Vec::new();
        several_rows(&vec![h; 12], &mut rows);
        assert_eq!(rows.len(), MAX_HOUSEHOLDS_SHOWN);
    }
}
