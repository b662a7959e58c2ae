//! The member's kiosk in plain lines: STEP1–2 (the login), STEP3 (identity and the terms), STEP4
//! (the details, each field checked as it is answered), the read-back of 入力確認, [実行] (the one
//! registration transaction of `Services::register`) and STEP5. Also the registration part of the
//! staff console's assisted registration.

use std::io;

use zeroize::Zeroizing;

use super::{Answer, Console, Flow, Options, chosen};
use crate::domain::birthdate::{self, parse_birth_date};
use crate::domain::household::Relationship;
use crate::domain::insurer::{self, InsurerNumber};
use crate::domain::user_id::validate_user_id;
use crate::i18n::{Lang, Msg, tr, trf};
use crate::services::Services;
use crate::services::auth::{LoginOutcome, RegistrationTicket};
use crate::services::registration::{IdentityOutcome, RegisterError, RegistrationInput, terms};
use crate::store::Actor;
use crate::tui::nav::Step;

/// `kosmo-kiosk --plain`: one person after another until the program is stopped.
pub fn run_kiosk(svc: Services, opts: Options) -> io::Result<()> {
    let mut c = Console::open(&opts);
    tracing::info!(channel = opts.actor.channel.as_str(), "plain kiosk started");
    loop {
        c.lang = opts.lang;
        match member_session(&mut c, &svc, &opts.actor) {
            Flow::Start => c.clear_for_next_person(),
            Flow::Quit => break,
        }
    }
    tracing::info!("plain kiosk stopped");
    Ok(())
}

/// Takes the text of an answer, or returns from the function with the flow it asks for.
macro_rules! text_or {
    ($answer:expr, back => $back:expr) => {
        match $answer {
            Answer::Text(t) => t,
            Answer::Back => $back,
            other => return other.flow().unwrap_or(Flow::Start),
        }
    };
}
pub(super) use text_or;

/// The heading of a step: `STEP3 本人確認（5つのうち3番目）`.
pub(super) fn step(c: &mut Console, s: Step) {
    c.gap();
    let label = tr(c.lang, s.label_key());
    let t = trf(
        c.lang,
        "plain.step",
        &[("n", &s.number().to_string()), ("label", label)],
    );
    c.say(&t);
}

fn member_session(c: &mut Console, svc: &Services, actor: &Actor) -> Flow {
    c.say("KOSMO Communication Web");
    c.say_key("plain.intro");
    c.say_key("plain.how");
    step(c, Step::Access);
    c.say_key("plain.guide");
    c.say_key("login.guide_registered");
    loop {
        step(c, Step::TempId);
        let id = text_or!(c.ask(tr(c.lang, "login.user_id"), false), back => continue);
        if let Some(lang) = Lang::from_code(&id.to_lowercase()).filter(|_| id.len() <= 8) {
            c.lang = lang;
            c.say_key("plain.lang_changed");
            continue;
        }
        let pw =
            Zeroizing::new(text_or!(c.ask(tr(c.lang, "plain.password"), true), back => continue));
        if id.is_empty() || pw.is_empty() {
            c.error(&Msg::new("login.missing"));
            continue;
        }
        c.armed = true;
        c.say_key("common.busy");
        match svc.login(actor, &id, &pw) {
            Ok(LoginOutcome::Temporary(ticket)) => return register(c, svc, actor, ticket, true),
            Ok(LoginOutcome::Permanent(session)) => {
                return super::staff::member_menu(c, svc, actor, session);
            }
            Ok(LoginOutcome::Failed) => c.error(&Msg::new("login.failed")),
            Err(e) => system_error(c, &e),
        }
    }
}

pub(super) fn system_error(c: &mut Console, e: &dyn std::fmt::Display) {
    tracing::error!(error = %e, "plain: a service failed");
    c.error(&Msg::new("common.system_error"));
}

/// What STEP4 collected so far (kept when the member goes back from the read-back).
#[derive(Default)]
struct Details {
    user_id: String,
    password: Zeroizing<String>,
    password_confirm: Zeroizing<String>,
    email: String,
    registrant: Option<Relationship>,
    member_id: Option<i64>,
    notify_mail: bool,
}

