//! Throughput measurement shared by `chaff bench` and the criterion benches: a deterministic
//! corpus, the engine over in-memory documents, and the "floor" (a plain line split and copy).

use std::io::{self, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use memchr::memchr_iter;

use crate::engine::{Engine, Options};
use crate::output::{CleanSink, Sink};
use crate::rules::lint::PROSE_SAMPLE;
use crate::rules::{Mode, RuleSet};

/// How the generated articles are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// One paragraph per line, blank lines between paragraphs (what extractors write).
    Paragraphs,
    /// Paragraphs hard-wrapped at 72 columns.
    Wrapped,
}

/// A corpus held in memory: documents back to back, with their boundaries.
#[derive(Clone, Debug, Default)]
pub struct Corpus {
    /// All documents, concatenated.
    pub bytes: Vec<u8>,
    /// End offset of each document in `bytes`.
    pub ends: Vec<usize>,
}

impl Corpus {
    /// The documents, as slices.
    pub fn docs(&self) -> impl Iterator<Item = &[u8]> {
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let d = &self.bytes[start..end];
            start = end;
            d
        })
    }

    /// Adds one document.
    pub fn push(&mut self, doc: &[u8]) {
        self.bytes.extend_from_slice(doc);
        self.ends.push(self.bytes.len());
    }

    /// Adds one document read from `input`, of about `size_hint` bytes: read in place, with its
    /// room taken first, so that a document memory cannot hold is an error, not an abort (and
    /// is not held twice).
    ///
    /// # Errors
    /// A read error, or memory for the document could not be had.
    pub fn read_doc(&mut self, input: &mut impl std::io::Read, size_hint: usize) -> std::io::Result<()> {
        let start = self.bytes.len();
        // Exactly: the documents of a corpus are read one after another.
        self.bytes
            .try_reserve_exact(size_hint.saturating_add(1))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::OutOfMemory, "it does not fit in memory"))?;
        // Past the hint (a file that grew), `read_to_end` reports memory it cannot have as an
        // error too.
        if let Err(e) = input.read_to_end(&mut self.bytes) {
            self.bytes.truncate(start);
            return Err(e);
        }
        self.ends.push(self.bytes.len());
        Ok(())
    }
}

/// A small deterministic generator (SplitMix64), so every run benchmarks the same bytes.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Chrome lines for the generated corpus: the phrases of the rule set's whole-line and prefix
/// rules and the `drop:` examples of all rules.
pub fn chrome_lines(rules: &RuleSet) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in rules.rules() {
        if matches!(r.mode, Mode::Line | Mode::Prefix) {
            out.push(r.phrase.clone());
        }
        out.extend(r.examples.iter().filter(|e| !e.keep).map(|e| e.text.clone()));
    }
    out
}

/// Builds a deterministic corpus of about `size` bytes: article paragraphs from the shipped
/// prose sample, each paragraph replaced by a chrome line (from `chrome`) with probability
/// `chrome_rate`, in documents of 20 to 60 paragraphs.
pub fn generate(size: usize, layout: Layout, chrome: &[String], chrome_rate: f64) -> Corpus {
    try_generate(size, layout, chrome, chrome_rate).unwrap_or_else(|e| panic!("a generated corpus of {size} bytes: {e}"))
}

/// [`generate`], or an error when memory cannot hold the corpus: its room is taken at once (the
/// size and one document more), so it never grows past what was asked.
///
/// # Errors
/// The allocation failed.
pub fn try_generate(size: usize, layout: Layout, chrome: &[String], chrome_rate: f64) -> Result<Corpus, std::collections::TryReserveError> {
    let paragraphs: Vec<&str> = PROSE_SAMPLE.1.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut rng = Mix(0x00C0_FFEE);
    let mut corpus = Corpus::default();
    // A document is 20 to 60 paragraphs of the sample, well under a mebibyte, and at least a
    // kilobyte: room for the last one past `size`, and for the ends of all.
    corpus.bytes.try_reserve_exact(size.saturating_add(1 << 20))?;
    corpus.ends.try_reserve_exact(size / 1024 + 1)?;
    let mut doc = Vec::new();
    // A paragraph is a chrome line with probability `chrome_rate`, exactly (a draw below the
    // share of the generator's range; every paragraph takes one draw, as before).
    let below = (chrome_rate.clamp(0.0, 1.0) * 2f64.powi(64)) as u128;
    while corpus.bytes.len() < size {
        doc.clear();
        let n = 20 + rng.below(41);
        for i in 0..n {
            if !chrome.is_empty() && u128::from(rng.next()) < below {
                doc.extend_from_slice(chrome[rng.below(chrome.len())].as_bytes());
                doc.push(b'\n');
            } else {
                let p = paragraphs[rng.below(paragraphs.len())];
                match layout {
                    Layout::Paragraphs => {
                        doc.extend_from_slice(p.as_bytes());
                        doc.push(b'\n');
                    }
                    Layout::Wrapped => wrap(p, 72, &mut doc),
                }
            }
            if i + 1 < n {
                doc.push(b'\n');
            }
        }
        corpus.push(&doc);
    }
    Ok(corpus)
}

