//! Compiling raw rules into the structures the engine matches with, with hard validation.
//!
//! Literal phrases are normalized once here (see [`normalize`](super::normalize)). Every rule
//! gets a cheap gate (see `Compiled`) so that, for most lines, the engine only normalizes a
//! few head bytes and scans the raw bytes once for anchor words; a rule is verified on a line
//! only when its gate opens.

use crate::engine::context::{MAX_RUN_LINES, MAX_TAIL_BYTES};
use std::collections::HashMap;
use std::sync::OnceLock;
use std::path::Path;

use aho_corasick::automaton::Automaton;
use aho_corasick::nfa::contiguous;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, Anchored, MatchKind};
use regex::bytes::{RegexBuilder, RegexSet, RegexSetBuilder};
use super::line_regex::LineRegex;

use super::error::RuleError;
use super::normalize::normalize;
use super::block::BlockFinder;
use super::shape::{RegexShape, ShapeError, analyse, in_byte_set};
use super::syntax::{Action, Mode, RawPack, RawRule};
use super::{PackInfo, Rule};

/// The longest phrase, in normalized bytes, a literal rule may have.
pub const MAX_PHRASE_BYTES: usize = 4096;
/// The largest `max-chars` a rule may set.
pub const MAX_CHARS_LIMIT: usize = 4096;
// `shape` cannot see this module (the build script includes it alone): keep its bound in step.
const _: () = assert!(super::shape::MAX_BOUNDED_REGEX == 4 * MAX_CHARS_LIMIT);

/// At most this many normalized bytes of each line's head are computed for the gate.
pub(crate) const GATE_MAX: usize = super::shape::PREFIX_MAX;

/// `line` and `prefix` phrases open their rules by their first this many normalized bytes (the
/// rule then compares the whole phrase). Longer, their automaton took more of start-up and
/// cleaned no faster: with 12 bytes instead of 24, start-up takes 110 million instructions
/// instead of 121 and a pass over the corpus's pages the same 517 million (callgrind).
const PHRASE_GATE_MAX: usize = 12;

/// Phrases that share their first [`PHRASE_GATE_MAX`] bytes with more than this many others
/// open their rules by up to [`GATE_MAX`] bytes instead: a line that begins like all of them
/// would otherwise have each compared (20,000 `line` rules beginning "phrase number" made
/// every such line compare 20,000 phrases, and `chaff check` compare every pair).
const CROWDED_GATE: usize = 8;

/// Stands in the gate's rule lists for "a narrow anchor rule may match this line" (see
/// `Compiled::floating_tiers`); it is no rule's index.
pub(crate) const NARROW_LEAD: u32 = u32::MAX;

/// The matching structures built from a rule set. Immutable once built.
///
/// Every rule is reached through a cheap *gate* and then verified on its own:
///
/// - `line` and `prefix` phrases, and regexes anchored at the start with literal prefixes, are
///   gated by their first (up to [`GATE_MAX`]) normalized bytes, found with one Aho-Corasick
///   automaton in the normalized head of each line;
/// - regexes anchored at the end with a distinctive literal ending (`says:`) are gated by the
///   last bytes of the line;
/// - `contains` phrases, and other regexes with required literal words, are gated by an anchor
///   word found in the raw bytes (ASCII case-insensitive);
/// - regexes with neither, but anchored at both ends with a bounded length (or with
///   `max-chars`), run on lines short enough to match;
/// - the rest run on every line.
#[derive(Debug, Default)]
pub(crate) struct Compiled {
    /// How many normalized head bytes the gate looks at.
    pub gate_len: usize,
    /// Leading normalized literals of regexes, and the first normalized bytes of `line` and
    /// `prefix` phrases → the rules they gate.
    pub gate: Lits,
    /// Endings of regexes anchored at the end, reversed → the rules they gate (see
    /// `RegexShape::suffixes`): found with one anchored search in the reversed, ASCII-lowercased
    /// last bytes of the raw line.
    pub suffix: Lits,
    /// How many of a line's last bytes the ending gate looks at.
    pub suffix_len: usize,
    /// The endings of `suffix`, as written (for reports).
    pub suffix_words: Vec<Vec<u8>>,
    /// Regexes gated by leading literals that may also start with a non-ASCII character: they
    /// are tried on every line whose normalized head starts with a non-ASCII byte.
    pub nonascii_gated: Vec<u32>,
    /// The same for regexes whose non-ASCII starts are known by their first two bytes (see
    /// `RegexShape::first_pairs`): tried only on lines that start with one of them.
    pub nonascii_pairs: HashMap<[u8; 2], Vec<u32>>,
    /// Every anchor word, bounded or not, by pattern id → the rules it gates (for reports).
    pub anchor_targets: Vec<Vec<u32>>,
    /// The *bounded* anchors (all of whose rules have `max-chars` or a bounded regex) of the
    /// *narrow* rules only (regexes anchored at the start with known leading literals, most of
    /// them a digit or a number word), in tiers by the most visible ASCII characters a line can
    /// hold and still match: a line that begins like a narrow rule (the gate marks such
    /// beginnings with [`NARROW_LEAD`]) is searched with the first tier whose `max_visible` it
    /// does not exceed, which holds every anchor that still matters for it. Lines longer than the
    /// last tier need none of them.
    pub anchor_tiers: Vec<AnchorTier>,
    /// The same for the other bounded anchors, where the block search (see `BlockFinder`) tells
    /// only which lines hold one; with the packed block search, which finds them itself, none.
    pub floating_tiers: Vec<AnchorTier>,
    /// The first normalized bytes of narrow rules without leading literals (those that may begin
    /// with a non-ASCII bullet, say): lines beginning with one are searched for narrow anchors
    /// too.
    pub narrow_first: [u64; 4],
    /// The anchors with a rule of unbounded length, looked for in every line.
    pub long_anchors: Option<AhoCorasick>,
    /// Pattern id of `long_anchors` → the rules it gates.
    pub long_targets: Vec<Vec<u32>>,
    /// The long and floating anchors, found in a whole buffer of lines at once (see
    /// `BlockFinder`).
    pub anchor_finder: Option<BlockFinder>,
    /// The anchor words, by pattern id.
    pub anchor_words: Vec<Vec<u8>>,
    /// By pattern id: whether the anchor word is looked for in every line (a long or floating
    /// anchor), not only in lines that begin like its narrow rules.
    pub anchor_every_line: Vec<bool>,
    /// The narrow rules: their anchor words are looked for only in lines that begin like them.
    pub narrow: std::collections::HashSet<u32>,
    /// The gate's leading literals, by pattern id.
    pub gate_words: Vec<Vec<u8>>,
    /// Per rule index: the regex of a regex rule, compiled on first use (most gated regexes
    /// never run, and compiling hundreds of Unicode regexes would dominate start-up).
    pub regexes: Vec<LazyRegex>,
    /// Per rule index: the searcher of a `contains` phrase, built once (building one for each
    /// line it is looked for in cost more than the search).
    pub contains_finders: Vec<Option<Box<memchr::memmem::Finder<'static>>>>,
    /// Per rule index: the regex needs a non-ASCII letter that begins with one of these bytes
    /// (see `RegexShape::non_ascii`).
    pub non_ascii: Vec<Option<LeadBytes>>,
    /// Per rule index, for regexes gated by an anchor word or by their ending and anchored at the
    /// start: the bytes a matching (normalized) line can start with, as a bit set (see
    /// `shape::in_byte_set`).
    pub anchored_first: Vec<Option<[u64; 4]>>,
    /// Regexes that run on every line short enough: (rule, longest normalized match, the bytes
    /// a matching line can start with when the regex is anchored at the start).
    pub short: Vec<ShortRegex>,
    /// The largest length in `short`.
    pub short_max: usize,
    /// Regexes that must be tried on every line.
    pub unbounded: Set,
    /// Whether any rule has the `thread` action (the engine then holds back indented runs).
    pub has_thread: bool,
    /// Whether any rule has the `footer` action (with `page-tail`, prose words are then counted
    /// up to its `footer-words`).
    pub has_footer: bool,
    /// Rules with `after-words=N`: (rule, N), by rule index.
    pub after_words: Vec<(u32, usize)>,
    /// The context rules in use.
    pub context: ContextRules,
}