/// STEP3 to STEP5 for a postcard login (the member's own, or assisted by staff).
pub(super) fn register(
    c: &mut Console,
    svc: &Services,
    actor: &Actor,
    mut ticket: RegistrationTicket,
    member: bool,
) -> Flow {
    let mut d = Details {
        notify_mail: true,
        ..Details::default()
    };
    'identity: loop {
        match identity(c, svc, actor, &mut ticket) {
            Ok(m) => {
                d.registrant = Some(m.0);
                d.member_id = Some(m.1);
            }
            Err(flow) => return flow,
        }
        let mut fresh = true;
        loop {
            match details(c, svc, &ticket, &mut d, fresh) {
                Some(Answer::Back) => continue 'identity,
                Some(other) => return other.flow().unwrap_or(Flow::Start),
                None => {}
            }
            fresh = false;
            match confirm_and_execute(c, svc, actor, &ticket, &d) {
                Execute::Done(reg) => return done_then_menu(c, svc, actor, reg, member),
                Execute::Edit => continue,
                Execute::Identity => continue 'identity,
                Execute::Flow(f) => return f,
            }
        }
    }
}

/// STEP3: the insurer number, the birth date and the terms; the check counts toward the lock.
fn identity(
    c: &mut Console,
    svc: &Services,
    actor: &Actor,
    ticket: &mut RegistrationTicket,
) -> Result<(Relationship, i64), Flow> {
    step(c, Step::Identity);
    c.say_key("plain.identity_intro");
    loop {
        let insurer: InsurerNumber = loop {
            let a = c.ask(tr(c.lang, "identity.insurer"), false);
            let t = match a {
                Answer::Text(t) => t,
                Answer::Back => return Err(Flow::Start),
                other => return Err(other.flow().unwrap_or(Flow::Start)),
            };
            match insurer::parse(&t) {
                Ok(n) => break n,
                Err(e) => c.error(&e.msg()),
            }
        };
        let birth = loop {
            let t = match c.ask(tr(c.lang, "identity.birth_date"), false) {
                Answer::Text(t) => t,
                Answer::Back => break None,
                other => return Err(other.flow().unwrap_or(Flow::Start)),
            };
            match parse_birth_date(&t, svc.clock.today()) {
                Ok(d) => {
                    c.say_msg(&birthdate::understood(d, c.lang));
                    break Some(d);
                }
                Err(e) => c.error(&e.msg()),
            }
        };
        let Some(birth) = birth else { continue };
        c.gap();
        c.say_key("identity.terms_title");
        let t = terms(c.lang).reflowed(c.lang);
        c.say(t.trim_end());
        c.say_key("plain.terms_end");
        loop {
            let a = c.choose(
                tr(c.lang, "plain.agree_question"),
                &["plain.agree", "plain.disagree"],
                1,
            );
            match chosen(&a) {
                Some(0) => break,
                Some(_) => c.error(&Msg::new("identity.agree_first")),
                None if a == Answer::Back => return Err(Flow::Start),
                None => return Err(a.flow().unwrap_or(Flow::Start)),
            }
        }
        c.say_key("common.busy");
        match svc.check_identity(actor, ticket, &insurer, birth) {
            Ok(IdentityOutcome::Confirmed(m)) => {
                ticket.confirm(&m);
                return Ok((m.relationship, m.member_id));
            }
            Ok(IdentityOutcome::Mismatch { remaining }) => {
                c.error(&Msg::new("identity.mismatch").arg("remaining", remaining));
            }
            Ok(IdentityOutcome::Locked) => {
                c.error(&Msg::new("identity.locked"));
                return Err(Flow::Start);
            }
            Ok(IdentityOutcome::CredentialInvalid) => {
                c.error(&Msg::new("identity.credential_invalid"));
                return Err(Flow::Start);
            }
            Err(e) => system_error(c, &e),
        }
    }
}

fn input(d: &Details, ticket_lang: Lang) -> RegistrationInput {
    RegistrationInput {
        user_id: validate_user_id(&d.user_id).unwrap_or_else(|_| d.user_id.clone()),
        password: d.password.clone(),
        password_confirm: d.password_confirm.clone(),
        email: d.email.clone(),
        notify_mail: d.notify_mail,
        registrant: d.registrant.unwrap_or(Relationship::Insured),
        member_id: d.member_id,
        terms_version: terms(ticket_lang).version.to_string(),
        lang: ticket_lang,
        initial_password: false,
    }
}

