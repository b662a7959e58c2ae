//! Navigation of the member's screens as a pure table, and the five steps of the progress header.
//!
//! The app checks every change of the member's screen against [`transition`] ([`allowed`]): the
//! properties tested here (the done screen only after [実行]; nothing but a changed password, a
//! logout or the idle timeout leaves a forced password change; the forgotten-password pages never
//! reach the menu) hold for the running kiosk, not only for this table. The staff console's own
//! pages are not in the table (a staff member moves freely between them).

use super::screens::Page;

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

    /// The catalogue key of the step's label (`[wizard.step]` in wizard.toml).
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

/// The member's pages: the wizard, the menu, the account area and the forgotten password.
pub const MEMBER_PAGES: [Page; 19] = [
    Page::Login,
    Page::Identity,
    Page::Details,
    Page::Confirm,
    Page::Done,
    Page::Menu,
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

/// The staff console's pages: a staff member moves freely between them (not in the table).
pub const STAFF_PAGES: [Page; 8] = [
    Page::StaffLogin,
    Page::StaffMenu,
    Page::StaffStart,
    Page::StaffReissue,
    Page::StaffUnlock,
    Page::StaffMail,
    Page::StaffAudit,
    Page::StaffMember,
];

/// Something that happened on a member's page.
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
    /// 個人情報管理 on the menu.
    OpenProfile,
    /// The profile input is valid and differs from what is stored ([入力内容確認]).
    ProfileValid,
    /// [実行] on the profile confirm page committed.
    ProfileSaved,
    /// パスワード変更 on the menu.
    OpenPassword,
    /// 医療費照会 on the menu.
    OpenExpenses,
    /// A month of 医療費照会.
    OpenMonth,
    /// The year view of 医療費照会 (確定申告).
    OpenYears,
    /// 支給決定通知 on the menu.
    OpenBenefits,
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

impl Event {
    pub const ALL: [Event; 25] = [
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
        Event::OpenProfile,
        Event::ProfileValid,
        Event::ProfileSaved,
        Event::OpenPassword,
        Event::OpenExpenses,
        Event::OpenMonth,
        Event::OpenYears,
        Event::OpenBenefits,
        Event::MustChangePassword,
        Event::PasswordChanged,
        Event::Forgot,
        Event::EnterCode,
        Event::PasswordReset,
        Event::ToLogin,
    ];
}

/// Pages that need a logged-in member.
pub fn needs_session(page: Page) -> bool {
    matches!(
        page,
        Page::Menu
            | Page::Profile
            | Page::ProfileConfirm
            | Page::ProfileDone
            | Page::Password
            | Page::ForcedPassword
            | Page::PasswordDone
            | Page::Expenses
            | Page::ExpenseMonth
            | Page::ExpenseYears
            | Page::Benefits
    )
}

/// The page that follows `event` on `page`, or `None` when the event means nothing there.
pub fn transition(page: Page, event: Event) -> Option<Page> {
    use Event as E;
    use Page as P;
    match (page, event) {
        (_, E::IdleTimeout) => Some(P::Login),
        // The wizard.
        (P::Login, E::TemporaryLoginOk) => Some(P::Identity),
        (P::Login, E::PermanentLoginOk) => Some(P::Menu),
        (P::Identity, E::IdentityConfirmed) => Some(P::Details),
        (P::Identity, E::Back | E::Locked) => Some(P::Login),
        (P::Details, E::DetailsValid) => Some(P::Confirm),
        (P::Details, E::Back) => Some(P::Identity),
        (P::Confirm, E::ConfirmBack | E::Back) => Some(P::Details),
        (P::Confirm, E::Executed) => Some(P::Done),
        (P::Done, E::ToMenu) => Some(P::Menu),
        // The menu and the account area.
        (P::Menu, E::OpenProfile) => Some(P::Profile),
        (P::Menu, E::OpenPassword) => Some(P::Password),
        (P::Menu, E::OpenExpenses) => Some(P::Expenses),
        (P::Menu, E::OpenBenefits) => Some(P::Benefits),
        (P::Expenses, E::OpenMonth) => Some(P::ExpenseMonth),
        (P::Expenses, E::OpenYears) => Some(P::ExpenseYears),
        (P::ExpenseMonth | P::ExpenseYears, E::Back) => Some(P::Expenses),
        (P::Login, E::MustChangePassword) => Some(P::ForcedPassword),
        (P::Profile, E::ProfileValid) => Some(P::ProfileConfirm),
        (P::Profile | P::Password | P::Expenses | P::Benefits, E::Back) => Some(P::Menu),
        (P::ProfileConfirm, E::Back) => Some(P::Profile),
        (P::ProfileConfirm, E::ProfileSaved) => Some(P::ProfileDone),
        (P::ProfileDone | P::PasswordDone, E::ToMenu) => Some(P::Menu),
        (P::Password | P::ForcedPassword, E::PasswordChanged) => Some(P::PasswordDone),
        (p, E::Logout) if needs_session(p) => Some(P::Login),
        // The forgotten password.
        (P::Login, E::Forgot) => Some(P::Forgot),
        (P::Forgot, E::Back) => Some(P::Login),
        (P::Forgot, E::EnterCode) => Some(P::ResetCode),
        (P::ResetCode, E::Back) => Some(P::Forgot),
        (P::ResetCode, E::PasswordReset) => Some(P::ResetDone),
        (P::ResetDone, E::ToLogin) => Some(P::Login),
        _ => None,
    }
}

/// Whether some event leads from `from` to `to` (staying on a page is always allowed). A move to or
/// from a staff page is not the table's business; a page in neither list is refused (a new member
/// page must say in the table how it is reached and left).
pub fn allowed(from: Page, to: Page) -> bool {
    from == to
        || STAFF_PAGES.contains(&from)
        || STAFF_PAGES.contains(&to)
        || Event::ALL.iter().any(|e| transition(from, *e) == Some(to))
}

/// The step the progress header highlights on a wizard page.
pub fn step_of(page: Page) -> Option<Step> {
    match page {
        Page::Login | Page::StaffStart => Some(Step::TempId),
        Page::Identity => Some(Step::Identity),
        Page::Details | Page::Confirm => Some(Step::Details),
        Page::Done => Some(Step::Done),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
