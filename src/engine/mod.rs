//! The engine: one streaming pass over a document, deciding every line.
//!
//! [`Engine::run`] is the only loop over input. It reads into a reusable [`LineBuffer`], finds
//! lines with memchr, classifies each with the compiled rules ([`matcher`]), and lets the
//! per-document state machine ([`state`]) decide cuts, threads and blank lines, reporting every
//! decision to a [`Sink`]. Memory is bounded by the longest line (capped by
//! [`Options::max_line_bytes`]; longer lines are not matched by rules and are streamed in
//! pieces), the thread look-back ([`state::MAX_HOLD_BYTES`]), the lines the context rules hold
//! while they wait ([`context::MAX_HEAD_BYTES`], [`context::MAX_RUN_BYTES`],
//! [`context::MAX_TAIL_BYTES`]) and the blank lines of one gap: the longest line, up to the
//! cap (64 MiB by default), and about 5 MiB more, whatever the input's size.
//!
//! One engine cleans any number of documents one after the other and reuses its buffers; a
//! [`RuleSet`] is `Send + Sync`, so threads share one and each keeps an engine of its own (as
//! [`crate::parallel::ordered_with`] does for `chaff -j`).

pub mod buffer;
pub mod context;
pub mod matcher;
pub mod state;

use std::io::{self, Read};

use memchr::{memchr_iter, memrchr};

pub use buffer::{DEFAULT_CAPACITY, Fill, LineBuffer};
pub use matcher::{LineClass, Scratch};
pub use state::Decision;

/// The bytes of a line before its line ending (`\n` or `\r\n`). The byte counts the engine
/// decides by (the text a cut needs before it, the bounds of what the context rules hold)
/// measure lines this way, so that a document is cleaned the same with either ending.
#[inline]
pub fn content_len(line: &[u8]) -> usize {
    match line {
        [.., b'\r', b'\n'] => line.len() - 2,
        [.., b'\n'] => line.len() - 1,
        _ => line.len(),
    }
}
use state::DocState;

use crate::output::{CleanSink, Sink};
use crate::rules::RuleSet;

/// The default cap on a line's length: 64 MiB.
pub const DEFAULT_MAX_LINE_BYTES: usize = 64 << 20;

/// The read buffer starts at most this large, whatever [`Options::buffer_capacity`] asks.
const MAX_INITIAL_CAPACITY: usize = 16 << 20;

/// Engine settings.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Initial size of the read buffer, which grows for a longer line up to the line cap (and
    /// the two bytes that show a line is over it), or to the smaller of this and 64 KiB where
    /// the cap is smaller: a larger value is lowered to that, and to 16 MiB (the buffer grows
    /// as lines need it).
    pub buffer_capacity: usize,
    /// A line with more bytes than this before its line ending (`\n` or `\r\n`) is not matched by any rule: it is kept
    /// (unless a `cut` above it drops the rest of the document) and streamed through in
    /// pieces, so memory stays bounded whatever the input.
    pub max_line_bytes: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { buffer_capacity: DEFAULT_CAPACITY, max_line_bytes: DEFAULT_MAX_LINE_BYTES }
    }
}

/// Counters for one document.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DocStats {
    /// Lines read (a final line without terminator counts).
    pub lines_in: u64,
    /// Bytes read.
    pub bytes_in: u64,
}

/// A reusable cleaner: holds the buffer and scratch space between documents.
pub struct Engine<'r> {
    rules: &'r RuleSet,
    opts: Options,
    buf: LineBuffer,
    scratch: Scratch,
    state: Option<DocState>,
    /// What the last document read (see [`Engine::last_read`]).
    last_read: DocStats,
}

impl<'r> Engine<'r> {
    /// An engine over a compiled rule set.
    pub fn new(rules: &'r RuleSet, opts: Options) -> Self {
        // The buffer never needs more than the cap and the byte that shows a line is over it,
        // or its usual size where the cap is smaller (see `run_doc`).
        let capacity = opts.buffer_capacity.min(opts.max_line_bytes.saturating_add(2).max(DEFAULT_CAPACITY)).min(MAX_INITIAL_CAPACITY);
        Engine { rules, opts, buf: LineBuffer::new(capacity), scratch: Scratch::default(), state: None, last_read: DocStats::default() }
    }

    /// What the last document [`Engine::run`] cleaned read: its result, or, when it ended with a
    /// read error, what was read and cleaned before it (nothing after a write error).
    pub fn last_read(&self) -> DocStats {
        self.last_read
    }

