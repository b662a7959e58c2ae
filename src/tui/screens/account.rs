//! What the account-area screens (個人情報管理, パスワード変更, パスワードを忘れた方) share: the actions they
//! ask of the app, and the label/value row used to show registered data.

use ratatui::text::{Line, Span};
use zeroize::Zeroizing;

use crate::domain::Lang;
use crate::domain::text::display_width;
use crate::tui::i18n::{msg, tr};
use crate::tui::theme;
use crate::tui::widgets::form::Form;
use crate::tui::widgets::page::{MARGIN, Row};

/// What an account-area screen asks the app to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountAction {
    /// 個人情報管理 on the menu.
    OpenProfile,
    /// パスワード変更 on the menu.
    OpenPassword,
    /// The profile input is valid and changed: show the confirm screen.
    ProfileToConfirm,
    /// [戻る] on the profile confirm screen.
    ProfileBack,
    /// [実行] on the profile confirm screen.
    SaveProfile,
    /// [戻る] on the profile or password screen, [メニューへ] on a done screen.
    BackToMenu,
    /// [変更する].
    ChangePassword {
        current: Zeroizing<String>,
        new: Zeroizing<String>,
        confirm: Zeroizing<String>,
    },
    /// [確認コードを送る].
    RequestCode { user_id: String, email: String },
    /// [確認コードをお持ちの方].
    HaveCode { user_id: String },
    /// [戻る] on the code screen.
    BackToForgot,
    /// [パスワードを再設定].
    ResetPassword {
        user_id: String,
        code: String,
        new: Zeroizing<String>,
        confirm: Zeroizing<String>,
    },
    /// [戻る] on the forgot screen, [ログイン画面へ] after the reset.
    ToLogin,
}

/// The row under a field: its note (hint, or error), or – when the error is too long for one row – the
/// whole error wrapped over as many rows as it needs, so that the member reads all of what to do.
/// The fields to check again when focus leaves control `from`: that field when it is one of `fields`
/// and filled in, and after the new password ("new") also its filled-in confirmation ("confirm").
pub fn fields_to_check(form: &Form, fields: &[&'static str], from: usize) -> Vec<&'static str> {
    let id = form.controls[from].id;
    if !fields.contains(&id) || form.value(id).is_empty() {
        return Vec::new();
    }
    let mut out = vec![id];
    if id == "new" && !form.value("confirm").is_empty() {
        out.push("confirm");
    }
    out
}

pub fn field_note(form: &Form, id: &str, lang: Lang, width: u16) -> Row {
    let i = form.index(id);
    match &form.controls[i].error {
        Some(e) => {
            let text = format!("! {}", msg(lang, e));
            if display_width(&text) + usize::from(MARGIN * 2) > usize::from(width) {
                Row::Message(Some((text, theme::error())))
            } else {
                Row::Note(i)
            }
        }
        None => Row::Note(i),
    }
}

/// `label  value`, the label padded to `width` columns.
pub fn value_row(lang: Lang, label_key: &str, value: String, width: usize) -> Row {
    let label = tr(lang, label_key);
    let pad = width.saturating_sub(display_width(label));
    Row::Line(Line::from(vec![
        Span::styled(format!("{label}{}", " ".repeat(pad)), theme::label()),
        Span::raw("  "),
        Span::styled(value, theme::title()),
    ]))
}

/// The widest of the labels, for [`value_row`].
pub fn label_column(lang: Lang, keys: &[&str]) -> usize {
    keys.iter()
        .map(|k| display_width(tr(lang, k)))
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Msg;
    use crate::tui::widgets::form::{Control, TextField};

    #[test]
    fn long_errors_are_wrapped_short_ones_stay_notes() {
        let mut f = Form::new(vec![Control::text("email", "x", TextField::new(10))]);
        assert!(matches!(
            field_note(&f, "email", Lang::Ja, 80),
            Row::Note(0)
        ));
        f.set_error("email", Some(Msg::new("email.too_long").arg("max", 254)));
        assert!(matches!(
            field_note(&f, "email", Lang::Ja, 80),
            Row::Note(0)
        ));
        f.set_error("email", Some(Msg::new("email.invalid")));
        match field_note(&f, "email", Lang::Ja, 80) {
            Row::Message(Some((text, _))) => assert!(text.starts_with("! メールアドレスの形")),
            other => panic!("{other:?}"),
        }
    }
}
