//! Colours and styles. High contrast, readable on a dark kiosk screen; every state is also shown by a
//! symbol or bracket so that nothing depends on colour alone.

use ratatui::style::{Color, Modifier, Style};

pub fn title() -> Style {
    Style::new().fg(Color::White).add_modifier(Modifier::BOLD)
}

pub fn brand() -> Style {
    Style::new()
        .fg(Color::LightCyan)
        .add_modifier(Modifier::BOLD)
}

pub fn text() -> Style {
    Style::new()
}

pub fn dim() -> Style {
    Style::new().fg(Color::Gray)
}

pub fn label() -> Style {
    Style::new().fg(Color::White)
}

pub fn label_focused() -> Style {
    Style::new()
        .fg(Color::LightYellow)
        .add_modifier(Modifier::BOLD)
}

pub fn input() -> Style {
    Style::new().fg(Color::White).bg(Color::Indexed(237))
}

pub fn input_focused() -> Style {
    Style::new().fg(Color::Black).bg(Color::LightYellow)
}

pub fn error() -> Style {
    Style::new()
        .fg(Color::LightRed)
        .add_modifier(Modifier::BOLD)
}

pub fn ok() -> Style {
    Style::new().fg(Color::LightGreen)
}

pub fn info() -> Style {
    Style::new().fg(Color::Gray)
}

pub fn button() -> Style {
    Style::new().fg(Color::White).bg(Color::Indexed(24))
}

pub fn button_focused() -> Style {
    Style::new()
        .fg(Color::Black)
        .bg(Color::LightYellow)
        .add_modifier(Modifier::BOLD)
}

pub fn button_disabled() -> Style {
    Style::new().fg(Color::Gray).bg(Color::Indexed(236))
}

pub fn step_done() -> Style {
    Style::new().fg(Color::LightGreen)
}

pub fn step_current() -> Style {
    Style::new()
        .fg(Color::Black)
        .bg(Color::LightCyan)
        .add_modifier(Modifier::BOLD)
}

pub fn step_future() -> Style {
    Style::new().fg(Color::Gray)
}

pub fn panel_border() -> Style {
    Style::new().fg(Color::LightCyan)
}

pub fn warning_banner() -> Style {
    Style::new()
        .fg(Color::Black)
        .bg(Color::LightRed)
        .add_modifier(Modifier::BOLD)
}

pub fn busy() -> Style {
    Style::new()
        .fg(Color::Black)
        .bg(Color::LightCyan)
        .add_modifier(Modifier::BOLD)
}

pub fn key_hint() -> Style {
    Style::new().fg(Color::Gray)
}
