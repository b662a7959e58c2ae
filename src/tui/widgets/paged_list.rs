//! A list loaded from the store and shown in a [`Row::Panel`] that PgUp/PgDn, the wheel and a drag
//! scroll, above the screen's message and its one button, [戻る]: what 医療費照会（明細）, 年間の医療費
//! and 支給決定通知 share. The screen keeps a `PagedList<T>` and says what is its own: the title, the
//! rows above the panel, the panel's title and how its items become lines.

use std::fmt::Display;

use super::fields::{Event, Fields};
use super::form::{Control, Form, FormEvent};
use super::notice::{self, Notice};
use super::page::{Row, scrolled};
use crate::domain::Lang;
use crate::key;
use crate::tui::i18n::tr;

crate::controls! {
    pub enum Ctl {
        Back = "back",
    }
}

#[derive(Debug, Clone)]
pub struct PagedList<T> {
    pub form: Fields<Ctl>,
    /// None until the store answered.
    pub items: Option<Vec<T>>,
    pub scroll: usize,
    pub message: Option<Notice>,
}

impl<T> Default for PagedList<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> PagedList<T> {
    /// Nothing loaded yet, scrolled to the top, [戻る] focused.
    pub fn new() -> Self {
        PagedList {
            form: Fields::new(vec![Control::button(Ctl::Back, key!("common.back"))]),
            items: None,
            scroll: 0,
            message: None,
        }
    }

    /// The store's answer: the items, or the system error on the screen (and in the log, `what`
    /// could not be read).
    pub fn loaded<E: Display>(&mut self, r: Result<Vec<T>, E>, what: &str) {
        match r {
            Ok(items) => self.items = Some(items),
            Err(e) => {
                tracing::error!(error = %e, "cannot read {what}");
                self.message = Some(Notice::error("common.system_error"));
            }
        }
    }

    /// How many items the store gave (0 while loading).
    pub fn count(&self) -> usize {
        self.items.as_ref().map_or(0, Vec::len)
    }

    /// `head`, then the panel titled `title` (empty while loading; the sentence `empty_key` when
    /// the store has nothing; else `lines` of the items), the message and [戻る].
    pub fn rows(
        &self,
        lang: Lang,
        head: Vec<Row>,
        title: String,
        empty_key: &str,
        lines: impl FnOnce(&[T]) -> Vec<String>,
    ) -> Vec<Row> {
        let lines = match &self.items {
            None => Vec::new(),
            Some(items) if items.is_empty() => vec![tr(lang, empty_key).to_string()],
            Some(items) => lines(items),
        };
        let mut rows = head;
        rows.extend([
            Row::Panel {
                title,
                lines,
                scroll: self.scroll,
            },
            notice::row(lang, &self.message),
            self.form.buttons(&[Ctl::Back]),
        ]);
        rows
    }

    /// True when `event` leaves the screen (Esc, or [戻る] pressed).
    pub fn back(&self, event: FormEvent) -> bool {
        matches!(
            self.form.event(event),
            Event::Back | Event::Pressed(Ctl::Back)
        )
    }

    /// The panel scrolled by `lines`, within `0..=max`.
    pub fn scroll(&mut self, lines: i32, max: usize) {
        self.scroll = scrolled(self.scroll, lines, max);
    }

    pub fn form(&self) -> &Form {
        self.form.form()
    }

    pub fn form_mut(&mut self) -> &mut Form {
        self.form.form_mut()
    }
}
