//! The navigation table's properties (moved here from `domain::wizard` and `domain::account_flow`).

use proptest::prelude::*;

use super::*;

#[test]
fn steps() {
    let numbers: Vec<u8> = Step::ALL.iter().map(|s| s.number()).collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5]);
    assert_eq!(Step::TempId.label_key(), "wizard.step.temp_id");
    assert_eq!(step_of(Page::Login), Some(Step::TempId));
    assert_eq!(step_of(Page::Identity), Some(Step::Identity));
    assert_eq!(step_of(Page::Details), Some(Step::Details));
    assert_eq!(step_of(Page::Confirm), Some(Step::Details));
    assert_eq!(step_of(Page::Done), Some(Step::Done));
    assert_eq!(step_of(Page::Menu), None);
    assert_eq!(step_of(Page::StaffStart), Some(Step::TempId));
}

#[test]
fn every_step_label_is_in_the_catalogue() {
    for lang in crate::domain::Lang::ALL {
        for s in Step::ALL {
            assert!(
                crate::i18n::Catalogue::get()
                    .lookup(lang, s.label_key())
                    .is_some()
            );
        }
    }
}

#[test]
fn happy_path() {
    let mut page = Page::Login;
    for e in [
        Event::TemporaryLoginOk,
        Event::IdentityConfirmed,
        Event::DetailsValid,
        Event::Executed,
        Event::ToMenu,
    ] {
        page = transition(page, e).unwrap();
    }
    assert_eq!(page, Page::Menu);
    assert_eq!(transition(page, Event::Logout), Some(Page::Login));
}

#[test]
fn listed_transitions() {
    use Event as E;
    use Page as P;
    let table = [
        (P::Login, E::TemporaryLoginOk, P::Identity),
        (P::Login, E::PermanentLoginOk, P::Menu),
        (P::Identity, E::IdentityConfirmed, P::Details),
        (P::Identity, E::Back, P::Login),
        (P::Identity, E::Locked, P::Login),
        (P::Details, E::DetailsValid, P::Confirm),
        (P::Details, E::Back, P::Identity),
        (P::Confirm, E::ConfirmBack, P::Details),
        (P::Confirm, E::Back, P::Details),
        (P::Confirm, E::Executed, P::Done),
        (P::Done, E::ToMenu, P::Menu),
        (P::Menu, E::Logout, P::Login),
        (P::Menu, E::OpenProfile, P::Profile),
        (P::Menu, E::OpenPassword, P::Password),
        (P::Menu, E::OpenExpenses, P::Expenses),
        (P::Menu, E::OpenBenefits, P::Benefits),
        (P::Expenses, E::OpenMonth, P::ExpenseMonth),
        (P::Expenses, E::OpenYears, P::ExpenseYears),
        (P::Expenses, E::Back, P::Menu),
        (P::Expenses, E::Logout, P::Login),
        (P::ExpenseMonth, E::Back, P::Expenses),
        (P::ExpenseMonth, E::Logout, P::Login),
        (P::ExpenseYears, E::Back, P::Expenses),
        (P::ExpenseYears, E::Logout, P::Login),
        (P::Benefits, E::Back, P::Menu),
        (P::Benefits, E::Logout, P::Login),
        (P::Login, E::MustChangePassword, P::ForcedPassword),
        (P::Login, E::Forgot, P::Forgot),
        (P::Profile, E::ProfileValid, P::ProfileConfirm),
        (P::Profile, E::Back, P::Menu),
        (P::Profile, E::Logout, P::Login),
        (P::ProfileConfirm, E::Back, P::Profile),
        (P::ProfileConfirm, E::ProfileSaved, P::ProfileDone),
        (P::ProfileConfirm, E::Logout, P::Login),
        (P::ProfileDone, E::ToMenu, P::Menu),
        (P::ProfileDone, E::Logout, P::Login),
        (P::Password, E::Back, P::Menu),
        (P::Password, E::PasswordChanged, P::PasswordDone),
        (P::Password, E::Logout, P::Login),
        (P::ForcedPassword, E::PasswordChanged, P::PasswordDone),
        (P::ForcedPassword, E::Logout, P::Login),
        (P::PasswordDone, E::ToMenu, P::Menu),
        (P::PasswordDone, E::Logout, P::Login),
        (P::Forgot, E::Back, P::Login),
        (P::Forgot, E::EnterCode, P::ResetCode),
        (P::ResetCode, E::Back, P::Forgot),
        (P::ResetCode, E::PasswordReset, P::ResetDone),
        (P::ResetDone, E::ToLogin, P::Login),
    ];
    let mut allowed_moves = 0;
    for page in MEMBER_PAGES {
        for event in Event::ALL {
            let expected = if event == E::IdleTimeout {
                Some(P::Login)
            } else {
                table
                    .iter()
                    .find(|(p, e, _)| *p == page && *e == event)
                    .map(|(_, _, to)| *to)
            };
            assert_eq!(transition(page, event), expected, "{page:?} + {event:?}");
            allowed_moves += usize::from(expected.is_some());
        }
    }
    assert_eq!(allowed_moves, table.len() + MEMBER_PAGES.len());
}