fn wrap(text: &str, width: usize, out: &mut Vec<u8>) {
    let mut col = 0;
    for word in text.split(' ') {
        if col > 0 && col + 1 + word.len() > width {
            out.push(b'\n');
            col = 0;
        } else if col > 0 {
            out.push(b' ');
            col += 1;
        }
        out.extend_from_slice(word.as_bytes());
        col += word.len();
    }
    out.push(b'\n');
}

/// A writer that discards everything (counting bytes), like `/dev/null` without a syscall.
#[derive(Debug, Default)]
pub struct Discard(pub u64);

impl Write for Discard {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A sink that keeps a hash of the bytes written and their count: two passes that wrote the
/// same bytes in the same order have the same digest, however their writes cut them (the bytes
/// are hashed in blocks of a fixed size).
#[derive(Default)]
pub struct Digest {
    hasher: std::collections::hash_map::DefaultHasher,
    block: Vec<u8>,
    count: u64,
}

/// Bytes hashed at a time by [`Digest`].
const DIGEST_BLOCK: usize = 64 << 10;

impl Digest {
    /// The hash and the byte count of what was written.
    pub fn value(mut self) -> (u64, u64) {
        use std::hash::Hasher;
        self.hasher.write(&self.block);
        (self.hasher.finish(), self.count)
    }
}

impl Write for Digest {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        use std::hash::Hasher;
        let mut rest = buf;
        while !rest.is_empty() {
            let n = (DIGEST_BLOCK - self.block.len()).min(rest.len());
            self.block.extend_from_slice(&rest[..n]);
            rest = &rest[n..];
            if self.block.len() == DIGEST_BLOCK {
                self.hasher.write(&self.block);
                self.block.clear();
            }
        }
        self.count += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// What one timed pass did.
#[derive(Clone, Copy, Debug, Default)]
pub struct Pass {
    /// Wall time.
    pub elapsed: Duration,
    /// Bytes read.
    pub bytes_in: u64,
    /// Bytes written.
    pub bytes_out: u64,
    /// Lines read.
    pub lines: u64,
    /// Documents.
    pub docs: u64,
    /// Threads that cleaned (no more than there are documents).
    pub threads: usize,
}

/// Cleans every document of `corpus` with `engine` into a discarding sink. Passes that reuse one
/// engine measure it warm, as a long run is: its regexes' caches filled. Never inlined, so that
/// a profiler can count a pass's instructions by its name (see BENCHMARKS.md).
#[inline(never)]
pub fn clean_pass(engine: &mut Engine<'_>, corpus: &Corpus) -> Pass {
    let (mut pass, out) = clean_into(engine, corpus, Discard::default());
    pass.bytes_out = out.0;
    pass
}

/// [`clean_pass`] writing into `out`, which it gives back.
pub fn clean_into<W: Write>(engine: &mut Engine<'_>, corpus: &Corpus, out: W) -> (Pass, W) {
    let start = Instant::now();
    let mut sink = CleanSink::new(out);
    let mut pass = Pass { threads: 1, ..Pass::default() };
    for doc in corpus.docs() {
        let mut reader = doc;
        // Reading from memory and writing to `Discard` cannot fail.
        if let Ok(stats) = engine.run(&mut reader, "-", &mut sink as &mut dyn Sink) {
            pass.lines += stats.lines_in;
            pass.bytes_in += stats.bytes_in;
        }
        pass.docs += 1;
    }
    pass.elapsed = start.elapsed();
    (pass, sink.into_inner())
}

/// Cleans every document of `corpus` on `threads` threads, each with its own engine, and writes
/// the cleaned documents in order into a discarding sink, as `chaff -j N` does with files. The
/// engines are taken from `engines` (new ones made as needed) and put back, so that passes
/// measure them warm.
pub fn clean_pass_parallel<'r>(rules: &'r RuleSet, engines: &Mutex<Vec<Engine<'r>>>, corpus: &Corpus, threads: usize) -> Pass {
    let (mut pass, out) = clean_parallel_into(rules, engines, corpus, threads, Discard::default());
    pass.bytes_out = out.0;
    pass
}

/// [`clean_pass_parallel`] writing into `out`, which it gives back.
pub fn clean_parallel_into<'r, W: Write>(rules: &'r RuleSet, engines: &Mutex<Vec<Engine<'r>>>, corpus: &Corpus, threads: usize, mut out: W) -> (Pass, W) {
    let start = Instant::now();
    let docs: Vec<&[u8]> = corpus.docs().collect();
    let mut pass = Pass::default();
    // Output buffers go back to the workers once written, so they are allocated once.
    let spare = Mutex::new(Vec::<Vec<u8>>::new());
    let init = || {
        let engine = engines.lock().unwrap_or_else(|p| p.into_inner()).pop();
        (engine.unwrap_or_else(|| Engine::new(rules, Options::default())), CleanSink::new(Vec::new()))
    };
    let done = |(engine, _): (Engine<'r>, CleanSink<Vec<u8>>)| engines.lock().unwrap_or_else(|p| p.into_inner()).push(engine);
    let work = |(engine, sink): &mut (Engine<'_>, CleanSink<Vec<u8>>), i: usize| {
        let mut reader = docs[i];
        // Reading from memory and writing to memory cannot fail.
        let stats = engine.run(&mut reader, "-", sink as &mut dyn Sink).unwrap_or_default();
        let next = spare.lock().unwrap_or_else(|p| p.into_inner()).pop().unwrap_or_default();
        let cleaned = std::mem::replace(sink.get_mut(), next);
        (stats.lines_in, stats.bytes_in, cleaned)
    };
    let emit = |_: usize, (lines, bytes, mut cleaned): (u64, u64, Vec<u8>)| -> io::Result<()> {
        pass.lines += lines;
        pass.bytes_in += bytes;
        pass.docs += 1;
        out.write_all(&cleaned)?;
        cleaned.clear();
        spare.lock().unwrap_or_else(|p| p.into_inner()).push(cleaned);
        Ok(())
    };
    // Writing to memory cannot fail.
    let _ = crate::parallel::ordered_with(docs.len(), threads, 4 * threads, init, work, done, emit);
    pass.threads = threads.clamp(1, docs.len().max(1));
    pass.elapsed = start.elapsed();
    (pass, out)
}

/// The floor: split every document into lines with memchr and copy each line to the sink.
pub fn floor_pass(corpus: &Corpus) -> Pass {
    let start = Instant::now();
    let mut out = Discard::default();
    let mut pass = Pass::default();
    for doc in corpus.docs() {
        let mut at = 0;
        for nl in memchr_iter(b'\n', doc) {
            let _ = out.write_all(std::hint::black_box(&doc[at..=nl]));
            at = nl + 1;
            pass.lines += 1;
        }
        if at < doc.len() {
            let _ = out.write_all(&doc[at..]);
            pass.lines += 1;
        }
        pass.bytes_in += doc.len() as u64;
        pass.docs += 1;
    }
    pass.bytes_out = out.0;
    pass.elapsed = start.elapsed();
    pass
}

/// Peak resident memory of this process in bytes (Linux `VmHWM`), if known.
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::{Corpus, Digest, Layout, generate};
    use std::io::Write;

