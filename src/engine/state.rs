//! The per-document state machine: which lines a rule's action takes (cut, thread), and which
//! blank lines are written (the blank-line policy). No I/O; the engine feeds it lines.
//!
//! Two stages, each holding a bounded queue:
//!
//! 1. The *decider* turns a classified line into a [`Decision`]. It holds back runs of indented,
//!    bulleted and blank lines while the rule set has `thread` rules, because a thread's anchor
//!    (`Liked by 3 people`) comes after the lines it takes. The hold is bounded
//!    ([`MAX_HOLD_LINES`], [`MAX_HOLD_BYTES`]); lines pushed out of it are decided as they were.
//! 2. The *layout* decides which blank lines are written: between two kept lines, the longest
//!    run of blank lines that stood between them; before the first kept line only if nothing
//!    before it was dropped; after the last kept line only if nothing after it was dropped. It
//!    holds the blank lines of a gap, run-length encoded, until the gap closes.

use std::collections::VecDeque;
use std::io;

use super::context::{self, Context, Out, Shape};
use super::matcher::LineClass;
use crate::rules::compile::Compiled;
use crate::output::{LineEvent, Sink};
use crate::rules::Action;

/// Lines a `thread` rule can reach back over.
pub const MAX_HOLD_LINES: usize = 1000;
/// Bytes a `thread` rule can reach back over.
pub const MAX_HOLD_BYTES: usize = 1 << 20;
/// A `cut` only cuts once this many bytes of unmatched, non-blank text came before it in the
/// document; nearer the top it drops only its own line (a phrase quoted near the top of an
/// article cannot wipe the article).
pub const CUT_GUARD_BYTES: u64 = 500;

/// What happened to a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Kept: written as it came.
    Keep,
    /// A blank line: written or not by the blank-line policy (see [`LineEvent::written`]).
    Blank,
    /// Dropped by a `drop` rule (or a `thread` rule whose anchor is not indented).
    Drop {
        /// Rule index.
        rule: u32,
    },
    /// Dropped by a `cut` rule that was too near the top to cut.
    GuardedCut {
        /// Rule index.
        rule: u32,
    },
    /// This line started a cut.
    Cut {
        /// Rule index.
        rule: u32,
    },
    /// Dropped by the cut that began at line `from`.
    AfterCut {
        /// Rule index.
        rule: u32,
        /// Line number where the cut began.
        from: u64,
    },
    /// Dropped by a `footer` rule. `armed` when the line marks the page's footer for
    /// `page-tail`: `footer-words` words of prose came before it (and the bytes a cut needs).
    Footer {
        /// Rule index.
        rule: u32,
        /// Whether the line marks the footer.
        armed: bool,
    },
    /// A kept line dropped after the page's footer: after a run of dropped lines that held the
    /// marked footer line `from` (see `page-tail`).
    AfterFooter {
        /// Rule index of the footer line.
        rule: u32,
        /// Line number of the footer line.
        from: u64,
    },
    /// Part of a comment thread whose anchor is line `anchor`.
    Thread {
        /// Rule index.
        rule: u32,
        /// Line number of the anchor line.
        anchor: u64,
    },
}

impl Decision {
    /// The rule behind a dropped line.
    pub fn rule(self) -> Option<u32> {
        match self {
            Decision::Keep | Decision::Blank => None,
            Decision::Drop { rule }
            | Decision::GuardedCut { rule }
            | Decision::Cut { rule }
            | Decision::AfterCut { rule, .. }
            | Decision::Footer { rule, .. }
            | Decision::AfterFooter { rule, .. }
            | Decision::Thread { rule, .. } => Some(rule),
        }
    }

