//! The staff console inside the app (`kosmo-kiosk staff`, what SSH runs for staff): the staff pages, the
//! staff login (the Unix account alone is never trusted), and assisted registration through the very same
//! wizard pages, recorded with channel `staff`, the staff ID and the SSH client address.
//!
//! The console is the app in "staff mode" (the actor's channel is `staff`). While a staff page is set it is
//! shown; while none is set the wizard's page is (an assisted registration in progress). Leaving the wizard
//! (done, cancel, a refused credential) returns to the staff menu instead of the kiosk's start screen.

use std::path::PathBuf;
use std::time::Instant;

use rand::TryRngCore;
use rand::rngs::OsRng;
use zeroize::Zeroizing;

use super::{App, TaskResult};
use crate::domain::Msg;
use crate::domain::password::PasswordContext;
use crate::domain::staff::generate_initial_password;
use crate::domain::wizard::{Event as WizardEvent, Page};
use crate::services::audit::{AuditPage, AuditQuery};
use crate::services::auth::{LoginOutcome, RegistrationTicket};
use crate::services::credentials::{ReissueError, Reissued};
use crate::services::households::HouseholdView;
use crate::services::outbox::RequeueOutcome;
use crate::services::registration::RegistrationInput;
use crate::services::staff::{LockView, StaffLoginOutcome, StaffSession};
use crate::store::Channel;
use crate::store::outbox::OutboxRow;
use crate::tui::i18n::tr;
use crate::tui::screens::Screen;
use crate::tui::screens::identity::IdentityScreen;
use crate::tui::screens::staff::audit::{self, AuditScreen};
use crate::tui::screens::staff::login::StaffLoginScreen;
use crate::tui::screens::staff::mail::{self, MailScreen};
use crate::tui::screens::staff::menu::StaffMenuScreen;
use crate::tui::screens::staff::reissue::ReissueScreen;
use crate::tui::screens::staff::start::StaffStartScreen;
use crate::tui::screens::staff::unlock::UnlockScreen;
use crate::tui::screens::staff::{StaffAction, StaffPage};

/// The staff console's state.
pub struct StaffConsole {
    /// The staff page showing; `None` while the wizard runs (assisted registration).
    pub page: Option<StaffPage>,
    pub session: Option<StaffSession>,
    pub login: StaffLoginScreen,
    pub menu: Option<StaffMenuScreen>,
    pub start: Option<StaffStartScreen>,
    pub reissue: Option<ReissueScreen>,
    pub unlock: Option<UnlockScreen>,
    pub mail: Option<MailScreen>,
    pub audit: Option<AuditScreen>,
    /// Where reissued credentials are appended.
    pub notices: PathBuf,
    /// The initial password generated at [実行], until the done screen takes it.
    initial_password: Option<Zeroizing<String>>,
}

impl std::fmt::Debug for StaffConsole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffConsole")
            .field("page", &self.page)
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

impl StaffConsole {
    pub fn new(lang: crate::domain::Lang, notices: PathBuf) -> Self {
        StaffConsole {
            page: Some(StaffPage::Login),
            session: None,
            login: StaffLoginScreen::new(lang),
            menu: None,
            start: None,
            reissue: None,
            unlock: None,
            mail: None,
            audit: None,
            notices,
            initial_password: None,
        }
    }

    /// Drops every sub-screen (a reissued password on screen is wiped with it).
    fn close_pages(&mut self) {
        self.start = None;
        self.reissue = None;
        self.unlock = None;
        self.mail = None;
        self.audit = None;
    }

    fn current_message(&mut self) -> Option<&mut Option<(Msg, bool)>> {
        Some(match self.page? {
            StaffPage::Login => &mut self.login.message,
            StaffPage::Menu => &mut self.menu.as_mut()?.message,
            StaffPage::Start => &mut self.start.as_mut()?.message,
            StaffPage::Reissue => &mut self.reissue.as_mut()?.message,
            StaffPage::Unlock => &mut self.unlock.as_mut()?.message,
            StaffPage::Mail => &mut self.mail.as_mut()?.message,
            StaffPage::Audit => &mut self.audit.as_mut()?.message,
        })
    }

