//! Errors of the command line: one plain sentence on stderr starting `kosmo-kiosk: `, no debug
//! output and no backtrace, a non-zero exit (2 for usage mistakes); `--help` still in full.

use super::admin::Cli;
use crate::support::bin::assert_plain_error;

#[test]
fn errors_are_one_plain_sentence_with_a_non_zero_exit() {
    let cli = Cli::new();
    // The kiosk without a terminal.
    let err = cli.fails(&[]);
    assert!(err.contains("needs a terminal"), "{err}");
    // A store that is not a database; a folder as the store.
    let not_db = cli.write("not-a-db.txt", "this is not SQLite\n".repeat(200));
    let o = cli
        .bare()
        .args(["--db", not_db.to_str().unwrap(), "admin", "members"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8(o.stderr).unwrap();
    assert_plain_error(&err);
    assert!(err.contains("not a database"), "{err}");
    let folder = cli.path("folder");
    std::fs::create_dir(&folder).unwrap();
    let o = cli
        .bare()
        .args(["--db", folder.to_str().unwrap(), "admin", "members"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert_plain_error(&String::from_utf8(o.stderr).unwrap());
    // A configuration file that is missing or broken.
    for (file, fragment) in [
        ("missing.toml", "cannot read"),
        ("broken.toml", "not valid"),
    ] {
        if file == "broken.toml" {
            cli.write(file, "[lockout]\nmax_failures = \"five\"\n");
        }
        let o = cli
            .cmd()
            .env("KOSMO_KIOSK_CONFIG", cli.path(file))
            .args(["admin", "members"])
            .output()
            .unwrap();
        assert!(!o.status.success(), "{file}");
        let err = String::from_utf8(o.stderr).unwrap();
        assert_plain_error(&err);
        assert!(err.contains(fragment), "{file}: {err}");
    }
    // Usage mistakes: one line too (clap's message and tip), exit code 2; help still prints in full.
    for (args, fragment) in [
        (
            vec!["admin", "membrs"],
            "a similar subcommand exists: 'members'",
        ),
        (vec!["admin", "issue-credentials"], "--out"),
        (vec!["--lang", "fr", "admin", "members"], "use ja or en"),
        (vec!["admin", "members", "--jsn"], "'--json'"),
    ] {
        let o = cli.run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(o.stderr).unwrap();
        assert_plain_error(&err);
        assert!(err.contains(fragment), "{args:?}: {err}");
    }
    let help = cli.run(&["admin", "--help"]);
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("import-members"));

    // A store from a newer version of the program.
    cli.ok(&["admin", "members"]);
    let c = rusqlite::Connection::open(&cli.db).unwrap();
    c.pragma_update(None, "user_version", 999).unwrap();
    drop(c);
    let err = cli.fails(&["admin", "members"]);
    assert!(err.contains("schema version 999"), "{err}");
}

/// Issue 8 item 10: an error quotes the value it refuses cut at about 80 characters with `…`, so a
/// huge field gives a short stderr line, not one as long (import files of each kind, an ID given on
/// the command line).
#[test]
fn a_huge_value_is_quoted_cut_in_the_error() {
    let cli = Cli::new();
    let huge = "9".repeat(300_000);
    let head = "insurer_number,symbol,number,name,birth_date,relationship\n";
    let cases = [
        format!("{head}06139497,12,4417203,山田 太郎,{huge},insured\n"),
        format!("{head}06139497,12,4417203,山田 太郎,1970-05-05,{huge}\n"),
        format!("{head}06139497,12,{huge},山田 太郎,1970-05-05,insured\n"),
    ];
    for (i, csv) in cases.iter().enumerate() {
        let path = cli.write(&format!("huge{i}.csv"), csv);
        let err = cli.fails(&["admin", "import-members", path.to_str().unwrap()]);
        assert_plain_error(&err);
        assert!(err.len() < 400, "case {i}: {} bytes: {err:.300}", err.len());
        assert!(
            err.contains(&format!("{}…", "9".repeat(20))),
            "case {i}: {err}"
        );
        assert!(err.contains("nothing was imported"), "case {i}: {err}");
    }
    // An ID on the command line (the kernel caps one argument at 128 KiB).
    let long_id = "x".repeat(100_000);
    let err = cli.fails(&["admin", "unlock", &long_id]);
    assert!(err.len() < 400, "{} bytes: {err:.300}", err.len());
    assert!(err.contains(&format!("{}…", "x".repeat(80))), "{err}");
}
