//! After a login in plain lines: the member's main menu (医療費照会 and 支給決定通知 in `expenses.rs`,
//! the password change, forced first when it must be, and ログアウト), and `kosmo-kiosk staff
//! --plain`, the staff console: staff login, then 代理登録 (the same STEP3–5 as the kiosk, with the
//! postcard the member holds), 登録済み会員の相談 and メール送信状況 (in `counter.rs`), ロック解除.

use std::io;

use zeroize::Zeroizing;

use super::wizard::{register, step, system_error, text_or};
use super::{Answer, Console, Flow, Options, chosen, labelled};
use crate::i18n::{Msg, tr, trf};
use crate::services::Services;
use crate::services::account::{PasswordChangeError, PasswordChangeInput};
use crate::services::auth::{AccountSession, ChangeReason, LoginOutcome};
use crate::services::staff::{IdKind, StaffLoginOutcome};
use crate::store::Actor;
use crate::tui::nav::Step;

/// The member's main menu in plain lines.
pub(super) fn member_menu(
    c: &mut Console,
    svc: &Services,
    actor: &Actor,
    session: AccountSession,
) -> Flow {
    let flow = member_menu_inner(c, svc, actor, &session);
    let outcome = if flow == Flow::Start && c.armed {
        "ok"
    } else {
        "idle"
    };
    if let Err(e) = svc.member_logout(actor, &session, outcome) {
        tracing::warn!(error = %e, "logout not audited");
    }
    flow
}

fn member_menu_inner(c: &mut Console, svc: &Services, actor: &Actor, s: &AccountSession) -> Flow {
    if let Some(reason) = s.must_change {
        c.gap();
        c.say_key("pwchange.forced_title");
        let why = match reason {
            ChangeReason::Age => {
                Msg::new("pwchange.reason_age").arg("days", svc.config.password.max_age_days)
            }
            ChangeReason::Expired => Msg::new("pwchange.reason_expired"),
            ChangeReason::Initial => Msg::new("pwchange.reason_initial"),
        };
        c.say_msg(&why);
        if let Some(flow) = change_password(c, svc, actor, s) {
            return flow;
        }
    }
    loop {
        c.gap();
        c.say_key("menu.title");
        let who = labelled(c.lang, "menu.logged_in_as", &s.user_id);
        c.say(&who);
        c.say_key("plain.menu_note");
        let a = c.choose(
            tr(c.lang, "plain.menu_question"),
            &[
                "menu.expenses",
                "menu.benefits",
                "menu.password",
                "menu.logout",
            ],
            3,
        );
        match chosen(&a) {
            Some(0) => {
                if let Some(flow) = super::expenses::expenses(c, svc, s) {
                    return flow;
                }
            }
            Some(1) => {
                if let Some(flow) = super::expenses::benefits(c, svc, s) {
                    return flow;
                }
            }
            Some(2) => {
                if let Some(flow) = change_password(c, svc, actor, s) {
                    return flow;
                }
            }
            Some(_) => {
                c.say_key("plain.logged_out");
                return Flow::Start;
            }
            None if a == Answer::Back => continue,
            None => return a.flow().unwrap_or(Flow::Start),
        }
    }
}

