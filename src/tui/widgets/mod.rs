//! Reusable pieces of every screen: the form (controls, focus and the keyboard grammar), the page layout
//! (one pure function shared by drawing and hit-testing), the header and footer, and text wrapping.

pub mod chrome;
pub mod fields;
pub mod form;
pub mod keypad;
pub mod notice;
pub mod page;
pub mod paged_list;
pub mod room;
pub mod text_field;
pub mod wrap;

/// Marks a string literal as a message-catalogue key (checked by a test in `tui::i18n`).
#[macro_export]
macro_rules! key {
    ($k:literal) => {
        $k
    };
}