    /// Whether a rule dropped the line.
    pub fn is_dropped(self) -> bool {
        self.rule().is_some()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Normal,
    Cut { rule: u32, from: u64 },
    Thread { rule: u32, anchor: u64 },
}

struct Held {
    line_no: u64,
    bullet: bool,
    decision: Decision,
    bytes: Vec<u8>,
}

/// Decider and layout for one document. Reset between documents with [`DocState::reset`].
pub struct DocState {
    has_thread: bool,
    /// Rules with `after-words=N`: (rule, N), sorted by rule.
    after_words: Vec<(u32, usize)>,
    /// The largest N in `after_words` (and `page-tail`'s `footer-words`, with `footer` rules):
    /// prose words are counted up to it.
    words_cap: usize,
    /// `page-tail`'s `footer-words`, with `footer` rules and `page-tail` in use.
    footer_words: Option<usize>,
    /// Words of the prose lines no rule matched so far (counted up to `words_cap`).
    prose_words: usize,
    /// The last line measured for `prose_words`: (line number, its shape, the word cap used).
    measured: Option<(u64, Shape, usize)>,
    phase: Phase,
    hold: VecDeque<Held>,
    hold_bytes: usize,
    /// The last piece of an over-long line ended with `\r` (see `long_piece`).
    piece_cr: bool,
    clean_bytes: u64,
    ctx: Context,
    layout: Layout,
}

impl DocState {
    /// A fresh state for a compiled rule set; `ordered` says whether the sink wants every line
    /// in input order (see [`Sink::ordered`]).
    pub(crate) fn new(compiled: &Compiled, ordered: bool) -> Self {
        let after_words = compiled.after_words.clone();
        let footer_words = compiled.context.tail.filter(|_| compiled.has_footer).map(|t| t.footer_words);
        DocState {
            has_thread: compiled.has_thread,
            words_cap: after_words.iter().map(|c| c.1).chain(footer_words).max().unwrap_or(0),
            footer_words,
            after_words,
            prose_words: 0,
            measured: None,
            phase: Phase::Normal,
            hold: VecDeque::new(),
            hold_bytes: 0,
            piece_cr: false,
            clean_bytes: 0,
            layout: Layout::new(ordered),
            ctx: Context::new(compiled.context),
        }
    }

    /// Whether this state was made for an ordered sink.
    pub fn ordered(&self) -> bool {
        self.layout.ordered
    }

    /// Forgets the document, keeping allocations.
    pub fn reset(&mut self) {
        self.phase = Phase::Normal;
        while let Some(h) = self.hold.pop_front() {
            self.layout.give_back(h.bytes);
        }
        self.hold_bytes = 0;
        self.piece_cr = false;
        self.clean_bytes = 0;
        self.prose_words = 0;
        self.measured = None;
        self.ctx.reset();
        self.layout.reset();
    }

    /// Words of prose so far (see `after-words`), counted only as far as a rule needs them.
    pub fn prose_words(&self) -> usize {
        self.prose_words
    }

    /// Whether the document is in a cut: every further non-blank line is dropped, so the
    /// engine may skip matching.
    pub fn in_cut(&self) -> bool {
        matches!(self.phase, Phase::Cut { .. })
    }

    /// Feeds one whole line.
    pub fn line(&mut self, line_no: u64, bytes: &[u8], class: LineClass, sink: &mut dyn Sink) -> io::Result<()> {
        if !class.blank && class.hit.is_none() {
            // Only compared with CUT_GUARD_BYTES: past it, no need to count.
            if self.clean_bytes < CUT_GUARD_BYTES {
                self.clean_bytes += super::content_len(bytes) as u64;
            }
            // Rules with `after-words` and footers read the count; after a cut no rule can act.
            if self.prose_words < self.words_cap && !self.in_cut() {
                // Words past what is still needed change nothing: stop counting there.
                let need = (self.words_cap - self.prose_words).max(context::PROSE_WORDS);
                // A line that does not end like a sentence is not prose: it is not counted.
                if let Some(shape) = context::sentence_shape(bytes, need) {
                    if shape.is_prose() {
                        self.prose_words += shape.words;
                    }
                    // The context rules may use the same measure (see `Context::shape`).
                    self.measured = Some((line_no, shape, need));
                }
            }
        }
        match self.phase {
            Phase::Cut { rule, from } => {
                let d = if class.blank { Decision::Blank } else { Decision::AfterCut { rule, from } };
                return self.emit(line_no, bytes, d, sink);
            }
            Phase::Thread { rule, anchor } => {
                if class.blank || class.shape {
                    if !matches!(class.hit, Some((_, Action::Cut))) {
                        let d = match class.hit {
                            _ if class.blank => Decision::Blank,
                            Some((r, Action::Drop)) => Decision::Drop { rule: r },
                            _ => Decision::Thread { rule, anchor },
                        };
                        return self.emit(line_no, bytes, d, sink);
                    }
                } else {
                    self.phase = Phase::Normal;
                }
            }
            Phase::Normal => {}
        }
        if let Some((rule, Action::Cut)) = class.hit {
            if self.cut_may_act(rule) {
                self.release_all(sink)?;
                self.phase = Phase::Cut { rule, from: line_no };
                return self.emit(line_no, bytes, Decision::Cut { rule }, sink);
            }
            // Guarded, it drops its own line only, as a `drop` does: inside a comment thread
            // (a reader's "Thanks for sharing") it does not end the thread's run.
        }
        let decision = match class.hit {
            None if class.blank => Decision::Blank,
            None => Decision::Keep,
            Some((rule, Action::Drop)) => Decision::Drop { rule },
            Some((rule, Action::Footer)) => Decision::Footer { rule, armed: self.footer_armed() },
            Some((rule, Action::Cut)) => Decision::GuardedCut { rule },
            Some((rule, Action::Thread)) => Decision::Thread { rule, anchor: line_no },
        };
        // A blank line keeps its decision whatever thread follows (a thread claims only worded
        // lines), so with nothing held before it, it need not wait.
        if self.has_thread && (class.shape || (class.blank && !self.hold.is_empty())) {
            let mut buf = self.layout.spare();
            buf.extend_from_slice(bytes);
            self.hold_bytes += super::content_len(&buf);
            self.hold.push_back(Held { line_no, bullet: class.bullet, decision, bytes: buf });
            if let Some((rule, Action::Thread)) = class.hit {
                self.take_thread(rule, line_no);
                self.phase = Phase::Thread { rule, anchor: line_no };
                return self.release_all(sink);
            }
            while self.hold.len() > MAX_HOLD_LINES || self.hold_bytes > MAX_HOLD_BYTES {
                self.release_one(sink)?;
            }
            return Ok(());
        }
        self.release_all(sink)?;
        self.emit(line_no, bytes, decision, sink)
    }

