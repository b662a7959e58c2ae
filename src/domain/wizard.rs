//! The registration wizard's state machine: pages, the five steps of the progress header, and the transitions.
//!
//! The only way into [`Page::Done`] is [`Event::Executed`] on [`Page::Confirm`], and nothing leads back out of
//! `Done` into the registration (only on to the menu, or to the login screen after an idle timeout).

use super::account_flow::{self, AccountEvent, AccountPage};

/// A step of the progress header: `STEP1 アクセス > STEP2 仮ID入力 > STEP3 本人確認 > STEP4 登録情報入力 >
/// STEP5 登録完了`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    Access,
    TempId,
    Identity,
    Details,
    Done,
}

impl Step {
    pub const ALL: [Step; 5] = [
        Step::Access,
        Step::TempId,
        Step::Identity,
        Step::Details,
        Step::Done,
    ];

    /// 1 to 5.
    pub fn number(self) -> u8 {
        match self {
            Step::Access => 1,
            Step::TempId => 2,
            Step::Identity => 3,
            Step::Details => 4,
            Step::Done => 5,
        }
    }

    /// The catalogue key of the step's label (`[wizard.step]` in rules.toml).
    pub fn label_key(self) -> &'static str {
        match self {
            Step::Access => "wizard.step.access",
            Step::TempId => "wizard.step.temp_id",
            Step::Identity => "wizard.step.identity",
            Step::Details => "wizard.step.details",
            Step::Done => "wizard.step.done",
        }
    }
}

/// A screen of the kiosk's member flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Page {
    /// The start screen: guide (STEP1) and the login form (STEP2).
    Login,
    /// 本人確認 (STEP3).
    Identity,
    /// 個人情報入力 (STEP4).
    Details,
    /// 入力確認 (STEP4, read-back).
    Confirm,
    /// 登録完了 (STEP5).
    Done,
    /// メインメニュー (after a permanent login; not part of the wizard).
    Menu,
    /// The member's account area (profile, password change, forgotten password): see
    /// [`super::account_flow`]. Not in [`Page::ALL`], which lists the wizard's own pages.
    Account(AccountPage),
}

impl Page {
    pub const ALL: [Page; 6] = [
        Page::Login,
        Page::Identity,
        Page::Details,
        Page::Confirm,
        Page::Done,
        Page::Menu,
    ];

    /// The step the progress header highlights on this page (`None` for the menu, which shows no header).
    pub fn step(self) -> Option<Step> {
        match self {
            Page::Login => Some(Step::TempId),
            Page::Identity => Some(Step::Identity),
            Page::Details | Page::Confirm => Some(Step::Details),
            Page::Done => Some(Step::Done),
            Page::Menu | Page::Account(_) => None,
        }
    }
}

/// Something that happened on a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Event {
    /// A temporary credential was accepted on the login form.
    TemporaryLoginOk,
    /// A permanent credential was accepted on the login form.
    PermanentLoginOk,
    /// 保険者番号 and 生年月日 matched, terms agreed.
    IdentityConfirmed,
    /// Every field of STEP4 is valid ([入力内容確認]).
    DetailsValid,
    /// [戻る] on the confirm page (back to STEP4 with every value kept).
    ConfirmBack,
    /// [実行] succeeded: the registration transaction committed.
    Executed,
    /// [戻る].
    Back,
    /// [メニューへ].
    ToMenu,
    /// ログアウト.
    Logout,
    /// No input for the idle timeout: everything is wiped.
    IdleTimeout,
    /// The ID got locked during the identity check.
    Locked,
    /// Something in the account area ([`super::account_flow`]). Not in [`Event::ALL`].
    Account(AccountEvent),
}

impl Event {
    pub const ALL: [Event; 11] = [
        Event::TemporaryLoginOk,
        Event::PermanentLoginOk,
        Event::IdentityConfirmed,
        Event::DetailsValid,
        Event::ConfirmBack,
        Event::Executed,
        Event::Back,
        Event::ToMenu,
        Event::Logout,
        Event::IdleTimeout,
        Event::Locked,
    ];
}

/// The page that follows `event` on `page`, or `None` when the event means nothing there.
pub fn transition(page: Page, event: Event) -> Option<Page> {
    use Event as E;
    use Page as P;
    match (page, event) {
        (_, E::IdleTimeout) => Some(P::Login),
        (P::Login, E::TemporaryLoginOk) => Some(P::Identity),
        (P::Login, E::PermanentLoginOk) => Some(P::Menu),
        (P::Identity, E::IdentityConfirmed) => Some(P::Details),
        (P::Identity, E::Back | E::Locked) => Some(P::Login),
        (P::Details, E::DetailsValid) => Some(P::Confirm),
        (P::Details, E::Back) => Some(P::Identity),
        (P::Confirm, E::ConfirmBack | E::Back) => Some(P::Details),
        (P::Confirm, E::Executed) => Some(P::Done),
        (P::Done, E::ToMenu) => Some(P::Menu),
        (P::Menu, E::Logout) => Some(P::Login),
        _ => account_flow::transition(page, event),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn steps() {
        let numbers: Vec<u8> = Step::ALL.iter().map(|s| s.number()).collect();
        assert_eq!(numbers, [1, 2, 3, 4, 5]);
        assert_eq!(Step::TempId.label_key(), "wizard.step.temp_id");
        assert_eq!(Page::Login.step(), Some(Step::TempId));
        assert_eq!(Page::Identity.step(), Some(Step::Identity));
        assert_eq!(Page::Details.step(), Some(Step::Details));
        assert_eq!(Page::Confirm.step(), Some(Step::Details));
        assert_eq!(Page::Done.step(), Some(Step::Done));
        assert_eq!(Page::Menu.step(), None);
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
        ];
        let mut allowed = 0;
        for page in Page::ALL {
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
                allowed += usize::from(expected.is_some());
            }
        }
        assert_eq!(allowed, table.len() + Page::ALL.len());
    }

    #[test]
    fn no_way_back_into_a_finished_registration() {
        assert_eq!(transition(Page::Done, Event::Back), None);
        assert_eq!(transition(Page::Done, Event::ConfirmBack), None);
        assert_eq!(transition(Page::Done, Event::Executed), None);
        assert_eq!(transition(Page::Menu, Event::Back), None);
        assert_eq!(transition(Page::Details, Event::Executed), None);
        assert_eq!(transition(Page::Login, Event::IdentityConfirmed), None);
    }

    proptest! {
        #[test]
        fn done_only_through_confirm(
            start in prop::sample::select(Page::ALL.iter().copied().filter(|p| *p != Page::Done).collect::<Vec<_>>()),
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
            // Starting from the login screen, reaching Done requires having seen Identity, Details and Confirm.
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
    }
}
