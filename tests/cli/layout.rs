//! The repository keeps its own shape (GUIDE, issue 9 item 7): no Rust source file, tests inside it
//! included, is over 600 lines. Checked on the files as they are in the working tree, so a merge that
//! grows a file past the limit fails here rather than in review.

use std::path::{Path, PathBuf};

/// The most lines a source file may have.
const LIMIT: usize = 600;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_source_file_is_over_600_lines() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "tests", "benches", "examples"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(
        files.len() > 100,
        "the source tree was not found: {files:?}"
    );
    let mut long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let lines = std::fs::read_to_string(f)
                .expect("read a source file")
                .lines()
                .count();
            let rel = f.strip_prefix(&root).unwrap_or(f).display().to_string();
            (lines > LIMIT).then(|| format!("{rel}: {lines} lines"))
        })
        .collect();
    long.sort();
    assert!(
        long.is_empty(),
        "over {LIMIT} lines (split by subject; a module's unit tests can move to <module>/tests.rs, \
         as src/tui/nav/tests.rs does):\n{}",
        long.join("\n")
    );
}
