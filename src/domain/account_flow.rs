//! The member's account area after login, as a state machine: 個人情報管理 (input, confirm, done),
//! パスワード変更 (voluntary or forced, done) and パスワードを忘れた方 (request a code, enter it, done).
//!
//! These pages hang off the wizard's [`Page::Login`] and [`Page::Menu`] as [`Page::Account`]; the
//! wizard's [`transition`](super::wizard::transition) hands every account page and account event to
//! [`transition`] here. The rule that matters: a forced password change ([`AccountPage::ForcedPassword`])
//! is left only by changing the password, by logging out or by the idle timeout – nothing else opens.

use super::wizard::{Event, Page};

/// A page of the account area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountPage {
    /// 個人情報管理: the registered data, and the email address and 医療費通知 mail setting to edit.
    Profile,
    /// 個人情報管理 – 入力確認: the change read back, [実行] [戻る].
    ProfileConfirm,
    /// 個人情報管理 – 変更完了.
    ProfileDone,
    /// パスワード変更 from the menu.
    Password,
    /// パスワード変更 required at login (age, expired by an administrator, initial): no way round it.
    ForcedPassword,
    /// パスワード変更 – 変更完了.
    PasswordDone,
    /// パスワードを忘れた方: user ID and registered email address.
    Forgot,
    /// The one-time code and the new password.
    ResetCode,
    /// パスワード再設定 – 完了.
    ResetDone,
}

impl AccountPage {
    pub const ALL: [AccountPage; 9] = [
        AccountPage::Profile,
        AccountPage::ProfileConfirm,
        AccountPage::ProfileDone,
        AccountPage::Password,
        AccountPage::ForcedPassword,
        AccountPage::PasswordDone,
        AccountPage::Forgot,
        AccountPage::ResetCode,
        AccountPage::ResetDone,
    ];

    /// Pages that need a logged-in member.
    pub fn needs_session(self) -> bool {
        !matches!(
            self,
            AccountPage::Forgot | AccountPage::ResetCode | AccountPage::ResetDone
        )
    }
}

/// Something that happened in the account area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountEvent {
    /// 個人情報管理 on the menu.
    OpenProfile,
    /// The profile input is valid and differs from what is stored ([入力内容確認]).
    ProfileValid,
    /// [実行] on the profile confirm page committed.
    ProfileSaved,
    /// パスワード変更 on the menu.
    OpenPassword,
    /// A permanent login whose password must be changed first.
    MustChangePassword,
    /// The password change committed.
    PasswordChanged,
    /// パスワードを忘れた方 on the login screen.
    Forgot,
    /// To the code entry (after a request, or "I already have a code").
    EnterCode,
    /// The code was accepted and the new password set.
    PasswordReset,
    /// [ログイン画面へ] after the reset.
    ToLogin,
}

impl AccountEvent {
    pub const ALL: [AccountEvent; 10] = [
        AccountEvent::OpenProfile,
        AccountEvent::ProfileValid,
        AccountEvent::ProfileSaved,
        AccountEvent::OpenPassword,
        AccountEvent::MustChangePassword,
        AccountEvent::PasswordChanged,
        AccountEvent::Forgot,
        AccountEvent::EnterCode,
        AccountEvent::PasswordReset,
        AccountEvent::ToLogin,
    ];
}

