//! `chaff --jsonl`: clean JSON Lines, one document per record.
//!
//! The inputs are read on the calling thread in blocks of whole lines; blocks are cleaned on
//! `-j` threads (one engine each) and written in input order, so memory is bounded by a few
//! blocks per thread whatever the input's size. A record longer than `--max-line-bytes` is not
//! parsed: it is streamed through unchanged and reported.

use std::io::{self, Read, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use memchr::{memchr, memrchr};

use crate::engine::Options;
use crate::jsonl::{BadLine, Cleaner, RecordError};
use crate::output::Stats;
use crate::rules::RuleSet;

/// Bytes of input per block handed to a worker.
const BLOCK: usize = 256 << 10;

/// How many lines that are not records are reported one by one; the rest are counted.
const REPORTED: u64 = 20;

/// Cleans the JSON Lines in `files` (`-`: standard input) to `out`. Returns the counts; sets
/// `failed` when an input fails (unreadable, or lines that were not records; a message that
/// cannot be written, standard error closed, stops nothing). With `eager`
/// (`--line-buffered`), the records read so far are cleaned after each read rather than once
/// a block is full, on the calling thread, so that each comes out as soon as it came in.
///
/// # Errors
/// Write errors (a closed pipe included).
#[allow(clippy::too_many_arguments)]
pub fn run(
    rules: &RuleSet,
    opts: Options,
    field: &str,
    files: &[PathBuf],
    label: &dyn Fn(usize) -> String,
    threads: usize,
    eager: bool,
    decompress: bool,
    stdin: &mut dyn Read,
    out: &mut dyn Write,
    stderr: &mut dyn Write,
    failed: &mut bool,
) -> Result<Stats> {
    let mut blocks = Blocks::new(files, stdin, opts.max_line_bytes, eager, decompress);
    // The calling thread reads the next block while workers clean: a record cleaned meanwhile
    // would wait for input that may not come yet. Eager output is cleaned on this thread.
    let threads = if eager { 1 } else { threads };
    let totals = std::sync::Mutex::new(Stats::default());
    let mut report = Report { stderr, field, files, label, shown: 0, more: 0, failed: false };
    // The input the last bytes written came from, and whether they ended a line: a file whose
    // last record has no `\n` gets one before the next file's records, or the two records
    // would share a line.
    let mut open_line: Option<usize> = None;
    let result = crate::parallel::ordered_stream(
        threads,
        4 * threads.max(1),
        || Ok(blocks.next()),
        || Cleaner::new(rules, opts, field),
        |cleaner, block| block.clean(cleaner),
        |cleaner| totals.lock().unwrap_or_else(|p| p.into_inner()).merge(&cleaner.sink.stats),
        |done: Done| -> Result<()> {
            if let Some(bytes) = done.bytes.as_ref().filter(|b| !b.is_empty()) {
                if open_line.is_some_and(|file| !done.continues && file != done.file) {
                    out.write_all(b"\n").context("writing the cleaned output")?;
                }
                out.write_all(bytes).context("writing the cleaned output")?;
                open_line = (bytes.last() != Some(&b'\n')).then_some(done.file);
            }
            report.problems(&done)
        },
    );
    // Set before a closed output pipe returns, so that an earlier failure still counts.
    *failed |= report.failed;
    result?;
    report.finish()?;
    let stats = totals.into_inner().unwrap_or_else(|p| p.into_inner());
    Ok(stats)
}

/// A piece of input, as read.
enum Block {
    /// Whole lines of input `file`, the first being line `first_line`.
    Lines { file: usize, first_line: u64, bytes: Vec<u8> },
    /// The start of a record longer than the cap (line `line` of input `file`).
    LongStart { file: usize, line: u64, bytes: Vec<u8> },
    /// More of such a record, passed through.
    LongMore(Vec<u8>),
    /// Input `file` could not be opened or read.
    Failed { file: usize, error: io::Error },
}

/// A block, cleaned.
struct Done {
    file: usize,
    /// The bytes go on with a record over the cap (`file` is then not set).
    continues: bool,
    bytes: Option<Vec<u8>>,
    bad: Vec<BadLine>,
    long: Option<u64>,
    error: Option<io::Error>,
}

impl Block {
    fn clean(self, cleaner: &mut Cleaner<'_>) -> Done {
        let mut done = Done { file: 0, continues: false, bytes: None, bad: Vec::new(), long: None, error: None };
        match self {
            Block::Lines { file, first_line, bytes } => {
                let mut out = Vec::with_capacity(bytes.len());
                done.bad = cleaner.clean_block(&bytes, first_line, "-", &mut out);
                done.file = file;
                done.bytes = Some(out);
            }
            Block::LongStart { file, line, bytes } => {
                done.file = file;
                done.long = Some(line);
                done.bytes = Some(bytes);
            }
            Block::LongMore(bytes) => {
                done.continues = true;
                done.bytes = Some(bytes);
            }
            Block::Failed { file, error } => {
                done.file = file;
                done.error = Some(error);
            }
        }
        done
    }
}

/// Reads the inputs one after another in blocks of whole lines.
struct Blocks<'a> {
    files: &'a [PathBuf],
    stdin: &'a mut dyn Read,
    /// Index of the input being read, and its reader (`None`: standard input as it is).
    at: usize,
    open: Option<Option<Box<dyn Read + 'a>>>,
    /// Bytes read and not yet handed out (a partial line), and how far they were searched for
    /// a line end.
    carry: Vec<u8>,
    searched: usize,
    /// The number of the next line to hand out.
    line: u64,
    /// Inside a record over the cap: pass bytes through up to its end.
    long: bool,
    cap: usize,
    /// Hand out whole lines after each read instead of waiting for a full block.
    eager: bool,
    /// Read compressed inputs decompressed (see `reader`).
    decompress: bool,
    /// An input's read error, reported after the bytes read before it.
    failed: Option<(usize, io::Error)>,
}