    /// Cleans one document from `reader`, reporting every line to `sink`. `name` is handed to
    /// [`Sink::begin`] only (a label for explanations and errors). The sink's rule numbers are
    /// indices into this engine's [`RuleSet`]: a sink that looks rules up must use the same set.
    ///
    /// # Errors
    /// Read errors: the document ends where the error came, its lines decided as at its end
    /// (those held for the context rules written or dropped), and the error is returned after
    /// them. The sink's write errors: the document is abandoned there.
    pub fn run<R: Read + ?Sized>(&mut self, reader: &mut R, name: &str, sink: &mut dyn Sink) -> io::Result<DocStats> {
        let ordered = sink.ordered();
        let mut state = match self.state.take() {
            Some(mut s) if s.ordered() == ordered => {
                s.reset();
                s
            }
            _ => DocState::new(&self.rules.compiled, ordered),
        };
        self.buf.reset();
        sink.begin(name)?;
        // On a write error the state is dropped (it may hold lines of the abandoned document),
        // so the next document starts afresh.
        let mut read_error = None;
        self.last_read = DocStats::default();
        let stats = run_doc(self.rules, &self.opts, &mut self.buf, &mut self.scratch, &mut state, reader, sink, &mut read_error)?;
        state.finish(sink)?;
        sink.finish()?;
        self.state = Some(state);
        self.last_read = stats;
        match read_error {
            Some(e) => Err(e),
            None => Ok(stats),
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn run_doc<R: Read + ?Sized>(
    rules: &RuleSet,
    opts: &Options,
    buf: &mut LineBuffer,
    scratch: &mut Scratch,
    state: &mut DocState,
    reader: &mut R,
    sink: &mut dyn Sink,
    read_error: &mut Option<io::Error>,
) -> io::Result<DocStats> {
    let mut stats = DocStats::default();
    // The line number of an over-long line being streamed in pieces.
    let mut long: Option<u64> = None;
    // The buffer grows to the cap and the byte that shows a line is over it, or to its usual
    // size where the cap is smaller: an over-long line then goes through in pieces of that size,
    // not of a few bytes (a 200 MB line took 56 s with `--max-line-bytes 1`).
    // (Two bytes past the cap: a line of the cap's length and its `\r` are not over it.)
    let cap = opts.max_line_bytes.saturating_add(2).max(opts.buffer_capacity.min(DEFAULT_CAPACITY));
    // The first bytes of the unread data known to hold no newline: after small reads, only the
    // new bytes are searched (a long line read a few bytes at a time is not searched again and
    // again).
    let mut searched = 0;
    loop {
        let data = buf.unread();
        let from = searched.min(data.len());
        let block_end = memrchr(b'\n', &data[from..]).map_or(0, |i| from + i + 1);
        if !state.in_cut() {
            scratch.scan_anchors(rules, &data[..block_end]);
        }
        let mut at = 0;
        for newline in memchr_iter(b'\n', &data[..block_end]) {
            // `i`: the line's length before its `\n` (its `\r` left out below, where it matters).
            let (line, i) = (&data[at..=newline], newline - at);
            scratch.enter_line(at, newline + 1);
            at = newline + 1;
            if let Some(no) = long.take() {
                state.long_piece(no, line, false, sink)?;
                continue;
            }
            stats.lines_in += 1;
            if i > opts.max_line_bytes && content_len(line) > opts.max_line_bytes {
                // Over the cap but inside the buffer: kept unmatched, as the pieces of a longer
                // line are (not reached while the buffer is at most the cap and one byte, as
                // `Engine::new` makes it).
                state.long_piece(stats.lines_in, line, true, sink)?;
            } else {
                feed(rules, scratch, state, stats.lines_in, line, sink)?;
            }
        }
        stats.bytes_in += at as u64;
        searched = data.len() - at;
        buf.consume(at);
        // A read error ends the document there, as its end would.
        let filled = buf.fill(reader, cap).unwrap_or_else(|e| {
            *read_error = Some(e);
            Fill::Eof
        });
        match filled {
            Fill::Read => {}
            Fill::Full => {
                searched = 0;
                let piece = buf.unread();
                match long {
                    Some(no) => state.long_piece(no, piece, false, sink)?,
                    None => {
                        stats.lines_in += 1;
                        long = Some(stats.lines_in);
                        state.long_piece(stats.lines_in, piece, true, sink)?;
                    }
                }
                let n = piece.len();
                stats.bytes_in += n as u64;
                buf.consume(n);
            }
            Fill::Eof => {
                let rest = buf.unread();
                if !rest.is_empty() {
                    stats.bytes_in += rest.len() as u64;
                    match long.take() {
                        Some(no) => state.long_piece(no, rest, false, sink)?,
                        None => {
                            stats.lines_in += 1;
                            if rest.len() > opts.max_line_bytes {
                                state.long_piece(stats.lines_in, rest, true, sink)?;
                            } else {
                                // The hint left over belongs to an earlier line (one skipped
                                // in a cut, or an over-long one), maybe of an earlier document.
                                scratch.forget_hint();
                                feed(rules, scratch, state, stats.lines_in, rest, sink)?;
                            }
                        }
                    }
                    let n = rest.len();
                    buf.consume(n);
                }
                return Ok(stats);
            }
        }
    }
}

#[inline]
fn feed(
    rules: &RuleSet,
    scratch: &mut Scratch,
    state: &mut DocState,
    line_no: u64,
    line: &[u8],
    sink: &mut dyn Sink,
) -> io::Result<()> {
    let class = if state.in_cut() {
        let (blank, _, _) = matcher::shape_of(line);
        LineClass { blank, ..LineClass::default() }
    } else {
        matcher::classify(rules, line, scratch, state.prose_words())
    };
    state.line(line_no, line, class, sink)
}

/// Cleans one in-memory document with default options; returns the cleaned bytes. Each call
/// builds an [`Engine`] and its 64 KiB buffer: for many documents, keep one engine and call
/// [`Engine::run`] with a [`CleanSink`].
pub fn clean_bytes(rules: &RuleSet, input: &[u8]) -> Vec<u8> {
    let mut sink = CleanSink::new(Vec::with_capacity(input.len()));
    let mut engine = Engine::new(rules, Options::default());
    let mut reader = input;
    // Reading from and writing to memory cannot fail.
    let _ = engine.run(&mut reader, "-", &mut sink);
    sink.into_inner()
}
