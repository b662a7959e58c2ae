//! Security properties of the command line's files and output (issue 8): no live formula in a notices
//! file, no notices file written through a link.

use crate::support::bin::Ops;
use crate::support::notices::{FORMULA_NAMES, assert_no_formula_cell, formula_members_csv};
use crate::support::{PROOF, csv};

fn import(ops: &Ops, csv: &str) {
    ops.write("members.csv", csv);
    ops.ok(&[
        "admin",
        "import-members",
        ops.path("members.csv").to_str().unwrap(),
    ]);
}

/// Issue 8 item 5: `issue-credentials` writes member names that look like formulas as text.
#[test]
fn notices_file_cells_never_start_a_formula() {
    let ops = Ops::new();
    import(&ops, &formula_members_csv());
    let out = ops.path("notices.csv");
    ops.ok(&["admin", "issue-credentials", "--out", out.to_str().unwrap()]);
    assert_no_formula_cell(&ops.path("notices.csv"), FORMULA_NAMES.len());
}

/// `issue-credentials --out` refuses a symbolic link (dangling or not) as it refuses any existing name.
#[cfg(unix)]
#[test]
fn issue_credentials_never_writes_through_a_link() {
    let ops = Ops::new();
    import(&ops, &csv(&PROOF));
    std::os::unix::fs::symlink(ops.path("elsewhere.csv"), ops.path("notices.csv")).unwrap();
    let out = ops.path("notices.csv");
    let o = ops.run(&["admin", "issue-credentials", "--out", out.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(!ops.path("elsewhere.csv").exists());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("notices.csv"), "{err}");
}
