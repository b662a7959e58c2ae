//! `--plain`: the kiosk and the staff console as line-by-line prompts on an ordinary terminal, for
//! members and staff who use a screen reader or a braille display (as huh's accessible mode does
//! for forms). No alternate screen, no cursor movement, no colour: one question per line, and when
//! an answer is wrong the error text and then the question again.
//!
//! A second front end on the same services as the full screen: the same rules and messages, the
//! same one transaction at [実行], the same lockout, and the same idle timeout (a line saying how
//! many seconds are left, then everything entered is wiped and the start returns). Answering
//! 「戻る」 (`back`) goes back a step, 「最初から」 (`restart`) starts again. Between two people the
//! terminal's screen and scrollback are cleared (the kiosk's privacy rule), the one escape sequence
//! this mode sends.

mod counter;
mod expenses;
mod staff;
mod term;
mod wizard;

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::domain::text::{neutralize, normalize};
use crate::i18n::{Lang, Msg, msg, tr, trf};
use crate::store::Actor;
use term::{Read, Term};

pub use staff::run_staff;
pub use wizard::run_kiosk;

/// How the plain front end behaves.
#[derive(Debug, Clone)]
pub struct Options {
    pub lang: Lang,
    /// No answer for this long: everything entered is wiped and the start returns.
    pub idle_timeout: Duration,
    /// The warning comes this long before the timeout.
    pub countdown: Duration,
    /// Ctrl-C leaves (the demo); a kiosk keeps every key.
    pub allow_exit: bool,
    pub actor: Actor,
}

impl Options {
    pub fn from_config(config: &Config, actor: Actor) -> Options {
        Options {
            lang: config.kiosk.lang,
            idle_timeout: Duration::from_secs(config.kiosk.idle_timeout_secs.max(5)),
            countdown: Duration::from_secs(config.kiosk.countdown_secs),
            allow_exit: config.kiosk.allow_exit,
            actor,
        }
    }
}

/// What an answer was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Text(String),
    /// 「戻る」: one step back.
    Back,
    /// 「最初から」: the start again.
    Restart,
    /// Nobody answered: wipe everything and start again.
    Idle,
    /// The terminal went away or the program was asked to stop.
    Quit,
}

/// How a part of a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Back to the start (done, restart, or the idle timeout).
    Start,
    /// Leave the program.
    Quit,
}

impl Answer {
    /// The flow for an answer that is not text (`None` for text).
    pub fn flow(&self) -> Option<Flow> {
        match self {
            Answer::Quit => Some(Flow::Quit),
            Answer::Idle | Answer::Restart => Some(Flow::Start),
            _ => None,
        }
    }
}

/// The words that go back or start again, in either language.
fn command(answer: &str) -> Option<Answer> {
    match answer.trim().to_lowercase().as_str() {
        "戻る" | "もどる" | "back" => Some(Answer::Back),
        "最初から" | "さいしょから" | "restart" => Some(Answer::Restart),
        _ => None,
    }
}

/// The line-by-line terminal: says things, asks questions, keeps the idle time.
pub struct Console {
    term: Term,
    pub lang: Lang,
    idle: Duration,
    countdown: Duration,
    /// Something was entered since the start: the idle timeout applies.
    pub armed: bool,
    /// The idle timeout wiped the session (until the next person starts).
    pub wiped: bool,
    out: io::Stdout,
}

impl Console {
    pub fn open(opts: &Options) -> Console {
        let stop = Arc::new(AtomicBool::new(false));
        for sig in [
            signal_hook::consts::SIGTERM,
            signal_hook::consts::SIGHUP,
            signal_hook::consts::SIGINT,
            signal_hook::consts::SIGQUIT,
        ] {
            if let Err(e) = signal_hook::flag::register(sig, stop.clone()) {
                tracing::warn!(error = %e, sig, "cannot watch a signal");
            }
        }
        Console {
            term: Term::open(!opts.allow_exit, stop),
            lang: opts.lang,
            idle: opts.idle_timeout,
            countdown: opts.countdown.min(opts.idle_timeout),
            armed: false,
            wiped: false,
            out: io::stdout(),
        }
    }

    /// One line of text (from outside or not: neutralised either way).
    pub fn say(&mut self, text: &str) {
        for line in neutralize_lines(text) {
            let _ = writeln!(self.out, "{line}");
        }
        let _ = self.out.flush();
    }

    /// A catalogue text.
    pub fn say_key(&mut self, key: &str) {
        let t = tr(self.lang, key);
        self.say(t);
    }

    pub fn say_msg(&mut self, m: &Msg) {
        let t = msg(self.lang, m);
        self.say(&t);
    }

    /// An empty line between parts.
    pub fn gap(&mut self) {
        let _ = writeln!(self.out);
    }

    /// An error: the word for it first, so that a screen reader says what kind of line it is.
    pub fn error(&mut self, m: &Msg) {
        let t = trf(self.lang, "plain.error", &[("text", &msg(self.lang, m))]);
        self.say(&t);
    }

