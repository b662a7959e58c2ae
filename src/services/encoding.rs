//! The text encoding of a CSV file an office gives us. Excel in a Japanese office saves "CSV" as CP932
//! (Windows' Shift_JIS); "CSV UTF-8" as UTF-8 with a byte order mark. Both are read; which one was read
//! is said. Detection streams over the file once (constant memory): UTF-8 when every byte sequence is
//! valid UTF-8, else CP932 when the file decodes as CP932 without error, else the first line that is
//! neither is named. Reading then decodes as it goes (`encoding_rs_io`), so the import still streams.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use encoding_rs::{DecoderResult, SHIFT_JIS};

use super::ServiceError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvEncoding {
    /// UTF-8 (with or without a byte order mark).
    Utf8,
    /// CP932, Windows' Shift_JIS (what Excel writes for "CSV" in Japanese Windows).
    Cp932,
}

impl CsvEncoding {
    /// `utf-8`/`utf8`, or `cp932`/`shift_jis`/`sjis`/`windows-31j` (any case).
    pub fn parse(s: &str) -> Option<CsvEncoding> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Some(CsvEncoding::Utf8),
            "cp932" | "shift-jis" | "sjis" | "windows-31j" | "ms932" => Some(CsvEncoding::Cp932),
            _ => None,
        }
    }

    /// How the operator is told which encoding was read.
    pub fn label(self) -> &'static str {
        match self {
            CsvEncoding::Utf8 => "UTF-8",
            CsvEncoding::Cp932 => "CP932 (Shift_JIS)",
        }
    }
}

const CHUNK: usize = 64 * 1024;

fn cannot_read(path: &Path, e: std::io::Error) -> ServiceError {
    ServiceError::user(format!("cannot read {}: {e}", path.display()))
}

/// Where the first byte that is not valid UTF-8 is, as (line, byte offset), or None when all is.
fn first_invalid_utf8(mut input: impl Read) -> std::io::Result<Option<(u64, u64)>> {
    let mut buf = vec![0u8; CHUNK];
    // Bytes of a character cut at the end of the previous chunk.
    let mut carry = 0usize;
    let mut line = 1u64;
    let mut offset = 0u64;
    loop {
        let n = input.read(&mut buf[carry..])?;
        let end = carry + n;
        if n == 0 {
            return Ok((carry > 0).then_some((line, offset)));
        }
        let (valid, rest) = match std::str::from_utf8(&buf[..end]) {
            Ok(_) => (end, 0),
            Err(e) if e.error_len().is_none() => (e.valid_up_to(), end - e.valid_up_to()),
            Err(e) => {
                let at = e.valid_up_to();
                line += buf[..at].iter().filter(|b| **b == b'\n').count() as u64;
                return Ok(Some((line, offset + at as u64)));
            }
        };
        line += buf[..valid].iter().filter(|b| **b == b'\n').count() as u64;
        offset += valid as u64;
        buf.copy_within(valid..end, 0);
        carry = rest;
    }
}

/// The line of the first byte sequence that is not CP932, or None when the whole input decodes.
fn first_invalid_cp932(mut input: impl Read) -> std::io::Result<Option<u64>> {
    let mut decoder = SHIFT_JIS.new_decoder_without_bom_handling();
    let mut buf = vec![0u8; CHUNK];
    let mut out = String::with_capacity(CHUNK * 3);
    let mut line = 1u64;
    loop {
        let n = input.read(&mut buf)?;
        let last = n == 0;
        let mut chunk = &buf[..n];
        loop {
            out.clear();
            let (result, read) =
                decoder.decode_to_string_without_replacement(chunk, &mut out, last);
            match result {
                DecoderResult::InputEmpty => break,
                DecoderResult::OutputFull => {
                    line += chunk[..read].iter().filter(|b| **b == b'\n').count() as u64;
                    chunk = &chunk[read..];
                    out.reserve(CHUNK * 3);
                }
                DecoderResult::Malformed(..) => {
                    line += chunk[..read].iter().filter(|b| **b == b'\n').count() as u64;
                    return Ok(Some(line));
                }
            }
        }
        line += chunk.iter().filter(|b| **b == b'\n').count() as u64;
        if last {
            return Ok(None);
        }
    }
}

