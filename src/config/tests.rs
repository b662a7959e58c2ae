//! The configuration's defaults, parsing and error sentences.

use super::*;

#[test]
fn empty_file_gives_defaults() {
    let c = Config::from_toml("").unwrap();
    assert_eq!(c, Config::default());
    assert_eq!(c.kiosk.idle_timeout_secs, 120);
    assert_eq!(c.password.max_age_days, 1095);
    assert_eq!(c.lockout.max_failures, 5);
    assert_eq!(c.credentials.temp_valid_days, 60);
    assert_eq!(c.reset.code_valid_minutes, 15);
    assert_eq!(c.reset.max_code_attempts, 5);
    assert_eq!(c.reset.max_codes_per_hour, 3);
}

#[test]
fn reset_section_parses() {
    let c = Config::from_toml(
        "[reset]\ncode_valid_minutes = 10\nmax_code_attempts = 3\nmax_codes_per_hour = 5\n",
    )
    .unwrap();
    assert_eq!(
        c.reset,
        ResetConfig {
            code_valid_minutes: 10,
            max_code_attempts: 3,
            max_codes_per_hour: 5
        }
    );
    assert!(Config::from_toml("[reset]\ncode_minutes = 5\n").is_err());
}

#[test]
fn spec_example_parses() {
    let text = r#"
db = "/var/lib/kosmo-kiosk/kiosk.db"
[kiosk]
idle_timeout_secs = 90
[credentials]
temp_valid_days = 30
[lockout]
max_failures = 3
lock_minutes = 10
[password]
min_len = 15
max_len = 64
require_letter = false
require_digit = false
max_age_days = 0
[mail]
smtp_url = "smtp://127.0.0.1:25"
from = "KOSMO Communication Web <webmaster@kosmoweb.jp>"
retry_min_secs = 60
retry_max_secs = 600
max_attempts = 5
max_age_hours = 24
"#;
    let c = Config::from_toml(text).unwrap();
    assert_eq!(c.kiosk.idle_timeout_secs, 90);
    assert_eq!(c.password.min_len, 15);
    assert!(!c.password.require_letter);
    assert_eq!(c.lockout.policy().max_failures, 3);
    assert_eq!(c.mail.retry_policy().max_secs, 600);
    assert_eq!(c.db, Some(PathBuf::from("/var/lib/kosmo-kiosk/kiosk.db")));
}

#[test]
fn unknown_keys_are_reported() {
    let err = Config::from_toml("[kiosk]\nidle_timeout = 5\n").unwrap_err();
    assert!(err.contains("idle_timeout"), "{err}");
}

#[test]
fn errors_name_the_line_and_the_key() {
    let err =
        Config::from_toml("db = \"/x\"\n\n[kiosk]\nlang = \"ja\"\nidle_timeout = 5\n").unwrap_err();
    assert!(
        err.starts_with("line 5, [kiosk] idle_timeout: unknown field"),
        "{err}"
    );
    let err = Config::from_toml("[mail]\nretry_min_secs = \"soon\"\n").unwrap_err();
    assert!(err.starts_with("line 2, [mail] retry_min_secs: "), "{err}");
    assert!(!err.contains('\n'), "one line: {err}");
    let err = Config::from_toml("log_keep_days = -1\n").unwrap_err();
    assert!(err.starts_with("line 1, log_keep_days: "), "{err}");
    let err = Config::from_toml("[kiosk\n").unwrap_err();
    assert!(err.starts_with("line 1"), "{err}");
}

#[test]
fn a_countdown_as_long_as_the_idle_time_is_refused() {
    let err =
        Config::from_toml("[kiosk]\nidle_timeout_secs = 10\ncountdown_secs = 10\n").unwrap_err();
    assert!(
        err.contains("countdown_secs (10) must be less than idle_timeout_secs (10)"),
        "{err}"
    );
    assert!(Config::from_toml("[kiosk]\nidle_timeout_secs = 10\ncountdown_secs = 9\n").is_ok());
    assert!(Config::from_toml("[kiosk]\nidle_timeout_secs = 0\ncountdown_secs = 0\n").is_err());
}

#[test]
fn defaults_round_trip() {
    let text = Config::defaults_toml();
    let c = Config::from_toml(&text).unwrap();
    assert_eq!(c.kiosk, KioskConfig::default());
    assert_eq!(c.password, PasswordPolicy::default());
    assert_eq!(c.reset, ResetConfig::default());
}

#[test]
fn expenses_and_benefit_kinds_are_checked_and_the_example_holds_the_defaults() {
    let c = Config::from_toml(include_str!("../../assets/deploy/config.example.toml")).unwrap();
    assert_eq!(c.expenses, super::ExpensesConfig::default());
    assert_eq!(c.benefits, super::BenefitsConfig::default());
    let err = Config::from_toml("[expenses]\nwindow_months = 0\n").unwrap_err();
    assert!(err.contains("window_months"), "{err}");
    let twice = "[benefits]\nkinds = [{ code = \"a\", ja = \"付加金\", en = \"x\" }, \
                 { code = \"A\", ja = \"y\", en = \"y\" }]\n";
    let err = Config::from_toml(twice).unwrap_err();
    assert!(
        err.contains("[benefits] kinds") && err.contains("twice"),
        "{err}"
    );
    let bad = "[benefits]\nkinds = [{ code = \"a b\", ja = \"x\", en = \"x\" }]\n";
    assert!(Config::from_toml(bad).unwrap_err().contains("code"));
    assert!(Config::from_toml("[benefits]\nkinds = []\n").is_err());
}