    /// Shows a message on the staff page in view.
    fn notice(&mut self, m: Msg, is_error: bool) {
        if let Some(slot) = self.current_message() {
            *slot = Some((m, is_error));
        }
    }
}

/// Results of the staff console's work off the UI thread.
#[derive(Debug)]
pub enum StaffTask {
    Login(Result<StaffLoginOutcome, String>),
    TempLogin(Result<LoginOutcome, String>),
    Found(Result<Vec<HouseholdView>, String>),
    Reissued(Result<Reissued, ReissueError>),
    Locks(Result<(Option<Vec<LockView>>, Vec<LockView>), String>),
    Unlocked(Result<(String, bool, Vec<LockView>, Vec<LockView>), String>),
    Mail(Result<Vec<OutboxRow>, String>),
    Requeued(Result<(i64, RequeueOutcome, Vec<OutboxRow>), String>),
    Audit(Result<AuditPage, String>),
}

impl App {
    /// True for the staff console (the actor's channel is `staff`).
    pub fn staff_mode(&self) -> bool {
        self.staff.is_some()
    }

    pub(super) fn new_staff_console(&self) -> Option<StaffConsole> {
        (self.opts.actor.channel == Channel::Staff).then(|| {
            StaffConsole::new(
                self.lang,
                self.services
                    .config
                    .staff
                    .notices_path(self.services.store.path()),
            )
        })
    }

    /// Whether a staff page is in view (rather than the wizard).
    pub(super) fn staff_showing(&self) -> bool {
        self.staff_screen().is_some()
    }

    pub(super) fn staff_screen(&self) -> Option<&dyn Screen> {
        let s = self.staff.as_ref()?;
        let page = match s.page {
            Some(p) => p,
            // The wizard runs; should it have ended without telling us, show the menu.
            None if self.page == Page::Login => {
                if s.session.is_some() {
                    StaffPage::Menu
                } else {
                    StaffPage::Login
                }
            }
            None => return None,
        };
        Some(match page {
            StaffPage::Login => &s.login,
            StaffPage::Menu => s.menu.as_ref().map_or(&s.login as &dyn Screen, |m| m),
            StaffPage::Start => s.start.as_ref().map_or(&s.login as &dyn Screen, |m| m),
            StaffPage::Reissue => s.reissue.as_ref().map_or(&s.login as &dyn Screen, |m| m),
            StaffPage::Unlock => s.unlock.as_ref().map_or(&s.login as &dyn Screen, |m| m),
            StaffPage::Mail => s.mail.as_ref().map_or(&s.login as &dyn Screen, |m| m),
            StaffPage::Audit => s.audit.as_ref().map_or(&s.login as &dyn Screen, |m| m),
        })
    }

    pub(super) fn staff_screen_mut(&mut self) -> &mut dyn Screen {
        let wizard_over = self.page == Page::Login;
        let s = self.staff.as_mut().expect("staff console");
        if s.page.is_none() && wizard_over {
            s.page = Some(StaffPage::Menu);
        }
        if s.session.is_none() {
            s.page = Some(StaffPage::Login);
        }
        let page = s.page.unwrap_or(StaffPage::Login);
        let missing = match page {
            StaffPage::Login => false,
            StaffPage::Menu => s.menu.is_none(),
            StaffPage::Start => s.start.is_none(),
            StaffPage::Reissue => s.reissue.is_none(),
            StaffPage::Unlock => s.unlock.is_none(),
            StaffPage::Mail => s.mail.is_none(),
            StaffPage::Audit => s.audit.is_none(),
        };
        if missing {
            s.page = Some(StaffPage::Login);
        }
        match s.page.unwrap_or(StaffPage::Login) {
            StaffPage::Login => &mut s.login,
            StaffPage::Menu => s.menu.as_mut().expect("menu"),
            StaffPage::Start => s.start.as_mut().expect("start"),
            StaffPage::Reissue => s.reissue.as_mut().expect("reissue"),
            StaffPage::Unlock => s.unlock.as_mut().expect("unlock"),
            StaffPage::Mail => s.mail.as_mut().expect("mail"),
            StaffPage::Audit => s.audit.as_mut().expect("audit"),
        }
    }

