use std::io;

use super::{HeadStart, LineEvent, Sink, TeaserWhy};

/// Counters over a whole run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Documents cleaned.
    pub documents: u64,
    /// Lines read.
    pub lines_in: u64,
    /// Bytes read.
    pub bytes_in: u64,
    /// Lines written.
    pub lines_out: u64,
    /// Bytes written.
    pub bytes_out: u64,
    /// Lines dropped, per rule index.
    pub per_rule: Vec<u64>,
}

impl Stats {
    /// Adds another run's counts (of the same rule set) to these.
    pub fn merge(&mut self, other: &Stats) {
        self.documents += other.documents;
        self.lines_in += other.lines_in;
        self.bytes_in += other.bytes_in;
        self.lines_out += other.lines_out;
        self.bytes_out += other.bytes_out;
        if self.per_rule.len() < other.per_rule.len() {
            self.per_rule.resize(other.per_rule.len(), 0);
        }
        for (a, b) in self.per_rule.iter_mut().zip(&other.per_rule) {
            *a += b;
        }
    }
}

/// Counts what passes through to another sink.
pub struct StatsSink<S> {
    inner: S,
    /// The counts so far (the caller adds the engine's `lines_in`/`bytes_in`).
    pub stats: Stats,
}

impl<S: Sink> StatsSink<S> {
    /// Wraps `inner`; `rules` is the number of rules in the set.
    pub fn new(inner: S, rules: usize) -> Self {
        StatsSink { inner, stats: Stats { per_rule: vec![0; rules], ..Stats::default() } }
    }

    /// Wraps `inner`, counting on from `stats` (made by [`StatsSink::new`] for the same rules).
    pub fn with_stats(inner: S, stats: Stats) -> Self {
        StatsSink { inner, stats }
    }

    /// The wrapped sink.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// The wrapped sink and the counts.
    pub fn into_parts(self) -> (S, Stats) {
        (self.inner, self.stats)
    }
}

impl<S: Sink> Sink for StatsSink<S> {
    fn ordered(&self) -> bool {
        self.inner.ordered()
    }

    fn begin(&mut self, name: &str) -> io::Result<()> {
        self.stats.documents += 1;
        self.inner.begin(name)
    }

    fn line(&mut self, ev: &LineEvent<'_>) -> io::Result<()> {
        if ev.written {
            self.stats.bytes_out += ev.bytes.len() as u64 * ev.count;
        }
        if !ev.continuation {
            if ev.written {
                self.stats.lines_out += ev.count;
            }
            if let Some(r) = ev.decision.rule() {
                if let Some(c) = self.stats.per_rule.get_mut(r as usize) {
                    *c += ev.count;
                }
            }
        }
        self.inner.line(ev)
    }

    fn page_head(&mut self, rule: u32, start: Option<HeadStart>) -> io::Result<()> {
        self.inner.page_head(rule, start)
    }

    fn page_teaser(&mut self, rule: u32, first: u64, run: u64, why: TeaserWhy) -> io::Result<()> {
        self.inner.page_teaser(rule, first, run, why)
    }

    fn menu_run(&mut self, rule: u32, first: u64, short: usize, after_chrome: bool) -> io::Result<()> {
        self.inner.menu_run(rule, first, short, after_chrome)
    }

    fn page_tail(&mut self, rule: u32, last: u64, lone: usize) -> io::Result<()> {
        self.inner.page_tail(rule, last, lone)
    }

    fn page_tail_kept(&mut self, rule: u32, last: u64, found: usize, all: usize) -> io::Result<()> {
        self.inner.page_tail_kept(rule, last, found, all)
    }

    fn finish(&mut self) -> io::Result<()> {
        self.inner.finish()
    }
}