/// The first rule `field` breaks with the answers so far, if any.
fn violation(
    svc: &Services,
    ticket: &RegistrationTicket,
    d: &Details,
    lang: Lang,
    field: &str,
) -> Option<Msg> {
    svc.validate_details(ticket, &input(d, lang))
        .into_iter()
        .find(|v| v.field == field)
        .map(|v| v.msg)
}

/// Asks one field until its rules pass. `keep`: Enter alone keeps the value (after the read-back).
fn field(
    c: &mut Console,
    question: &str,
    hidden: bool,
    keep: bool,
    mut check: impl FnMut(&mut Console, &str) -> Option<Msg>,
) -> Result<Option<String>, Answer> {
    let q = if keep {
        trf(c.lang, "plain.keep", &[("question", question)])
    } else {
        question.to_string()
    };
    loop {
        match c.ask(&q, hidden) {
            Answer::Text(t) if keep && t.is_empty() => return Ok(None),
            Answer::Text(t) => match check(c, &t) {
                None => return Ok(Some(t)),
                Some(m) => c.error(&m),
            },
            other => return Err(other),
        }
    }
}

/// STEP4, field by field. `None` when every field passes; else the answer that left it.
fn details(
    c: &mut Console,
    svc: &Services,
    ticket: &RegistrationTicket,
    d: &mut Details,
    fresh: bool,
) -> Option<Answer> {
    step(c, Step::Details);
    c.say_key("plain.details_intro");
    c.say_key("details.user_id_fixed");
    let keep = !fresh;
    let lang = c.lang;
    macro_rules! ask_field {
        ($q:expr, $hidden:expr, $field:literal, $set:expr) => {{
            let r = field(c, tr(lang, $q), $hidden, keep, |c, t| {
                let mut probe = d.clone_public();
                $set(&mut probe, t);
                let v = violation(svc, ticket, &probe, lang, $field);
                if v.is_none() && $field == "user_id" {
                    match svc.user_id_available(&probe.user_id) {
                        Ok(true) => c.say_key("details.user_id_free"),
                        Ok(false) => {
                            return Some(crate::services::registration::taken_violation().msg);
                        }
                        Err(e) => system_error(c, &e),
                    }
                }
                v
            });
            match r {
                Ok(Some(t)) => $set(d, &t),
                Ok(None) => {}
                Err(a) => return Some(a),
            }
        }};
    }
    ask_field!(
        "details.user_id",
        false,
        "user_id",
        |d: &mut Details, t: &str| d.user_id = t.to_string()
    );
    ask_field!(
        "plain.new_password",
        true,
        "password",
        |d: &mut Details, t: &str| d.password = Zeroizing::new(t.to_string())
    );
    ask_field!(
        "plain.password_confirm",
        true,
        "password_confirm",
        |d: &mut Details, t: &str| { d.password_confirm = Zeroizing::new(t.to_string()) }
    );
    // The address, the registrant and the notices, in the screen's order; the address is optional
    // unless the notices go by mail, which is checked once both are answered.
    let mut keep_email = keep;
    loop {
        let r = field(c, tr(lang, "plain.email"), false, keep_email, |_, t| {
            let mut probe = d.clone_public();
            probe.email = t.to_string();
            probe.notify_mail = false;
            violation(svc, ticket, &probe, lang, "email")
        });
        match r {
            Ok(Some(t)) => d.email = t,
            Ok(None) => {}
            Err(a) => return Some(a),
        }
        let registrant = d.registrant.unwrap_or(Relationship::Insured);
        let preset = usize::from(registrant == Relationship::Dependent);
        let a = c.choose(
            tr(lang, "details.registrant"),
            &["rel.insured", "rel.dependent"],
            preset,
        );
        match chosen(&a) {
            Some(0) => d.registrant = Some(Relationship::Insured),
            Some(_) => d.registrant = Some(Relationship::Dependent),
            None => return Some(a),
        }
        let a = c.choose(
            tr(lang, "plain.notify"),
            &["details.notify_yes", "details.notify_no"],
            usize::from(!d.notify_mail),
        );
        match chosen(&a) {
            Some(n) => d.notify_mail = n == 0,
            None => return Some(a),
        }
        match violation(svc, ticket, &d.clone_public(), lang, "email") {
            None => break,
            Some(m) => {
                c.error(&m);
                keep_email = false;
            }
        }
    }
    None
}