    /// Asks `question` on its own line and reads the answer on the same line. `hidden`: not echoed
    /// (a password; the words for back and restart do not count there).
    pub fn ask(&mut self, question: &str, hidden: bool) -> Answer {
        loop {
            let _ = write!(self.out, "{}: ", neutralize(question));
            let _ = self.out.flush();
            let deadline = self
                .armed
                .then(|| Instant::now() + self.idle.saturating_sub(self.countdown));
            match self.term.line(deadline, hidden) {
                Read::Line(line) => {
                    let line = normalize(&line).trim().to_string();
                    if !hidden && let Some(cmd) = command(&line) {
                        return cmd;
                    }
                    return Answer::Text(line);
                }
                Read::Closed => return Answer::Quit,
                Read::Timeout => {
                    let _ = writeln!(self.out);
                    let secs = self.countdown.as_secs().to_string();
                    let warn = trf(self.lang, "plain.countdown", &[("secs", &secs)]);
                    self.say(&warn);
                    match self.term.line(Some(Instant::now() + self.countdown), false) {
                        Read::Line(_) => continue, // still here: the same question again
                        Read::Closed => return Answer::Quit,
                        Read::Timeout => {
                            self.say_key("plain.wiped");
                            self.wiped = true;
                            return Answer::Idle;
                        }
                    }
                }
            }
        }
    }

    /// Asks for one of `options` (catalogue keys) by number; Enter alone takes `preset`.
    pub fn choose(&mut self, question: &str, options: &[&str], preset: usize) -> Answer {
        self.choose_in_list(question, 0, "", options, preset)
    }

    /// Asks for one of `count` items said just before as numbered lines (`item`: what choosing one
    /// does), or one of `options` (catalogue keys) numbered after them: `1〜12 その月の明細、13 戻る`.
    /// The answer counts items first; Enter alone takes `preset`.
    pub fn choose_in_list(
        &mut self,
        question: &str,
        count: usize,
        item: &str,
        options: &[&str],
        preset: usize,
    ) -> Answer {
        let mut listed: Vec<String> = Vec::new();
        match count {
            0 => {}
            1 => listed.push(format!("1 {item}")),
            n => listed.push(trf(
                self.lang,
                "plain.items",
                &[("first", "1"), ("last", &n.to_string()), ("item", item)],
            )),
        }
        listed.extend(
            options
                .iter()
                .enumerate()
                .map(|(i, k)| format!("{} {}", count + i + 1, tr(self.lang, k))),
        );
        let total = count + options.len();
        let q = trf(
            self.lang,
            "plain.choose",
            &[
                ("question", question),
                ("options", &listed.join(tr(self.lang, "plain.sep"))),
                ("preset", &(preset + 1).to_string()),
            ],
        );
        loop {
            match self.ask(&q, false) {
                Answer::Text(t) if t.is_empty() => return Answer::Text(preset.to_string()),
                Answer::Text(t) => match t.parse::<usize>() {
                    Ok(n) if (1..=total).contains(&n) => {
                        return Answer::Text((n - 1).to_string());
                    }
                    _ => {
                        let m = Msg::new("plain.choose_again").arg("max", total);
                        self.error(&m);
                    }
                },
                other => return other,
            }
        }
    }

    /// Waits for Enter (or 「戻る」) before going back to `page` (a catalogue title): what comes
    /// next, or `None` for going back.
    pub fn enter_to_return(&mut self, page: &str) -> Option<Flow> {
        let q = trf(
            self.lang,
            "plain.enter_back",
            &[("page", tr(self.lang, page))],
        );
        match self.ask(&q, false) {
            Answer::Text(_) | Answer::Back => None,
            other => other.flow(),
        }
    }

    /// Clears the screen and the scrollback before the next person (a terminal only).
    pub fn clear_for_next_person(&mut self) {
        use std::io::IsTerminal;
        if self.out.is_terminal() {
            let _ = write!(self.out, "\x1b[H\x1b[2J\x1b[3J");
            let _ = self.out.flush();
        }
        self.armed = false;
        self.wiped = false;
    }
}

/// `text` split into lines, each neutralised (a line break inside stays a line break).
fn neutralize_lines(text: &str) -> Vec<String> {
    text.split('\n')
        .map(|l| neutralize(l).into_owned())
        .collect()
}

/// `label：value` pairs (catalogue labels) on one line, for one item of a list.
pub fn fields(lang: Lang, pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| trf(lang, "plain.row", &[("label", tr(lang, k)), ("value", v)]))
        .collect::<Vec<_>>()
        .join(tr(lang, "plain.sep"))
}

/// A label of the full screen (`ユーザーID：`, `User ID:`) and its value on one line: a space after
/// an ASCII colon, as the screen's gap between them.
pub fn labelled(lang: Lang, key: &str, value: &str) -> String {
    let label = tr(lang, key);
    if label.ends_with(':') {
        format!("{label} {value}")
    } else {
        format!("{label}{value}")
    }
}

/// A number chosen with [`Console::choose`].
pub fn chosen(a: &Answer) -> Option<usize> {
    match a {
        Answer::Text(t) => t.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_for_back_and_restart_in_both_languages() {
        assert_eq!(command("戻る"), Some(Answer::Back));
        assert_eq!(command(" Back "), Some(Answer::Back));
        assert_eq!(command("最初から"), Some(Answer::Restart));
        assert_eq!(command("restart"), Some(Answer::Restart));
        assert_eq!(command("sato1980"), None);
    }

    #[test]
    fn lines_are_neutralised() {
        assert_eq!(
            neutralize_lines("a\u{1b}[2Jb\nc\u{202e}"),
            ["a\u{fffd}[2Jb", "c\u{fffd}"]
        );
    }
}
