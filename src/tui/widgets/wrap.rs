//! Wrapping text to a width in display columns: English at spaces, Japanese anywhere (never before a
//! closing bracket or punctuation mark, kinsoku-lite), wide characters counted as two columns.

use unicode_width::UnicodeWidthChar;

fn width(c: char) -> usize {
    UnicodeWidthChar::width(c).unwrap_or(0)
}

/// Characters that must not start a line.
fn no_break_before(c: char) -> bool {
    matches!(
        c,
        '、' | '。'
            | '，'
            | '．'
            | '）'
            | '」'
            | '』'
            | '】'
            | '・'
            | 'ー'
            | '！'
            | '？'
            | ','
            | '.'
            | ')'
            | ':'
            | ';'
            | '!'
            | '?'
            // The reserved second cell of a measured letter goes with it (see `tui::symbols`).
            | crate::tui::symbols::FILLER
    )
}

/// Characters that must not end a line (opening brackets): they go down with what they open.
fn no_break_after(c: char) -> bool {
    matches!(c, '「' | '『' | '（' | '【' | '〔' | '［' | '“' | '(' | '[')
}

/// Splits `text` into lines of at most `max` columns. Existing newlines are kept; indentation of a line
/// that wraps is repeated (so list items stay aligned).
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let max = max.max(2);
    let mut out = Vec::new();
    for para in text.split('\n') {
        let indent: String = para.chars().take_while(|c| *c == ' ').collect();
        let hang = if para.trim_start().starts_with("・") || para.trim_start().starts_with("- ") {
            // Hanging indent for list items: continuation lines align after the bullet.
            let bullet_w = 2;
            format!("{indent}{}", " ".repeat(bullet_w))
        } else {
            indent.clone()
        };
        let mut line = String::new();
        let mut line_w = 0;
        // Position in `line` just after the last space, for word wrapping of ASCII text.
        let mut last_space: Option<usize> = None;
        for c in para.chars() {
            let w = width(c);
            if line_w + w > max && !line.is_empty() {
                let (mut head, mut tail) = match last_space {
                    Some(pos) if c.is_ascii() && c != ' ' && pos > hang.len() => {
                        let (h, t) = line.split_at(pos);
                        (h.trim_end().to_string(), t.to_string())
                    }
                    _ => (line.clone(), String::new()),
                };
                // Kinsoku: a mark that must not start a line pulls the characters before it down
                // (several, for a run like `）。`), and an opening bracket never ends a line.
                let next_starts = |tail: &str| tail.chars().next().unwrap_or(c);
                while head.chars().count() > hang.chars().count() + 1
                    && (no_break_before(next_starts(&tail))
                        || head.chars().last().is_some_and(no_break_after))
                {
                    let last = head.pop().expect("a last character");
                    tail.insert(0, last);
                }
                out.push(head);
                line = format!("{hang}{}", tail.trim_start());
                line_w = line.chars().map(width).sum();
                last_space = None;
                if c == ' ' {
                    continue;
                }
            }
            line.push(c);
            line_w += w;
            if c == ' ' || !c.is_ascii() {
                last_space = Some(line.len());
            }
        }
        out.push(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::text::display_width;

    #[test]
    fn english_wraps_at_spaces() {
        let lines = wrap("the quick brown fox jumps over the lazy dog", 15);
        assert_eq!(
            lines,
            vec!["the quick brown", "fox jumps over", "the lazy dog"]
        );
    }

    #[test]
    fn japanese_wraps_by_width_and_keeps_punctuation() {
        let lines = wrap(
            "登録を終えると、ハガキの仮ユーザーIDとパスワードは利用できなくなります。",
            20,
        );
        for l in &lines {
            assert!(display_width(l) <= 20, "{l}");
            assert!(!l.starts_with('、') && !l.starts_with('。'), "{l}");
        }
        assert_eq!(
            lines.concat(),
            "登録を終えると、ハガキの仮ユーザーIDとパスワードは利用できなくなります。"
        );
    }

    #[test]
    fn a_run_of_closing_marks_never_starts_a_line() {
        // 20 columns: "…ません）" fills the line exactly, so "。" would start the next one alone,
        // and "）" before it must not start a line either.
        let lines = wrap("あいうえおかきません）。", 20);
        assert_eq!(lines, vec!["あいうえおかきませ", "ん）。"]);
        for max in 6..30 {
            for l in wrap(
                "全角文字は使えません（空白や全角文字は使えません）。次の文。",
                max,
            ) {
                let first = l.chars().next().unwrap_or(' ');
                assert!(!no_break_before(first), "{max}: {l}");
                assert!(display_width(&l) <= max, "{max}: {l}");
            }
        }
    }

    #[test]
    fn opening_brackets_do_not_end_a_line() {
        let lines = wrap("あいうえおかきくけ「こさしすせ」", 20);
        assert_eq!(lines, vec!["あいうえおかきくけ", "「こさしすせ」"]);
        let lines = wrap("ab (cdefgh)", 4);
        assert!(lines.iter().all(|l| !l.ends_with('(')), "{lines:?}");
    }

    #[test]
    fn list_items_hang() {
        let lines = wrap("・一つ目の項目はとても長いので折り返します", 16);
        assert!(lines[1].starts_with("  "), "{lines:?}");
    }

    #[test]
    fn newlines_are_kept() {
        assert_eq!(wrap("a\n\nb", 10), vec!["a", "", "b"]);
    }
}
