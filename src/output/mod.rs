//! Output sinks: what the engine's decisions turn into.
//!
//! The engine drives; a [`Sink`] receives one [`LineEvent`] per line (or per run of identical
//! blank lines). [`CleanSink`] writes the kept bytes; other sinks explain or count. All of them
//! see the same decisions, because there is only one engine loop.

mod clean;
mod explain;
mod record;
mod stats;

use std::io;

pub use clean::CleanSink;
pub use explain::{ExplainSink, escape_line};
pub use record::{RecordSink, Recorded};
pub use stats::{Stats, StatsSink};

use crate::engine::Decision;

/// One line of input and what became of it.
#[derive(Clone, Copy, Debug)]
pub struct LineEvent<'a> {
    /// 1-based line number in the document (of the first line, when `count > 1`).
    pub line_no: u64,
    /// The line's bytes, terminator included, exactly as read.
    pub bytes: &'a [u8],
    /// What the engine decided.
    pub decision: Decision,
    /// Whether the line goes to the cleaned output.
    pub written: bool,
    /// How many identical consecutive lines this event stands for (runs of blank lines are
    /// reported once); 1 otherwise.
    pub count: u64,
    /// A piece of a line longer than the line cap (matched by no rule, streamed in pieces;
    /// kept unless a `cut` above it dropped the rest of the document).
    pub partial: bool,
    /// A later piece of such a line (the first piece was reported already).
    pub continuation: bool,
}

/// Receives the engine's decisions.
pub trait Sink {
    /// `true` if the sink needs every line in input order, blank lines that are not written
    /// included (for example to annotate the input). The engine then holds dropped lines while a
    /// gap between kept lines is open. `false` (the default) lets the engine report dropped lines
    /// at once and leave out blank lines that are not written.
    fn ordered(&self) -> bool {
        false
    }

    /// A document begins. `name` is the file name, or `-` for standard input.
    ///
    /// # Errors
    /// Write errors.
    fn begin(&mut self, _name: &str) -> io::Result<()> {
        Ok(())
    }

    /// A line (see [`LineEvent`]).
    ///
    /// # Errors
    /// Write errors; the engine stops at the first one.
    fn line(&mut self, event: &LineEvent<'_>) -> io::Result<()>;

    /// `page-head` (rule `rule`) has decided where the article begins, before the lines of the
    /// head are reported: at `start`, or nowhere (nothing dropped).
    ///
    /// # Errors
    /// Write errors.
    fn page_head(&mut self, _rule: u32, _start: Option<HeadStart>) -> io::Result<()> {
        Ok(())
    }

    /// `page-head` (rule `rule`) has found that the article's first line, `first`, was a teaser:
    /// before `teaser-words` of prose came, a run of short lines that `menu-run` counts began at
    /// line `run`, or `teaser-short` short lines came (see [`TeaserWhy`]). The kept lines from
    /// `first` to line `run` are about to be reported dropped.
    ///
    /// # Errors
    /// Write errors.
    fn page_teaser(&mut self, _rule: u32, _first: u64, _run: u64, _why: TeaserWhy) -> io::Result<()> {
        Ok(())
    }

    /// `menu-run` (rule `rule`) has found a menu: the run of short lines that begins at line
    /// `first` has reached `short` short lines, the length it needs where page chrome came
    /// before it (`after_chrome`: `min-run`) or where none did (`long-run`). Its worded kept
    /// lines so far are about to be reported dropped, and those that follow until a longer line
    /// ends the run.
    ///
    /// # Errors
    /// Write errors.
    fn menu_run(&mut self, _rule: u32, _first: u64, _short: usize, _after_chrome: bool) -> io::Result<()> {
        Ok(())
    }

    /// `page-tail` (rule `rule`) has found that the document ends in page chrome: the kept
    /// lines after line `last`, the article's last line, are about to be reported dropped.
    /// `lone` of them are article lines that stood alone (see `confirm` in docs/RULES.md).
    ///
    /// # Errors
    /// Write errors.
    fn page_tail(&mut self, _rule: u32, _last: u64, _lone: usize) -> io::Result<()> {
        Ok(())
    }

    /// `page-tail` (rule `rule`) found lines after line `last`, the article's last line, at the
    /// end of a document that had only `found` lines dropped by rules other than `page-head`,
    /// fewer than its `page-chrome`, and `all` in all, fewer than its `page-drops`: clean text,
    /// whose last lines are about to be reported kept.
    ///
    /// # Errors
    /// Write errors.
    fn page_tail_kept(&mut self, _rule: u32, _last: u64, _found: usize, _all: usize) -> io::Result<()> {
        Ok(())
    }

    /// The document ended.
    ///
    /// # Errors
    /// Write errors.
    fn finish(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Where `page-head` found the article's first line, and why there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeadStart {
    /// The article's first line.
    pub line_no: u64,
    /// What made it the first.
    pub why: HeadWhy,
}

/// What shows the article's first line to be a teaser for `page-head`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TeaserWhy {
    /// A run of short lines that `menu-run` counts, from the line the teaser's lines end at.
    MenuRun,
    /// The `teaser-short`-th short line after the first line, at this line number (lines that
    /// hold a colon or begin with a digit not counted): entries of a menu, each with a line that
    /// describes it. The lines dropped end where the run of short lines holding it begins.
    ShortLines(u64),
}

/// What makes a line the article's first for `page-head`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeadWhy {
    /// A prose line (a long one, or any when `confirm` is off).
    Prose,
    /// The first of wide lines in a row, one of them ending a sentence or going on in lowercase.
    Wide,
    /// The first of two lines of a paragraph wrapped narrow: 30 bytes or more each, the first
    /// ending no sentence, the second starting in lowercase.
    Wrapped,
    /// A short prose line, confirmed by an article line at this line number.
    Confirmed(u64),
    /// A short prose line that nothing confirmed: the first one stands in.
    Unconfirmed,
    /// A line over the length cap.
    Long,
}
