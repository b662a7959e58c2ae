//! The counter's tools of the staff console in plain lines (issue 11), on the services the full
//! screen uses and with its words:
//! - 登録済み会員の相談: find the household (its key, or a member's name and birth date), then
//!   パスワード再設定 (the identity checklist as two yes/no questions; the initial password said once)
//!   or メールアドレス訂正 (`Services::staff_reset`, `Services::correct_email`);
//! - メール送信状況: the undeliverable and the waiting mail, then 今すぐ再送 or アドレスを訂正して再送 of
//!   a message chosen by its number (`Services::requeue_mail`, `Services::correct_email`).

use super::wizard::{system_error, text_or};
use zeroize::Zeroizing;

use super::{Answer, Console, Flow, chosen, labelled};
use crate::domain::Msg;
use crate::domain::birthdate;
use crate::domain::email::mask_email;
use crate::i18n::{tr, trf};
use crate::services::Services;
use crate::services::email_correction::{CorrectionError, CorrectionStart, EmailCorrected};
use crate::services::households::{HouseholdQuery, HouseholdView};
use crate::services::outbox::{MailFilter, RequeueOutcome};
use crate::services::staff_reset::{IdentityChecklist, StaffResetError};
use crate::store::Actor;
use crate::tui::screens::staff::household::{FACT_LABELS, household_facts, household_query};
use crate::tui::screens::staff::mail::{correction_error, mail_lines, state_key};
use crate::tui::screens::staff::safe;

/// Mail listed per kind (newest first).
const MAIL_LIMIT: usize = 20;

/// 登録済み会員の相談: the search, then the tools for one registered household.
pub(super) fn member(c: &mut Console, svc: &Services, actor: &Actor) -> Flow {
    c.gap();
    c.say_key("staff_member.title");
    c.say_key("staff_member.intro");
    loop {
        let q = trf(
            c.lang,
            "plain.key_or_name",
            &[("question", tr(c.lang, "staff_reissue.key"))],
        );
        let key = text_or!(c.ask(&q, false), back => return Flow::Start);
        let (mut name, mut birth) = (String::new(), String::new());
        if key.is_empty() {
            name = text_or!(c.ask(tr(c.lang, "staff_reissue.name"), false), back => continue);
            birth = text_or!(
                c.ask(tr(c.lang, "staff_reissue.birth_date"), false),
                back => continue
            );
        }
        let query = match household_query(&key, &name, &birth, svc.clock.today()) {
            Ok(q) => {
                // How the birth date was read (55.1.1 is 昭和55年), as the kiosk and the screen say.
                if let HouseholdQuery::Member { birth_date, .. } = &q {
                    c.say_msg(&birthdate::understood_input(
                        birth.trim(),
                        *birth_date,
                        c.lang,
                    ));
                }
                q
            }
            Err((_, m)) => {
                c.error(&m);
                continue;
            }
        };
        c.say_key("common.busy");
        let list = match svc.find_households(actor, &query) {
            Ok(l) => l,
            Err(e) => {
                system_error(c, &e);
                continue;
            }
        };
        match list.as_slice() {
            [] => c.error(&Msg::new("staff_reissue.not_found")),
            [h] if h.account.is_some() => match household(c, svc, actor, h) {
                Some(flow) => return flow,
                None => continue,
            },
            [h] => {
                say_household(c, h);
                c.error(&Msg::new("staff_member.not_registered"));
            }
            many => {
                c.error(&Msg::new("staff_reissue.many").arg("count", many.len()));
                for h in many.iter().take(10) {
                    c.say(&format!("{}  {}", h.key, h.name()));
                }
            }
        }
    }
}

/// The household's lines, as the screen shows them, each with its label.
fn say_household(c: &mut Console, h: &HouseholdView) {
    let lang = c.lang;
    let facts = household_facts(lang, h, 80);
    let line = |k: &str, v: &str| labelled(lang, k, v);
    c.say(&line(FACT_LABELS[0], &facts.key));
    for m in facts.members.iter().chain(&facts.more) {
        c.say(m);
    }
    c.say(&line(FACT_LABELS[1], &facts.status));
    c.say(&line(FACT_LABELS[2], &facts.credential));
    if let Some(a) = &h.account {
        let email = a.email.as_deref().map_or_else(
            || tr(lang, "staff_member.no_email").to_string(),
            |e| safe(&mask_email(e), 60),
        );
        c.say(&trf(
            lang,
            "staff_member.email_on_file",
            &[("email", &email)],
        ));
    }
}