/// Bytes beginning the non-ASCII characters a regex needs, one of which a line must hold.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LeadBytes {
    bits: [u64; 4],
    /// The bytes themselves when there are at most three (`len`), for `memchr`.
    few: [u8; 3],
    len: usize,
}

impl LeadBytes {
    fn new(bits: [u64; 4]) -> Self {
        let bytes: Vec<u8> = (0..=255u8).filter(|&b| in_byte_set(&bits, b)).collect();
        let mut few = [0; 3];
        for (to, &b) in few.iter_mut().zip(&bytes) {
            *to = b;
        }
        LeadBytes { bits, few, len: bytes.len() }
    }

    /// Whether `line` holds one of the bytes.
    pub fn in_line(&self, line: &[u8]) -> bool {
        let [a, b, c] = self.few;
        match self.len {
            1 => memchr::memchr(a, line).is_some(),
            2 => memchr::memchr2(a, b, line).is_some(),
            3 => memchr::memchr3(a, b, c, line).is_some(),
            _ => line.iter().any(|&x| x >= 0x80 && in_byte_set(&self.bits, x)),
        }
    }
}

/// Bounded anchors for lines of up to `max_visible` visible ASCII characters (see
/// [`visible_ascii_upto`]).
#[derive(Debug)]
pub(crate) struct AnchorTier {
    pub max_visible: usize,
    /// Every anchor of the tier.
    pub all: AnchorSet,
    /// Its ASCII anchors, for ASCII lines (a smaller automaton is a faster one); `None` when
    /// they are all ASCII.
    pub ascii: Option<AnchorSet>,
}

/// Anchor words in a leftmost-longest DFA (ASCII case-insensitive, no prefilter: most bytes of
/// text can begin an anchor). A search restarted one byte after each match start finds every
/// position where an anchor begins, with the longest anchor there; the anchors that are
/// prefixes of it begin there too, so each pattern carries their rules as well.
#[derive(Debug)]
pub(crate) struct AnchorSet {
    pub ac: AhoCorasick,
    /// Pattern id → the rules of the pattern and of the patterns that are prefixes of it.
    pub targets: Vec<Vec<u32>>,
}

impl AnchorSet {
    fn build(words: &[&[u8]], targets: &[Vec<u32>]) -> Result<AnchorSet, String> {
        let ac = AhoCorasickBuilder::new()
            .kind(Some(AhoCorasickKind::DFA))
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(true)
            .prefilter(false)
            .build(words)
            .map_err(|e| e.to_string())?;
        let targets = with_prefix_rules(words, targets);
        Ok(AnchorSet { ac, targets })
    }

    /// Calls `f` with the rules of every anchor in `line`.
    pub fn for_each_target(&self, line: &[u8], mut f: impl FnMut(&[u32])) {
        let mut at = 0;
        while let Some(m) = self.ac.find(aho_corasick::Input::new(line).span(at..line.len())) {
            f(&self.targets[m.pattern().as_usize()]);
            at = m.start() + 1;
        }
    }
}

/// At most this many tiers of bounded anchors.
const ANCHOR_TIERS: usize = 3;

/// Splits the bounded anchors, (bound, word, rules), into tiers (see `Compiled::anchor_tiers`).
fn anchor_tiers(mut bounded: Vec<(usize, Vec<u8>, Vec<u32>)>) -> Result<Vec<AnchorTier>, String> {
    bounded.sort_by_key(|b| b.0);
    let mut cuts: Vec<usize> = bounded.iter().map(|b| b.0).collect();
    cuts.dedup();
    if cuts.len() > ANCHOR_TIERS {
        // Keep the largest bound; spread the others by the share of anchors under them.
        let n = bounded.len();
        let mut picked: Vec<usize> = (1..ANCHOR_TIERS).map(|i| bounded[i * n / ANCHOR_TIERS - 1].0).collect();
        picked.extend(cuts.last());
        picked.dedup();
        cuts = picked;
    }
    let mut specs = Vec::new();
    let mut floor = 0;
    for &max_visible in &cuts {
        // A line of more than `floor` visible characters needs only anchors bounded above it.
        let (words, targets): (Vec<&[u8]>, Vec<Vec<u32>>) =
            bounded.iter().filter(|b| b.0 >= floor).map(|b| (b.1.as_slice(), b.2.clone())).unzip();
        specs.push((max_visible, words, targets));
        floor = max_visible + 1;
    }
    let build = |(max_visible, words, targets): (usize, Vec<&[u8]>, Vec<Vec<u32>>)| {
        let all = AnchorSet::build(&words, &targets)?;
        let (ascii_words, ascii_targets): (Vec<&[u8]>, Vec<Vec<u32>>) =
            words.iter().zip(&targets).filter(|(w, _)| w.is_ascii()).map(|(w, t)| (*w, t.clone())).unzip();
        let ascii = if ascii_words.len() < words.len() { Some(AnchorSet::build(&ascii_words, &ascii_targets)?) } else { None };
        Ok(AnchorTier { max_visible, all, ascii })
    };
    // DFAs are slow to build: one thread per tier.
    std::thread::scope(|scope| {
        let mut specs = specs.into_iter();
        let first = specs.next();
        let others: Vec<_> = specs.map(|spec| scope.spawn(move || build(spec))).collect();
        let mut tiers: Vec<AnchorTier> = first.map(build).into_iter().collect::<Result<_, String>>()?;
        for h in others {
            tiers.push(h.join().map_err(|_| "the automaton builder failed".to_string())??);
        }
        Ok(tiers)
    })
}

/// A regex tried on short lines: (rule, longest normalized match, the bytes a matching line can
/// start with when the regex is anchored at the start).
pub(crate) type ShortRegex = (u32, usize, Option<[u64; 4]>);

/// Context rules: judgements of a line by its shape and its neighbours.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ContextRules {
    /// `menu-run`.
    pub menu: Option<MenuRun>,
    /// `page-head`.
    pub head: Option<PageHead>,
    /// `page-tail`.
    pub tail: Option<PageTail>,
}

/// The options of `menu-run`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MenuRun {
    /// The rule's index.
    pub rule: u32,
    /// A short line has at most this many words.
    pub max_words: usize,
    /// A run of at least this many short lines is a menu.
    pub min_run: usize,
    /// With more than 0: a run counts only if at least this many lines of the document before
    /// it were dropped (page chrome is established), unless it has `long_run` short lines.
    pub chrome_before: usize,
    /// See `chrome_before`.
    pub long_run: usize,
}

/// The options of `page-head`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageHead {
    /// The rule's index.
    pub rule: u32,
    /// Worded lines kept just above the article.
    pub keep: usize,
    /// With more than 0: a prose line of fewer than `lead_words` words (a tagline, a teaser)
    /// begins the article only if a prose line or a line of 8 or more words follows it within
    /// this many worded lines.
    pub confirm: usize,
    /// Words that make a prose line begin the article without confirmation.
    pub lead_words: usize,
    /// With more than 0 (and `menu-run` in use): if a run of `min-run` short lines after page
    /// chrome (`chrome-before` dropped lines) comes after the article's first line before this
    /// many words of prose, that line was a teaser, and the lines from it to the run are dropped
    /// too.
    pub teaser_words: usize,
    /// With more than 0 (and `teaser_words`): this many short lines after the article's first
    /// line before `teaser_words` words of prose (the last of them in a run that `menu-run`
    /// would count after page chrome; lines that hold a colon or begin with a digit, labels and
    /// numbered headings, not counted) show that line to be a teaser too: a menu whose entries
    /// each have a line that describes them.
    pub teaser_short: usize,
    /// Prose lines (or lines of a hard-wrapped paragraph) that, opening the lead before any
    /// short line, show an article, so that a run of short lines after them shows no teaser.
    pub article_lines: usize,
    /// Words of such lines that show an article whatever short lines follow (`teaser-short`
    /// too): a teaser among links is a blurb of fewer.
    pub article_words: usize,
}