    /// Whether a cut by `rule` takes the rest of the document here, or only its own line: it
    /// needs [`CUT_GUARD_BYTES`] of unmatched text before it and, with `after-words=N`, N words
    /// of prose.
    fn cut_may_act(&self, rule: u32) -> bool {
        let words = match self.after_words.binary_search_by_key(&rule, |c| c.0) {
            Ok(i) => self.after_words[i].1,
            Err(_) => 0,
        };
        self.clean_bytes >= CUT_GUARD_BYTES && self.prose_words >= words
    }

    /// Whether a `footer` line here marks the page's footer: `page-tail` is in use, and
    /// `footer-words` words of prose came before it, and the bytes a cut needs
    /// ([`CUT_GUARD_BYTES`]).
    fn footer_armed(&self) -> bool {
        self.footer_words.is_some_and(|words| self.clean_bytes >= CUT_GUARD_BYTES && self.prose_words >= words)
    }

    /// Passes a decided line on: through the context rules when there are any, else straight
    /// to the layout.
    fn emit(&mut self, line_no: u64, bytes: &[u8], decision: Decision, sink: &mut dyn Sink) -> io::Result<()> {
        if !self.ctx.active() {
            return self.layout.push(line_no, bytes, decision, sink);
        }
        let known = self.measured.take().filter(|m| m.0 == line_no).map(|m| (m.1, m.2));
        let shape = if decision == Decision::Keep { self.ctx.shape(bytes, known) } else { Shape::default() };
        if self.ctx.passes(decision, &shape) {
            return self.ctx.take(line_no, bytes, decision, &shape, &mut self.layout, sink);
        }
        let mut buf = self.layout.spare();
        buf.extend_from_slice(bytes);
        self.ctx.push(context::Held { line_no, bytes: buf, decision, shape }, &mut self.layout, sink)
    }

    /// Marks the held lines from the thread's start to the anchor as part of the thread. The
    /// thread starts at the first bulleted line held, else at the first non-blank one.
    fn take_thread(&mut self, rule: u32, anchor: u64) {
        let start = self
            .hold
            .iter()
            .position(|h| h.bullet)
            .or_else(|| self.hold.iter().position(|h| h.decision != Decision::Blank))
            .unwrap_or(0);
        for h in self.hold.iter_mut().skip(start) {
            if h.decision == Decision::Keep || h.line_no == anchor {
                h.decision = Decision::Thread { rule, anchor };
            }
        }
    }

    fn release_one(&mut self, sink: &mut dyn Sink) -> io::Result<()> {
        if let Some(h) = self.hold.pop_front() {
            self.hold_bytes -= super::content_len(&h.bytes);
            self.emit(h.line_no, &h.bytes, h.decision, sink)?;
            self.layout.give_back(h.bytes);
        }
        Ok(())
    }

    fn release_all(&mut self, sink: &mut dyn Sink) -> io::Result<()> {
        while !self.hold.is_empty() {
            self.release_one(sink)?;
        }
        Ok(())
    }