    /// The header's right-hand side: who is logged in to the console.
    pub(super) fn staff_header(&self) -> Option<String> {
        let s = self.staff.as_ref()?;
        Some(match &s.session {
            Some(session) => crate::tui::i18n::trf(
                self.lang,
                "staff.header",
                &[("id", &crate::domain::text::neutralize(&session.staff_id))],
            ),
            None => tr(self.lang, "staff.header_none").to_string(),
        })
    }

    /// The staff console's idle deadline: none while nobody is logged in and nothing is typed.
    pub(super) fn staff_idle_deadline(&self) -> Option<Instant> {
        let s = self.staff.as_ref()?;
        if self.busy.is_some() {
            return None;
        }
        if s.session.is_none() && s.login.pristine() {
            return None;
        }
        Some(self.last_input + self.opts.idle_timeout)
    }

    /// Idle timeout: everything is wiped and the staff member is logged out.
    pub(super) fn staff_idle_logout(&mut self) {
        self.staff_end_session("idle");
        if let Some(s) = self.staff.as_mut() {
            s.login.message = Some((Msg::new("staff.idle_logout"), false));
        }
    }

    /// The connection went away (SIGHUP, a dead terminal): the session's end is audited.
    pub(super) fn staff_hangup(&mut self) {
        if self.staff.as_ref().is_some_and(|s| s.session.is_some()) {
            let actor = self.opts.actor.clone();
            if let Err(e) = self.services.staff_logout(&actor, "hangup") {
                tracing::warn!(error = %e, "could not audit the end of a staff session");
            }
            if let Some(s) = self.staff.as_mut() {
                s.session = None;
            }
        }
    }

    /// Logs the staff member out (audited) and wipes everything.
    fn staff_end_session(&mut self, reason: &str) {
        if self.staff.as_ref().is_some_and(|s| s.session.is_some()) {
            let actor = self.opts.actor.clone();
            if let Err(e) = self.services.staff_logout(&actor, reason) {
                tracing::warn!(error = %e, "could not audit a staff logout");
            }
        }
        self.opts.actor.staff_id = None;
        self.wipe_wizard();
        self.staff = self.new_staff_console();
        self.clear_screen = true;
        self.last_input = Instant::now();
    }

    /// After the wizard was left (cancel, a refused credential, an idle reset inside it): back to the
    /// staff menu, with nothing of the registration kept.
    pub(super) fn staff_after_reset(&mut self) {
        if let Some(s) = self.staff.as_mut() {
            s.initial_password = None;
            s.close_pages();
            s.page = Some(if s.session.is_some() {
                StaffPage::Menu
            } else {
                StaffPage::Login
            });
        }
        self.clear_screen = true;
        self.last_input = Instant::now();
    }

    /// A notice the wizard left for the kiosk's start screen goes to the staff page in view instead.
    pub(super) fn staff_bridge_notices(&mut self) {
        if let Some((m, err)) = self.login.message.take() {
            if let Some(s) = self.staff.as_mut() {
                s.notice(m, err);
            }
        }
    }

    /// [メニューへ] on the done screen: the registration is over, back to the staff menu.
    pub(super) fn staff_registration_done(&mut self) {
        let user_id = self.done.as_ref().map(|d| d.user_id.clone());
        self.wipe_wizard();
        self.staff_after_reset();
        if let (Some(uid), Some(s)) = (user_id, self.staff.as_mut()) {
            s.notice(Msg::new("staff_menu.done").arg("user_id", uid), false);
        }
    }

