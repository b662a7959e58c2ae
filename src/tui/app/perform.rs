//! What the app does with an [`Action`]: navigation (every change of the member's page checked
//! against [`nav`]), and what only the app holds: the member's session, the registration's ticket,
//! the mail worker.

use rand::TryRngCore;
use rand::rngs::OsRng;
use zeroize::Zeroizing;

use super::App;
use crate::domain::Msg;
use crate::domain::password::PasswordContext;
use crate::domain::staff::generate_initial_password;
use crate::services::auth::{AccountSession, RegistrationTicket};
use crate::services::registration::{IdentityMatch, Registered, terms};
use crate::tui::nav;
use crate::tui::screens::Task;
use crate::tui::screens::details::{DetailsScreen, Registration};
use crate::tui::screens::done::DoneScreen;
use crate::tui::screens::identity::IdentityScreen;
use crate::tui::screens::login::LoginScreen;
use crate::tui::screens::menu::MenuScreen;
use crate::tui::screens::password_change::PasswordScreen;
use crate::tui::screens::{Action, Page, Screen};
use crate::tui::widgets::notice::Notice;

/// A change of the screens.
enum Change {
    /// Over the one in view.
    Push(Screen),
    /// Back to the one under it.
    Pop,
    /// Back to the topmost one of this page.
    PopTo(Page),
    /// The topmost one of this page and those over it give way to this one.
    Replace(Page, Screen),
    /// Everything gives way to this one.
    Only(Screen),
}

impl App {
    /// Carries out what a screen asked for.
    pub fn perform(&mut self, action: Action) {
        match action {
            Action::None => {}
            Action::All(actions) => {
                for a in actions {
                    self.perform(a);
                }
            }
            Action::SetLang(lang) => self.lang = lang,
            Action::Task(task) => self.spawn(task),
            Action::Open(screen) => self.show(Change::Push(screen)),
            Action::Back => self.show(Change::Pop),
            Action::BackTo(page) => self.show(Change::PopTo(page)),
            Action::Replace(page, screen) => self.show(Change::Replace(page, screen)),
            Action::StartOver(notice) => {
                self.reset_to_start();
                if let Some(n) = notice {
                    self.screen_mut().notice(n);
                }
            }
            Action::LoginIn(lang) => {
                // After a reset: a fresh start screen, in the member's language.
                self.reset_to_start();
                self.lang = lang;
                self.screens = vec![Screen::Login(LoginScreen::new(lang))];
            }
            Action::Notice(n) => self.screen_mut().notice(n),
            Action::Clear => self.clear_screen = true,
            Action::StartRegistration(ticket) => self.start_registration(ticket),
            Action::IdentityConfirmed(m) => self.identity_confirmed(m),
            Action::BackToIdentity => self.back_to_identity(),
            Action::Execute => self.execute(),
            Action::Registered(r) => self.registered(r),
            Action::ToMenu => self.done_to_menu(),
            Action::LoggedIn(session) => self.logged_in(session),
            Action::PasswordUpdated => match self.session.as_mut() {
                Some(s) => s.must_change = None,
                None => self.reset_to_start(),
            },
            Action::BackToMenu => self.back_to_menu(),
            Action::Logout => {
                self.audit_logout("ok");
                self.reset_to_start();
            }
            Action::StaffLoggedIn(session) => self.staff_logged_in(session),
            Action::StaffLogout => self.staff_end_session("ok"),
            Action::Quit => self.quit = true,
        }
    }

    // ----- navigation ----------------------------------------------------------------------------