    /// Feeds one piece of a line longer than the engine's line cap: it is kept unmatched.
    /// `first` is true for the first piece of the line.
    pub fn long_piece(&mut self, line_no: u64, bytes: &[u8], first: bool, sink: &mut dyn Sink) -> io::Result<()> {
        if first {
            self.release_all(sink)?;
            if let Phase::Thread { .. } = self.phase {
                self.phase = Phase::Normal;
            }
        }
        let decision = match self.phase {
            Phase::Cut { rule, from } => Decision::AfterCut { rule, from },
            _ => Decision::Keep,
        };
        if first && self.ctx.active() {
            // An over-long kept line counts as prose for the context rules.
            self.ctx.flush((decision == Decision::Keep).then_some(line_no), &mut self.layout, sink)?;
        }
        // A `\r` that ends one piece and the `\n` that begins the next are the line's ending.
        let ending_split = !first && self.piece_cr && bytes.first() == Some(&b'\n');
        self.clean_bytes = (self.clean_bytes + super::content_len(bytes) as u64).saturating_sub(u64::from(ending_split));
        self.piece_cr = bytes.last() == Some(&b'\r');
        if first {
            self.layout.push_partial(line_no, bytes, decision, sink)
        } else {
            self.layout.continue_partial(line_no, bytes, decision, sink)
        }
    }

    /// Ends the document.
    pub fn finish(&mut self, sink: &mut dyn Sink) -> io::Result<()> {
        self.release_all(sink)?;
        if self.ctx.active() {
            self.ctx.flush(None, &mut self.layout, sink)?;
        }
        self.layout.finish(sink)
    }
}

/// One held gap entry: a blank line repeated `count` times, or (ordered sinks only) a dropped
/// line.
struct GapItem {
    line_no: u64,
    count: u64,
    decision: Decision,
    bytes: Vec<u8>,
}

/// The most line buffers kept for reuse: as many as the context stage may hold (the top of a
/// document).
const SPARE_LINES: usize = 1024;
/// The largest line buffer kept for reuse (a long paragraph), so that the spares take a few
/// megabytes at most.
const SPARE_LINE_CAPACITY: usize = 4096;

/// The blank-line policy.
struct Layout {
    ordered: bool,
    seen_kept: bool,
    dropped_in_gap: bool,
    gap: VecDeque<GapItem>,
    /// Index in `gap` where the current run of blank lines starts.
    cur_start: usize,
    /// Blank lines in the current run.
    cur_len: u64,
    /// The longest finished run: `gap[best.0..best.1]`, `best_len` lines.
    best: (usize, usize),
    best_len: u64,
    spare: Vec<Vec<u8>>,
}

impl Layout {
    fn new(ordered: bool) -> Self {
        Layout {
            ordered,
            seen_kept: false,
            dropped_in_gap: false,
            gap: VecDeque::new(),
            cur_start: 0,
            cur_len: 0,
            best: (0, 0),
            best_len: 0,
            spare: Vec::new(),
        }
    }

    fn reset(&mut self) {
        self.seen_kept = false;
        self.clear_gap();
    }

    fn spare(&mut self) -> Vec<u8> {
        self.spare.pop().unwrap_or_default()
    }

    fn give_back(&mut self, mut v: Vec<u8>) {
        if self.spare.len() < SPARE_LINES && v.capacity() <= SPARE_LINE_CAPACITY {
            v.clear();
            self.spare.push(v);
        }
    }

    fn clear_gap(&mut self) {
        while let Some(item) = self.gap.pop_front() {
            self.give_back(item.bytes);
        }
        self.dropped_in_gap = false;
        self.cur_start = 0;
        self.cur_len = 0;
        self.best = (0, 0);
        self.best_len = 0;
    }

    /// Ends the current run of blank lines (a dropped line or the gap's end follows it).
    fn end_run(&mut self) {
        if self.cur_len > self.best_len {
            if !self.ordered {
                // Only the best run and the current one are kept: drop the old best.
                for _ in 0..self.cur_start {
                    if let Some(item) = self.gap.pop_front() {
                        self.give_back(item.bytes);
                    }
                }
                self.cur_start = 0;
            }
            self.best = (self.cur_start, self.gap.len());
            self.best_len = self.cur_len;
        } else if !self.ordered {
            while self.gap.len() > self.cur_start {
                if let Some(item) = self.gap.pop_back() {
                    self.give_back(item.bytes);
                }
            }
        }
        self.cur_start = self.gap.len();
        self.cur_len = 0;
    }

