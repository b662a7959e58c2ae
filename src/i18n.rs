//! Messages: every text a person reads, from TOML catalogues under `assets/i18n/{ja,en}/` (one per
//! feature, compiled in), looked up by `table.key`, with `{name}` placeholders filled by [`fill`].
//!
//! The one catalogue loader and the one placeholder function of the crate: the screens use [`tr`],
//! [`trf`] and [`msg`]; the domain's error types render their English text from the same catalogue
//! (`domain::text::render_rule`); the mail templates fill their values with [`fill`]. [`Lang`] and
//! [`Msg`] live here too (re-exported by `domain`, whose rules report failures as a `Msg`).

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

/// The two languages of the kiosk. Japanese is the default everywhere.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Ja, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "ja" | "jp" | "japanese" | "日本語" => Some(Lang::Ja),
            "en" | "english" => Some(Lang::En),
            _ => None,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A message to show a person: a catalogue key and its named arguments (`{name}` in the catalogue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Msg {
    pub fn new(key: &'static str) -> Self {
        Msg {
            key,
            args: Vec::new(),
        }
    }

    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }
}

impl From<&'static str> for Msg {
    fn from(key: &'static str) -> Self {
        Msg::new(key)
    }
}

/// Every catalogue file: (feature, Japanese, English). Add a line per new feature file.
const FILES: &[(&str, &str, &str)] = &[
    (
        "common",
        include_str!("../assets/i18n/ja/common.toml"),
        include_str!("../assets/i18n/en/common.toml"),
    ),
    (
        "rules",
        include_str!("../assets/i18n/ja/rules.toml"),
        include_str!("../assets/i18n/en/rules.toml"),
    ),
    (
        "wizard",
        include_str!("../assets/i18n/ja/wizard.toml"),
        include_str!("../assets/i18n/en/wizard.toml"),
    ),
    (
        "account",
        include_str!("../assets/i18n/ja/account.toml"),
        include_str!("../assets/i18n/en/account.toml"),
    ),
    (
        "expenses",
        include_str!("../assets/i18n/ja/expenses.toml"),
        include_str!("../assets/i18n/en/expenses.toml"),
    ),
    (
        "staff",
        include_str!("../assets/i18n/ja/staff.toml"),
        include_str!("../assets/i18n/en/staff.toml"),
    ),
    (
        "pad",
        include_str!("../assets/i18n/ja/pad.toml"),
        include_str!("../assets/i18n/en/pad.toml"),
    ),
    (
        "counter",
        include_str!("../assets/i18n/ja/counter.toml"),
        include_str!("../assets/i18n/en/counter.toml"),
    ),
    (
        "ops",
        include_str!("../assets/i18n/ja/ops.toml"),
        include_str!("../assets/i18n/en/ops.toml"),
    ),
    (
        "plain",
        include_str!("../assets/i18n/ja/plain.toml"),
        include_str!("../assets/i18n/en/plain.toml"),
    ),
];

pub struct Catalogue {
    ja: HashMap<String, String>,
    en: HashMap<String, String>,
}

fn parse(name: &str, lang: &str, text: &str) -> HashMap<String, String> {
    flatten(text).unwrap_or_else(|e| panic!("catalogue {lang}/{name}.toml is not valid TOML: {e}"))
}

/// The keys and texts of one catalogue file (tests that check a feature's own file).
#[cfg(test)]
pub(crate) fn file_keys(feature: &str, lang: Lang) -> HashMap<String, String> {
    let (name, ja, en) = FILES
        .iter()
        .find(|(name, _, _)| *name == feature)
        .unwrap_or_else(|| panic!("no catalogue file {feature}"));
    let text = if lang == Lang::Ja { ja } else { en };
    parse(name, lang.code(), text)
}

impl Catalogue {
    fn load() -> Catalogue {
        let mut ja = HashMap::new();
        let mut en = HashMap::new();
        for (name, j, e) in FILES {
            ja.extend(parse(name, "ja", j));
            en.extend(parse(name, "en", e));
        }
        Catalogue { ja, en }
    }

    pub fn get() -> &'static Catalogue {
        static CAT: OnceLock<Catalogue> = OnceLock::new();
        CAT.get_or_init(Catalogue::load)
    }

    pub fn keys(&self, lang: Lang) -> Vec<&str> {
        let map = match lang {
            Lang::Ja => &self.ja,
            Lang::En => &self.en,
        };
        let mut keys: Vec<&str> = map.keys().map(String::as_str).collect();
        keys.sort_unstable();
        keys
    }

    pub fn lookup(&self, lang: Lang, key: &str) -> Option<&str> {
        match lang {
            Lang::Ja => self.ja.get(key),
            Lang::En => self.en.get(key),
        }
        .map(String::as_str)
    }
}