/// The options of `page-tail`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageTail {
    /// The rule's index.
    pub rule: u32,
    /// A line ending like a sentence with at least this many words is an article line (so is
    /// one that follows a wide line: the end of a hard-wrapped paragraph).
    pub prose_words: usize,
    /// A worded line of at least this many bytes, trimmed, is an article line, however it ends.
    pub long_bytes: usize,
    /// The tail is dropped only if it holds at most this many bytes.
    pub tail_bytes: usize,
    /// With more than 0: an article line that comes after `lone_after` or more held worded
    /// lines, fewer than 30% of them list items, and not after a colon, stands alone (a teaser
    /// among links): it ends the tail only if another article line follows within this many
    /// worded lines.
    pub confirm: usize,
    /// See `confirm`.
    pub lone_after: usize,
    /// Once this many lines of the document were dropped (page chrome is established), a list
    /// or a colon before the held lines no longer keeps an article line from standing alone.
    /// `usize::MAX` when not given: never.
    pub chrome_before: usize,
    /// Lines the document must have had dropped by rules other than `page-head` for the tail to
    /// be dropped at its end, or for an article line to stand alone: text with fewer is clean,
    /// and keeps its last lines.
    pub page_chrome: usize,
    /// Or this many dropped in all, `page-head`'s included (a real page head, not a title
    /// trimmed from clean text). Defaults to `page_chrome`: every dropped line counts alike.
    pub page_drops: usize,
    /// A `footer` rule's line marks the page's footer once this many words of prose came before
    /// it in the document (the article has begun).
    pub footer_words: usize,
    /// A run of at least this many dropped lines (blank lines between them aside) that holds a
    /// marked footer line ends the article: the kept lines after it are dropped, to the end of
    /// the document or the next over-long line.
    pub footer_run: usize,
}

impl ContextRules {
    /// Whether any context rule is in use.
    pub fn any(&self) -> bool {
        self.menu.is_some() || self.head.is_some() || self.tail.is_some()
    }
}

impl Compiled {
    /// Compiles every regex now and returns the rules whose regex the regex crate refuses (too
    /// big, say), with its reason. `chaff check` and `chaff test` call this; cleaning compiles
    /// regexes lazily.
    pub fn regex_errors(&self) -> Vec<(u32, String)> {
        self.compile_regexes_of(|_| true)
    }

    /// Compiles the regexes of the rules `wanted` picks now, keeping them for cleaning, and
    /// returns those the regex crate refuses, with its reason.
    pub fn compile_regexes_of(&self, wanted: impl Fn(u32) -> bool) -> Vec<(u32, String)> {
        let mut out = Vec::new();
        for (i, r) in self.regexes.iter().enumerate().filter(|&(i, _)| wanted(i as u32)) {
            if let Some(p) = r.pattern.as_deref().filter(|_| r.get().is_none()) {
                let reason = RegexBuilder::new(p).build().err().map(|e| e.to_string()).unwrap_or_default();
                out.push((i as u32, reason.lines().last().unwrap_or("").to_string()));
            }
        }
        out
    }
}

/// A regex compiled when first needed.
///
/// It is a [`LineRegex`]: the regex crate's syntax and limits, answering only whether a line
/// matches. Each engine matches with caches of its own (see `Scratch`), passed in with every
/// search: a `regex::bytes::Regex` keeps its caches in a pool that serves the thread that used
/// it first without a lock and every other thread through one (with workers started anew for
/// each pass of `chaff bench -j 2`, those other than the first ran a fifth slower).
#[derive(Debug, Default)]
pub(crate) struct LazyRegex {
    pattern: Option<String>,
    /// Boxed: a compiled regex takes most of a kilobyte, and every rule has a slot here.
    cell: OnceLock<Option<Box<LineRegex>>>,
}

impl LazyRegex {
    fn new(pattern: String) -> Self {
        LazyRegex { pattern: Some(pattern), cell: OnceLock::new() }
    }

    /// The compiled regex (`None` for a rule that is not a regex, or a regex the regex crate
    /// refused, which `chaff check` reports).
    pub fn get(&self) -> Option<&LineRegex> {
        self.cell.get_or_init(|| self.pattern.as_deref().and_then(LineRegex::new).map(Box::new)).as_deref()
    }
}

/// A literal automaton and, per pattern id, the rules that use that phrase.
///
/// Phrases are collected with [`Lits::add`] and sorted into distinct patterns by
/// [`Lits::settle`] (one sort is much cheaper than a hash map of every phrase).
#[derive(Debug, Default)]
pub(crate) struct Lits {
    /// Walked by hand from its anchored start (see [`Lits::longest_at_start`]).
    ac: Option<contiguous::NFA>,
    pub rules: Vec<Vec<u32>>,
    patterns: Vec<Vec<u8>>,
    /// Phrases added since the last settle: the first eight bytes as a number that sorts as
    /// they do, (start, end) in `bytes`, and the rule.
    pending: Vec<(u64, usize, usize, u32)>,
    bytes: Vec<u8>,
}

impl Lits {
    fn add(&mut self, norm: &[u8], rule: u32) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(norm);
        let mut head = [0u8; 8];
        let n = norm.len().min(8);
        head[..n].copy_from_slice(&norm[..n]);
        self.pending.push((u64::from_be_bytes(head), start, self.bytes.len(), rule));
    }

    /// Sorts the phrases added into `patterns`, in byte order, each with its rules in the order
    /// they were added. Phrases are all added before the first settle.
    fn settle(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        debug_assert!(self.patterns.is_empty(), "a phrase added after the patterns were settled");
        let mut added = std::mem::take(&mut self.pending);
        let bytes = std::mem::take(&mut self.bytes);
        let text = |a: &(u64, usize, usize, u32)| &bytes[a.1..a.2];
        // The first eight bytes settle most comparisons; ties keep the order of adding. (A
        // shorter head is padded with zeros, which sort first, as its end does.)
        added.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| text(a).cmp(text(b))).then(a.1.cmp(&b.1)));
        for a in &added {
            if self.patterns.last().map(Vec::as_slice) != Some(text(a)) {
                self.patterns.push(text(a).to_vec());
                self.rules.push(Vec::new());
            }
            let rules = self.rules.last_mut().expect("a pattern was pushed");
            if !rules.contains(&a.3) {
                rules.push(a.3);
            }
        }
    }

    /// Builds the automaton for anchored, leftmost-longest search at the start of a line's
    /// head. Such a search reports only the longest pattern that matches, so each pattern also
    /// carries the rules of the patterns that are prefixes of it (they match too).
    fn build(&mut self) -> Result<(), String> {
        self.settle();
        self.rules = with_prefix_rules(&self.patterns, &self.rules);
        self.ac = if self.patterns.is_empty() {
            None
        } else {
            Some(
                contiguous::NFA::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    // Walked by hand from the anchored start (see `longest_at_start`): never
                    // searched, so a prefilter would only cost start-up.
                    .prefilter(false)
                    .build(&self.patterns)
                    .map_err(|e| e.to_string())?,
            )
        };
        self.patterns = Vec::new();
        Ok(())
    }

    /// Whether there is any pattern.
    pub fn is_empty(&self) -> bool {
        self.ac.is_none()
    }

    /// The rules of the longest pattern the text begins with (which carries those of shorter
    /// ones), reading the text one byte at a time — `byte(k)` is its byte `k`, `None` past its
    /// end — only until no pattern can match any more: on most lines a few bytes.
    ///
    /// The automaton is stepped by hand rather than searched: a search call costs more than the
    /// few steps, and a lazily normalized head is then normalized only as far as it is read.
    #[inline]
    pub fn longest_at_start(&self, mut byte: impl FnMut(usize) -> Option<u8>) -> &[u32] {
        let Some(nfa) = &self.ac else { return &[] };
        let Ok(mut sid) = nfa.start_state(Anchored::Yes) else { return &[] };
        let mut longest = None;
        let mut k = 0;
        while let Some(b) = byte(k) {
            sid = nfa.next_state(Anchored::Yes, sid, b);
            k += 1;
            if nfa.is_special(sid) {
                if nfa.is_dead(sid) {
                    break;
                }
                if nfa.is_match(sid) {
                    // From the anchored start, the pattern that ends here is `k` bytes long.
                    let mut ends_here = (0..nfa.match_len(sid)).map(|i| nfa.match_pattern(sid, i));
                    if let Some(p) = ends_here.find(|&p| nfa.pattern_len(p) == k) {
                        longest = Some(p);
                    }
                }
            }
        }
        longest.map_or(&[], |p| &self.rules[p.as_usize()])
    }
}