/// One registered household: reset, correct, another search or back. `None`: search again.
fn household(c: &mut Console, svc: &Services, actor: &Actor, h: &HouseholdView) -> Option<Flow> {
    loop {
        c.gap();
        say_household(c, h);
        let a = c.choose(
            tr(c.lang, "plain.menu_question"),
            &[
                "staff_member.reset",
                "staff_member.correct",
                "staff_reissue.new_search",
                "common.back",
            ],
            2,
        );
        let done = match chosen(&a) {
            Some(0) => reset(c, svc, actor, h),
            Some(1) => correct(c, svc, actor, h),
            Some(2) => return None,
            Some(_) => return Some(Flow::Start),
            None if a == Answer::Back => return None,
            None => return Some(a.flow().unwrap_or(Flow::Start)),
        };
        if done.is_some() {
            return done;
        }
    }
}

/// A yes/no question; `None` when it was left (the answer's flow in `left`).
fn yes(c: &mut Console, key: &str, left: &mut Option<Flow>) -> bool {
    let a = c.choose(tr(c.lang, key), &["plain.yes", "plain.no"], 1);
    match chosen(&a) {
        Some(n) => n == 0,
        None if a == Answer::Back => false,
        None => {
            *left = Some(a.flow().unwrap_or(Flow::Start));
            false
        }
    }
}

/// パスワード再設定: the checklist, then the initial password said once. `Some` when done or left.
fn reset(c: &mut Console, svc: &Services, actor: &Actor, h: &HouseholdView) -> Option<Flow> {
    c.gap();
    c.say_key("staff_member.reset_title");
    let mut left = None;
    let card_seen = yes(c, "staff_member.card_seen", &mut left);
    if left.is_some() {
        return left;
    }
    let birth_date_asked = card_seen && yes(c, "staff_member.birth_asked", &mut left);
    if left.is_some() {
        return left;
    }
    let checklist = IdentityChecklist {
        card_seen,
        birth_date_asked,
    };
    if !checklist.complete() {
        c.error(&Msg::new("staff_member.check_first"));
        return None;
    }
    c.say_key("common.busy");
    let r = match svc.staff_reset(actor, h.id, checklist) {
        Ok(r) => r,
        Err(e) => {
            match e {
                StaffResetError::Unconfirmed => c.error(&Msg::new("staff_member.check_first")),
                StaffResetError::NotRegistered => c.error(&Msg::new("staff_member.not_registered")),
                StaffResetError::NotFound => c.error(&Msg::new("staff_reissue.not_found")),
                StaffResetError::Service(e) => system_error(c, &e),
            }
            return None;
        }
    };
    let lang = c.lang;
    c.say_key("staff_member.reset_done");
    let who = format!("{}  {}", r.household, r.name);
    c.say(&labelled(lang, FACT_LABELS[0], &who));
    c.say(&labelled(lang, "staff_member.user_id", &r.user_id));
    let pw = Zeroizing::new(labelled(
        lang,
        "staff_member.initial_password",
        r.initial_password.as_str(),
    ));
    c.say(&pw);
    c.say_key("staff_member.reset_next");
    match &r.mail_to {
        Some(to) => {
            let to = safe(&mask_email(to), 60);
            c.say(&trf(lang, "staff_member.reset_mail", &[("to", &to)]));
        }
        None => c.say_key("staff_member.reset_no_mail"),
    }
    Some(c.enter_to_return("staff_menu.title").unwrap_or(Flow::Start))
}

/// メールアドレス訂正 from the household. `Some` when done or left.
fn correct(c: &mut Console, svc: &Services, actor: &Actor, h: &HouseholdView) -> Option<Flow> {
    let start = CorrectionStart::Household(h.id);
    let done = match corrected(c, svc, actor, start, "staff_member.email") {
        Ok(done) => done,
        Err(left) => return left,
    };
    let lang = c.lang;
    let line = trf(
        lang,
        "staff_member.corrected",
        &[("user_id", &done.user_id), ("to", &done.new_email)],
    );
    c.say(&line);
    let count = done.resent.len().to_string();
    c.say(&trf(
        lang,
        "staff_member.corrected_mail",
        &[("count", &count)],
    ));
    Some(c.enter_to_return("staff_menu.title").unwrap_or(Flow::Start))
}

