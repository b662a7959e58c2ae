//! Message catalogues: TOML files under `assets/i18n/{ja,en}/`, one per feature, compiled in. A key is
//! `table.key`; `{name}` in a text is replaced by the argument of that name.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::domain::{Lang, Msg};

/// Every catalogue file: (feature, Japanese, English). Add a line per new feature file.
const FILES: &[(&str, &str, &str)] = &[
    (
        "common",
        include_str!("../../assets/i18n/ja/common.toml"),
        include_str!("../../assets/i18n/en/common.toml"),
    ),
    (
        "rules",
        include_str!("../../assets/i18n/ja/rules.toml"),
        include_str!("../../assets/i18n/en/rules.toml"),
    ),
    (
        "wizard",
        include_str!("../../assets/i18n/ja/wizard.toml"),
        include_str!("../../assets/i18n/en/wizard.toml"),
    ),
    (
        "account",
        include_str!("../../assets/i18n/ja/account.toml"),
        include_str!("../../assets/i18n/en/account.toml"),
    ),
    (
        "staff",
        include_str!("../../assets/i18n/ja/staff.toml"),
        include_str!("../../assets/i18n/en/staff.toml"),
    ),
    (
        "ops",
        include_str!("../../assets/i18n/ja/ops.toml"),
        include_str!("../../assets/i18n/en/ops.toml"),
    ),
];

pub struct Catalogue {
    ja: HashMap<String, String>,
    en: HashMap<String, String>,
}

fn parse(name: &str, lang: &str, text: &str) -> HashMap<String, String> {
    crate::domain::text::flatten_catalogue(text)
        .unwrap_or_else(|e| panic!("catalogue {lang}/{name}.toml is not valid TOML: {e}"))
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

/// The text of `key` with `{name}` arguments filled in.
pub fn trf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let mut s = tr(lang, key).to_string();
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), value);
    }
    s
}

/// A [`Msg`] in `lang`.
pub fn msg(lang: Lang, m: &Msg) -> String {
    let args: Vec<(&str, &str)> = m.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    trf(lang, m.key, &args)
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
    fn arguments_are_filled() {
        assert!(trf(Lang::En, "common.countdown", &[("secs", "12")]).contains("in 12 seconds"));
        assert!(trf(Lang::Ja, "common.countdown", &[("secs", "12")]).contains("あと 12 秒"));
    }
}