    /// Changes the screens. At the kiosk, a change of the member's page that the navigation table
    /// does not allow is refused (a bug: the screen stays, and debug builds stop).
    fn show(&mut self, change: Change) {
        let from = self.page();
        let to = match &change {
            Change::Push(s) | Change::Only(s) => s.page(),
            Change::Replace(p, s) if self.pages().contains(p) => s.page(),
            Change::Pop if self.screens.len() > 1 => self.screens[self.screens.len() - 2].page(),
            Change::PopTo(p) if self.pages().contains(p) => *p,
            // Nothing to go back to.
            _ => return,
        };
        if !self.staff_mode() && !nav::allowed(from, to) {
            tracing::error!(
                ?from,
                ?to,
                "a screen change the navigation table does not allow"
            );
            debug_assert!(false, "{from:?} → {to:?} is not in the navigation table");
            return;
        }
        match change {
            Change::Push(s) => self.screens.push(s),
            Change::Pop => {
                self.screens.pop();
            }
            Change::PopTo(p) => {
                while self.page() != p {
                    self.screens.pop();
                }
            }
            Change::Replace(p, s) => {
                let at = self
                    .screens
                    .iter()
                    .rposition(|x| x.page() == p)
                    .unwrap_or(0);
                self.screens.truncate(at);
                self.screens.push(s);
            }
            Change::Only(s) => self.screens = vec![s],
        }
        self.touch.screen_changed();
    }

    /// Everything entered is wiped and the start screen returns (idle, cancel, logout). In the staff
    /// console: the staff menu returns (the staff member stays logged in).
    pub fn reset_to_start(&mut self) {
        self.ticket = None;
        self.session = None;
        self.busy = None;
        // The on-screen keyboard goes with everything entered (its shift too).
        self.touch = Default::default();
        self.clear_screen = true;
        self.last_input = std::time::Instant::now();
        if self.staff.is_some() {
            // The console's first screen: the staff menu, or its login when nobody is logged in.
            self.screens.truncate(1);
            return;
        }
        self.lang = self.opts.lang;
        self.screens = vec![Screen::Login(LoginScreen::new(self.lang))];
    }

    // ----- the member's registration -------------------------------------------------------------

    /// A postcard login was accepted (at the kiosk, or by staff for the member): STEP3.
    fn start_registration(&mut self, ticket: RegistrationTicket) {
        self.ticket = Some(ticket);
        let identity = IdentityScreen::new();
        let identity = if self.staff_mode() {
            Screen::Identity(identity.assisted(), None)
        } else {
            Screen::Identity(identity, None)
        };
        if self.staff_mode() {
            self.screens.truncate(1);
            self.screens.push(identity);
            self.clear_screen = true;
        } else {
            self.show(Change::Only(identity));
        }
    }

    /// STEP3 passed: STEP4, as the member left it when they went back, or new.
    fn identity_confirmed(&mut self, m: IdentityMatch) {
        let Some(ticket) = self.ticket.as_mut() else {
            return;
        };
        ticket.confirm(&m);
        let temp_password = ticket.temp_password.clone();
        let kept = match self.current_mut() {
            Screen::Identity(_, kept) => kept.take(),
            _ => None,
        };
        let details = match kept {
            Some(mut d) => {
                d.member_id = Some(m.member_id);
                *d
            }
            None => {
                let config = self.config();
                let cx = self.cx(&config);
                let d = DetailsScreen::new(&cx, m.relationship, Some(m.member_id), temp_password);
                if self.staff_mode() { d.assisted() } else { d }
            }
        };
        self.show(Change::Push(Screen::Details(details)));
    }

    /// [戻る] on STEP4: STEP3 as it was, keeping STEP4 for when the member comes forward again.
    fn back_to_identity(&mut self) {
        if self.page() != Page::Details {
            return;
        }
        let below_is_identity = self
            .screens
            .len()
            .checked_sub(2)
            .is_some_and(|i| self.screens[i].page() == Page::Identity);
        let Some(Screen::Details(details)) = self.screens.pop() else {
            return;
        };
        if !below_is_identity {
            let identity = IdentityScreen::new();
            let identity = if self.staff_mode() {
                identity.assisted()
            } else {
                identity
            };
            self.screens.push(Screen::Identity(identity, None));
        }
        if let Some(Screen::Identity(_, kept)) = self.screens.last_mut() {
            *kept = Some(Box::new(details));
        }
        self.touch.screen_changed();
    }