#[test]
fn no_way_back_into_a_finished_registration() {
    assert_eq!(transition(Page::Done, Event::Back), None);
    assert_eq!(transition(Page::Done, Event::ConfirmBack), None);
    assert_eq!(transition(Page::Done, Event::Executed), None);
    assert_eq!(transition(Page::Menu, Event::Back), None);
    assert_eq!(transition(Page::Details, Event::Executed), None);
    assert_eq!(transition(Page::Login, Event::IdentityConfirmed), None);
    assert!(!allowed(Page::Details, Page::Done));
    assert!(!allowed(Page::Done, Page::Confirm));
}

#[test]
fn forced_change_has_no_way_round() {
    for event in Event::ALL {
        let next = transition(Page::ForcedPassword, event);
        match event {
            Event::PasswordChanged => assert_eq!(next, Some(Page::PasswordDone)),
            Event::Logout | Event::IdleTimeout => assert_eq!(next, Some(Page::Login)),
            _ => assert_eq!(next, None, "{event:?} must not leave the forced change"),
        }
    }
    for to in MEMBER_PAGES {
        let ok = matches!(to, Page::ForcedPassword | Page::PasswordDone | Page::Login);
        assert_eq!(allowed(Page::ForcedPassword, to), ok, "{to:?}");
    }
}

#[test]
fn only_the_login_screen_and_the_menu_open_the_account_area() {
    let account = [
        Page::Profile,
        Page::ProfileConfirm,
        Page::ProfileDone,
        Page::Password,
        Page::ForcedPassword,
        Page::PasswordDone,
        Page::Expenses,
        Page::ExpenseMonth,
        Page::ExpenseYears,
        Page::Benefits,
        Page::Forgot,
        Page::ResetCode,
        Page::ResetDone,
    ];
    for page in MEMBER_PAGES.into_iter().filter(|p| !account.contains(p)) {
        for event in Event::ALL {
            if let Some(next) = transition(page, event) {
                if account.contains(&next) {
                    assert!(
                        matches!(page, Page::Login | Page::Menu),
                        "{page:?} + {event:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn every_page_is_a_member_page_or_a_staff_page() {
    for page in Page::ALL {
        assert!(
            MEMBER_PAGES.contains(page) != STAFF_PAGES.contains(page),
            "{page:?}: list it in MEMBER_PAGES (with its moves in `transition`) or in STAFF_PAGES"
        );
    }
}

#[test]
fn staff_pages_are_not_checked() {
    assert!(allowed(Page::StaffMenu, Page::Identity));
    assert!(allowed(Page::Done, Page::StaffMenu));
}

proptest! {
    #[test]
    fn done_only_through_confirm(
        start in prop::sample::select(MEMBER_PAGES.iter().copied().filter(|p| *p != Page::Done).collect::<Vec<_>>()),
        events in prop::collection::vec(prop::sample::select(Event::ALL.to_vec()), 0..60),
    ) {
        let mut page = start;
        for e in events {
            if let Some(next) = transition(page, e) {
                if next == Page::Done {
                    prop_assert_eq!(page, Page::Confirm);
                    prop_assert_eq!(e, Event::Executed);
                }
                if page == Page::Done {
                    prop_assert!(next == Page::Menu || next == Page::Login);
                }
                page = next;
            }
        }
    }

    #[test]
    fn confirm_only_from_details(events in prop::collection::vec(prop::sample::select(Event::ALL.to_vec()), 0..60)) {
        // From the login screen, reaching Done requires having seen Identity, Details and Confirm.
        let mut page = Page::Login;
        let mut seen = Vec::new();
        for e in events {
            if let Some(next) = transition(page, e) {
                page = next;
                seen.push(page);
                if page == Page::Done {
                    prop_assert!(seen.contains(&Page::Identity));
                    prop_assert!(seen.contains(&Page::Details));
                    prop_assert!(seen.contains(&Page::Confirm));
                }
            }
        }
    }

    /// After a login that must change the password, the menu (and every page needing a session but the
    /// forced change itself) is reached only after `PasswordChanged`.
    #[test]
    fn menu_only_after_the_forced_change(
        events in prop::collection::vec(prop::sample::select(Event::ALL.to_vec()), 0..80),
    ) {
        let mut page = transition(Page::Login, Event::MustChangePassword).unwrap();
        let mut changed = false;
        for e in events {
            let Some(next) = transition(page, e) else { continue };
            if e == Event::PasswordChanged {
                changed = true;
            }
            if next == Page::Login {
                // Logged out or timed out: the forced login is over.
                break;
            }
            if !changed {
                prop_assert_eq!(next, Page::ForcedPassword);
            }
            page = next;
        }
    }

    /// The reset pages never lead into pages that need a session.
    #[test]
    fn forgotten_password_never_reaches_the_menu(
        events in prop::collection::vec(prop::sample::select(Event::ALL.to_vec()), 0..80),
    ) {
        let mut page = transition(Page::Login, Event::Forgot).unwrap();
        for e in events {
            let Some(next) = transition(page, e) else { continue };
            if next == Page::Login {
                break;
            }
            prop_assert!(!needs_session(next), "{:?}", next);
            prop_assert!(matches!(next, Page::Forgot | Page::ResetCode | Page::ResetDone));
            page = next;
        }
    }
}