/// For a leftmost-longest search, which reports only the longest pattern that matches at a
/// position: each pattern's rules, with those of the patterns that are prefixes of it (they
/// match there too).
///
/// In sorted order, the patterns that are prefixes of a pattern come before it and form a chain
/// (each a prefix of the next); a stack of that chain gives each pattern the rules of its
/// longest prefix, which hold those of all shorter ones, in one pass.
fn with_prefix_rules<P: AsRef<[u8]>>(patterns: &[P], rules: &[Vec<u32>]) -> Vec<Vec<u32>> {
    let mut order: Vec<usize> = (0..patterns.len()).collect();
    order.sort_by(|&a, &b| patterns[a].as_ref().cmp(patterns[b].as_ref()));
    let mut out: Vec<Vec<u32>> = vec![Vec::new(); patterns.len()];
    let mut chain: Vec<usize> = Vec::new();
    for &i in &order {
        let p = patterns[i].as_ref();
        while chain.last().is_some_and(|&top| !p.starts_with(patterns[top].as_ref())) {
            chain.pop();
        }
        let mut all = chain.last().map_or_else(Vec::new, |&top| out[top].clone());
        all.extend_from_slice(&rules[i]);
        all.sort_unstable();
        all.dedup();
        out[i] = all;
        chain.push(i);
    }
    out
}

/// Reads the numeric option of a phrase or regex rule, `after-words`. On a misplaced option
/// returns its column, width, message and hint.
fn phrase_options(raw: &RawRule) -> Result<Option<usize>, (usize, usize, String, String)> {
    let mut after_words = None;
    for p in &raw.params {
        match p.0.as_str() {
            "after-words" => after_words = Some(p.1),
            other => {
                return Err((
                    p.2,
                    other.chars().count(),
                    format!("`{other}` is an option of context rules"),
                    "phrase and regex rules take `id=`, `max-chars=` and `after-words=`".into(),
                ));
            }
        }
    }
    Ok(after_words)
}

/// Compiles parsed packs. Returns the rules, pack descriptions and matcher, or every error.
pub(crate) fn compile(
    packs: Vec<(std::path::PathBuf, RawPack, bool)>,
) -> Result<(Vec<Rule>, Vec<PackInfo>, Compiled), Vec<RuleError>> {
    let norms: Vec<Vec<u8>> = packs.iter().flat_map(|(_, pack, _)| &pack.rules).map(|r| normalize(r.phrase.as_bytes())).collect();
    compile_rules(packs, norms)
}

/// Rule sets smaller than this are compiled on one thread: starting threads would cost more
/// than they save (`chaff test` compiles each rule on its own, thousands of times).
const PARALLEL_RULES: usize = 200;

/// A piece of compilation run on a thread of `scope`, or at once.
enum Task<'scope, T> {
    Done(T),
    Thread(std::thread::ScopedJoinHandle<'scope, T>),
}

impl<T> Task<'_, T> {
    fn join(self) -> std::thread::Result<T> {
        match self {
            Task::Done(t) => Ok(t),
            Task::Thread(h) => h.join(),
        }
    }
}

/// Runs `f` at once when `inline`, else on a new thread of `scope`.
fn run_on<'scope, T, F>(scope: &'scope std::thread::Scope<'scope, '_>, inline: bool, f: F) -> Task<'scope, T>
where
    F: FnOnce() -> T + Send + 'scope,
    T: Send + 'scope,
{
    if inline { Task::Done(f()) } else { Task::Thread(scope.spawn(f)) }
}

fn too_large(path: &Path, message: &str) -> RuleError {
    RuleError::new(path, 1, "", 1, 1)
        .msg(format!("the rule set is too large to compile: {message}"))
        .hint("split the regex rules or use fewer of them")
}

