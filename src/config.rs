//! Configuration: a TOML file whose every key is optional, plus the store-path and SMTP-URL resolution
//! rules of the command-line contract (SPEC §6).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::domain::backoff::RetryPolicy;
use crate::domain::lockout::LockPolicy;
use crate::domain::password::PasswordPolicy;

mod expenses;
pub use crate::tui::look::{AmbiguousWidth, Theme};
pub use expenses::{BenefitKind, BenefitsConfig, ExpensesConfig};

pub const ENV_DB: &str = "KOSMO_KIOSK_DB";
pub const ENV_CONFIG: &str = "KOSMO_KIOSK_CONFIG";
pub const ENV_SMTP_URL: &str = "KOSMO_KIOSK_SMTP_URL";
pub const ENV_LOG_DIR: &str = "KOSMO_KIOSK_LOG_DIR";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Path of the SQLite store.
    pub db: Option<PathBuf>,
    /// Folder for the daily log files (default: `logs/` beside the store); made 0700.
    pub log_dir: Option<PathBuf>,
    /// Daily log files kept (the oldest are deleted when a new day's file is opened).
    pub log_keep_days: u32,
    pub kiosk: KioskConfig,
    pub credentials: CredentialsConfig,
    pub lockout: LockoutConfig,
    pub password: PasswordPolicy,
    pub mail: MailConfig,
    pub reset: ResetConfig,
    pub staff: StaffConfig,
    pub retention: RetentionConfig,
    pub check: CheckConfig,
    pub expenses: ExpensesConfig,
    pub benefits: BenefitsConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            db: None,
            log_dir: None,
            log_keep_days: 30,
            kiosk: KioskConfig::default(),
            credentials: CredentialsConfig::default(),
            lockout: LockoutConfig::default(),
            password: PasswordPolicy::default(),
            mail: MailConfig::default(),
            reset: ResetConfig::default(),
            staff: StaffConfig::default(),
            retention: RetentionConfig::default(),
            check: CheckConfig::default(),
            expenses: ExpensesConfig::default(),
            benefits: BenefitsConfig::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KioskConfig {
    /// Seconds without input before everything entered is wiped and the start screen returns.
    pub idle_timeout_secs: u64,
    /// Seconds before the idle timeout in which a countdown is shown.
    pub countdown_secs: u64,
    /// When true, Ctrl-C leaves the program (the demo and development). A real kiosk keeps it false.
    pub allow_exit: bool,
    /// The language the start screen opens in (`ja` or `en`).
    pub lang: crate::domain::Lang,
    /// The contact line shown in mail: one line for both languages (`contact = "…"`), or one per
    /// language (`[kiosk.contact]` with `ja = "…"` and `en = "…"`), so that English mail carries
    /// no Japanese brackets.
    pub contact: Contact,
    /// Colours: `auto` (the terminal's own colours; `NO_COLOR` turns it into `mono`), `dark`,
    /// `light` (the kiosk paints its own background), `mono` or `high-contrast`.
    pub theme: Theme,
    /// East Asian Ambiguous characters (`─`, `↑`, `■`, `α`…): `auto` asks the terminal at start,
    /// `narrow` (one cell) or `wide` (two cells, as `xterm -cjk_width` and many Japanese terminals).
    pub ambiguous_width: AmbiguousWidth,
    /// Line-by-line prompts for screen readers and braille displays instead of the full screen
    /// (the same as `--plain`).
    pub plain: bool,
    /// The on-screen keyboard and birth-date picker for a touchscreen with no keyboard: `auto`
    /// (shown when a tap focuses a text field, gone at the first key typed), `always` (whenever a
    /// text field has the focus) or `never`.
    pub touch_keyboard: TouchKeyboard,
}

/// When the on-screen keyboard shows (`[kiosk] touch_keyboard`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TouchKeyboard {
    /// When a tap focuses a text field; a key typed on a real keyboard puts it away.
    #[default]
    Auto,
    /// Whenever a text field has the focus (a touchscreen with no keyboard at all).
    Always,
    /// Never (a kiosk with a keyboard).
    Never,
}

/// The `[kiosk] contact` line: the same in both languages, or one per language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Contact {
    One(String),
    PerLang { ja: String, en: String },
}