    fn push(&mut self, line_no: u64, bytes: &[u8], decision: Decision, sink: &mut dyn Sink) -> io::Result<()> {
        match decision {
            Decision::Blank => {
                self.cur_len += 1;
                let in_run = self.gap.len() > self.cur_start;
                if let Some(last) =
                    self.gap.back_mut().filter(|l| in_run && l.decision == Decision::Blank && l.bytes == bytes)
                {
                    last.count += 1;
                } else {
                    let mut buf = self.spare();
                    buf.extend_from_slice(bytes);
                    self.gap.push_back(GapItem { line_no, count: 1, decision, bytes: buf });
                }
                Ok(())
            }
            Decision::Keep => {
                self.close_gap(true, sink)?;
                self.seen_kept = true;
                sink.line(&LineEvent { line_no, bytes, decision, written: true, count: 1, partial: false, continuation: false })
            }
            _ => {
                self.end_run();
                self.dropped_in_gap = true;
                if self.ordered {
                    let mut buf = self.spare();
                    buf.extend_from_slice(bytes);
                    self.gap.push_back(GapItem { line_no, count: 1, decision, bytes: buf });
                    self.cur_start = self.gap.len();
                    Ok(())
                } else {
                    sink.line(&LineEvent { line_no, bytes, decision, written: false, count: 1, partial: false, continuation: false })
                }
            }
        }
    }

    fn push_partial(&mut self, line_no: u64, bytes: &[u8], decision: Decision, sink: &mut dyn Sink) -> io::Result<()> {
        if decision == Decision::Keep {
            self.close_gap(true, sink)?;
            self.seen_kept = true;
            sink.line(&LineEvent { line_no, bytes, decision, written: true, count: 1, partial: true, continuation: false })
        } else {
            // A long line inside a cut: it is dropped like the rest of the cut.
            self.end_run();
            self.dropped_in_gap = true;
            self.close_gap_ordered_drops(sink)?;
            sink.line(&LineEvent { line_no, bytes, decision, written: false, count: 1, partial: true, continuation: false })
        }
    }

    fn continue_partial(&mut self, line_no: u64, bytes: &[u8], decision: Decision, sink: &mut dyn Sink) -> io::Result<()> {
        let written = decision == Decision::Keep;
        sink.line(&LineEvent { line_no, bytes, decision, written, count: 1, partial: true, continuation: true })
    }

    /// Before a long dropped line is streamed: an ordered sink must see the held gap first. The
    /// held blank lines cannot be kept any more, because the cut drops everything after them.
    fn close_gap_ordered_drops(&mut self, sink: &mut dyn Sink) -> io::Result<()> {
        if self.ordered {
            self.close_gap(false, sink)?;
            self.dropped_in_gap = true;
        }
        Ok(())
    }

    /// Writes out the gap before a kept line (`kept_follows`) or at the end of the document.
    fn close_gap(&mut self, kept_follows: bool, sink: &mut dyn Sink) -> io::Result<()> {
        if self.gap.is_empty() {
            // Nothing held (the common case between kept lines): only the flags to reset.
            self.clear_gap();
            return Ok(());
        }
        self.end_run();
        let write_all = !self.dropped_in_gap;
        let write_best = kept_follows && self.seen_kept && self.dropped_in_gap;
        for (i, item) in self.gap.iter().enumerate() {
            let is_blank = item.decision == Decision::Blank;
            let written = is_blank && (write_all || (write_best && i >= self.best.0 && i < self.best.1));
            if written || self.ordered {
                sink.line(&LineEvent {
                    line_no: item.line_no,
                    bytes: &item.bytes,
                    decision: item.decision,
                    written,
                    count: item.count,
                    partial: false,
                    continuation: false,
                })?;
            }
        }
        self.clear_gap();
        Ok(())
    }

    fn finish(&mut self, sink: &mut dyn Sink) -> io::Result<()> {
        self.close_gap(false, sink)
    }
}

impl Out for Layout {
    fn out(&mut self, held: context::Held, sink: &mut dyn Sink) -> io::Result<()> {
        let result = self.push(held.line_no, &held.bytes, held.decision, sink);
        self.give_back(held.bytes);
        result
    }

    fn out_line(&mut self, line_no: u64, bytes: &[u8], decision: Decision, sink: &mut dyn Sink) -> io::Result<()> {
        self.push(line_no, bytes, decision, sink)
    }

    fn recycle(&mut self, bytes: Vec<u8>) {
        self.give_back(bytes);
    }
}
