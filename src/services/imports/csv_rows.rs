//! The CSV reader of the imports: one physical line is one record, so that a bad row is named by the
//! line an operator sees in an editor (blank lines included, which `csv` skips without counting).

use std::io::BufRead;

use super::bad;
use crate::domain::text::{is_unsafe_char, normalize};
use crate::services::ServiceError;

/// Reads a CSV with a header row, one record at a time: a UTF-8 byte order mark is skipped, CRLF or
/// LF ends a line, blank lines are skipped (and counted), the columns are found by name (any case,
/// any order; extra ones ignored), and every field is normalised (NFKC, no control characters) and
/// trimmed. A field may be quoted (`"a,b"`, `""` for a quote) but not run over more than one line.
pub struct CsvRows<R: BufRead> {
    input: R,
    parser: csv_core::Reader,
    line_buf: Vec<u8>,
    out: Vec<u8>,
    ends: Vec<usize>,
    nfields: usize,
    index: Vec<usize>,
    fields: Vec<String>,
    line: u64,
}

impl<R: BufRead> CsvRows<R> {
    /// Reads the header row and finds `columns` in it.
    pub fn new(input: R, columns: &[&str]) -> Result<Self, ServiceError> {
        let mut rows = CsvRows {
            input,
            parser: csv_core::Reader::new(),
            line_buf: Vec::with_capacity(512),
            out: vec![0; 512],
            ends: vec![0; 16],
            nfields: 0,
            index: Vec::new(),
            fields: vec![String::new(); columns.len()],
            line: 0,
        };
        if !rows.read_line()? {
            return Err(bad(
                1,
                "the file is empty; the first line must name the columns",
            ));
        }
        let line = rows.line;
        let header: Vec<String> = (0..rows.field_count())
            .map(|i| rows.field(i).map(|h| h.trim().to_string()))
            .collect::<Result<_, _>>()?;
        for col in columns {
            let i = header
                .iter()
                .position(|h| h.eq_ignore_ascii_case(col))
                .ok_or_else(|| {
                    bad(
                        line,
                        format!(
                            "the header has no column \"{col}\" (it needs {})",
                            columns.join(",")
                        ),
                    )
                })?;
            rows.index.push(i);
        }
        Ok(rows)
    }

    /// Reads the next non-blank line and parses it into `out`/`ends`. False at the end of the file.
    fn read_line(&mut self) -> Result<bool, ServiceError> {
        loop {
            self.line_buf.clear();
            let n = self
                .input
                .read_until(b'\n', &mut self.line_buf)
                .map_err(|e| ServiceError::user(format!("cannot read the file: {e}")))?;
            if n == 0 {
                return Ok(false);
            }
            self.line += 1;
            if self.line == 1 && self.line_buf.starts_with("\u{feff}".as_bytes()) {
                self.line_buf.drain(..3);
            }
            if self.line_buf.iter().all(|b| matches!(b, b'\r' | b'\n')) {
                continue;
            }
            self.parse();
            return Ok(true);
        }
    }

    /// Parses the line in `line_buf`, its terminator included: a quote left open takes the line
    /// break into its field, which [`field`] then refuses.
    fn parse(&mut self) {
        use csv_core::ReadRecordResult::*;
        self.parser.reset();
        let (mut at, mut nout, mut nend) = (0, 0, 0);
        loop {
            // Once the whole line went in, the empty rest tells the parser that the input ends.
            let input = &self.line_buf[at..];
            let (res, nin, o, e) =
                self.parser
                    .read_record(input, &mut self.out[nout..], &mut self.ends[nend..]);
            at += nin;
            nout += o;
            nend += e;
            match res {
                Record | End => break,
                InputEmpty if input.is_empty() => break,
                InputEmpty => {}
                OutputFull => self.out.resize(self.out.len() * 2, 0),
                OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
            }
        }
        self.nfields = nend;
    }

    fn field_count(&self) -> usize {
        self.nfields
    }

    fn field(&self, i: usize) -> Result<&str, ServiceError> {
        field(&self.out, &self.ends[..self.nfields], i, self.line)
    }