/// Asks for the new address (`label` names the question) until the correction from `start` is done;
/// a wrong address gets the rule's message and the question again. `Err` when the staff member left
/// (`None`: one step back) or the correction cannot be made (said, then one step back).
fn corrected(
    c: &mut Console,
    svc: &Services,
    actor: &Actor,
    start: CorrectionStart,
    label: &str,
) -> Result<EmailCorrected, Option<Flow>> {
    loop {
        let email = match c.ask(tr(c.lang, label), false) {
            Answer::Text(t) => t,
            Answer::Back => return Err(None),
            other => return Err(Some(other.flow().unwrap_or(Flow::Start))),
        };
        if email.is_empty() {
            c.error(&Msg::new("counter_mail.email_missing"));
            continue;
        }
        c.say_key("common.busy");
        match svc.correct_email(actor, start, &email) {
            Ok(done) => return Ok(done),
            Err(CorrectionError::Invalid(v)) => c.error(&v.msg),
            Err(e) => {
                c.error(&correction_error(e).msg);
                return Err(None);
            }
        }
    }
}

/// メール送信状況: mail that could not be sent, and mail waiting, newest first; then a message sent
/// now or its member's address corrected, chosen by its number.
pub(super) fn mail(c: &mut Console, svc: &Services, actor: &Actor) -> Flow {
    loop {
        c.gap();
        c.say_key("staff_mail.title");
        for (filter, key) in [
            (MailFilter::Undeliverable, "staff_mail.filter_dead"),
            (MailFilter::Waiting, "staff_mail.filter_queued"),
        ] {
            let rows = match svc.mail_overview(filter, MAIL_LIMIT) {
                Ok(r) => r,
                Err(e) => {
                    system_error(c, &e);
                    return Flow::Start;
                }
            };
            let title = trf(
                c.lang,
                "staff_mail.list_title",
                &[
                    ("filter", tr(c.lang, key)),
                    ("count", &rows.len().to_string()),
                ],
            );
            c.say(&title);
            if rows.is_empty() {
                c.say_key("staff_mail.empty");
            }
            // The same words as the screen: kind and reason in words, whose it is, neutralised.
            for r in rows {
                for line in mail_lines(c.lang, &r, 200) {
                    c.say(line.trim_start());
                }
            }
        }
        let a = c.choose(
            tr(c.lang, "plain.menu_question"),
            &[
                "counter_mail.requeue",
                "counter_mail.correct",
                "common.back",
            ],
            2,
        );
        let left = match chosen(&a) {
            Some(0) => requeue(c, svc, actor),
            Some(1) => correct_from_mail(c, svc, actor),
            Some(_) => return Flow::Start,
            None if a == Answer::Back => return Flow::Start,
            None => return a.flow().unwrap_or(Flow::Start),
        };
        if let Some(flow) = left {
            return flow;
        }
    }
}

/// Asks for a message's number until one is typed; `Err` with the flow when left, `Ok(None)` for 戻る.
fn mail_id(c: &mut Console) -> Result<Option<i64>, Flow> {
    loop {
        match c.ask(tr(c.lang, "counter_mail.id"), false) {
            Answer::Text(t) => match t.trim_start_matches('#').parse::<i64>() {
                Ok(id) if id > 0 => return Ok(Some(id)),
                _ => c.error(&Msg::new("staff_mail.bad_id")),
            },
            Answer::Back => return Ok(None),
            other => return Err(other.flow().unwrap_or(Flow::Start)),
        }
    }
}

/// 今すぐ再送. `Some` when the console is left.
fn requeue(c: &mut Console, svc: &Services, actor: &Actor) -> Option<Flow> {
    let id = match mail_id(c) {
        Ok(Some(id)) => id,
        Ok(None) => return None,
        Err(flow) => return Some(flow),
    };
    match svc.requeue_mail(actor, id) {
        Ok(RequeueOutcome::Requeued) => c.say_msg(&Msg::new("counter_mail.requeued").arg("id", id)),
        Ok(RequeueOutcome::NotFound) => c.error(&Msg::new("staff_mail.not_found").arg("id", id)),
        Ok(RequeueOutcome::NotRequeueable(state)) => c.error(
            &Msg::new("counter_mail.not_requeueable")
                .arg("id", id)
                .arg("state", tr(c.lang, state_key(state))),
        ),
        Err(e) => system_error(c, &e),
    }
    None
}

/// アドレスを訂正して再送, from a message. `Some` when the console is left.
fn correct_from_mail(c: &mut Console, svc: &Services, actor: &Actor) -> Option<Flow> {
    let id = match mail_id(c) {
        Ok(Some(id)) => id,
        Ok(None) => return None,
        Err(flow) => return Some(flow),
    };
    let done = match corrected(
        c,
        svc,
        actor,
        CorrectionStart::Mail(id),
        "counter_mail.email",
    ) {
        Ok(done) => done,
        Err(left) => return left,
    };
    let m = Msg::new("counter_mail.corrected")
        .arg("id", id)
        .arg("user_id", &done.user_id)
        .arg("to", mask_email(&done.new_email))
        .arg("count", done.resent.len());
    c.say_msg(&m);
    None
}
