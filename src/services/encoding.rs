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

/// What one pass over a file says of it as UTF-8: the line of the first byte that is not valid UTF-8,
/// and the line of the first byte that is not ASCII (a file of ASCII only reads the same either way).
#[derive(Debug, Default, PartialEq, Eq)]
struct Utf8Scan {
    invalid: Option<u64>,
    first_non_ascii: Option<u64>,
}

fn scan_utf8(mut input: impl Read) -> std::io::Result<Utf8Scan> {
    let mut buf = vec![0u8; CHUNK];
    let mut scan = Utf8Scan::default();
    // Bytes of a character cut at the end of the previous chunk.
    let mut carry = 0usize;
    let mut line = 1u64;
    let lines_in = |bytes: &[u8]| bytes.iter().filter(|b| **b == b'\n').count() as u64;
    loop {
        let n = input.read(&mut buf[carry..])?;
        let end = carry + n;
        if n == 0 {
            if carry > 0 {
                scan.invalid = Some(line);
            }
            return Ok(scan);
        }
        let (valid, rest) = match std::str::from_utf8(&buf[..end]) {
            Ok(_) => (end, 0),
            Err(e) if e.error_len().is_none() => (e.valid_up_to(), end - e.valid_up_to()),
            Err(e) => (e.valid_up_to(), 0),
        };
        if scan.first_non_ascii.is_none()
            && let Some(at) = buf[..end].iter().position(|b| !b.is_ascii())
        {
            scan.first_non_ascii = Some(line + lines_in(&buf[..at]));
        }
        if valid + rest < end {
            scan.invalid = Some(line + lines_in(&buf[..valid]));
            return Ok(scan);
        }
        line += lines_in(&buf[..valid]);
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

/// Line `line` of the file as an error message quotes it (see [`crate::domain::text::quoted`]): read
/// as UTF-8 when it is, else as CP932 when it is, else as UTF-8 with the bad bytes replaced; at most
/// its first `LINE_BYTES` bytes are read, which hold more than the 80 characters quoted.
fn quoted_line(path: &Path, line: u64) -> String {
    const LINE_BYTES: u64 = 1024;
    let read = || -> std::io::Result<Vec<u8>> {
        let mut input = BufReader::with_capacity(CHUNK, File::open(path)?);
        for _ in 1..line {
            // Skips a line without keeping it (a line may be long).
            loop {
                let buf = input.fill_buf()?;
                if buf.is_empty() {
                    return Ok(Vec::new());
                }
                match buf.iter().position(|b| *b == b'\n') {
                    Some(at) => {
                        input.consume(at + 1);
                        break;
                    }
                    None => {
                        let n = buf.len();
                        input.consume(n);
                    }
                }
            }
        }
        let mut bytes = Vec::new();
        input.take(LINE_BYTES).read_until(b'\n', &mut bytes)?;
        Ok(bytes)
    };
    let bytes = read().unwrap_or_default();
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    // A line longer than what was read may end in the middle of a character: that end is left out.
    let cp932 = |b: &[u8]| {
        SHIFT_JIS
            .decode_without_bom_handling_and_without_replacement(b)
            .map(|s| s.into_owned())
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(e) if e.error_len().is_none() => {
            String::from_utf8_lossy(&bytes[..e.valid_up_to()]).into_owned()
        }
        Err(_) => cp932(bytes)
            .or_else(|| cp932(&bytes[..bytes.len() - 1]))
            .unwrap_or_else(|| String::from_utf8_lossy(bytes).into_owned()),
    };
    crate::domain::text::quoted(&text)
}

/// Decides how `path` is encoded: `asked` when given (checked: a file that is not what was asked is
/// refused with its line, quoted); otherwise UTF-8 if it is valid UTF-8, else CP932 if it decodes as
/// CP932. A file named CP932 that is valid UTF-8 with other characters than ASCII is refused too: it
/// would decode as CP932 into other characters (mojibake) without an error.
pub fn detect(path: &Path, asked: Option<CsvEncoding>) -> Result<CsvEncoding, ServiceError> {
    let open = || File::open(path).map_err(|e| cannot_read(path, e));
    let utf8 = || scan_utf8(open()?).map_err(|e| cannot_read(path, e));
    let cp932 = || first_invalid_cp932(open()?).map_err(|e| cannot_read(path, e));
    let file = path.display();
    match asked {
        Some(CsvEncoding::Utf8) => match utf8()?.invalid {
            None => Ok(CsvEncoding::Utf8),
            Some(line) => Err(ServiceError::user(format!(
                "line {line}: {file} is not valid UTF-8 ({}); a CSV saved by Excel in Japanese is usually CP932 (give --encoding cp932, or leave --encoding out to detect it); nothing was imported",
                quoted_line(path, line)
            ))),
        },
        Some(CsvEncoding::Cp932) => {
            if let Utf8Scan {
                invalid: None,
                first_non_ascii: Some(line),
            } = utf8()?
            {
                return Err(ServiceError::user(format!(
                    "line {line}: {file} is UTF-8 ({}), not CP932 (Shift_JIS); give --encoding utf-8, or leave --encoding out to detect it; nothing was imported",
                    quoted_line(path, line)
                )));
            }
            match cp932()? {
                None => Ok(CsvEncoding::Cp932),
                Some(line) => Err(ServiceError::user(format!(
                    "line {line}: {file} is not valid CP932 (Shift_JIS) ({}); nothing was imported",
                    quoted_line(path, line)
                ))),
            }
        }
        None => match utf8()?.invalid {
            None => Ok(CsvEncoding::Utf8),
            Some(utf8_line) => match cp932()? {
                None => Ok(CsvEncoding::Cp932),
                Some(line) => Err(ServiceError::user(format!(
                    "{file} is neither UTF-8 (line {utf8_line}) nor CP932 (Shift_JIS, line {line}): {}; save it from Excel as \"CSV UTF-8\" or \"CSV\"; nothing was imported",
                    quoted_line(path, line)
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
    fn a_utf8_file_named_cp932_is_refused_rather_than_read_as_mojibake() {
        let dir = tempfile::tempdir().unwrap();
        let u = write(&dir, "u.csv", TEXT.as_bytes());
        let err = detect(&u, Some(CsvEncoding::Cp932))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("line 2: ")
                && err.contains("is UTF-8 (\"山田 太郎,1970-05-05\"), not CP932"),
            "{err}"
        );
        // ASCII only reads the same either way.
        let a = write(&dir, "a.csv", b"name\nabc\n");
        assert_eq!(
            detect(&a, Some(CsvEncoding::Cp932)).unwrap(),
            CsvEncoding::Cp932
        );
        // The refusal of a CP932 file named UTF-8 quotes its line as CP932.
        let s = write(&dir, "s.csv", &cp932(TEXT));
        let err = detect(&s, Some(CsvEncoding::Utf8)).unwrap_err().to_string();
        assert!(err.contains("(\"山田 太郎,1970-05-05\")"), "{err}");
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