    /// Fills in a generated initial password (assisted registration, [実行]); the done screen shows it once.
    pub(super) fn staff_fill_initial_password(
        &mut self,
        ticket: &RegistrationTicket,
        input: &mut RegistrationInput,
    ) -> bool {
        let mut rng = OsRng.unwrap_err();
        let ctx = PasswordContext {
            user_id: Some(&input.user_id),
            temporary: Some(ticket.temp_password.as_str()),
            current: None,
        };
        let Some(pw) = generate_initial_password(&mut rng, &self.services.config.password, &ctx)
        else {
            tracing::error!("the password policy does not allow a generated initial password");
            return false;
        };
        input.password = pw.clone();
        input.password_confirm = pw.clone();
        if let Some(s) = self.staff.as_mut() {
            s.initial_password = Some(pw);
        }
        true
    }

    /// The generated password for the done screen (taken: it is shown there once).
    pub(super) fn staff_take_initial_password(&mut self) -> Option<Zeroizing<String>> {
        self.staff.as_mut()?.initial_password.take()
    }

    fn staff_open(&mut self, page: StaffPage) {
        let Some(s) = self.staff.as_mut() else {
            return;
        };
        if s.session.is_none() {
            return;
        }
        s.close_pages();
        match page {
            StaffPage::Start => s.start = Some(StaffStartScreen::new()),
            StaffPage::Reissue => s.reissue = Some(ReissueScreen::new()),
            StaffPage::Unlock => s.unlock = Some(UnlockScreen::new()),
            StaffPage::Mail => s.mail = Some(MailScreen::new()),
            StaffPage::Audit => s.audit = Some(AuditScreen::new()),
            StaffPage::Menu | StaffPage::Login => {}
        }
        s.page = Some(page);
        match page {
            StaffPage::Unlock => self.spawn(|svc, _| {
                StaffTask::Locks(
                    svc.lock_list()
                        .map(|l| (None, l))
                        .map_err(|e| e.to_string()),
                )
                .into()
            }),
            StaffPage::Mail => {
                let filter = self
                    .staff
                    .as_ref()
                    .and_then(|s| s.mail.as_ref())
                    .and_then(|m| m.filter());
                self.spawn(move |svc, _| {
                    StaffTask::Mail(
                        svc.mail_list(filter, mail::LIST_LIMIT)
                            .map_err(|e| e.to_string()),
                    )
                    .into()
                })
            }
            StaffPage::Audit => self.spawn(|svc, _| {
                StaffTask::Audit(
                    svc.audit_view(&AuditQuery::default(), audit::LIST_LIMIT)
                        .map_err(|e| e.to_string()),
                )
                .into()
            }),
            _ => {}
        }
    }

    fn staff_temp_login(&mut self, temp_id: String, temp_password: Zeroizing<String>) {
        self.spawn(move |svc, actor| {
            StaffTask::TempLogin(
                svc.staff_temp_login(&actor, &temp_id, &temp_password)
                    .map_err(|e| e.to_string()),
            )
            .into()
        });
    }

