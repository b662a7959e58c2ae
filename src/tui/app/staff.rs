//! The staff console inside the app (`kosmo-kiosk staff`, what SSH runs for staff): the staff member's
//! session (the Unix account alone is never trusted), and its end (logout, idle, hang-up), each with
//! its audit row. Assisted registration runs through the very same wizard screens, over the staff
//! menu, recorded with channel `staff`, the staff ID and the SSH client address; leaving the wizard
//! returns to the staff menu instead of the kiosk's start screen.

use std::time::Instant;

use super::App;
use crate::domain::Lang;
use crate::domain::text::neutralize;
use crate::services::staff::StaffSession;
use crate::store::{Actor, Channel};
use crate::tui::i18n::{tr, trf};
use crate::tui::screens::Screen;
use crate::tui::screens::Task;
use crate::tui::screens::staff::login::StaffLoginScreen;
use crate::tui::screens::staff::menu::StaffMenuScreen;
use crate::tui::widgets::notice::Notice;

/// The staff console's state.
#[derive(Debug, Default)]
pub struct StaffConsole {
    pub session: Option<StaffSession>,
}

impl StaffConsole {
    /// A console for a staff actor (the channel is `staff`); none for the member kiosk.
    pub fn for_actor(actor: &Actor) -> Option<StaffConsole> {
        (actor.channel == Channel::Staff).then(StaffConsole::default)
    }

    /// The console's first screen.
    pub fn login_screen(lang: Lang) -> Screen {
        Screen::StaffLogin(StaffLoginScreen::new(lang))
    }
}

impl App {
    /// The staff member logged in: the staff menu, with everything they do recorded under their ID.
    pub(super) fn staff_logged_in(&mut self, session: StaffSession) {
        self.opts.actor.staff_id = Some(session.staff_id.clone());
        let menu = StaffMenuScreen::new(
            &session.staff_id,
            self.opts.actor.client_addr.clone(),
            self.lang,
        );
        if let Some(s) = self.staff.as_mut() {
            s.session = Some(session);
        }
        self.screens = vec![Screen::StaffMenu(menu)];
    }

    /// The header's right-hand side: who is logged in to the console.
    pub(super) fn staff_header(&self) -> Option<String> {
        let s = self.staff.as_ref()?;
        Some(match &s.session {
            Some(session) => trf(
                self.lang,
                "staff.header",
                &[("id", &neutralize(&session.staff_id))],
            ),
            None => tr(self.lang, "staff.header_none").to_string(),
        })
    }

    /// The staff page in view (None at the member kiosk).
    pub fn staff_session(&self) -> Option<&StaffSession> {
        self.staff.as_ref()?.session.as_ref()
    }

    /// Idle timeout: everything is wiped and the staff member is logged out.
    pub(super) fn staff_idle_logout(&mut self) {
        self.staff_end_session("idle");
        self.screen_mut().notice(Notice::ok("staff.idle_logout"));
    }

    /// The connection went away (SIGHUP, a dead terminal): the session's end is audited (the runtime
    /// waits for the row before the process ends).
    pub(super) fn staff_hangup(&mut self) {
        if self.staff_session().is_some() {
            self.audit_staff_logout("hangup");
            if let Some(s) = self.staff.as_mut() {
                s.session = None;
            }
        }
    }

    /// Logs the staff member out (audited) and wipes everything.
    pub(super) fn staff_end_session(&mut self, reason: &'static str) {
        if self.staff_session().is_some() {
            self.audit_staff_logout(reason);
        }
        self.opts.actor.staff_id = None;
        self.ticket = None;
        self.session = None;
        self.busy = None;
        self.touch.screen_changed();
        self.staff = StaffConsole::for_actor(&self.opts.actor);
        self.screens = vec![StaffConsole::login_screen(self.lang)];
        self.clear_screen = true;
        self.last_input = Instant::now();
    }

    /// The audit row of a staff session's end, on a task thread (the actor still names the staff ID).
    fn audit_staff_logout(&mut self, reason: &'static str) {
        self.spawn(Task::detached(move |t| {
            if let Err(e) = t.svc.staff_logout(&t.actor, reason) {
                tracing::warn!(error = %e, "could not audit the end of a staff session");
            }
        }));
    }
}
