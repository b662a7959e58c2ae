use proptest::prelude::*;
use time::macros::date;

use super::*;
use crate::tui::widgets::form::{Form, FormEvent};
use crate::tui::widgets::text_field::TextField;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const TODAY: Date = date!(2026 - 06 - 30);

fn pads() -> Vec<Pad> {
    let mut shifted = Keyboard::new(Keypad::Email);
    shifted.shift = true;
    vec![
        Pad::for_field(Keypad::Letters, "", TODAY),
        Pad::for_field(Keypad::Digits, "", TODAY),
        Pad::for_field(Keypad::Email, "", TODAY),
        Pad::Keys(shifted),
        Pad::for_field(Keypad::Date, "1980/01/01", TODAY),
    ]
}

#[test]
fn keys_are_3_cells_wide_a_row_high_apart_and_inside_the_pad() {
    for (w, h) in [(80, 20), (120, 36), (100, 26)] {
        for lang in [Lang::Ja, Lang::En] {
            for pad in pads() {
                let height = pad.height(lang, h);
                assert!(
                    h - height >= 10,
                    "{pad:?} leaves room for the form: {height}/{h}"
                );
                let area = Rect::new(0, 3 + h - height, w, height);
                let hits = pad.place(lang, area);
                let wanted = pad
                    .items(lang)
                    .iter()
                    .flatten()
                    .filter(|i| matches!(i, Item::Key(..)))
                    .count();
                assert_eq!(hits.len(), wanted, "every key placed at {w}x{h}");
                for a in &hits {
                    assert!(a.rect.width >= 3 && a.rect.height >= 1, "{a:?}");
                    assert!(a.rect.y > area.y, "below the rule");
                    assert!(
                        a.rect.x + a.rect.width <= w
                            && a.rect.y + a.rect.height <= area.y + area.height
                    );
                    for b in &hits {
                        if a == b {
                            continue;
                        }
                        // Apart: at least one column or one row between two keys.
                        let apart_x = a.rect.x + a.rect.width < b.rect.x
                            || b.rect.x + b.rect.width < a.rect.x;
                        let apart_y = a.rect.y + a.rect.height < b.rect.y
                            || b.rect.y + b.rect.height < a.rect.y;
                        assert!(apart_x || apart_y, "{a:?} touches {b:?}");
                    }
                }
            }
        }
    }
}

#[test]
fn keys_grow_on_a_larger_screen() {
    let pad = Pad::for_field(Keypad::Letters, "", TODAY);
    let small = pad.place(Lang::Ja, Rect::new(0, 13, 80, pad.height(Lang::Ja, 20)));
    let h = pad.height(Lang::Ja, 36);
    let large = pad.place(Lang::Ja, Rect::new(0, 39 - h, 120, h));
    assert_eq!(small[0].rect.height, 1);
    assert_eq!(large[0].rect.height, TALL_KEY);
}

#[test]
fn each_layout_offers_what_its_fields_take() {
    let chars = |k: Keypad| Keyboard::new(k).chars();
    assert!(chars(Keypad::Digits).iter().all(char::is_ascii_digit));
    assert_eq!(chars(Keypad::Digits).len(), 10);
    assert!(
        chars(Keypad::Letters)
            .iter()
            .all(char::is_ascii_alphanumeric)
    );
    assert!(chars(Keypad::Letters).contains(&'Z'));
    for c in "@.-_+".chars() {
        assert!(chars(Keypad::Email).contains(&c));
        assert!(!chars(Keypad::Letters).contains(&c));
    }
}

#[test]
fn shift_is_for_one_capital() {
    let mut k = Keyboard::new(Keypad::Letters);
    assert_eq!(k.tap(PadKey::Shift), PadInput::None);
    assert!(k.shift);
    assert_eq!(k.tap(PadKey::Char('A')), PadInput::Char('A'));
    assert!(!k.shift, "back to small letters");
    assert_eq!(k.tap(PadKey::Char('1')), PadInput::Char('1'));
    // A digits pad has no shift and types nothing else.
    let mut d = Keyboard::new(Keypad::Digits);
    assert_eq!(d.tap(PadKey::Shift), PadInput::None);
    assert_eq!(d.tap(PadKey::Char('a')), PadInput::None);
}