    /// [実行]: STEP4's input, in one transaction on a task thread; the answer goes to STEP4.
    fn execute(&mut self) {
        let (Some(ticket), Some(details)) = (self.ticket.clone(), self.find::<DetailsScreen>())
        else {
            self.reset_to_start();
            return;
        };
        let config = self.config();
        let cx = self.cx(&config);
        let mut input = details.input(&cx, terms(self.lang).version);
        let mut initial_password = None;
        if input.initial_password {
            // An assisted registration: staff never choose the member's password.
            match self.initial_password(&ticket, &input.user_id) {
                Some(pw) => {
                    input.password = pw.clone();
                    input.password_confirm = pw.clone();
                    initial_password = Some(pw);
                }
                None => {
                    self.screen_mut()
                        .notice(Notice::error("common.system_error"));
                    return;
                }
            }
        }
        self.spawn(Task::new(
            move |t| {
                let result = t.svc.register(&t.actor, &ticket, &input);
                let mail_state = result
                    .as_ref()
                    .ok()
                    .and_then(|r| r.mail_id)
                    .and_then(|id| t.svc.mail_state(id).ok().flatten());
                Registration {
                    result,
                    mail_state,
                    initial_password,
                }
            },
            DetailsScreen::on_registered,
        ));
    }

    /// A generated initial password that passes the policy (assisted registration).
    fn initial_password(
        &self,
        ticket: &RegistrationTicket,
        user_id: &str,
    ) -> Option<Zeroizing<String>> {
        let ctx = PasswordContext {
            user_id: Some(user_id),
            temporary: Some(ticket.temp_password.as_str()),
            current: None,
        };
        let pw = generate_initial_password(
            &mut OsRng.unwrap_err(),
            &self.services.config.password,
            &ctx,
        );
        if pw.is_none() {
            tracing::error!("the password policy does not allow a generated initial password");
        }
        pw
    }

    /// The registration committed: the member is logged in at the kiosk (staff never become the
    /// member), the mail worker hears of the welcome mail, and nothing of the registration stays.
    fn registered(&mut self, r: Registered) {
        if r.mail_id.is_some() {
            if let Some(worker) = &self.mail {
                worker.nudge();
            }
        }
        if !self.staff_mode() {
            self.session = Some(AccountSession {
                account_id: r.account_id,
                household_id: r.household_id,
                user_id: r.user_id.clone(),
                must_change: None,
                login_password_set_at: None,
            });
        }
        self.ticket = None;
    }

    /// [メニューへ] on the done screen: the member's menu, or back to the staff menu.
    fn done_to_menu(&mut self) {
        if self.staff_mode() {
            let user_id = self.find::<DoneScreen>().map(|d| d.user_id.clone());
            self.reset_to_start();
            if let Some(uid) = user_id {
                self.screen_mut()
                    .notice(Notice::ok(Msg::new("staff_menu.done").arg("user_id", uid)));
            }
            return;
        }
        if let Some(s) = &self.session {
            let menu = MenuScreen::new(&s.user_id);
            self.show(Change::Only(Screen::Menu(menu)));
        }
    }

    // ----- the member's session ------------------------------------------------------------------

    /// A permanent login: the menu, or first the password change the account requires.
    fn logged_in(&mut self, session: AccountSession) {
        let screen = match session.must_change {
            Some(reason) => {
                let config = self.config();
                let cx = self.cx(&config);
                PasswordScreen::new(&cx, &session.user_id, Some(reason)).into_screen()
            }
            None => Screen::Menu(MenuScreen::new(&session.user_id)),
        };
        self.session = Some(session);
        self.show(Change::Only(screen));
    }

    /// Back to the menu from the account area (not while a password change is required).
    fn back_to_menu(&mut self) {
        let Some(s) = &self.session else {
            self.reset_to_start();
            return;
        };
        if s.must_change.is_some() {
            return;
        }
        if self.pages().contains(&Page::Menu) {
            self.show(Change::PopTo(Page::Menu));
        } else {
            let menu = MenuScreen::new(&s.user_id);
            self.show(Change::Only(Screen::Menu(menu)));
        }
    }

    /// The audit row of a member's logout (`ok` from the menu, `idle` by the timer), when logged in;
    /// written on a task thread.
    pub(super) fn audit_logout(&mut self, outcome: &'static str) {
        let Some(session) = self.session.clone() else {
            return;
        };
        self.spawn(Task::detached(move |t| {
            if let Err(e) = t.svc.member_logout(&t.actor, &session, outcome) {
                tracing::error!(error = %e, "cannot write the logout audit row");
            }
        }));
    }
}