/// The page that follows `event` on `page` in the account area, or `None`. Called by the wizard's
/// `transition` for what it does not handle itself (it answers [`Event::IdleTimeout`] for every page).
pub fn transition(page: Page, event: Event) -> Option<Page> {
    use AccountEvent as A;
    use AccountPage as AP;
    use Event as E;
    use Page as P;
    let to = |p: AccountPage| Some(P::Account(p));
    match (page, event) {
        (P::Menu, E::Account(A::OpenProfile)) => to(AP::Profile),
        (P::Menu, E::Account(A::OpenPassword)) => to(AP::Password),
        (P::Login, E::Account(A::MustChangePassword)) => to(AP::ForcedPassword),
        (P::Login, E::Account(A::Forgot)) => to(AP::Forgot),
        (P::Account(p), e) => match (p, e) {
            (AP::Profile, E::Account(A::ProfileValid)) => to(AP::ProfileConfirm),
            (AP::Profile, E::Back) => Some(P::Menu),
            (AP::ProfileConfirm, E::Back) => to(AP::Profile),
            (AP::ProfileConfirm, E::Account(A::ProfileSaved)) => to(AP::ProfileDone),
            (AP::ProfileDone | AP::PasswordDone, E::ToMenu) => Some(P::Menu),
            (AP::Password, E::Back) => Some(P::Menu),
            (AP::Password | AP::ForcedPassword, E::Account(A::PasswordChanged)) => {
                to(AP::PasswordDone)
            }
            (p, E::Logout) if p.needs_session() => Some(P::Login),
            (AP::Forgot, E::Back) => Some(P::Login),
            (AP::Forgot, E::Account(A::EnterCode)) => to(AP::ResetCode),
            (AP::ResetCode, E::Back) => to(AP::Forgot),
            (AP::ResetCode, E::Account(A::PasswordReset)) => to(AP::ResetDone),
            (AP::ResetDone, E::Account(A::ToLogin)) => Some(P::Login),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::wizard::transition as route;
    use proptest::prelude::*;

    fn all_pages() -> Vec<Page> {
        let mut v: Vec<Page> = Page::ALL.to_vec();
        v.extend(AccountPage::ALL.iter().map(|p| Page::Account(*p)));
        v
    }

    fn all_events() -> Vec<Event> {
        let mut v: Vec<Event> = Event::ALL.to_vec();
        v.extend(AccountEvent::ALL.iter().map(|e| Event::Account(*e)));
        v
    }

    #[test]
    fn listed_transitions() {
        use AccountEvent as A;
        use AccountPage as AP;
        use Event as E;
        use Page as P;
        let acc = P::Account;
        let table = [
            (P::Menu, E::Account(A::OpenProfile), acc(AP::Profile)),
            (P::Menu, E::Account(A::OpenPassword), acc(AP::Password)),
            (
                P::Login,
                E::Account(A::MustChangePassword),
                acc(AP::ForcedPassword),
            ),
            (P::Login, E::Account(A::Forgot), acc(AP::Forgot)),
            (
                acc(AP::Profile),
                E::Account(A::ProfileValid),
                acc(AP::ProfileConfirm),
            ),
            (acc(AP::Profile), E::Back, P::Menu),
            (acc(AP::Profile), E::Logout, P::Login),
            (acc(AP::ProfileConfirm), E::Back, acc(AP::Profile)),
            (
                acc(AP::ProfileConfirm),
                E::Account(A::ProfileSaved),
                acc(AP::ProfileDone),
            ),
            (acc(AP::ProfileConfirm), E::Logout, P::Login),
            (acc(AP::ProfileDone), E::ToMenu, P::Menu),
            (acc(AP::ProfileDone), E::Logout, P::Login),
            (acc(AP::Password), E::Back, P::Menu),
            (
                acc(AP::Password),
                E::Account(A::PasswordChanged),
                acc(AP::PasswordDone),
            ),
            (acc(AP::Password), E::Logout, P::Login),
            (
                acc(AP::ForcedPassword),
                E::Account(A::PasswordChanged),
                acc(AP::PasswordDone),
            ),
            (acc(AP::ForcedPassword), E::Logout, P::Login),
            (acc(AP::PasswordDone), E::ToMenu, P::Menu),
            (acc(AP::PasswordDone), E::Logout, P::Login),
            (acc(AP::Forgot), E::Back, P::Login),
            (
                acc(AP::Forgot),
                E::Account(A::EnterCode),
                acc(AP::ResetCode),
            ),
            (acc(AP::ResetCode), E::Back, acc(AP::Forgot)),
            (
                acc(AP::ResetCode),
                E::Account(A::PasswordReset),
                acc(AP::ResetDone),
            ),
            (acc(AP::ResetDone), E::Account(A::ToLogin), P::Login),
        ];
        let mut allowed = 0;
        for page in all_pages() {
            for event in all_events() {
                let account_related =
                    matches!(page, P::Account(_)) || matches!(event, E::Account(_));
                if !account_related {
                    continue; // the wizard's own table, tested in wizard.rs
                }
                let expected = if event == E::IdleTimeout {
                    Some(P::Login)
                } else {
                    table
                        .iter()
                        .find(|(p, e, _)| *p == page && *e == event)
                        .map(|(_, _, to)| *to)
                };
                assert_eq!(route(page, event), expected, "{page:?} + {event:?}");
                allowed += usize::from(expected.is_some() && event != E::IdleTimeout);
            }
        }
        assert_eq!(allowed, table.len());
    }

    #[test]
    fn forced_change_has_no_way_round() {
        let forced = Page::Account(AccountPage::ForcedPassword);
        for event in all_events() {
            let next = route(forced, event);
            match event {
                Event::Account(AccountEvent::PasswordChanged) => {
                    assert_eq!(next, Some(Page::Account(AccountPage::PasswordDone)))
                }
                Event::Logout | Event::IdleTimeout => assert_eq!(next, Some(Page::Login)),
                _ => assert_eq!(next, None, "{event:?} must not leave the forced change"),
            }
        }
    }

    #[test]
    fn the_wizard_pages_only_lead_into_the_account_area_as_listed() {
        // Only the login screen and the menu open account pages.
        for page in Page::ALL {
            for event in all_events() {
                if let Some(Page::Account(_)) = route(page, event) {
                    assert!(
                        matches!(page, Page::Login | Page::Menu),
                        "{page:?} + {event:?}"
                    );
                }
            }
        }
    }

    proptest! {
        /// After a login that must change the password, the menu (and every page needing a session but the
        /// forced change itself) is reached only after `PasswordChanged`.
        #[test]
        fn menu_only_after_the_forced_change(
            events in prop::collection::vec(prop::sample::select(all_events()), 0..80),
        ) {
            let mut page = route(Page::Login, Event::Account(AccountEvent::MustChangePassword)).unwrap();
            let mut changed = false;
            for e in events {
                let Some(next) = route(page, e) else { continue };
                if e == Event::Account(AccountEvent::PasswordChanged) {
                    changed = true;
                }
                if next == Page::Login {
                    // Logged out or timed out: the forced login is over.
                    break;
                }
                if !changed {
                    prop_assert_eq!(next, Page::Account(AccountPage::ForcedPassword));
                }
                page = next;
            }
        }

        /// The reset pages never lead into pages that need a session.
        #[test]
        fn forgotten_password_never_reaches_the_menu(
            events in prop::collection::vec(prop::sample::select(all_events()), 0..80),
        ) {
            let mut page = route(Page::Login, Event::Account(AccountEvent::Forgot)).unwrap();
            for e in events {
                let Some(next) = route(page, e) else { continue };
                if next == Page::Login {
                    break;
                }
                match next {
                    Page::Account(p) => prop_assert!(!p.needs_session(), "{:?}", p),
                    other => prop_assert!(false, "reached {:?}", other),
                }
                page = next;
            }
        }
    }
}
