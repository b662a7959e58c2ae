//! What the account-area screens (個人情報管理, パスワード変更, パスワードを忘れた方) share: the rules of
//! checking a field when it is left, its note row, and the label/value row used to show registered
//! data.

use ratatui::text::{Line, Span};

use crate::domain::Lang;
use crate::domain::text::display_width;
use crate::tui::i18n::{msg, tr};
use crate::tui::theme;
use crate::tui::widgets::fields::{ControlId, Fields};
use crate::tui::widgets::page::{MARGIN, Row};

/// The fields to check again when focus leaves control `left`: that field when it is one of
/// `fields` and filled in, and after the new password (`new`) also its filled-in confirmation.
pub fn fields_to_check<I: ControlId>(
    form: &Fields<I>,
    fields: &[I],
    left: I,
    (new, confirm): (I, I),
) -> Vec<I> {
    if !fields.contains(&left) || form.value(left).is_empty() {
        return Vec::new();
    }
    let mut out = vec![left];
    if left == new && !form.value(confirm).is_empty() {
        out.push(confirm);
    }
    out
}

/// The row under a field: its note (hint, or error), or – when the error is too long for one row – the
/// whole error wrapped over as many rows as it needs, so that the member reads all of what to do.
pub fn field_note<I: ControlId>(form: &Fields<I>, id: I, lang: Lang, width: u16) -> Row {
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

    crate::controls! {
        enum T { Email = "email" }
    }

    #[test]
    fn long_errors_are_wrapped_short_ones_stay_notes() {
        let mut f = Fields::new(vec![Control::text(T::Email, "x", TextField::new(10))]);
        assert!(matches!(
            field_note(&f, T::Email, Lang::Ja, 80),
            Row::Note(0)
        ));
        f.set_error(T::Email, Some(Msg::new("email.too_long").arg("max", 254)));
        assert!(matches!(
            field_note(&f, T::Email, Lang::Ja, 80),
            Row::Note(0)
        ));
        f.set_error(T::Email, Some(Msg::new("email.invalid")));
        match field_note(&f, T::Email, Lang::Ja, 80) {
            Row::Message(Some((text, _))) => assert!(text.starts_with("! メールアドレスの形")),
            other => panic!("{other:?}"),
        }
    }
}