impl<'a> Blocks<'a> {
    fn new(files: &'a [PathBuf], stdin: &'a mut dyn Read, cap: usize, eager: bool, decompress: bool) -> Self {
        Blocks { files, stdin, at: 0, open: None, carry: Vec::new(), searched: 0, line: 1, long: false, cap, eager, decompress, failed: None }
    }

    fn next(&mut self) -> Option<Block> {
        if let Some((file, error)) = self.failed.take() {
            return Some(Block::Failed { file, error });
        }
        loop {
            if self.open.is_none() {
                let path = self.files.get(self.at)?;
                if path.as_os_str() == "-" {
                    if let Some(error) = super::stdin_is_output_file() {
                        self.at += 1;
                        return Some(Block::Failed { file: self.at - 1, error });
                    }
                    if self.decompress {
                        // Standard input goes to its decompressing reader, which reads it to its
                        // end: named again, it is found empty, as a pipe is.
                        let stdin = std::mem::replace(&mut self.stdin, Box::leak(Box::new(io::empty())));
                        self.open = Some(Some(super::reader(stdin, true)));
                    } else {
                        self.open = Some(None);
                    }
                } else {
                    match super::open_input(path).map(|f| super::reader(f, self.decompress)) {
                        Ok(f) => self.open = Some(Some(f)),
                        Err(error) => {
                            self.at += 1;
                            return Some(Block::Failed { file: self.at - 1, error });
                        }
                    }
                }
                self.line = 1;
                self.long = false;
            }
            let file = self.at;
            let read = self.fill();
            let n = match read {
                Ok(n) => n,
                Err(error) => {
                    // What was read before the error goes out first, as at the input's end (a
                    // stream cut short gives its whole records, and its last bytes as a line
                    // that is no record), then the error.
                    let (bytes, first_line, long) = (std::mem::take(&mut self.carry), self.line, self.long);
                    self.end_input();
                    if bytes.is_empty() {
                        return Some(Block::Failed { file, error });
                    }
                    self.failed = Some((file, error));
                    return Some(if long { Block::LongMore(bytes) } else { Block::Lines { file, first_line, bytes } });
                }
            };
            if self.long {
                // Pass the record through up to and including its `\n`.
                let end = memchr(b'\n', &self.carry).map(|i| i + 1);
                if end.is_none() && n > 0 && self.carry.len() < BLOCK {
                    continue;
                }
                let take = end.unwrap_or(self.carry.len());
                let bytes = self.carry.drain(..take).collect::<Vec<u8>>();
                self.searched = 0;
                if end.is_some() {
                    self.long = false;
                    self.line += 1;
                }
                if n == 0 && self.carry.is_empty() {
                    self.end_input();
                }
                if bytes.is_empty() {
                    continue;
                }
                return Some(Block::LongMore(bytes));
            }
            if n == 0 {
                // End of this input: what is left is its last line, without a `\n`.
                let bytes = std::mem::take(&mut self.carry);
                let first_line = self.line;
                self.end_input();
                if bytes.is_empty() {
                    continue;
                }
                return Some(Block::Lines { file, first_line, bytes });
            }
            if self.carry.len() < BLOCK && !(self.eager && memchr(b'\n', &self.carry[self.searched..]).is_some()) {
                continue;
            }
            match memrchr(b'\n', &self.carry[self.searched..]) {
                Some(i) => {
                    let end = self.searched + i + 1;
                    let rest = self.carry.split_off(end);
                    let bytes = std::mem::replace(&mut self.carry, rest);
                    self.searched = 0;
                    let first_line = self.line;
                    self.line += memchr::memchr_iter(b'\n', &bytes).count() as u64;
                    return Some(Block::Lines { file, first_line, bytes });
                }
                // (A record of the cap's length may still have its `\r` to come.)
                None if self.carry.len() > self.cap.saturating_add(1) => {
                    self.long = true;
                    self.searched = 0;
                    let bytes = std::mem::take(&mut self.carry);
                    return Some(Block::LongStart { file, line: self.line, bytes });
                }
                None => self.searched = self.carry.len(),
            }
        }
    }