/// パスワード変更: `None` when changed, else how the session ends.
fn change_password(
    c: &mut Console,
    svc: &Services,
    actor: &Actor,
    s: &AccountSession,
) -> Option<Flow> {
    c.gap();
    c.say_key("pwchange.title");
    loop {
        let mut answers = Vec::new();
        // After a staff-issued initial password the login just proved it: not asked again.
        let proved = s.must_change == Some(crate::services::auth::ChangeReason::Initial);
        if proved {
            answers.push(Zeroizing::new(String::new()));
        }
        let keys: &[&str] = if proved {
            &["pwchange.new", "pwchange.confirm"]
        } else {
            &["pwchange.current", "pwchange.new", "pwchange.confirm"]
        };
        for key in keys.iter().copied() {
            let q = trf(c.lang, "plain.hidden", &[("question", tr(c.lang, key))]);
            match c.ask(&q, true) {
                Answer::Text(t) => answers.push(Zeroizing::new(t)),
                other => return Some(other.flow().unwrap_or(Flow::Start)),
            }
        }
        let input = PasswordChangeInput {
            current: answers[0].clone(),
            new: answers[1].clone(),
            confirm: answers[2].clone(),
            lang: c.lang,
        };
        c.say_key("common.busy");
        match svc.change_password(actor, s, &input) {
            Ok(done) => {
                c.say_key("pwchange_done.complete");
                match done.mail_to {
                    Some(to) => {
                        let t = trf(c.lang, "pwchange_done.mail", &[("to", &to)]);
                        c.say(&t);
                    }
                    None => c.say_key("pwchange_done.no_mail"),
                }
                return None;
            }
            Err(PasswordChangeError::Invalid(v)) => {
                for r in v {
                    c.error(&r.msg);
                }
            }
            Err(PasswordChangeError::WrongCurrent { remaining }) => {
                c.error(&Msg::new("pwchange.wrong_current"));
                c.say_msg(&Msg::new("pwchange.remaining").arg("remaining", remaining));
            }
            Err(PasswordChangeError::Locked) => {
                c.error(&Msg::new("pwchange.locked"));
                return Some(Flow::Start);
            }
            Err(PasswordChangeError::Replaced) => {
                c.error(&Msg::new("pwchange.replaced"));
                return Some(Flow::Start);
            }
            Err(e) => system_error(c, &e),
        }
    }
}

/// `kosmo-kiosk staff --plain`: the console for one staff member after another.
pub fn run_staff(svc: Services, opts: Options) -> io::Result<()> {
    let mut c = Console::open(&opts);
    tracing::info!("plain staff console started");
    loop {
        c.lang = opts.lang;
        let mut actor = opts.actor.clone();
        let flow = staff_session(&mut c, &svc, &mut actor);
        if actor.staff_id.is_some() {
            let reason = if flow == Flow::Quit { "quit" } else { "ok" };
            if let Err(e) = svc.staff_logout(&actor, reason) {
                tracing::warn!(error = %e, "staff logout not audited");
            }
        }
        match flow {
            Flow::Start => c.clear_for_next_person(),
            Flow::Quit => break,
        }
    }
    Ok(())
}

fn staff_session(c: &mut Console, svc: &Services, actor: &mut Actor) -> Flow {
    c.say_key("staff.header_none");
    c.say_key("plain.how");
    loop {
        c.gap();
        c.say_key("staff_login.title");
        let id = text_or!(c.ask(tr(c.lang, "plain.staff_id"), false), back => continue);
        let pw = Zeroizing::new(text_or!(
            c.ask(tr(c.lang, "plain.password"), true),
            back => continue
        ));
        c.armed = true;
        c.say_key("common.busy");
        match svc.staff_login(actor, &id, &pw) {
            Ok(StaffLoginOutcome::Ok(session)) => {
                actor.staff_id = Some(session.staff_id);
                return staff_menu(c, svc, actor);
            }
            Ok(StaffLoginOutcome::Failed) => c.error(&Msg::new("staff_login.failed")),
            Err(e) => system_error(c, &e),
        }
    }
}

fn staff_menu(c: &mut Console, svc: &Services, actor: &Actor) -> Flow {
    loop {
        c.gap();
        c.say_key("staff_menu.title");
        let who = labelled(
            c.lang,
            "staff_menu.logged_in_as",
            actor.staff_id.as_deref().unwrap_or(""),
        );
        c.say(&who);
        let a = c.choose(
            tr(c.lang, "plain.menu_question"),
            &[
                "staff_menu.assist",
                "staff_member.menu",
                "staff_menu.unlock",
                "staff_menu.mail",
                "staff_menu.logout",
            ],
            0,
        );
        let flow = match chosen(&a) {
            Some(0) => assist(c, svc, actor),
            Some(1) => super::counter::member(c, svc, actor),
            Some(2) => unlock(c, svc, actor),
            Some(3) => super::counter::mail(c, svc, actor),
            Some(_) => return Flow::Start,
            None if a == Answer::Back => continue,
            None => return a.flow().unwrap_or(Flow::Start),
        };
        if flow == Flow::Quit || c.wiped {
            return flow;
        }
    }
}

