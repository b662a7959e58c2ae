//! Touch: taps as a touchscreen sends them, and the on-screen keyboard (issue 13).
//!
//! A tap acts when the finger lifts, on what is under it then, and only when that is what it went
//! down on: a press, a drag off a button and a release elsewhere does nothing (a finger changing its
//! mind); a drag on the terms panel scrolls it. Touch drivers that send only the release, or a drag
//! and a release, are taps too. A second tap on the same target within [`BOUNCE`] is the screen's
//! bounce, not the member, and is ignored.
//!
//! The on-screen keyboard ([`Pad`]) belongs to the focused text field: a tap on a field brings it
//! (`[kiosk] touch_keyboard = "auto"`), a key typed on a real keyboard puts it away for the rest of
//! that member's visit (until the start screen returns), and its keys are typed into the field as
//! keys are, so every rule of the field holds.

use std::time::{Duration, Instant};

use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;

use super::App;
use crate::config::TouchKeyboard;
use crate::tui::screens::Page;
use crate::tui::widgets::form::{Form, Kind};
use crate::tui::widgets::keypad::{self, Pad, PadHit, PadInput, PadKey};
use crate::tui::widgets::page::{self, Placement, Row, Spec};

/// A second tap on the same target sooner than this is a bounce.
pub const BOUNCE: Duration = Duration::from_millis(150);

/// What a tap can land on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A control of the screen in view (a radio group's option, when one was hit).
    Control {
        page: Page,
        control: usize,
        option: Option<usize>,
    },
    /// A key of the on-screen keyboard or the picker.
    Key(PadKey),
    /// The `row`-th visible line of the screen's panel (a list to choose from: locks, mail).
    PanelRow { page: Page, row: usize },
}

/// Where a finger went down, and what was under it.
#[derive(Debug, Clone, Copy)]
struct Press {
    target: Option<Target>,
    /// The row it is on now (a drag scrolls the panel by the rows it moved).
    row: u16,
}

/// The pad in view and the field it types into.
#[derive(Debug, Clone)]
pub struct PadState {
    pub page: Page,
    pub control: usize,
    pub pad: Pad,
}

/// The app's touch state.
#[derive(Debug, Clone, Default)]
pub struct Touch {
    press: Option<Press>,
    /// The last tap acted on, and when (bounce).
    last: Option<(Target, Instant)>,
    pub pad: Option<PadState>,
    /// With `always`: the field whose pad 閉じる put away (it stays away until a tap on a field).
    closed: Option<(Page, usize)>,
    /// A key was typed on a real keyboard: with `auto`, the pad stays away until the start screen
    /// returns (the next member).
    typed: bool,
}

impl Touch {
    /// The screen changed under the finger: the press no longer means anything.
    pub fn screen_changed(&mut self) {
        self.press = None;
    }
}

/// What is drawn in the body: the rows shown (from `skip`), their placement, and the pad's area.
pub struct BodyLayout {
    pub rows: Vec<Row>,
    pub placement: Placement,
    pub pad: Option<(Rect, Vec<PadHit>)>,
}

impl App {
    /// When the on-screen keyboard shows here (never in the staff console).
    pub fn touch_keyboard(&self) -> TouchKeyboard {
        if self.staff.is_some() {
            TouchKeyboard::Never
        } else {
            self.opts.touch_keyboard
        }
    }

    /// The pad in view, if any.
    pub fn pad(&self) -> Option<&Pad> {
        self.touch.pad.as_ref().map(|p| &p.pad)
    }

    /// The body as drawn and tapped: with a pad, the pad takes the bottom rows and the form scrolls
    /// (its first rows give way) until the focused field and its note are in view above it.
    pub(super) fn body_layout(&self) -> BodyLayout {
        let config = self.config();
        let cx = self.cx(&config);
        let screen = self.screen();
        let rows = screen.rows(&cx);
        let form = screen.form();
        let body = self.body_area();
        let label_width = page::label_width(form, self.lang);
        let layout = |rows: &[Row], area: Rect| {
            let spec = Spec {
                rows,
                form,
                lang: self.lang,
                label_width,
            };
            page::layout(&spec, area)
        };
        let Some(state) = &self.touch.pad else {
            let placement = layout(&rows, body);
            return BodyLayout {
                rows,
                placement,
                pad: None,
            };
        };
        let h = state
            .pad
            .height(self.lang, body.height)
            .min(body.height.saturating_sub(3));
        let form_area = Rect::new(body.x, body.y, body.width, body.height - h);
        let pad_area = Rect::new(body.x, body.y + body.height - h, body.width, h);
        let mut skip = 0;
        let placement = loop {
            let placement = layout(&rows[skip..], form_area);
            if skip + 1 >= rows.len() || focus_in_view(form, &rows[skip..], &placement) {
                break placement;
            }
            skip += 1;
        };
        BodyLayout {
            rows: rows[skip..].to_vec(),
            placement,
            pad: Some((pad_area, state.pad.place(self.lang, pad_area))),
        }
    }