impl Details {
    fn clone_public(&self) -> Details {
        Details {
            user_id: self.user_id.clone(),
            password: self.password.clone(),
            password_confirm: self.password_confirm.clone(),
            email: self.email.clone(),
            registrant: self.registrant,
            member_id: self.member_id,
            notify_mail: self.notify_mail,
        }
    }
}

enum Execute {
    Done(crate::services::registration::Registered),
    Edit,
    Identity,
    Flow(Flow),
}

/// 入力確認: every value read back (the password as asterisks), then [実行] or [戻る].
fn confirm_and_execute(
    c: &mut Console,
    svc: &Services,
    actor: &Actor,
    ticket: &RegistrationTicket,
    d: &Details,
) -> Execute {
    let lang = c.lang;
    c.gap();
    c.say_key("confirm.title");
    let stars = "*".repeat(d.password.chars().count());
    let rel = match d.registrant {
        Some(Relationship::Dependent) => "rel.dependent",
        _ => "rel.insured",
    };
    let email = if d.email.is_empty() {
        tr(lang, "confirm.no_email").to_string()
    } else {
        d.email.clone()
    };
    let notify = if d.notify_mail {
        "details.notify_yes"
    } else {
        "details.notify_no"
    };
    for (k, v) in [
        ("details.user_id", d.user_id.clone()),
        ("details.password", stars),
        ("details.email", email),
        ("details.registrant", tr(lang, rel).to_string()),
        ("confirm.notify", tr(lang, notify).to_string()),
    ] {
        let line = trf(lang, "plain.row", &[("label", tr(lang, k)), ("value", &v)]);
        c.say(&line);
    }
    let a = c.choose(
        tr(lang, "plain.execute_question"),
        &["confirm.execute", "common.back"],
        0,
    );
    match chosen(&a) {
        Some(0) => {}
        Some(_) => return Execute::Edit,
        None if a == Answer::Back => return Execute::Edit,
        None => return Execute::Flow(a.flow().unwrap_or(Flow::Start)),
    }
    c.say_key("common.busy");
    match svc.register(actor, ticket, &input(d, lang)) {
        Ok(reg) => {
            step(c, Step::Done);
            c.say_key("done.complete");
            let id = format!("{}{}", tr(lang, "done.your_user_id"), reg.user_id);
            c.say(&id);
            match &reg.email {
                Some(to) => {
                    let t = trf(lang, "done.mail_queued", &[("to", to)]);
                    c.say(&t);
                }
                None => c.say_key("done.no_mail"),
            }
            c.say_key("done.notices_title");
            c.say_key("done.notices");
            Execute::Done(reg)
        }
        Err(RegisterError::UserIdTaken) => {
            c.error(&crate::services::registration::taken_violation().msg);
            Execute::Edit
        }
        Err(RegisterError::Invalid(v)) => {
            for r in v {
                c.error(&r.msg);
            }
            Execute::Edit
        }
        Err(RegisterError::CredentialInvalid) => {
            c.error(&Msg::new("identity.credential_invalid"));
            Execute::Flow(Flow::Start)
        }
        Err(RegisterError::IdentityNotConfirmed) => Execute::Identity,
        Err(RegisterError::Service(e)) => {
            system_error(c, &e);
            Execute::Edit
        }
    }
}

/// After STEP5: Enter opens the main menu, logged in (the member's own registration), or goes back
/// to the staff menu (staff do not become the member).
fn done_then_menu(
    c: &mut Console,
    svc: &Services,
    actor: &Actor,
    reg: crate::services::registration::Registered,
    member: bool,
) -> Flow {
    let key = if member {
        "plain.to_menu"
    } else {
        "plain.to_staff_menu"
    };
    match c.ask(tr(c.lang, key), false) {
        Answer::Quit => Flow::Quit,
        Answer::Idle | Answer::Restart => Flow::Start,
        _ if member => {
            let session = crate::services::auth::AccountSession {
                account_id: reg.account_id,
                household_id: reg.household_id,
                user_id: reg.user_id,
                must_change: None,
                login_password_set_at: None,
            };
            super::staff::member_menu(c, svc, actor, session)
        }
        _ => Flow::Start,
    }
}