/// 代理登録: the member's postcard, then STEP3–5 as at the kiosk.
fn assist(c: &mut Console, svc: &Services, actor: &Actor) -> Flow {
    c.gap();
    c.say_key("staff_start.title");
    c.say_key("plain.assist_intro");
    loop {
        step(c, Step::TempId);
        let id =
            text_or!(c.ask(tr(c.lang, "staff_start.temp_id"), false), back => return Flow::Start);
        let pw = Zeroizing::new(text_or!(
            c.ask(tr(c.lang, "staff_start.temp_password"), true),
            back => continue
        ));
        c.say_key("common.busy");
        match svc.staff_temp_login(actor, &id, &pw) {
            Ok(LoginOutcome::Temporary(ticket)) => return register(c, svc, actor, ticket, false),
            Ok(LoginOutcome::Permanent(_)) => c.error(&Msg::new("staff_start.registered")),
            Ok(LoginOutcome::Failed) => c.error(&Msg::new("staff_start.failed")),
            Err(e) => system_error(c, &e),
        }
    }
}

fn kind_key(kind: IdKind) -> &'static str {
    match kind {
        IdKind::Temporary => "staff_unlock.kind_temporary",
        IdKind::Permanent => "staff_unlock.kind_permanent",
        IdKind::Staff => "staff_unlock.kind_staff",
        IdKind::Unknown => "staff_unlock.kind_unknown",
    }
}

/// ロック解除: the state of an ID, then unlock it when it is locked or has failures.
fn unlock(c: &mut Console, svc: &Services, actor: &Actor) -> Flow {
    c.gap();
    c.say_key("staff_unlock.title");
    c.say_key("staff_unlock.intro");
    loop {
        let id = text_or!(c.ask(tr(c.lang, "staff_unlock.id"), false), back => return Flow::Start);
        if id.is_empty() {
            c.error(&Msg::new("staff_unlock.missing"));
            continue;
        }
        let views = match svc.lock_overview(&id) {
            Ok(v) => v,
            Err(e) => {
                system_error(c, &e);
                continue;
            }
        };
        let mut any = false;
        for v in &views {
            let kind = tr(c.lang, kind_key(v.kind));
            let failures = v.state.failures.to_string();
            let line = if v.locked {
                any = true;
                let minutes = v.minutes_left.unwrap_or(0).to_string();
                let count = v.state.lock_count.to_string();
                trf(
                    c.lang,
                    "staff_unlock.locked",
                    &[
                        ("id", &id),
                        ("kind", kind),
                        ("minutes", &minutes),
                        ("failures", &failures),
                        ("count", &count),
                    ],
                )
            } else if v.state.failures > 0 {
                any = true;
                trf(
                    c.lang,
                    "staff_unlock.failures",
                    &[("id", &id), ("kind", kind), ("failures", &failures)],
                )
            } else {
                trf(c.lang, "staff_unlock.clear", &[("id", &id), ("kind", kind)])
            };
            c.say(&line);
        }
        if !any {
            continue;
        }
        let a = c.choose(
            tr(c.lang, "staff_unlock.unlock"),
            &["plain.yes", "plain.no"],
            1,
        );
        match chosen(&a) {
            Some(0) => match svc.unlock(actor, &id) {
                Ok(o) if o.cleared() => {
                    c.say_msg(&Msg::new("staff_unlock.unlocked").arg("id", &id))
                }
                Ok(_) => c.say_msg(&Msg::new("staff_unlock.not_locked").arg("id", &id)),
                Err(e) => system_error(c, &e),
            },
            Some(_) => {}
            None if a == Answer::Back => {}
            None => return a.flow().unwrap_or(Flow::Start),
        }
    }
}