    /// What a tap at (`col`, `row`) would land on.
    pub fn target_at(&self, col: u16, row: u16) -> Option<Target> {
        let layout = self.body_layout();
        if let Some((area, hits)) = &layout.pad {
            if row >= area.y && row < area.y + area.height {
                return keypad::hit(hits, col, row).map(Target::Key);
            }
        }
        if let Some(h) = page::hit(&layout.placement, col, row) {
            return Some(Target::Control {
                page: self.page(),
                control: h.control,
                option: h.option,
            });
        }
        // Inside the panel's border: one of its lines.
        layout
            .placement
            .panel
            .filter(|p| {
                col > p.x && col + 1 < p.x + p.width && row > p.y && row + 1 < p.y + p.height
            })
            .map(|p| Target::PanelRow {
                page: self.page(),
                row: usize::from(row - p.y - 1),
            })
    }

    pub(super) fn on_mouse_at(&mut self, m: MouseEvent, now: Instant) -> bool {
        self.last_input = now;
        if self.busy.is_some() || self.too_small() {
            return true;
        }
        match m.kind {
            MouseEventKind::ScrollDown => self.page_or_scroll(true, 3, false),
            MouseEventKind::ScrollUp => self.page_or_scroll(false, 3, false),
            MouseEventKind::Down(MouseButton::Left) => {
                self.flash = None;
                self.touch.press = Some(Press {
                    target: self.target_at(m.column, m.row),
                    row: m.row,
                });
            }
            MouseEventKind::Drag(MouseButton::Left) => {
                // A driver that sends no press starts with a drag.
                let press = match self.touch.press {
                    Some(p) => p,
                    None => Press {
                        target: self.target_at(m.column, m.row),
                        row: m.row,
                    },
                };
                // Touch scrolling: dragging up shows later lines, from anywhere on the screen.
                let delta = press.row as i32 - m.row as i32;
                if delta != 0 {
                    self.scroll_panel(delta, false);
                }
                self.touch.press = Some(Press {
                    row: m.row,
                    ..press
                });
            }
            MouseEventKind::Up(_) => {
                let under = self.target_at(m.column, m.row);
                let acts = match self.touch.press.take() {
                    // Released on what it went down on.
                    Some(p) => p.target.is_some() && p.target == under,
                    // A driver that sends only the release.
                    None => true,
                };
                if let Some(target) = under.filter(|_| acts) {
                    self.tap_target(target, m.column, m.row, now);
                }
            }
            _ => return false,
        }
        self.sync_pad();
        true
    }

    fn tap_target(&mut self, target: Target, col: u16, row: u16, now: Instant) {
        if let Some((last, at)) = self.touch.last {
            if last == target && now.saturating_duration_since(at) < BOUNCE {
                return;
            }
        }
        self.touch.last = Some((target, now));
        match target {
            Target::Key(key) => self.on_pad_key(key),
            Target::PanelRow { row, .. } => {
                let config = self.config();
                let cx = self.cx(&config);
                let action = self.screen_mut().tap_panel(row, &cx);
                self.perform(action);
            }
            Target::Control {
                control, option, ..
            } => {
                let layout = self.body_layout();
                let column = page::hit(&layout.placement, col, row)
                    .and_then(|h| h.field_box)
                    .filter(|b| col > b.x)
                    .map(|b| ((col - b.x - 1) as usize, page::inner_width(b.width)));
                let events = self.screen_mut().form_mut().tap(control, option, column);
                for ev in events {
                    self.dispatch(ev);
                    if self.busy.is_some() {
                        break;
                    }
                }
                // A tap on a text field brings its keyboard.
                let form = self.screen().form();
                if form.focus == control && form.text_at(control).is_some() {
                    self.touch.closed = None;
                    let wanted = match self.touch_keyboard() {
                        TouchKeyboard::Always => true,
                        TouchKeyboard::Auto => !self.touch.typed,
                        TouchKeyboard::Never => false,
                    };
                    if wanted {
                        self.open_pad();
                    }
                }
            }
        }
    }