    pub(super) fn perform_staff(&mut self, action: StaffAction) {
        match action {
            StaffAction::Login { staff_id, password } => self.spawn(move |svc, actor| {
                StaffTask::Login(
                    svc.staff_login(&actor, &staff_id, &password)
                        .map_err(|e| e.to_string()),
                )
                .into()
            }),
            StaffAction::Quit => self.quit = true,
            StaffAction::Logout => self.staff_end_session("ok"),
            StaffAction::Open(page) => self.staff_open(page),
            StaffAction::BackToMenu => {
                if let Some(s) = self.staff.as_mut() {
                    s.close_pages();
                    s.page = Some(StaffPage::Menu);
                }
                self.clear_screen = true;
            }
            StaffAction::StartRegistration {
                temp_id,
                temp_password,
            } => self.staff_temp_login(temp_id, temp_password),
            StaffAction::RegisterReissued => {
                let cred = self
                    .staff
                    .as_ref()
                    .and_then(|s| s.reissue.as_ref())
                    .and_then(|r| r.issued_credential())
                    .map(|r| (r.temp_id.clone(), r.temp_password.clone()));
                if let Some((id, pw)) = cred {
                    self.staff_temp_login(id, pw);
                }
            }
            StaffAction::Search(query) => self.spawn(move |svc, actor| {
                StaffTask::Found(
                    svc.find_households(&actor, &query)
                        .map_err(|e| e.to_string()),
                )
                .into()
            }),
            StaffAction::Reissue(household_id) => {
                let notices = self
                    .staff
                    .as_ref()
                    .map(|s| s.notices.clone())
                    .unwrap_or_default();
                self.spawn(move |svc, actor| {
                    StaffTask::Reissued(svc.reissue_credential(&actor, household_id, &notices))
                        .into()
                })
            }
            StaffAction::LockLookup(id) => self.spawn(move |svc, _| {
                StaffTask::Locks(
                    svc.lock_overview(&id)
                        .and_then(|one| Ok((Some(one), svc.lock_list()?)))
                        .map_err(|e| e.to_string()),
                )
                .into()
            }),
            StaffAction::Unlock(id) => self.spawn(move |svc, actor| {
                StaffTask::Unlocked(
                    svc.unlock(&actor, &id)
                        .and_then(|o| {
                            Ok((
                                id.clone(),
                                o.cleared(),
                                svc.lock_overview(&id)?,
                                svc.lock_list()?,
                            ))
                        })
                        .map_err(|e| e.to_string()),
                )
                .into()
            }),
            StaffAction::MailList(filter) => self.spawn(move |svc, _| {
                StaffTask::Mail(
                    svc.mail_list(filter, mail::LIST_LIMIT)
                        .map_err(|e| e.to_string()),
                )
                .into()
            }),
            StaffAction::Requeue { id, filter } => self.spawn(move |svc, actor| {
                StaffTask::Requeued(
                    svc.requeue_mail(&actor, id)
                        .and_then(|o| Ok((id, o, svc.mail_list(filter, mail::LIST_LIMIT)?)))
                        .map_err(|e| e.to_string()),
                )
                .into()
            }),
            StaffAction::Audit(query) => self.spawn(move |svc, _| {
                StaffTask::Audit(
                    svc.audit_view(&query, audit::LIST_LIMIT)
                        .map_err(|e| e.to_string()),
                )
                .into()
            }),
        }
    }

    fn staff_system_error(&mut self, what: &str, e: &str) {
        tracing::error!(error = %e, "staff console: {what} failed");
        if let Some(s) = self.staff.as_mut() {
            s.notice(Msg::new("staff.system_error"), true);
        }
    }