    /// The share of chrome paragraphs is the rate asked for, whatever it is (it was rounded to
    /// one in N: 0.7 gave all chrome, 0.3 a third).
    #[test]
    fn the_chrome_rate_is_the_share_of_chrome_paragraphs() {
        let chrome = vec!["CHROME MARKER LINE".to_string()];
        for rate in [0.0, 0.08, 0.3, 0.7, 1.0] {
            let corpus = generate(1 << 20, Layout::Paragraphs, &chrome, rate);
            let paragraphs: Vec<&[u8]> = corpus.bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
            let share = paragraphs.iter().filter(|l| **l == b"CHROME MARKER LINE").count() as f64 / paragraphs.len() as f64;
            assert!((share - rate).abs() < 0.02, "rate {rate}: share {share}");
        }
    }

    /// A document read into a corpus is held once, as it came, after the others.
    #[test]
    fn documents_are_read_in_place() {
        let mut corpus = Corpus::default();
        corpus.push(b"first\n");
        let doc: Vec<u8> = (0..200_000u32).flat_map(|i| format!("line {i}\n").into_bytes()).collect();
        corpus.read_doc(&mut &doc[..], 10).expect("read");
        corpus.read_doc(&mut &b""[..], 0).expect("read");
        let docs: Vec<&[u8]> = corpus.docs().collect();
        assert_eq!(docs, [&b"first\n"[..], &doc[..], b""]);
    }

    /// The same bytes give the same digest however the writes cut them; other bytes, or the
    /// same in another order, another.
    #[test]
    fn digests_follow_the_bytes_not_the_writes() {
        let text: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let digest = |cuts: &[usize]| {
            let mut d = Digest::default();
            let mut at = 0;
            for &c in cuts.iter().chain([&text.len()]) {
                d.write_all(&text[at..c.max(at)]).unwrap();
                at = c.max(at);
            }
            d.value()
        };
        let whole = digest(&[]);
        assert_eq!(whole, digest(&[1, 7, 65_535, 65_537, 131_072]));
        assert_eq!(whole.1, 200_000);
        let mut swapped = Digest::default();
        swapped.write_all(&text[100_000..]).unwrap();
        swapped.write_all(&text[..100_000]).unwrap();
        assert_ne!(whole, swapped.value());
    }
}