#[test]
fn the_picker_steps_within_the_era_and_the_month() {
    let mut p = DatePicker::from_value("S55.1.31", TODAY);
    assert_eq!((p.era, p.date), (1, date!(1980 - 01 - 31)));
    assert_eq!(
        p.tap(PadKey::Month(1)),
        PadInput::Set("1980/02/29".into()),
        "a leap February"
    );
    assert_eq!(p.tap(PadKey::Year(1)), PadInput::Set("1981/02/28".into()));
    // 昭和 ends on 1989-01-07: stepping on stays in 昭和.
    p.tap(PadKey::Year(10));
    assert_eq!((p.era, p.date), (1, date!(1989 - 01 - 07)));
    p.tap(PadKey::Day(-10));
    p.tap(PadKey::Month(-1));
    assert_eq!(p.date, date!(1989 - 01 - 01), "not before January");
    p.tap(PadKey::Year(-1));
    p.tap(PadKey::Month(11));
    assert_eq!(p.date, date!(1988 - 12 - 01));
    p.tap(PadKey::Era(4)); // 西暦
    for _ in 0..20 {
        p.tap(PadKey::Year(10));
    }
    assert_eq!(p.date, TODAY, "never a future date");
    p.tap(PadKey::Era(3)); // 令和
    assert_eq!(p.date, TODAY);
    for _ in 0..5 {
        p.tap(PadKey::Year(-10));
    }
    assert_eq!(p.date, date!(2019 - 05 - 01), "令和 starts on 2019-05-01");
}

#[test]
fn the_picker_reads_the_date_back_as_the_identity_screen_does() {
    let p = DatePicker::from_value("", TODAY);
    let texts: Vec<String> = p
        .items(Lang::Ja)
        .into_iter()
        .flatten()
        .filter_map(|i| match i {
            Item::Text(t) => Some(t),
            _ => None,
        })
        .collect();
    assert!(
        texts.contains(&"昭和35年（1960年）".to_string()),
        "{texts:?}"
    );
    assert!(
        texts.contains(&"1960年1月1日（昭和35年）".to_string()),
        "{texts:?}"
    );
    let p = DatePicker::from_value("H1.1.8", TODAY);
    let en: Vec<Item> = p.items(Lang::En).into_iter().flatten().collect();
    assert!(en.contains(&Item::Text("Heisei 1 (1989)".into())), "{en:?}");
    assert!(en.contains(&Item::Text("January".into())), "{en:?}");
    assert!(en.contains(&Item::Text("8 January 1989".into())), "{en:?}");
}

fn field_form(keypad: Keypad, max: usize, masked: bool) -> Form {
    let mut field = TextField::new(max).keypad(keypad);
    field.masked = masked;
    Form::new(vec![
        crate::tui::widgets::form::Control::text("f", "x", field),
        crate::tui::widgets::form::Control::button("ok", "x"),
    ])
}

/// What a field of that pad accepts (the rules the screens check on top are stricter, never looser).
fn allowed(keypad: Keypad, c: char) -> bool {
    match keypad {
        Keypad::Digits => c.is_ascii_digit(),
        Keypad::Letters => c.is_ascii_alphanumeric(),
        Keypad::Email => c.is_ascii_alphanumeric() || "@.-_+".contains(c),
        Keypad::Date => c.is_ascii_digit() || c == '/',
    }
}

proptest! {
    /// Random taps anywhere on any pad, fed to a field as the app feeds them: no panic, never more
    /// than the maximum, never a character the field's pad does not offer.
    #[test]
    fn random_taps_never_put_a_refused_character(
        which in 0usize..4,
        max in 1usize..20,
        taps in proptest::collection::vec((0u16..80, 0u16..24), 0..80),
    ) {
        let keypad = [Keypad::Letters, Keypad::Digits, Keypad::Email, Keypad::Date][which];
        let mut form = field_form(keypad, max, which == 0);
        let mut pad = Pad::for_field(keypad, "", TODAY);
        for (col, row) in taps {
            let area = Rect::new(0, 24 - pad.height(Lang::Ja, 20), 80, pad.height(Lang::Ja, 20));
            let Some(key) = hit(&pad.place(Lang::Ja, area), col, row) else { continue };
            let plain = |code| KeyEvent::new(code, KeyModifiers::NONE);
            let ev = match pad.tap(key) {
                PadInput::Char(c) => form.handle_key(&plain(KeyCode::Char(c))),
                PadInput::Backspace => form.handle_key(&plain(KeyCode::Backspace)),
                PadInput::Set(v) | PadInput::SetNext(v) => form.set_text(0, &v),
                PadInput::Next | PadInput::Close | PadInput::None => FormEvent::None,
            };
            let _ = ev;
            form.focus = 0;
            let value = form.value_named("f").unwrap();
            prop_assert!(value.chars().count() <= max);
            prop_assert!(value.chars().all(|c| allowed(keypad, c)), "{value:?}");
        }
    }
}