    /// Reads more of the current input onto `carry`; 0 at its end.
    fn fill(&mut self) -> io::Result<usize> {
        let len = self.carry.len();
        self.carry.resize(len + (64 << 10), 0);
        let reader: &mut dyn Read = match &mut self.open {
            Some(Some(f)) => f,
            _ => &mut *self.stdin,
        };
        let result = loop {
            match reader.read(&mut self.carry[len..]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                other => break other,
            }
        };
        self.carry.truncate(len + *result.as_ref().unwrap_or(&0));
        result
    }

    fn end_input(&mut self) {
        self.open = None;
        self.at += 1;
        self.carry.clear();
        self.searched = 0;
    }
}

/// Reports lines that were not records and inputs that failed, the first [`REPORTED`] of them
/// one by one.
struct Report<'a> {
    stderr: &'a mut dyn Write,
    field: &'a str,
    files: &'a [PathBuf],
    /// How an input is named when it cannot be read (see `clean::run`).
    label: &'a dyn Fn(usize) -> String,
    shown: u64,
    more: u64,
    failed: bool,
}

impl Report<'_> {
    fn problems(&mut self, done: &Done) -> Result<()> {
        let name = || self.files.get(done.file).map_or_else(|| "-".into(), |p| p.display().to_string());
        if let Some(e) = &done.error {
            self.failed = true;
            let named = if done.file < self.files.len() { (self.label)(done.file) } else { name() };
            let _ = writeln!(self.stderr, "chaff: {}: {e}", crate::rules::error::printable(&named));
        }
        if let Some(line) = done.long {
            let msg = RecordError::TooLong.describe(self.field);
            self.one(&format!("{}:{line}:1: {msg}; written back unchanged", name()))?;
        }
        for b in &done.bad {
            let msg = b.error.describe(self.field);
            let at = format!("{}:{}:{}", name(), b.line_no, b.error.column());
            self.one(&format!("{at}: {msg}; written back unchanged"))?;
        }
        Ok(())
    }

    fn one(&mut self, message: &str) -> Result<()> {
        self.failed = true;
        if self.shown < REPORTED {
            self.shown += 1;
            let _ = writeln!(self.stderr, "chaff: {}", crate::rules::error::printable(message));
        } else {
            self.more += 1;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        if self.more > 0 {
            let _ = writeln!(self.stderr, "chaff: {} more lines were not records and were written back unchanged", self.more);
        }
        Ok(())
    }
}