/// Compiles the rules; `norms` holds every rule's normalized phrase, in order.
fn compile_rules(
    packs: Vec<(std::path::PathBuf, RawPack, bool)>,
    norms: Vec<Vec<u8>>,
) -> Result<(Vec<Rule>, Vec<PackInfo>, Compiled), Vec<RuleError>> {
    let mut errors = Vec::new();
    let mut rules: Vec<Rule> = Vec::with_capacity(packs.iter().map(|p| p.1.rules.len()).sum());
    let mut infos = Vec::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut alnum = AlnumCache::new();
    let mut c = Compiled::default();
    let mut anchors = Lits::default();
    // Contains rules get their anchor word once all are known (see `choose_anchors`).
    let mut contains: Vec<(u32, Vec<u8>)> = Vec::new();
    let mut unbounded: (Vec<String>, Vec<u32>) = (Vec::new(), Vec::new());
    let mut narrow: std::collections::HashSet<u32> = std::collections::HashSet::new();
    // Per regex and contains rule: the most visible ASCII characters a line it matches can hold.
    let mut visible_max: Vec<(u32, Option<usize>)> = Vec::new();

    // Analysing regexes is most of start-up: it runs on all cores, ahead of the loop below.
    let shapes = analyse_regexes(&packs);
    // The gate's automaton, the largest, is built while the rules are compiled.
    let gate = gate_literals(&packs, &shapes, &norms);
    let build_gate = move || -> Result<(Lits, Vec<Vec<u8>>), String> {
        let mut gate = gate;
        gate.settle();
        let words = gate.patterns.clone();
        gate.build()?;
        Ok((gate, words))
    };
    let gate_job = if norms.len() < PARALLEL_RULES { Err(build_gate()) } else { Ok(std::thread::spawn(build_gate)) };
    let mut shapes = shapes.into_iter();
    let mut norms = norms.into_iter();
    for (path, pack, embedded) in packs {
        infos.push(PackInfo {
            name: pack.name.clone(),
            about: pack.about.clone(),
            path: path.clone(),
            rules: pack.rules.len(),
            embedded,
        });
        for raw in pack.rules {
            let shape = if raw.mode == Mode::Regex { shapes.next() } else { None };
            let norm = norms.next().unwrap_or_default();
            let err = |col: usize, width: usize| RuleError::new(&path, raw.line, &raw.source_line, col, width);
            let index = rules.len() as u32;
            let after_words = match raw.mode {
                Mode::Context => None,
                _ => match phrase_options(&raw) {
                    Ok(words) => words,
                    Err((col, width, msg, hint)) => {
                        errors.push(err(col, width).msg(msg).hint(hint));
                        continue;
                    }
                },
            };
            match raw.mode {
                Mode::Regex => match match shape {
                    Some(analysed) => analysed,
                    None => check_regex(&raw, &path),
                } {
                    Ok(shape) => {
                        let pattern = format!("(?i){}", raw.phrase);
                        let bounded_len = raw.max_chars.map(|n| 4 * n).or(shape.max_len);
                        visible_max.push((index, min_some(raw.max_chars, shape.max_len)));
                        c.regexes.resize_with(index as usize, LazyRegex::default);
                        c.regexes.push(LazyRegex::new(pattern.clone()));
                        if let Some(bits) = shape.non_ascii {
                            c.non_ascii.resize(index as usize + 1, None);
                            c.non_ascii[index as usize] = Some(LeadBytes::new(bits));
                        }
                        // Gated by its ending or an anchor word, a regex anchored at the start
                        // still checks the line's first byte before it runs.
                        if shape.prefixes.is_none() && (shape.suffixes.is_some() || shape.anchors.is_some()) {
                            c.anchored_first.resize(index as usize + 1, None);
                            c.anchored_first[index as usize] = shape.first;
                        }
                        if shape.prefixes.is_some() {
                            // Its leading literals are in the gate (see `gate_literals`).
                            if shape.nonascii_start {
                                match &shape.first_pairs {
                                    Some(pairs) => {
                                        for p in pairs {
                                            c.nonascii_pairs.entry(*p).or_default().push(index);
                                        }
                                    }
                                    None => c.nonascii_gated.push(index),
                                }
                            }
                        } else if let Some(tokens) = shape.suffixes {
                            for t in &tokens {
                                let reversed: Vec<u8> = t.iter().rev().copied().collect();
                                c.suffix.add(&reversed, index);
                            }
                        } else if let Some(tokens) = &shape.anchors {
                            for t in tokens {
                                anchors.add(t, index);
                            }
                            // A rule is *narrow* (its anchors are looked for only in lines that
                            // begin as it must) unless it may begin with a lone letter, a quote
                            // or a list marker, as many ordinary lines do; the block search
                            // finds the anchors of the others. Its leads are in the gate (see
                            // `gate_literals`).
                            match (&shape.leads, shape.first) {
                                (Some(_), _) if narrow_leads(&shape).is_some() => {
                                    narrow.insert(index);
                                }
                                (None, Some(first)) if !(0..=255u8).any(|b| common_byte(b) && in_byte_set(&first, b)) => {
                                    for (n, f) in c.narrow_first.iter_mut().zip(first) {
                                        *n |= f;
                                    }
                                    narrow.insert(index);
                                }
                                _ => {}
                            }
                        } else if let Some(len) = bounded_len {
                            c.short.push((index, len, shape.first));
                            c.short_max = c.short_max.max(len);
                        } else {
                            unbounded.0.push(pattern);
                            unbounded.1.push(index);
                        }
                    }
                    Err(e) => {
                        errors.push(e);
                        continue;
                    }
                },
                Mode::Context => {
                    let param = |name: &str, default: usize| {
                        raw.params.iter().find(|p| p.0 == name).map_or(default, |p| p.1)
                    };
                    // The error for options out of range: at the first bad one given, else at
                    // the options (a default out of range with the others).
                    let at_param = |bad: &[(&str, bool)]| -> RuleError {
                        let given = bad.iter().filter(|b| b.1).find_map(|b| raw.params.iter().find(|p| p.0 == b.0));
                        match given {
                            Some(p) => err(p.2, raw.source_line.chars().skip(p.2 - 1).take_while(|&c| c != ',' && c != ']').count()),
                            None => err(1, raw.source_line.find(']').map_or(1, |e| e + 1)),
                        }
                    };
                    let allowed: &[&str] = match raw.phrase.as_str() {
                        "menu-run" => &["max-words", "min-run", "chrome-before", "long-run"],
                        "page-head" => &["keep", "confirm", "lead-words", "teaser-words", "teaser-short", "article-lines", "article-words"],
                        "page-tail" => &[
                            "prose-words",
                            "long-bytes",
                            "tail-bytes",
                            "confirm",
                            "lone-after",
                            "chrome-before",
                            "page-chrome",
                            "page-drops",
                            "footer-words",
                            "footer-run",
                        ],
                        other => {
                            errors.push(
                                err(raw.phrase_col, other.chars().count())
                                    .msg(format!("unknown context rule `{other}`"))
                                    .hint("context rules are `menu-run`, `page-head` and `page-tail`"),
                            );
                            continue;
                        }
                    };
                    if raw.action != Action::Drop {
                        errors.push(
                            err(1, raw.action.keyword().len())
                                .msg("context rules can only `drop`")
                                .hint(format!("write `drop context {}`", raw.phrase)),
                        );
                        continue;
                    }
                    if let Some(p) = raw.params.iter().find(|p| !allowed.contains(&p.0.as_str())) {
                        errors.push(
                            err(p.2, p.0.chars().count())
                                .msg(format!("`{}` is not an option of `{}`", p.0, raw.phrase))
                                .hint(format!("`{}` takes {}", raw.phrase, allowed.join(", "))),
                        );
                        continue;
                    }
                    if raw.phrase == "menu-run" {
                        let min_run = param("min-run", 5);
                        let menu = MenuRun {
                            rule: index,
                            max_words: param("max-words", 6),
                            min_run,
                            chrome_before: param("chrome-before", 0),
                            long_run: param("long-run", min_run),
                        };
                        let bad = [
                            ("max-words", menu.max_words == 0),
                            ("min-run", !(2..=MAX_RUN_LINES).contains(&min_run)),
                            ("long-run", !(min_run..=MAX_RUN_LINES).contains(&menu.long_run)),
                        ];
                        if bad.iter().any(|b| b.1) {
                            errors.push(
                                at_param(&bad)
                                    .msg(format!(
                                        "`menu-run` needs `max-words` of at least 1, `min-run` from 2 to {MAX_RUN_LINES}, and `long-run` from `min-run` to {MAX_RUN_LINES}"
                                    ))
                                    .hint("e.g. `drop[max-words=6, min-run=5, chrome-before=1, long-run=8] context menu-run`"),
                            );
                            continue;
                        }
                        c.context.menu = c.context.menu.or(Some(menu));
                    } else if raw.phrase == "page-tail" {
                        let tail = PageTail {
                            rule: index,
                            prose_words: param("prose-words", 12),
                            long_bytes: param("long-bytes", 200),
                            tail_bytes: param("tail-bytes", 8192),
                            confirm: param("confirm", 0),
                            lone_after: param("lone-after", 5),
                            chrome_before: param("chrome-before", usize::MAX),
                            page_chrome: param("page-chrome", 0),
                            page_drops: param("page-drops", param("page-chrome", 0)),
                            footer_words: param("footer-words", 300),
                            footer_run: param("footer-run", 2),
                        };
                        let bad = [
                            ("prose-words", tail.prose_words == 0),
                            ("long-bytes", tail.long_bytes == 0),
                            ("tail-bytes", tail.tail_bytes > MAX_TAIL_BYTES),
                            ("footer-run", tail.footer_run == 0),
                        ];
                        if bad.iter().any(|b| b.1) {
                            errors.push(
                                at_param(&bad)
                                    .msg(format!(
                                        "`page-tail` needs `prose-words`, `long-bytes` and `footer-run` of at least 1, and `tail-bytes` of at most {MAX_TAIL_BYTES}"
                                    ))
                                    .hint("e.g. `drop[prose-words=12, long-bytes=200, tail-bytes=8192] context page-tail`"),
                            );
                            continue;
                        }
                        c.context.tail = c.context.tail.or(Some(tail));
                    } else {
                        let head = PageHead {
                            rule: index,
                            keep: param("keep", 2),
                            confirm: param("confirm", 0),
                            lead_words: param("lead-words", 30),
                            teaser_words: param("teaser-words", 0),
                            teaser_short: param("teaser-short", 0),
                            article_lines: param("article-lines", usize::MAX),
                            article_words: param("article-words", usize::MAX),
                        };
                        c.context.head = c.context.head.or(Some(head));
                    }
                }
                _ if norm.is_empty() => {
                    errors.push(
                        err(raw.phrase_col, raw.phrase.chars().count())
                            .msg("phrase is only white space")
                            .hint("a phrase needs at least one visible character"),
                    );
                    continue;
                }
                _ if norm.len() > MAX_PHRASE_BYTES => {
                    errors.push(
                        err(raw.phrase_col, raw.phrase.chars().count())
                            .msg(format!("phrase is longer than {MAX_PHRASE_BYTES} bytes"))
                            .hint("match a distinctive part of it with `prefix` or `contains`"),
                    );
                    continue;
                }
                // Their first bytes are in the gate (see `gate_literals`).
                Mode::Line | Mode::Prefix => {}
                Mode::Contains => {
                    c.contains_finders.resize_with(index as usize, || None);
                    c.contains_finders.push(Some(Box::new(memchr::memmem::Finder::new(&norm).into_owned())));
                    contains.push((index, norm.clone()));
                    visible_max.push((index, raw.max_chars));
                }
            }
            let id = match &raw.id {
                Some((id, col)) => {
                    if let Some(&other) = ids.get(id) {
                        let o = &rules[other];
                        errors.push(
                            // The whole option, however it is spaced (`id = dup`).
                            err(*col, raw.source_line.chars().skip(col - 1).take_while(|&c| c != ',' && c != ']').collect::<String>().trim_end().chars().count())
                                .msg(format!("duplicate rule id `{id}`"))
                                .hint(format!("`{id}` is already the id of the rule at {}:{}", o.path.display(), o.line)),
                        );
                        continue;
                    }
                    id.clone()
                }
                None => auto_id(&pack.name, &raw, &ids, &mut alnum),
            };
            ids.insert(id.clone(), rules.len());
            c.has_thread |= raw.action == Action::Thread;
            c.has_footer |= raw.action == Action::Footer;
            if let Some(words) = after_words {
                c.after_words.push((index, words));
            }
            rules.push(Rule {
                id,
                pack: pack.name.clone(),
                path: path.clone(),
                line: raw.line,
                source_line: raw.source_line,
                phrase_col: raw.phrase_col,
                action: raw.action,
                mode: raw.mode,
                phrase: raw.phrase,
                norm,
                max_chars: raw.max_chars,
                after_words,
                examples: raw.examples,
                pages: raw.pages,
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    for (index, word) in choose_anchors(&contains) {
        anchors.add(&word, index);
    }
    c.regexes.resize_with(rules.len(), LazyRegex::default);
    c.contains_finders.resize_with(rules.len(), || None);
    c.non_ascii.resize(rules.len(), None);
    c.anchored_first.resize(rules.len(), None);
    anchors.settle();
    c.suffix.settle();
    // An anchor is bounded when every rule it gates is: it matters only on short lines.
    let visible_max: HashMap<u32, Option<usize>> = visible_max.into_iter().collect();
    let mut long = (Vec::new(), Vec::new());
    let mut bounded = Vec::new();
    // The anchors of narrow rules are looked for only in lines that begin like them; the others
    // (floating) in every line.
    let mut floating = Vec::new();
    for (pattern, targets) in anchors.patterns.iter().zip(&anchors.rules) {
        let bound = targets.iter().try_fold(0, |m, r| visible_max.get(r).copied().flatten().map(|b| b.max(m)));
        match bound {
            Some(b) => {
                let all_narrow = targets.iter().all(|r| narrow.contains(r));
                if all_narrow {
                    bounded.push((b, pattern.clone(), targets.clone()));
                } else {
                    floating.push((b, pattern.clone(), targets.clone()));
                }
                c.anchor_every_line.push(!all_narrow);
            }
            None => {
                c.anchor_every_line.push(true);
                long.0.push(pattern.clone());
                long.1.push(targets.clone());
            }
        }
    }
    c.anchor_targets = std::mem::take(&mut anchors.rules);
    c.anchor_words = std::mem::take(&mut anchors.patterns);
    c.suffix_len = c.suffix.patterns.iter().map(Vec::len).max().unwrap_or(0);
    c.suffix_words = c.suffix.patterns.iter().map(|p| p.iter().rev().copied().collect()).collect();
    c.narrow = narrow;
    // The long anchors and the floating bounded ones are looked for in whole blocks of lines at
    // once: a line that holds none of them is spared both searches.
    let finder_words: Vec<(Vec<u8>, Vec<u32>)> = long
        .0
        .iter()
        .cloned()
        .zip(long.1.iter().cloned())
        .chain(floating.iter().map(|f| (f.1.clone(), f.2.clone())))
        .collect();
    // Rules that run on every line are compiled one by one first (few: there are none among
    // the shipped rules), so that one too large on its own is reported at its line, before the
    // set of them is tried; the regexes are kept for cleaning.
    let refused: Vec<RuleError> = unbounded
        .0
        .iter()
        .zip(&unbounded.1)
        .filter_map(|(p, &r)| match RegexBuilder::new(p).build() {
            Ok(_) => {
                let _ = c.regexes[r as usize].cell.set(LineRegex::new(p).map(Box::new));
                None
            }
            Err(e) => Some(super::lint::regex_error(&rules[r as usize], e.to_string().lines().last().unwrap_or(""))),
        })
        .collect();
    if !refused.is_empty() {
        return Err(refused);
    }
    // The anchor tiers are built on other threads meanwhile.
    let small = rules.len() < PARALLEL_RULES;
    // The rules behind a part that could not be built: the regexes that run on every line,
    // compiled together into one set.
    let ungated = unbounded.1.clone();
    let mut set_failed = false;
    let built = std::thread::scope(|scope| {
        let tiers = run_on(scope, small, move || anchor_tiers(bounded));
        let finder = run_on(scope, small, move || BlockFinder::build(&finder_words));
        let (gate, words) = match gate_job {
            Err(built) => built,
            Ok(thread) => thread.join().map_err(|_| "the automaton builder failed".to_string())?,
        }?;
        c.gate = gate;
        c.gate_len = words.iter().map(Vec::len).max().unwrap_or(0);
        c.gate_words = words;
        c.suffix.build()?;
        c.long_anchors = build_ac(&long.0, true)?;
        c.long_targets = long.1;
        c.unbounded = build_set(unbounded).inspect_err(|_| set_failed = true)?;
        c.anchor_tiers = tiers.join().map_err(|_| "the automaton builder failed".to_string())??;
        c.anchor_finder = finder.join().map_err(|_| "the automaton builder failed".to_string())??;
        // The packed block search finds the floating anchors of any line on its own.
        if matches!(c.anchor_finder, Some(BlockFinder::Automaton(_))) {
            c.floating_tiers = anchor_tiers(floating)?;
        }
        Ok::<_, String>(())
    });
    if let Err(message) = built {
        if let Some(&first) = ungated.first().filter(|_| set_failed) {
            // Each of them compiled alone: it is their number that is too large.
            let r = &rules[first as usize];
            let error = RuleError::new(&r.path, r.line, &r.source_line, 1, r.source_line.chars().count())
                .msg(format!(
                    "the {} regexes that run on every line (this one first) are too large to compile together: {message}",
                    ungated.len()
                ))
                .hint("gate them (a leading literal, a word every match holds, or `max-chars`; `chaff check --gates` shows how each rule is reached), or use fewer");
            return Err(vec![error]);
        }
        // Otherwise the automata of every rule: named at the last file of the user's, if any.
        let path = infos.iter().rev().find(|p| !p.embedded).or(infos.first()).map_or_else(Default::default, |p: &PackInfo| p.path.clone());
        return Err(vec![too_large(&path, &message)]);
    }
    Ok((rules, infos, c))
}

/// Parses a regex rule to point errors at the exact column, rejects regexes that mention a
/// line break, and works out which lines the regex can match at all (see `shape::analyse`).
// A rule error is returned once per broken rule, off the hot path: its size does not matter.
#[allow(clippy::result_large_err)]
fn check_regex(raw: &RawRule, path: &Path) -> Result<RegexShape, RuleError> {
    // Byte offsets into the phrase, as columns of its line.
    let span = |start: usize, end: usize| {
        let chars = |a: usize, b: usize| raw.phrase.get(a..b).map_or(0, |s| s.chars().count());
        (raw.phrase_col + chars(0, start), chars(start, end).max(1))
    };
    analyse(&raw.phrase).map_err(|e| match e {
        ShapeError::Invalid { start, end, message } => {
            let (col, width) = span(start, end);
            RuleError::new(path, raw.line, &raw.source_line, col, width)
                .msg(format!("invalid regex: {message}"))
                .hint("rules use the Rust `regex` crate's syntax (no look-around or backreferences)")
        }
        ShapeError::LineBreak { start, end } => {
            let (col, width) = span(start, end);
            RuleError::new(path, raw.line, &raw.source_line, col, width)
                .msg("regex mentions a line break, but rules see one line at a time")
                .hint("match the line's own text; white space is already collapsed to single spaces")
        }
    })
}

/// The gate's literals (see `Compiled::gate`), from the rules as parsed and the regexes'
/// shapes: the leading literals of regexes, the leads of narrow anchor rules, the first bytes of
/// `line` and `prefix` phrases. Each rule is numbered by its place among all, as
/// `compile_rules` numbers them when none has an error (with errors the gate is not used).
/// Known before the rules are compiled, so that the gate's automaton is built meanwhile.
fn gate_literals(packs: &[(std::path::PathBuf, RawPack, bool)], shapes: &[Result<RegexShape, RuleError>], norms: &[Vec<u8>]) -> Lits {
    let mut gate = Lits::default();
    let mut shapes = shapes.iter();
    let raws = || packs.iter().flat_map(|(_, pack, _)| &pack.rules);
    let phrase = |raw: &RawRule, norm: &[u8]| matches!(raw.mode, Mode::Line | Mode::Prefix) && !norm.is_empty() && norm.len() <= MAX_PHRASE_BYTES;
    let mut sharing: HashMap<&[u8], usize> = HashMap::new();
    for (_, norm) in raws().zip(norms).filter(|(raw, norm)| phrase(raw, norm)) {
        *sharing.entry(&norm[..norm.len().min(PHRASE_GATE_MAX)]).or_default() += 1;
    }
    for (index, (raw, norm)) in raws().zip(norms).enumerate() {
        let index = index as u32;
        match raw.mode {
            Mode::Regex => {
                if let Some(Ok(shape)) = shapes.next() {
                    if let Some(prefixes) = &shape.prefixes {
                        for p in prefixes {
                            gate.add(&p[..p.len().min(GATE_MAX)], index);
                        }
                    } else if shape.suffixes.is_none() && shape.anchors.is_some() {
                        for p in narrow_leads(shape).into_iter().flatten() {
                            gate.add(&p[..p.len().min(GATE_MAX)], NARROW_LEAD);
                        }
                    }
                }
            }
            // One walk over a line's head finds the phrases and the regexes it may open.
            Mode::Line | Mode::Prefix if phrase(raw, norm) => {
                let head = &norm[..norm.len().min(PHRASE_GATE_MAX)];
                let len = if sharing[head] > CROWDED_GATE { GATE_MAX } else { PHRASE_GATE_MAX };
                gate.add(&norm[..norm.len().min(len)], index);
            }
            _ => {}
        }
    }
    gate
}

/// Whether `b` is a letter, a quote or a list marker: many ordinary lines begin with one.
fn common_byte(b: u8) -> bool {
    b.is_ascii_alphabetic() || b"\"'*+-\xc2\xe2".contains(&b)
}

/// The leads of a regex gated by an anchor word, when none is common at a line's start (a lone
/// letter, a quote or a list marker, maybe with a space): the rule is then narrow, its anchors
/// looked for only in lines that begin with one of them.
fn narrow_leads(shape: &RegexShape) -> Option<&Vec<Vec<u8>>> {
    let common = |p: &Vec<u8>| p.len() <= 2 && common_byte(p[0]) && p.get(1).is_none_or(|&b| b == b' ');
    shape.leads.as_ref().filter(|leads| !leads.iter().any(common))
}

/// Runs [`check_regex`] on every regex rule of `packs`, in order, spread over the available
/// cores.
#[allow(clippy::result_large_err)]
fn analyse_regexes(packs: &[(std::path::PathBuf, RawPack, bool)]) -> Vec<Result<RegexShape, RuleError>> {
    let jobs: Vec<(&Path, &RawRule)> = packs
        .iter()
        .flat_map(|(path, pack, _)| pack.rules.iter().filter(|r| r.mode == Mode::Regex).map(move |r| (path.as_path(), r)))
        .collect();
    // The shipped regexes were analysed at build time; only the others cost anything.
    let mut out: Vec<Option<Result<RegexShape, RuleError>>> =
        jobs.iter().map(|(_, raw)| super::cached_shape(&raw.phrase).map(Ok)).collect();
    let todo: Vec<usize> = (0..jobs.len()).filter(|&i| out[i].is_none()).collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    if threads >= 2 && todo.len() >= 16 {
        // Interleaved shares: long and short regexes sit together in the packs.
        let parts: Vec<Vec<(usize, Result<RegexShape, RuleError>)>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let (jobs, todo) = (&jobs, &todo);
                    scope.spawn(move || {
                        todo.iter().skip(t).step_by(threads).map(|&i| (i, check_regex(jobs[i].1, jobs[i].0))).collect::<Vec<_>>()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
        });
        for (i, r) in parts.into_iter().flatten() {
            out[i] = Some(r);
        }
    }
    // What is left: everything on one core, or what a worker that panicked left undone.
    out.into_iter().enumerate().map(|(i, r)| r.unwrap_or_else(|| check_regex(jobs[i].1, jobs[i].0))).collect()
}

/// The longest run of a normalized phrase with no space or quote in it: raw text that contains
/// the phrase contains this run verbatim (up to ASCII case).
fn words_of(norm: &[u8]) -> impl Iterator<Item = &[u8]> {
    norm.split(|&b| b == b' ' || b == b'\'' || b == b'"').filter(|w| !w.is_empty())
}

/// Picks each contains phrase's anchor: of its words (runs without spaces or quotes, which raw
/// text holds verbatim), the longest one that at most four phrases share. Long words are rare
/// in prose; a word every phrase has ("comment") would send every line that holds it to
/// verification against all of them.
fn choose_anchors(contains: &[(u32, Vec<u8>)]) -> Vec<(u32, Vec<u8>)> {
    let mut freq: HashMap<&[u8], usize> = HashMap::new();
    for (_, norm) in contains {
        let mut seen: Vec<&[u8]> = words_of(norm).collect();
        seen.sort_unstable();
        seen.dedup();
        for w in seen {
            *freq.entry(w).or_insert(0) += 1;
        }
    }
    contains
        .iter()
        .map(|(index, norm)| {
            let best = words_of(norm)
                .min_by_key(|w| (freq.get(w).copied().unwrap_or(0) > 4, w.len() < 3, std::cmp::Reverse(w.len())))
                .unwrap_or(norm);
            (*index, best.to_vec())
        })
        .collect()
}

/// Whether characters beyond ASCII are alphanumeric, remembered: the Unicode tables take a few
/// hundred instructions a look-up, and the phrases of a language repeat their letters.
struct AlnumCache([(char, bool); 256]);

impl AlnumCache {
    fn new() -> Self {
        // ASCII is answered without the slots, so the NUL they start with is never read.
        AlnumCache([('\0', false); 256])
    }

    fn is_alphanumeric(&mut self, c: char) -> bool {
        if c.is_ascii() {
            return c.is_ascii_alphanumeric();
        }
        let slot = &mut self.0[c as usize & 0xFF];
        if slot.0 != c {
            *slot = (c, c.is_alphanumeric());
        }
        slot.1
    }
}

fn auto_id(pack: &str, raw: &RawRule, ids: &HashMap<String, usize>, alnum: &mut AlnumCache) -> String {
    let mut id = String::with_capacity(pack.len() + 48);
    id.push_str(pack);
    id.push('/');
    let start = id.len();
    // Characters of the slug, counted as they are pushed; a slug ends after 40.
    let mut chars = 0;
    let mut push = |id: &mut String, c: char| {
        if alnum.is_alphanumeric(c) {
            id.push(c);
            chars += 1;
        } else if id.len() > start && !id.ends_with('-') {
            id.push('-');
            chars += 1;
        }
        chars >= 40
    };
    for c in raw.phrase.chars() {
        // ASCII, most phrases, without the Unicode tables.
        let full = if c.is_ascii() {
            push(&mut id, if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { ' ' })
        } else {
            c.to_lowercase().any(|l| push(&mut id, l))
        };
        if full {
            break;
        }
    }
    while id.ends_with('-') {
        id.pop();
    }
    if id.len() == start {
        id.truncate(start - 1);
        id.push_str(&format!("/line-{}", raw.line));
    }
    // Taken (the same phrase, or one that slugs the same): the line number makes it unique,
    // unless that too is taken ("foo 5" at line 2 slugs as "foo" at line 5 does with its number).
    if ids.contains_key(&id) {
        id.push_str(&format!("-{}", raw.line));
        let base = id.len();
        let mut n = 2;
        while ids.contains_key(&id) {
            id.truncate(base);
            id.push_str(&format!("-{n}"));
            n += 1;
        }
    }
    id
}

fn build_ac<P: AsRef<[u8]>>(patterns: &[P], ascii_case_insensitive: bool) -> Result<Option<AhoCorasick>, String> {
    if patterns.is_empty() {
        return Ok(None);
    }
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::Standard)
        .ascii_case_insensitive(ascii_case_insensitive)
        .build(patterns)
        .map(Some)
        .map_err(|e| e.to_string())
}

pub(crate) type Set = Option<(RegexSet, Vec<u32>)>;

fn build_set((patterns, rules): (Vec<String>, Vec<u32>)) -> Result<Set, String> {
    if patterns.is_empty() {
        return Ok(None);
    }
    RegexSetBuilder::new(&patterns)
        .size_limit(256 << 20)
        .build()
        .map(|set| Some((set, rules)))
        .map_err(|e| e.to_string())
}

fn min_some(a: Option<usize>, b: Option<usize>) -> Option<usize> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// How many visible ASCII characters (`!` to `~`) `line` holds, counted only until the count
/// passes `cap`. Normalization keeps each of them as one byte and one character, so a line with
/// more than `cap` cannot match a rule whose matches have at most `cap` characters or bytes.
pub(crate) fn visible_ascii_upto(line: &[u8], cap: usize) -> usize {
    let mut count = 0;
    for chunk in line.chunks(64) {
        count += super::normalize::count_bytes(chunk, |b| b.wrapping_sub(b'!') < 94);
        if count > cap {
            break;
        }
    }
    count
}


#[cfg(test)]
mod tests {
    use super::{AlnumCache, Lits, visible_ascii_upto, with_prefix_rules};

    #[test]
    fn remembered_answers_are_the_unicode_tables_answers() {
        let mut cache = AlnumCache::new();
        // Characters that share a slot (the same low byte), asked in turns, and ASCII.
        let chars = ['\u{e9}', '\u{1e9}', '\u{2e9}', '\u{4e9}', '\u{30e9}', '\u{ff0c}', '\u{20c}', '\u{b0c}', '\0', 'a', '_', '9', '\u{100}'];
        for _ in 0..3 {
            for c in chars {
                assert_eq!(cache.is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
            }
        }
        for c in (0..0x3100).filter_map(char::from_u32) {
            assert_eq!(cache.is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn a_rule_without_an_id_is_named_after_its_pack_and_phrase() {
        let text = "pack p\n\
            drop line Leave a Reply!\n\
            drop line ** --\n\
            drop prefix İstanbul'da Ölçü: ÉTÉ 2024\n\
            drop line leave a reply\n\
            drop line Αφήστε μια απάντηση σχετικά με αυτό το άρθρο εδώ τώρα αμέσως\n";
        let set = crate::RuleSet::from_sources(&[("p.rules", text)]).expect("rules compile");
        let ids: Vec<&str> = set.rules().iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "p/leave-a-reply",
                "p/line-3",
                // İ lowercases to i and a combining dot, which is no letter.
                "p/i-stanbul-da-ölçü-été-2024",
                // The same slug again: the line tells them apart.
                "p/leave-a-reply-5",
                // Forty characters at most.
                "p/αφήστε-μια-απάντηση-σχετικά-με-αυτό-το-ά",
            ]
        );
    }

    #[test]
    fn phrases_added_settle_into_distinct_patterns_with_their_rules_in_order() {
        // Heads that tie in their first eight bytes, a phrase that is a prefix of another (and
        // one padded with a zero byte), and repeats.
        let adds: &[(&[u8], u32)] = &[
            (b"privacy policy", 7),
            (b"privacy", 3),
            (b"privacy policy", 2),
            (b"privacy\0", 9),
            (b"privacy policy", 5),
            (b"privacy policy", 7),
            (b"a", 1),
            (b"privacy pol", 4),
        ];
        let mut lits = Lits::default();
        for &(p, r) in adds {
            lits.add(p, r);
        }
        lits.settle();
        lits.settle();
        let got: Vec<(&[u8], &[u32])> = lits.patterns.iter().map(Vec::as_slice).zip(lits.rules.iter().map(Vec::as_slice)).collect();
        let want: Vec<(&[u8], &[u32])> = vec![
            (b"a", &[1]),
            (b"privacy", &[3]),
            (b"privacy\0", &[9]),
            (b"privacy pol", &[4]),
            (b"privacy policy", &[7, 2, 5]),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn each_pattern_gets_the_rules_of_every_pattern_it_begins_with() {
        // Every string over {a, b, c} of up to 4 letters whose index is not a multiple of 3,
        // in a scrambled order, each with its own rule.
        let mut all: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..4 {
            let longer: Vec<Vec<u8>> = all.iter().flat_map(|w| b"abc".iter().map(move |&c| [w.clone(), vec![c]].concat())).collect();
            all.extend(longer);
        }
        all.sort();
        all.dedup();
        let mut patterns: Vec<Vec<u8>> = all.into_iter().filter(|w| !w.is_empty()).enumerate().filter(|(i, _)| i % 3 != 0).map(|(_, w)| w).collect();
        let n = patterns.len();
        patterns = (0..n).map(|i| patterns[(i * 37) % n].clone()).collect();
        let rules: Vec<Vec<u32>> = (0..n as u32).map(|i| vec![i, 1000 + i % 5]).collect();
        let got = with_prefix_rules(&patterns, &rules);
        for (i, p) in patterns.iter().enumerate() {
            let mut want: Vec<u32> = (0..n).filter(|&j| p.starts_with(&patterns[j])).flat_map(|j| rules[j].clone()).collect();
            want.sort_unstable();
            want.dedup();
            assert_eq!(got[i], want, "{}", String::from_utf8_lossy(p));
        }
    }

    #[test]
    fn visible_characters_are_counted_exactly_up_to_the_cap() {
        let line: Vec<u8> = (0..1000u32).map(|i| [b'a', b' ', b'~', 0xE2, b'\t', b'!', 0x7F, b'Z'][(i * 7 % 8) as usize]).collect();
        for len in [0, 1, 63, 64, 65, 200, 1000] {
            let exact = line[..len].iter().filter(|b| (b'!'..=b'~').contains(b)).count();
            for cap in [0, 10, 64, 300, 5000] {
                let got = visible_ascii_upto(&line[..len], cap);
                if exact <= cap {
                    assert_eq!(got, exact, "len {len} cap {cap}");
                } else {
                    assert!(got > cap && got <= exact, "len {len} cap {cap}: {got} of {exact}");
                }
            }
        }
    }
}