/// The text of `key` in `lang`; the key itself when missing (tests make sure none is).
pub fn tr(lang: Lang, key: &str) -> &'static str {
    let cat = Catalogue::get();
    match cat.lookup(lang, key) {
        Some(s) => s,
        None => {
            tracing::warn!(key, "missing message");
            // Leak-free fallback: the key is 'static only when it came from code; copy into the map once.
            static MISSING: OnceLock<std::sync::Mutex<HashMap<String, &'static str>>> =
                OnceLock::new();
            let m = MISSING.get_or_init(Default::default);
            let mut m = m.lock().unwrap_or_else(|p| p.into_inner());
            m.entry(key.to_string())
                .or_insert_with(|| Box::leak(key.to_string().into_boxed_str()))
        }
    }
}

/// The text of `key` with `{name}` arguments filled in ([`fill`]).
pub fn trf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    fill(tr(lang, key), args)
}

/// A [`Msg`] in `lang`.
pub fn msg(lang: Lang, m: &Msg) -> String {
    let args: Vec<(&str, &str)> = m.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    trf(lang, m.key, &args)
}

/// The one placeholder function: fills `{name}` in `template` from `args` in one pass (a value is
/// never searched for placeholders again); unknown placeholders and a lone `{` are left as written.
/// Used by the screens' messages, the rule texts of the domain's errors and the mail templates.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match args.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => out.push_str(value),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Flattens a TOML catalogue into `"table.key" -> text`; nested tables become dotted keys and an array
/// of strings becomes one text with a line per item. Other values are ignored. A catalogue that does
/// not parse yields an error message.
fn flatten(source: &str) -> Result<HashMap<String, String>, String> {
    fn walk(prefix: &str, table: &toml::Table, out: &mut HashMap<String, String>) {
        for (k, v) in table {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                toml::Value::String(s) => {
                    out.insert(key, s.clone());
                }
                toml::Value::Table(t) => walk(&key, t, out),
                toml::Value::Array(items) => {
                    let lines: Vec<&str> = items.iter().filter_map(|i| i.as_str()).collect();
                    out.insert(key, lines.join("\n"));
                }
                _ => {}
            }
        }
    }
    let table: toml::Table = source.parse().map_err(|e: toml::de::Error| e.to_string())?;
    let mut out = HashMap::new();
    walk("", &table, &mut out);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_and_english_have_the_same_keys() {
        let cat = Catalogue::get();
        let ja = cat.keys(Lang::Ja);
        let en = cat.keys(Lang::En);
        let only_ja: Vec<_> = ja.iter().filter(|k| !en.contains(k)).collect();
        let only_en: Vec<_> = en.iter().filter(|k| !ja.contains(k)).collect();
        assert!(only_ja.is_empty(), "only in ja: {only_ja:?}");
        assert!(only_en.is_empty(), "only in en: {only_en:?}");
    }

    #[test]
    fn placeholders_match_between_languages() {
        let cat = Catalogue::get();
        let names = |s: &str| {
            let mut v: Vec<String> = s
                .split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_string()))
                .collect();
            v.sort();
            v.dedup();
            v
        };
        for key in cat.keys(Lang::Ja) {
            let ja = cat.lookup(Lang::Ja, key).unwrap();
            let en = cat.lookup(Lang::En, key).unwrap_or_default();
            assert_eq!(names(ja), names(en), "placeholders differ for {key}");
        }
    }

    /// Every key written as a string literal in `tr(`, `trf(`, `Msg::new(` or a `*_KEY`/label position in
    /// the TUI source exists in the catalogues.
    #[test]
    fn every_key_used_in_the_tui_exists() {
        let cat = Catalogue::get();
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut missing = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(root)];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                // Unit tests (at the end of a file) may use made-up keys on purpose.
                let text = text.split("#[cfg(test)]").next().unwrap_or_default();
                for marker in [
                    "tr(lang, \"",
                    "trf(lang, \"",
                    "tr(self.lang, \"",
                    "trf(self.lang, \"",
                    "Msg::new(\"",
                    "key!(\"",
                ] {
                    for part in text.split(marker).skip(1) {
                        if let Some((key, _)) = part.split_once('"') {
                            if cat.lookup(Lang::Ja, key).is_none() {
                                missing.push(format!("{}: {key}", path.display()));
                            }
                        }
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from the catalogues: {missing:#?}"
        );
    }

    #[test]
    fn placeholders_are_filled_once() {
        let args = [("min", "8"), ("max", "20")];
        assert_eq!(fill("{min}〜{max}文字", &args), "8〜20文字");
        assert_eq!(fill("{unknown} {min}", &args), "{unknown} 8");
        assert_eq!(fill("open { brace", &args), "open { brace");
        assert_eq!(
            fill("{a}{b}", &[("a", "{b}"), ("b", "x")]),
            "{b}x",
            "values stay as given"
        );
    }

    #[test]
    fn arguments_are_filled() {
        assert!(trf(Lang::En, "common.countdown", &[("secs", "12")]).contains("in 12 seconds"));
        assert!(trf(Lang::Ja, "common.countdown", &[("secs", "12")]).contains("あと 12 秒"));
    }
}