    pub(super) fn on_staff_task(&mut self, result: StaffTask) {
        let client_addr = self.opts.actor.client_addr.clone();
        let lang = self.lang;
        match result {
            StaffTask::Login(Ok(StaffLoginOutcome::Ok(session))) => {
                self.opts.actor.staff_id = Some(session.staff_id.clone());
                if let Some(s) = self.staff.as_mut() {
                    s.login = StaffLoginScreen::new(lang);
                    s.menu = Some(StaffMenuScreen::new(&session.staff_id, client_addr, lang));
                    s.session = Some(session);
                    s.page = Some(StaffPage::Menu);
                }
            }
            StaffTask::Login(Ok(StaffLoginOutcome::Failed)) => {
                if let Some(s) = self.staff.as_mut() {
                    s.login.refused();
                }
            }
            StaffTask::Login(Err(e)) => self.staff_system_error("staff login", &e),
            StaffTask::TempLogin(Ok(LoginOutcome::Temporary(ticket))) => {
                self.ticket = Some(ticket);
                self.identity = Some(IdentityScreen::new());
                self.details = None;
                self.confirm = None;
                self.done = None;
                self.page = Page::Login;
                self.go(WizardEvent::TemporaryLoginOk);
                if let Some(s) = self.staff.as_mut() {
                    s.close_pages();
                    s.page = None;
                }
                self.clear_screen = true;
            }
            StaffTask::TempLogin(Ok(LoginOutcome::Permanent(_))) => {
                if let Some(start) = self.staff.as_mut().and_then(|s| s.start.as_mut()) {
                    start.refused(Msg::new("staff_start.registered"));
                }
            }
            StaffTask::TempLogin(Ok(LoginOutcome::Failed)) => {
                if let Some(s) = self.staff.as_mut() {
                    match s.start.as_mut() {
                        Some(start) => start.refused(Msg::new("staff_start.failed")),
                        None => s.notice(Msg::new("staff_start.failed"), true),
                    }
                }
            }
            StaffTask::TempLogin(Err(e)) => self.staff_system_error("temporary login", &e),
            StaffTask::Found(Ok(list)) => {
                if let Some(r) = self.staff.as_mut().and_then(|s| s.reissue.as_mut()) {
                    r.found(list);
                }
            }
            StaffTask::Found(Err(e)) => self.staff_system_error("household lookup", &e),
            StaffTask::Reissued(Ok(done)) => {
                if let Some(r) = self.staff.as_mut().and_then(|s| s.reissue.as_mut()) {
                    r.issued(done);
                }
            }
            StaffTask::Reissued(Err(ReissueError::Registered)) => {
                if let Some(s) = self.staff.as_mut() {
                    s.notice(Msg::new("staff_reissue.registered_note"), true);
                }
            }
            StaffTask::Reissued(Err(ReissueError::NotFound)) => {
                if let Some(s) = self.staff.as_mut() {
                    s.notice(Msg::new("staff_reissue.not_found"), true);
                }
            }
            StaffTask::Reissued(Err(ReissueError::Service(e))) => {
                self.staff_system_error("reissue", &e.to_string())
            }
            StaffTask::Locks(Ok((lookup, list))) => {
                if let Some(u) = self.staff.as_mut().and_then(|s| s.unlock.as_mut()) {
                    if lookup.is_some() {
                        u.lookup = lookup;
                    }
                    u.set_list(list);
                }
            }
            StaffTask::Locks(Err(e)) => self.staff_system_error("lock lookup", &e),
            StaffTask::Unlocked(Ok((id, any, one, list))) => {
                if let Some(u) = self.staff.as_mut().and_then(|s| s.unlock.as_mut()) {
                    let shown = crate::domain::text::neutralize(&id).into_owned();
                    u.message = Some(if any {
                        (Msg::new("staff_unlock.unlocked").arg("id", shown), false)
                    } else {
                        (Msg::new("staff_unlock.not_locked").arg("id", shown), false)
                    });
                    u.lookup = Some(one);
                    u.set_list(list);
                }
            }
            StaffTask::Unlocked(Err(e)) => self.staff_system_error("unlock", &e),
            StaffTask::Mail(Ok(rows)) => {
                if let Some(m) = self.staff.as_mut().and_then(|s| s.mail.as_mut()) {
                    m.set_rows(rows);
                }
            }
            StaffTask::Mail(Err(e)) => self.staff_system_error("mail list", &e),
            StaffTask::Requeued(Ok((id, outcome, rows))) => {
                if let Some(m) = self.staff.as_mut().and_then(|s| s.mail.as_mut()) {
                    m.message = Some(match outcome {
                        RequeueOutcome::Requeued => {
                            m.form.field_mut("id").clear();
                            (Msg::new("staff_mail.requeued").arg("id", id), false)
                        }
                        RequeueOutcome::NotFound => {
                            (Msg::new("staff_mail.not_found").arg("id", id), true)
                        }
                        RequeueOutcome::NotRequeueable(state) => (
                            Msg::new("staff_mail.not_dead")
                                .arg("id", id)
                                .arg("state", tr(lang, mail::state_key(state))),
                            true,
                        ),
                    });
                    m.set_rows(rows);
                }
            }
            StaffTask::Requeued(Err(e)) => self.staff_system_error("requeue", &e),
            StaffTask::Audit(Ok(page)) => {
                if let Some(a) = self.staff.as_mut().and_then(|s| s.audit.as_mut()) {
                    a.set_page(page);
                }
            }
            StaffTask::Audit(Err(e)) => self.staff_system_error("audit view", &e),
        }
    }
}

impl From<StaffTask> for TaskResult {
    fn from(t: StaffTask) -> Self {
        TaskResult::Staff(t)
    }
}