/// Decides how `path` is encoded: `asked` when given (checked: a file that is not what was asked is
/// refused with the line); otherwise UTF-8 if it is valid UTF-8, else CP932 if it decodes as CP932.
pub fn detect(path: &Path, asked: Option<CsvEncoding>) -> Result<CsvEncoding, ServiceError> {
    let open = || File::open(path).map_err(|e| cannot_read(path, e));
    let utf8 = || first_invalid_utf8(open()?).map_err(|e| cannot_read(path, e));
    let cp932 = || first_invalid_cp932(open()?).map_err(|e| cannot_read(path, e));
    match asked {
        Some(CsvEncoding::Utf8) => match utf8()? {
            None => Ok(CsvEncoding::Utf8),
            Some((line, _)) => Err(ServiceError::user(format!(
                "line {line}: {} is not valid UTF-8; a CSV saved by Excel in Japanese is usually CP932 (give --encoding cp932, or leave --encoding out to detect it); nothing was imported",
                path.display()
            ))),
        },
        Some(CsvEncoding::Cp932) => match cp932()? {
            None => Ok(CsvEncoding::Cp932),
            Some(line) => Err(ServiceError::user(format!(
                "line {line}: {} is not valid CP932 (Shift_JIS); nothing was imported",
                path.display()
            ))),
        },
        None => match utf8()? {
            None => Ok(CsvEncoding::Utf8),
            Some((utf8_line, _)) => match cp932()? {
                None => Ok(CsvEncoding::Cp932),
                Some(line) => Err(ServiceError::user(format!(
                    "{} is neither UTF-8 (line {utf8_line}) nor CP932 (Shift_JIS, line {line}); save it from Excel as \"CSV UTF-8\" or \"CSV\"; nothing was imported",
                    path.display()
                ))),
            },
        },
    }
}

/// The file as UTF-8 text, decoded as it is read.
pub fn reader(path: &Path, encoding: CsvEncoding) -> Result<Box<dyn BufRead>, ServiceError> {
    let file = File::open(path).map_err(|e| cannot_read(path, e))?;
    Ok(match encoding {
        CsvEncoding::Utf8 => Box::new(BufReader::with_capacity(CHUNK, file)),
        CsvEncoding::Cp932 => Box::new(BufReader::with_capacity(
            CHUNK,
            encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(SHIFT_JIS))
                .build(file),
        )),
    })
}

/// Detects (or checks) the encoding and opens the file as UTF-8 text.
pub fn open_text(
    path: &Path,
    asked: Option<CsvEncoding>,
) -> Result<(Box<dyn BufRead>, CsvEncoding), ServiceError> {
    let encoding = detect(path, asked)?;
    Ok((reader(path, encoding)?, encoding))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cp932(s: &str) -> Vec<u8> {
        let (bytes, _, bad) = SHIFT_JIS.encode(s);
        assert!(!bad);
        bytes.into_owned()
    }

    fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    fn read_all(path: &Path, enc: Option<CsvEncoding>) -> (String, CsvEncoding) {
        let (mut r, e) = open_text(path, enc).unwrap();
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        (s, e)
    }

    const TEXT: &str = "name,birth_date\n山田 太郎,1970-05-05\n髙橋 ①,1980-01-01\n";

    #[test]
    fn utf8_and_cp932_are_told_apart_and_read_alike() {
        let dir = tempfile::tempdir().unwrap();
        let u = write(&dir, "u.csv", TEXT.as_bytes());
        let s = write(&dir, "s.csv", &cp932(TEXT));
        assert_eq!(read_all(&u, None), (TEXT.to_string(), CsvEncoding::Utf8));
        // 髙 and ① exist only in Microsoft's CP932, not in plain Shift_JIS.
        assert_eq!(read_all(&s, None), (TEXT.to_string(), CsvEncoding::Cp932));
        assert_eq!(read_all(&s, Some(CsvEncoding::Cp932)).0, TEXT);
        let err = open_text(&s, Some(CsvEncoding::Utf8)).err().unwrap();
        assert!(err.to_string().starts_with("line 2: "), "{err}");
        assert!(err.to_string().contains("--encoding cp932"), "{err}");
    }

    #[test]
    fn a_character_cut_at_a_chunk_boundary_is_still_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = "a".repeat(CHUNK - 1);
        text.push_str("山田\n");
        let p = write(&dir, "long.csv", text.as_bytes());
        assert_eq!(detect(&p, None).unwrap(), CsvEncoding::Utf8);
        let mut long = "x\n".repeat(CHUNK);
        long.push_str("山田\n");
        let p = write(&dir, "long-sjis.csv", &cp932(&long));
        assert_eq!(read_all(&p, None), (long, CsvEncoding::Cp932));
    }

    #[test]
    fn neither_is_refused_with_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = b"name\nok\n".to_vec();
        // 0x82 0xFF is not CP932; 0xFF is never UTF-8.
        bytes.extend_from_slice(&[0x82, 0xFF, b'\n']);
        let p = write(&dir, "bad.csv", &bytes);
        let err = detect(&p, None).unwrap_err().to_string();
        assert!(
            err.contains("neither UTF-8 (line 3) nor CP932 (Shift_JIS, line 3)"),
            "{err}"
        );
        let err = detect(&p, Some(CsvEncoding::Cp932))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("line 3: "), "{err}");
    }
}
