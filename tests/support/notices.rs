//! Notices files as the office's spreadsheet reads them: names that would run as formulas, and the
//! check that no cell of a file starts one (issue 8 item 5).

use std::path::Path;

/// Names that a spreadsheet would run as formulas (OWASP's examples and the issue's).
pub const FORMULA_NAMES: [&str; 6] = [
    "=HYPERLINK(\"http://evil.example/\",\"click\")",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\tTAB=1+1",
    "＝1+1",
];

pub fn formula_members_csv() -> String {
    let mut csv = String::from("insurer_number,symbol,number,name,birth_date,relationship\n");
    for (i, name) in FORMULA_NAMES.iter().enumerate() {
        let name = name.replace('"', "\"\"");
        csv.push_str(&format!(
            "06139497,12,{},\"{name}\",1970-05-0{},insured\n",
            7000 + i,
            i + 1
        ));
    }
    csv
}

/// Every cell of a notices file as a spreadsheet reads it: none may start a formula.
#[track_caller]
pub fn assert_no_formula_cell(path: &Path, expected_rows: usize) {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .expect("CSV");
    let mut rows = 0;
    for rec in r.records() {
        let rec = rec.expect("a CSV row");
        rows += 1;
        for cell in rec.iter() {
            let first = cell.chars().next();
            assert!(
                !matches!(
                    first,
                    Some('=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠')
                ),
                "a cell starts a formula: {cell:?} in {}",
                path.display()
            );
        }
        // The name is kept (as the import stored it: trimmed, NFKC), behind the quote when needed.
        let kept = rec[1].strip_prefix('\'').unwrap_or(&rec[1]);
        assert!(
            FORMULA_NAMES.iter().any(|n| n.trim() == kept
                || n.replace('＝', "=") == kept
                || n.trim_start_matches('\t') == kept),
            "{:?}",
            &rec[1]
        );
    }
    assert_eq!(rows, expected_rows);
}