impl Contact {
    /// The line in `lang`.
    pub fn get(&self, lang: crate::domain::Lang) -> &str {
        match (self, lang) {
            (Contact::One(line), _) => line,
            (Contact::PerLang { ja, .. }, crate::domain::Lang::Ja) => ja,
            (Contact::PerLang { en, .. }, crate::domain::Lang::En) => en,
        }
    }
}

impl Default for KioskConfig {
    fn default() -> Self {
        KioskConfig {
            idle_timeout_secs: 120,
            countdown_secs: 15,
            allow_exit: false,
            lang: crate::domain::Lang::Ja,
            contact: Contact::PerLang {
                ja: "KOSMO健康保険組合 適用課 03-0000-0000（平日 9:00〜17:00）".to_string(),
                en: "KOSMO Health Insurance Society, Enrolment, 03-0000-0000 (weekdays 9:00-17:00)"
                    .to_string(),
            },
            theme: Theme::Auto,
            ambiguous_width: AmbiguousWidth::Auto,
            plain: false,
            touch_keyboard: TouchKeyboard::Auto,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CredentialsConfig {
    /// Days a temporary (postcard) credential stays valid.
    pub temp_valid_days: u32,
}

impl Default for CredentialsConfig {
    fn default() -> Self {
        CredentialsConfig {
            temp_valid_days: 60,
        }
    }
}

/// The forgotten-password path (`[reset]`): one-time codes mailed to the registered address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResetConfig {
    /// Minutes a mailed one-time code stays valid.
    pub code_valid_minutes: u32,
    /// Wrong entries of one code before it stops working (a new code must be requested).
    pub max_code_attempts: u32,
    /// Codes mailed to one account per hour at most; further requests get the same answer but no mail.
    pub max_codes_per_hour: u32,
}

impl Default for ResetConfig {
    fn default() -> Self {
        ResetConfig {
            code_valid_minutes: 15,
            max_code_attempts: 5,
            max_codes_per_hour: 3,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LockoutConfig {
    pub max_failures: u32,
    pub lock_minutes: u32,
    pub max_lock_minutes: u32,
    /// A refusal of the login form, staff login or パスワードを忘れた方 is answered no sooner than this
    /// after the request, so that no refusal can be told from another by its time (`services::pace`).
    pub refusal_floor_ms: u32,
}

impl Default for LockoutConfig {
    fn default() -> Self {
        let p = LockPolicy::default();
        LockoutConfig {
            max_failures: p.max_failures,
            lock_minutes: p.lock_minutes,
            max_lock_minutes: p.max_lock_minutes,
            refusal_floor_ms: 250,
        }
    }
}

impl LockoutConfig {
    pub fn policy(&self) -> LockPolicy {
        LockPolicy {
            max_failures: self.max_failures.max(1),
            lock_minutes: self.lock_minutes.max(1),
            max_lock_minutes: self.max_lock_minutes.max(self.lock_minutes.max(1)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailConfig {
    /// `smtp://host:port` (plain), `smtps://host:port` (implicit TLS), `smtp://host:port?tls=required`
    /// (STARTTLS). None: mail waits in the outbox.
    pub smtp_url: Option<String>,
    pub from: String,
    pub username: Option<String>,
    pub password: Option<String>,
    /// Extra root certificate (PEM) to trust, for a relay with a private CA.
    pub ca_file: Option<PathBuf>,
    pub timeout_secs: u64,
    pub retry_min_secs: u64,
    pub retry_max_secs: u64,
    pub max_attempts: u32,
    pub max_age_hours: u64,
    /// How long a claimed row stays leased to one worker.
    pub lease_secs: u64,
    /// How many due rows one worker claims at a time.
    pub batch_size: u32,
    /// How often the background worker looks for due mail when idle.
    pub poll_secs: u64,
    /// SMTP connections a worker uses at once (each sends its share of the due rows).
    pub connections: u32,
    /// Deliver to `.eml` files in this folder instead of SMTP (the demo).
    pub eml_dir: Option<PathBuf>,
}

impl Default for MailConfig {
    fn default() -> Self {
        let r = RetryPolicy::default();
        MailConfig {
            smtp_url: None,
            from: "KOSMO Communication Web <webmaster@kosmoweb.jp>".to_string(),
            username: None,
            password: None,
            ca_file: None,
            timeout_secs: 30,
            retry_min_secs: r.min_secs,
            retry_max_secs: r.max_secs,
            max_attempts: r.max_attempts,
            max_age_hours: r.max_age_hours,
            lease_secs: 300,
            batch_size: 50,
            poll_secs: 30,
            connections: 2,
            eml_dir: None,
        }
    }
}

impl MailConfig {
    pub fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy {
            min_secs: self.retry_min_secs.max(1),
            max_secs: self.retry_max_secs.max(self.retry_min_secs.max(1)),
            max_attempts: self.max_attempts.max(1),
            max_age_hours: self.max_age_hours.max(1),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StaffConfig {
    /// Seconds without input before the staff console wipes everything and logs the staff member out.
    pub idle_timeout_secs: u64,
    /// The file reissued temporary credentials are appended to (mode 0600; default: `staff-notices.csv`
    /// beside the store).
    pub notices_file: Option<PathBuf>,
}

impl Default for StaffConfig {
    fn default() -> Self {
        StaffConfig {
            idle_timeout_secs: 600,
            notices_file: None,
        }
    }
}

impl StaffConfig {
    /// Where reissued credentials are appended: `notices_file`, else `staff-notices.csv` beside the store.
    pub fn notices_path(&self, db_path: &Path) -> PathBuf {
        if let Some(p) = &self.notices_file {
            return p.clone();
        }
        db_path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(|p| p.join("staff-notices.csv"))
            .unwrap_or_else(|| PathBuf::from("staff-notices.csv"))
    }
}

/// How long personal data is kept (`[retention]`); `admin purge` and `outbox sync` (once a day) apply it.
/// 0 keeps that kind forever.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionConfig {
    /// Days after a postcard was used, revoked or expired before its password hash is deleted (the row,
    /// its temporary ID and dates stay: a temporary ID is never reused as a user ID).
    pub credential_hash_days: u32,
    /// Hours after a reset code was created before a used or expired one is deleted (at least the hour
    /// that `[reset] max_codes_per_hour` counts).
    pub reset_code_hours: u32,
    /// Days after a mail was sent before its body is emptied (the row and its Message-ID stay).
    pub sent_mail_body_days: u32,
    /// Years an audit row is kept.
    pub audit_years: u32,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig {
            credential_hash_days: 30,
            reset_code_hours: 24,
            sent_mail_body_days: 30,
            audit_years: 5,
        }
    }
}

/// Thresholds of `admin check` (`[check]`); a threshold of 0 turns that finding's warning off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CheckConfig {
    /// Warning when the oldest waiting mail has waited this long (minutes).
    pub mail_waiting_warning_minutes: u64,
    /// Critical when it has waited this long (hours).
    pub mail_waiting_critical_hours: u64,
    /// Warning for mail that went dead among the mail created in these last days.
    pub dead_mail_days: u32,
    /// Warning when this many IDs are locked at once (a guessing campaign).
    pub locks_warning: u32,
    /// Postcards that expire within these days are counted.
    pub expiring_days: u32,
    /// Free space beside the store: warning below (MiB).
    pub disk_warning_mib: u64,
    /// Free space beside the store: critical below (MiB).
    pub disk_critical_mib: u64,
    /// Warning when the last `admin backup` is older (hours).
    pub backup_warning_hours: u64,
    /// Critical when it is older (hours).
    pub backup_critical_hours: u64,
    /// Warning when data is still kept this many hours past its retention window (purge not running).
    pub purge_overdue_hours: u64,
}

impl Default for CheckConfig {
    fn default() -> Self {
        CheckConfig {
            mail_waiting_warning_minutes: 60,
            mail_waiting_critical_hours: 24,
            dead_mail_days: 14,
            locks_warning: 10,
            expiring_days: 14,
            disk_warning_mib: 1024,
            disk_critical_mib: 200,
            backup_warning_hours: 36,
            backup_critical_hours: 168,
            purge_overdue_hours: 48,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the configuration file {path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("no home directory is known; give the store with --db or {ENV_DB}")]
    NoHome,
}

impl Config {
    /// Parses and checks a configuration. An error names the line and the key (`line 3, [kiosk]
    /// idle_timeout: unknown field …`) and fits on one line.
    pub fn from_toml(text: &str) -> Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let message = e.message().trim().replace('\n', " ");
            match e.span() {
                Some(span) => format!("{}: {message}", locate(text, span.start)),
                None => message,
            }
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Rules between keys that the types alone cannot say.
    pub fn validate(&self) -> Result<(), String> {
        let k = &self.kiosk;
        if k.idle_timeout_secs == 0 {
            return Err("[kiosk] idle_timeout_secs must be at least 1".into());
        }
        if k.countdown_secs >= k.idle_timeout_secs {
            return Err(format!(
                "[kiosk] countdown_secs ({}) must be less than idle_timeout_secs ({}): the countdown is the end of the idle time",
                k.countdown_secs, k.idle_timeout_secs
            ));
        }
        if self.log_keep_days == 0 {
            return Err("log_keep_days must be at least 1".into());
        }
        if !(1..=120).contains(&self.expenses.window_months) {
            return Err("[expenses] window_months must be 1 to 120".into());
        }
        self.benefits
            .validate()
            .map_err(|e| format!("[benefits] kinds: {e}"))?;
        Ok(())
    }

    /// Loads the configuration: the file named (`--config`, or `KOSMO_KIOSK_CONFIG` through clap's
    /// `env`), which must exist, else the platform config directory (`~/.config/kosmo-kiosk/config.toml`),
    /// which may be absent (defaults apply). `KOSMO_KIOSK_SMTP_URL` overrides `[mail] smtp_url`.
    pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        let (path, must_exist) = match explicit {
            Some(p) => (Some(p.to_path_buf()), true),
            None => (default_config_path(), false),
        };
        let mut config = match path {
            Some(path) => match std::fs::read_to_string(&path) {
                Ok(text) => Config::from_toml(&text).map_err(|message| ConfigError::Parse {
                    path: path.clone(),
                    message,
                })?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => {
                    Config::default()
                }
                Err(source) => return Err(ConfigError::Read { path, source }),
            },
            None => Config::default(),
        };
        if let Some(url) = std::env::var(ENV_SMTP_URL).ok().filter(|v| !v.is_empty()) {
            config.mail.smtp_url = Some(url);
        }
        Ok(config)
    }

    /// The store path: the one named (`--db`, or `KOSMO_KIOSK_DB` through clap's `env`), else the
    /// config file's, else the platform data directory (`~/.local/share/kosmo-kiosk/kiosk.db`).
    pub fn db_path(&self, explicit: Option<&Path>) -> Result<PathBuf, ConfigError> {
        if let Some(p) = explicit {
            return Ok(p.to_path_buf());
        }
        if let Some(p) = &self.db {
            return Ok(p.clone());
        }
        directories::ProjectDirs::from("", "", "kosmo-kiosk")
            .map(|d| d.data_dir().join("kiosk.db"))
            .ok_or(ConfigError::NoHome)
    }

    /// Where the log file goes: `KOSMO_KIOSK_LOG_DIR`, else `log_dir`, else `logs/` beside the store.
    pub fn log_dir(&self, db_path: &Path) -> PathBuf {
        if let Some(p) = std::env::var_os(ENV_LOG_DIR).filter(|v| !v.is_empty()) {
            return PathBuf::from(p);
        }
        if let Some(p) = &self.log_dir {
            return p.clone();
        }
        db_path
            .parent()
            .map(|p| p.join("logs"))
            .unwrap_or_else(|| PathBuf::from("logs"))
    }

    /// The configuration with every default written out, as `--help` and the README show it.
    pub fn defaults_toml() -> String {
        let mut c = Config {
            db: Some(PathBuf::from("/var/lib/kosmo-kiosk/kiosk.db")),
            ..Default::default()
        };
        c.mail.smtp_url = Some("smtp://127.0.0.1:25".into());
        toml::to_string_pretty(&c).unwrap_or_default()
    }
}

/// "line 3, [kiosk] idle_timeout": the line of byte `at`, and the key written on it (with its table).
fn locate(text: &str, at: usize) -> String {
    let at = at.min(text.len());
    let line_no = text[..at].matches('\n').count() + 1;
    let table = text[..at]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .and_then(|l| l.split(']').next())
        .map(|l| format!("{}] ", l.trim_start_matches('[')))
        .map(|t| format!("[{t}"));
    let line = text.lines().nth(line_no - 1).unwrap_or("").trim();
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim())
        .filter(|k| !k.is_empty() && !k.starts_with('['));
    match key {
        Some(key) => format!("line {line_no}, {}{key}", table.unwrap_or_default()),
        None => format!("line {line_no}"),
    }
}

fn default_config_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "kosmo-kiosk")
        .map(|d| d.config_dir().join("config.toml"))
}

#[cfg(test)]
mod tests;