    /// A key of the pad: typed into the focused field as the key would be.
    fn on_pad_key(&mut self, key: PadKey) {
        let Some(state) = self.touch.pad.as_mut() else {
            return;
        };
        let input = state.pad.tap(key);
        let plain = |code| KeyEvent::new(code, KeyModifiers::NONE);
        match input {
            PadInput::None => {}
            PadInput::Char(c) => self.form_key(plain(KeyCode::Char(c))),
            PadInput::Backspace => self.form_key(plain(KeyCode::Backspace)),
            PadInput::Next => self.form_key(plain(KeyCode::Tab)),
            PadInput::Close => {
                self.touch.closed = Some((self.page(), self.screen().form().focus));
                self.touch.pad = None;
            }
            PadInput::Set(value) => self.set_focused(&value),
            PadInput::SetNext(value) => {
                self.set_focused(&value);
                self.form_key(plain(KeyCode::Tab));
            }
        }
    }

    fn form_key(&mut self, key: KeyEvent) {
        let ev = self.screen_mut().form_mut().handle_key(&key);
        self.dispatch(ev);
    }

    fn set_focused(&mut self, value: &str) {
        let form = self.screen_mut().form_mut();
        let ev = form.set_text(form.focus, value);
        self.dispatch(ev);
    }

    /// The pad for the focused text field.
    fn open_pad(&mut self) {
        let page = self.page();
        let today = self.services.clock.today();
        let form = self.screen().form();
        let control = form.focus;
        self.touch.pad = form.text_at(control).map(|field| PadState {
            page,
            control,
            pad: Pad::for_field(field.keypad, field.value(), today),
        });
    }

    /// After every input: the pad follows the focus from field to field (次へ), goes away when the
    /// focus leaves the fields or the screen changes, and with `always` comes with every field.
    pub(super) fn sync_pad(&mut self) {
        let mode = self.touch_keyboard();
        let page = self.page();
        let form = self.screen().form();
        let focus = form.focus;
        let on_text = matches!(
            form.controls.get(focus).map(|c| &c.kind),
            Some(Kind::Text(_))
        );
        let same = |p: &PadState| p.page == page && p.control == focus;
        match (&self.touch.pad, mode) {
            (_, TouchKeyboard::Never) => self.touch.pad = None,
            (Some(p), _) if same(p) => self.follow_typed_date(),
            (Some(p), _) if p.page == page && on_text => self.open_pad(),
            (_, TouchKeyboard::Always) if on_text && self.touch.closed != Some((page, focus)) => {
                self.open_pad()
            }
            _ => self.touch.pad = None,
        }
    }

    /// The picker shows a date typed into its field (with `always`, keys do not put it away).
    fn follow_typed_date(&mut self) {
        let today = self.services.clock.today();
        let value = self
            .screen()
            .form()
            .text_at(self.screen().form().focus)
            .map(|f| f.value().to_owned());
        if let (
            Some(PadState {
                pad: Pad::Date(picker),
                ..
            }),
            Some(value),
        ) = (&mut self.touch.pad, value)
        {
            let typed = crate::domain::birthdate::parse_birth_date(&value, today);
            if typed.is_ok_and(|d| d != picker.date) {
                *picker = keypad::DatePicker::from_value(&value, today);
            }
        }
    }

    /// A key typed on a real keyboard: with `auto`, the member has one, so the pad goes and stays
    /// away for this member.
    pub(super) fn key_typed(&mut self) {
        if self.touch_keyboard() == TouchKeyboard::Auto {
            self.touch.pad = None;
            self.touch.typed = true;
        }
    }
}

/// True when the focused control is placed, with its error or hint, in `placement` of `rows`.
fn focus_in_view(form: &Form, rows: &[Row], placement: &Placement) -> bool {
    let focus = form.focus;
    let Some(k) = rows
        .iter()
        .position(|r| matches!(r, Row::Control(i) if *i == focus))
    else {
        // Not a row of its own (a button): the buttons' row.
        return placement.hits.iter().any(|h| h.control == focus);
    };
    let placed = placement.rows.get(k).is_some_and(|r| r.height > 0);
    let c = &form.controls[focus];
    let says = c.error.is_some() || c.info.is_some();
    let note_whole = match (rows.get(k + 1), placement.rows.get(k + 1)) {
        (Some(Row::Note(i)), Some(r)) if *i == focus && says => r.height > 0,
        _ => true,
    };
    placed && note_whole
}

#[cfg(test)]
mod tests;
