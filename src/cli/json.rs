//! `--json` output (issue 8 item 9). serde_json escapes only `"`, `\` and C0 controls; DEL, the C1
//! controls (U+009B is a CSI of its own), bidi controls, zero-width characters and the line separators
//! would reach the operator's terminal as they are. Here every character that
//! [`crate::domain::text::is_unsafe_char`] names is written as a `\uXXXX` escape instead: the JSON
//! still decodes to the stored value exactly (a script loses nothing), and the bytes on the terminal
//! are plain ASCII for those characters.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter, Serializer};

use crate::domain::text::is_unsafe_char;

/// Writes `value` as pretty JSON with a final newline, unsafe characters escaped.
pub fn write_pretty<W: Write, T: Serialize + ?Sized>(out: &mut W, value: &T) -> io::Result<()> {
    let mut ser = Serializer::with_formatter(&mut *out, Escaping(PrettyFormatter::new()));
    value.serialize(&mut ser).map_err(io::Error::other)?;
    writeln!(out)
}

/// serde_json's pretty formatter, but string fragments go through [`write_escaped`].
struct Escaping<'a>(PrettyFormatter<'a>);

impl Formatter for Escaping<'_> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        write_escaped(writer, fragment)
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// Writes `fragment` (a run of a JSON string that serde_json did not escape itself) with every unsafe
/// character as `\uXXXX` (all of them lie in the Basic Multilingual Plane).
fn write_escaped<W: ?Sized + Write>(w: &mut W, fragment: &str) -> io::Result<()> {
    let mut start = 0;
    for (i, c) in fragment.char_indices() {
        if is_unsafe_char(c) {
            w.write_all(&fragment.as_bytes()[start..i])?;
            write!(w, "\\u{:04x}", u32::from(c))?;
            start = i + c.len_utf8();
        }
    }
    w.write_all(&fragment.as_bytes()[start..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_characters_are_escaped_and_the_value_survives() {
        let name = "山田\u{7f}\u{9b}31m\u{202e}gpj.exe\u{200b}\u{2028}\u{1b}[2J 太郎";
        let mut out = Vec::new();
        write_pretty(&mut out, &serde_json::json!({ "name": name })).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.chars().any(is_unsafe_char_but_layout), "{text:?}");
        for escape in [
            "\\u007f", "\\u009b", "\\u202e", "\\u200b", "\\u2028", "\\u001b",
        ] {
            assert!(text.contains(escape), "{escape} in {text}");
        }
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["name"], name);
        assert!(text.ends_with("}\n"));
    }

    /// The pretty layout's own newlines and spaces are fine.
    fn is_unsafe_char_but_layout(c: char) -> bool {
        c != '\n' && is_unsafe_char(c)
    }
}