    /// The next non-blank record: its line, its fields in the order of the columns.
    pub fn next_row(&mut self) -> Result<Option<(u64, &[String])>, ServiceError> {
        loop {
            if !self.read_line()? {
                return Ok(None);
            }
            let ends = &self.ends[..self.nfields];
            let needed = self.index.iter().max().map_or(0, |m| m + 1);
            if self.nfields < needed {
                return Err(bad(
                    self.line,
                    format!(
                        "the row has {} fields where the header needs {needed} (is a quote \" left open?)",
                        self.nfields
                    ),
                ));
            }
            for (slot, &i) in self.fields.iter_mut().zip(&self.index) {
                slot.clear();
                clean_into(slot, field(&self.out, ends, i, self.line)?);
            }
            if self.fields.iter().any(|f| !f.is_empty()) {
                return Ok(Some((self.line, &self.fields)));
            }
        }
    }
}

/// Field `i` of a parsed line (empty when the line has fewer).
fn field<'a>(out: &'a [u8], ends: &[usize], i: usize, line: u64) -> Result<&'a str, ServiceError> {
    let Some(&end) = ends.get(i) else {
        return Ok("");
    };
    let start = if i == 0 { 0 } else { ends[i - 1] };
    let s = std::str::from_utf8(&out[start..end]).map_err(|_| {
        bad(
            line,
            "the file is not UTF-8 text; save it as UTF-8 (\"CSV UTF-8\")",
        )
    })?;
    if s.contains(['\n', '\r']) {
        return Err(bad(
            line,
            "a field runs over more than one line (is a quote \" left open?)",
        ));
    }
    Ok(s)
}

/// `raw` normalised (NFKC, no control characters, as [`normalize`]) and trimmed, into `out`. Most
/// fields of a society's file are printable ASCII or already NFKC (names, providers): those are copied
/// as they are, without building the normal form.
fn clean_into(out: &mut String, raw: &str) {
    let raw = raw.trim();
    let ascii = raw.bytes().all(|b| (0x20..0x7f).contains(&b));
    if ascii
        || (unicode_normalization::is_nfkc_quick(raw.chars())
            == unicode_normalization::IsNormalized::Yes
            && !raw.chars().any(is_unsafe_char))
    {
        out.push_str(raw);
    } else {
        out.push_str(normalize(raw).trim());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &[u8]) -> Result<Vec<(u64, Vec<String>)>, String> {
        let mut r = CsvRows::new(text, &["b", "a"]).map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        while let Some((line, f)) = r.next_row().map_err(|e| e.to_string())? {
            out.push((line, f.to_vec()));
        }
        Ok(out)
    }

    #[test]
    fn lines_are_counted_as_an_editor_shows_them() {
        let got = rows(
            "\u{feff}A,B,extra\r\n\r\n1, 2 ,x\r\n\n\"3,\"\"q\"\"\",\"４\"\n,,\n5,6".as_bytes(),
        )
        .unwrap();
        assert_eq!(
            got,
            [
                (3, vec!["2".to_string(), "1".to_string()]),
                (5, vec!["4".to_string(), "3,\"q\"".to_string()]),
                (7, vec!["6".to_string(), "5".to_string()]),
            ]
        );
    }

    #[test]
    fn broken_lines_are_named() {
        let err = rows(b"a,b\n1,2\n\n3,\"4\n5,6\n").unwrap_err();
        assert!(
            err.starts_with("line 4: a field runs over more than one line"),
            "{err}"
        );
        let err = rows(b"a,b\n1,2\n\"3,4").unwrap_err();
        assert!(
            err.starts_with("line 3: the row has 1 fields where the header needs 2"),
            "{err}"
        );
        let err = rows(b"a,b\n1,\xff\n").unwrap_err();
        assert!(err.starts_with("line 2: the file is not UTF-8"), "{err}");
        let err = rows(b"a,c\n").unwrap_err();
        assert!(
            err.starts_with("line 1: the header has no column \"b\""),
            "{err}"
        );
        let err = rows(b"\n\n").unwrap_err();
        assert!(err.starts_with("line 1: the file is empty"), "{err}");
        let long = format!("a,b\n{},{}\n", "x".repeat(5000), "y".repeat(3000));
        let got = rows(long.as_bytes()).unwrap();
        assert_eq!((got[0].1[0].len(), got[0].1[1].len()), (3000, 5000));
    }
}
