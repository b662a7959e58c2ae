//! What a logged-in member sees of the imported data: 医療費照会 (months, a month's rows, the year
//! view for 確定申告 医療費控除) and 支給決定通知. Everything is the session's household's, within the
//! window (`[expenses] window_months`); each is one indexed read.

use time::Date;

use super::auth::AccountSession;
use super::{ServiceError, Services};
use crate::domain::Lang;
use crate::domain::expenses::{YearMonth, YearTotals, year_totals};
use crate::store::expenses::{self as table, ExpenseRow, MonthSum};

/// One decision of 支給決定通知, its kind named in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub decided_on: Date,
    pub kind_ja: String,
    pub kind_en: String,
    pub amount: i64,
    pub paid_on: Option<Date>,
}

impl Decision {
    pub fn kind(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ja => &self.kind_ja,
            Lang::En => &self.kind_en,
        }
    }
}

/// The window as members see it: the first month and the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpenseWindow {
    pub start: YearMonth,
    pub current: YearMonth,
}

impl Services {
    pub fn expense_window(&self) -> ExpenseWindow {
        let today = self.clock.today();
        ExpenseWindow {
            start: crate::domain::expenses::window_start(today, self.config.expenses.window_months),
            current: YearMonth::of(today),
        }
    }

    /// 医療費照会: the household's months in the window, newest first, with what was paid.
    pub fn expense_months(&self, session: &AccountSession) -> Result<Vec<MonthSum>, ServiceError> {
        let from = self.expense_window().start;
        Ok(self
            .store
            .read(|c| table::months(c, session.household_id, from))?)
    }

    /// One month's rows (受診者, 医療機関, 区分, 日数, 医療費総額, 自己負担額); none outside the window.
    pub fn expense_month(
        &self,
        session: &AccountSession,
        month: YearMonth,
    ) -> Result<Vec<ExpenseRow>, ServiceError> {
        let w = self.expense_window();
        if month < w.start || month > w.current {
            return Ok(Vec::new());
        }
        Ok(self
            .store
            .read(|c| table::month_rows(c, session.household_id, month))?)
    }

    /// The year view: per calendar year in the window, the sums per person and for the household.
    pub fn expense_years(&self, session: &AccountSession) -> Result<Vec<YearTotals>, ServiceError> {
        let w = self.expense_window();
        let charges = self
            .store
            .read(|c| table::charges(c, session.household_id, w.start))?;
        Ok(year_totals(&charges, w.start, w.current))
    }

    /// 支給決定通知: the household's decisions in the window, newest first.
    pub fn benefit_decisions(
        &self,
        session: &AccountSession,
    ) -> Result<Vec<Decision>, ServiceError> {
        let from = self.expense_window().start.first_day();
        let rows = self
            .store
            .read(|c| table::benefits(c, session.household_id, from))?;
        let kinds = &self.config.benefits;
        Ok(rows
            .into_iter()
            .map(|r| {
                let (ja, en) = kinds
                    .kinds
                    .iter()
                    .find(|k| k.code == r.kind)
                    .map_or((r.kind.clone(), r.kind.clone()), |k| {
                        (k.ja.clone(), k.en.clone())
                    });
                Decision {
                    decided_on: r.decided_on,
                    kind_ja: ja,
                    kind_en: en,
                    amount: r.amount,
                    paid_on: r.paid_on,
                }
            })
            .collect())
    }
}
