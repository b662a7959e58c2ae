//! `[expenses]` and `[benefits]`: 医療費照会, 支給決定通知 and their imports (issue 16).

use serde::{Deserialize, Serialize};

/// 医療費照会 and `admin import-expenses` (`[expenses]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExpensesConfig {
    /// Months members see, the current month included (as the society's own pages: 24). Every import
    /// (expenses or decisions) deletes what lies before them.
    pub window_months: u32,
    /// 保険者の名称: the society's name as the year view for 確定申告 (医療費控除) names it.
    pub insurer_name: String,
}

impl Default for ExpensesConfig {
    fn default() -> Self {
        ExpensesConfig {
            window_months: 24,
            insurer_name: "KOSMO健康保険組合".to_string(),
        }
    }
}

/// 支給決定通知 and `admin import-benefits` (`[benefits]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BenefitsConfig {
    /// The kinds of benefit a decision file may name (by code or by the Japanese name), as the
    /// society pays them; the screens show `ja` or `en`.
    pub kinds: Vec<BenefitKind>,
}

/// One kind of benefit (`[[benefits.kinds]]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenefitKind {
    /// The code the store keeps (letters, digits, `_`).
    pub code: String,
    pub ja: String,
    pub en: String,
}

impl Default for BenefitsConfig {
    fn default() -> Self {
        let kind = |code: &str, ja: &str, en: &str| BenefitKind {
            code: code.into(),
            ja: ja.into(),
            en: en.into(),
        };
        BenefitsConfig {
            kinds: vec![
                kind("high_cost", "高額療養費", "High-cost medical care benefit"),
                kind("additional", "付加金", "Additional benefit (society's own)"),
                kind(
                    "childbirth",
                    "出産育児一時金",
                    "Childbirth and childcare lump sum",
                ),
                kind("reimbursement", "療養費", "Medical care reimbursement"),
                kind("sickness", "傷病手当金", "Sickness and injury allowance"),
                kind("maternity", "出産手当金", "Maternity allowance"),
                kind("burial", "埋葬料", "Burial expenses"),
            ],
        }
    }
}

impl BenefitsConfig {
    /// The kind named by `s`: its code (any case) or its Japanese name.
    pub fn kind(&self, s: &str) -> Option<&BenefitKind> {
        self.kinds
            .iter()
            .find(|k| k.code.eq_ignore_ascii_case(s) || k.ja == s)
    }

    /// Checks that every kind has a code of letters, digits and `_`, names in both languages, and
    /// that no code or Japanese name is given twice.
    pub fn validate(&self) -> Result<(), String> {
        if self.kinds.is_empty() {
            return Err("no kinds are configured".into());
        }
        for (i, k) in self.kinds.iter().enumerate() {
            let code_ok = !k.code.is_empty()
                && k.code.len() <= 40
                && k.code
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !code_ok {
                return Err(format!(
                    "kind {:?}: the code must be 1 to 40 letters, digits or _",
                    k.code
                ));
            }
            if k.ja.trim().is_empty() || k.en.trim().is_empty() {
                return Err(format!("kind {}: ja and en must not be empty", k.code));
            }
            let twice = self.kinds[..i]
                .iter()
                .any(|o| o.code.eq_ignore_ascii_case(&k.code) || o.ja == k.ja);
            if twice {
                return Err(format!("kind {}: its code or name is given twice", k.code));
            }
        }
        Ok(())
    }
}
