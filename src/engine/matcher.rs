//! Matching one line against a compiled rule set.

use crate::rules::block::BlockFinder;
use crate::rules::compile::{AnchorTier, NARROW_LEAD, visible_ascii_upto};
use crate::rules::shape::in_byte_set;
use crate::rules::normalize::{Resume, char_count, normalize_more, normalized_len_at_least, plain_head, trim_end_white, white_at_end};
use crate::rules::line_regex::LineRegexCache;
use crate::rules::shape::SUFFIX_MAX;
use crate::rules::{Action, Mode, RuleSet};

/// What a line looks like and which rule, if any, hit it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LineClass {
    /// Only spaces, tabs, no-break spaces, `\r` (and the terminator).
    pub blank: bool,
    /// Indented (starts with a space, tab or no-break space) or bulleted: a possible thread line.
    pub shape: bool,
    /// Starts, after any indentation, with a bullet (`•`, `·`, `▪`, `◦`, `‣`, `●`, `- `, `* `, `– `).
    pub bullet: bool,
    /// The winning rule and its action.
    pub hit: Option<(u32, Action)>,
}

/// Per-thread scratch space, so matching allocates nothing per line.
#[derive(Debug, Default)]
pub struct Scratch {
    norm: Norm,
    set_hits: Vec<bool>,
    todo: Vec<u32>,
    /// Phrase rules gated by the text of a list item.
    listed: Vec<u32>,
    /// The current block of lines, ASCII-lowercased, for the packed block search.
    lower: Vec<u8>,
    /// Anchor words found in the current block of lines: (start offset, word id of a packed
    /// finder, or [`ANY_WORD`] when only the place is known), in order.
    anchor_at: Vec<(usize, u32)>,
    /// Next unconsumed entry of `anchor_at`.
    anchor_next: usize,
    /// Whether the line about to be classified holds an anchor word (`None`: unknown).
    anchor_hint: Option<bool>,
    /// The words of `anchor_at` in the line about to be classified.
    line_words: Vec<u32>,
    /// Anchor words found in a line the block search did not see.
    line_found: Vec<(usize, u32)>,
    /// This engine's caches for the rules' regexes, made on first use (see `LazyRegex`).
    /// Boxed: a cache takes most of a kilobyte, and every rule has a slot here.
    regex_caches: Vec<Option<Box<LineRegexCache>>>,
}

/// Stands for "some anchor word" in `Scratch::anchor_at`.
const ANY_WORD: u32 = u32::MAX;

impl Scratch {
    /// Finds the long and floating anchor words of the rule set in a block of whole lines at once
    /// (see `BlockFinder`: much faster than one search per line). Lines of the block must then be
    /// announced in order with [`Scratch::enter_line`].
    pub fn scan_anchors(&mut self, rules: &RuleSet, block: &[u8]) {
        self.anchor_at.clear();
        self.anchor_next = 0;
        match &rules.compiled.anchor_finder {
            None => {}
            Some(BlockFinder::Automaton(ac)) => self.anchor_at.extend(ac.find_iter(block).map(|m| (m.start(), ANY_WORD))),
            Some(BlockFinder::Packed(f)) => f.find(block, &mut self.lower, &mut self.anchor_at),
        }
    }

    /// Forgets the anchor hint: the next line classified is searched for anchors on its own.
    /// Every line that is not announced with [`Scratch::enter_line`] (the last line of a
    /// document without a terminator) must be preceded by this.
    pub fn forget_hint(&mut self) {
        self.anchor_hint = None;
    }

    /// The next line to classify spans `start..end` of the block given to
    /// [`Scratch::scan_anchors`].
    pub fn enter_line(&mut self, start: usize, end: usize) {
        while self.anchor_at.get(self.anchor_next).is_some_and(|a| a.0 < start) {
            self.anchor_next += 1;
        }
        self.line_words.clear();
        while let Some(&(at, word)) = self.anchor_at.get(self.anchor_next).filter(|a| a.0 < end) {
            debug_assert!(at >= start);
            self.line_words.push(word);
            self.anchor_next += 1;
        }
        self.anchor_hint = Some(!self.line_words.is_empty());
    }
}

/// The normalized form of the current line, computed lazily: a prefix long enough for the
/// checks so far, or the whole line.
#[derive(Debug, Default)]
struct Norm {
    buf: Vec<u8>,
    /// `buf` holds the whole normalized line.
    complete: bool,
    /// `buf` was computed for the current line.
    valid: bool,
    /// Where the normalization of a prefix stopped.
    resume: Resume,
    /// The line's visible ASCII characters, counted up to a cap: (count, cap), exact when
    /// `count <= cap`; `None` until counted for the current line.
    visible: Option<(usize, usize)>,
    /// Whether the line is all ASCII; `None` until asked for the current line.
    ascii: Option<bool>,
    /// The first bytes of the normalized line when they are the line's own, lowercased (see
    /// `normalize::plain_head`), and how many. The head automaton reads most lines there,
    /// without normalizing them into `buf`.
    head: [u8; 16],
    head_len: usize,
}

/// The list markers after which `line` and `prefix` phrases also match (see
/// `Norm::list_marker`), each with a space after it.
pub const LIST_MARKERS: [&str; 10] = ["* ", "- ", "+ ", "\u{2013} ", "\u{2022} ", "\u{b7} ", "\u{25aa} ", "\u{25e6} ", "\u{2023} ", "\u{25cf} "];

impl Norm {
    /// Makes ready for `line`: its plain head is read at once (almost every line's head is).
    fn reset(&mut self, line: &[u8]) {
        self.valid = false;
        self.visible = None;
        self.ascii = None;
        (self.head, self.head_len) = plain_head(line);
    }

    /// Whether the line is all ASCII (then no rule that needs a letter beyond ASCII matches it),
    /// asked once a line: several such rules often open on the same line (a number first).
    fn all_ascii(&mut self, line: &[u8]) -> bool {
        *self.ascii.get_or_insert_with(|| line.is_ascii())
    }

    /// Whether the normalized line starts with a byte of the set `bits` (see `shape::in_byte_set`).
    fn starts_with_one_of(&mut self, line: &[u8], bits: &[u64; 4]) -> bool {
        self.head_byte(line, 0, 1).is_some_and(|b| in_byte_set(bits, b))
    }

    /// Whether the line has more than `n` visible ASCII characters (so it cannot match a rule
    /// bounded by `n`). One count serves every bound up to the cap it was made with.
    fn visible_above(&mut self, line: &[u8], n: usize) -> bool {
        let (count, cap) = match self.visible {
            Some((count, cap)) if count <= cap || cap >= n => (count, cap),
            // Not counted yet, or counted only up to a smaller cap: count up to `n`.
            _ => (visible_ascii_upto(line, n), n),
        };
        self.visible = Some((count, cap));
        count > n
    }

    /// Makes sure `buf` holds the whole normalized line, or an exact prefix of it longer than
    /// `limit` bytes. Returns whether it holds the whole line. A prefix is extended where it
    /// stopped, not normalized again.
    fn ensure(&mut self, line: &[u8], limit: usize) -> bool {
        if !self.valid {
            self.buf.clear();
            self.resume = Resume::default();
            self.complete = false;
            self.valid = true;
        }
        if !self.complete && self.buf.len() <= limit {
            self.complete = normalize_more(line, &mut self.buf, 0, limit, &mut self.resume);
        }
        self.complete
    }

    /// The length of the list marker the normalized line begins with (`* `, `- `, `+ `, `– `,
    /// or `•`, `·`, `▪`, `◦`, `‣`, `●` and any space after it), or 0.
    fn list_marker(&mut self, line: &[u8]) -> usize {
        // The first five normalized bytes (most list items begin with a plain head: `- `).
        let mut first = [0u8; 5];
        for (k, b) in first.iter_mut().enumerate() {
            match self.head_byte(line, k, 5) {
                Some(x) => *b = x,
                None => break,
            }
        }
        let len = match first {
            [b'*' | b'-' | b'+', b' ', ..] => return 2,
            [0xE2, 0x80, 0x93, b' ', ..] => return 4,
            [0xE2, 0x80, 0xA2 | 0xA3, ..] | [0xE2, 0x96, 0xAA, ..] | [0xE2, 0x97, 0xA6 | 0x8F, ..] => 3,
            [0xC2, 0xB7, ..] => 2,
            _ => return 0,
        };
        len + usize::from(first[len] == b' ')
    }

    /// Byte `k` of the normalized line, if `k` is below `cap` and the line is that long. The
    /// line is normalized a little further than asked, sixteen bytes at a time.
    #[inline]
    fn head_byte(&mut self, line: &[u8], k: usize, cap: usize) -> Option<u8> {
        if k >= cap {
            return None;
        }
        if k < self.head_len {
            return Some(self.head[k]);
        }
        self.head_byte_beyond(line, k)
    }

    /// [`Norm::head_byte`] past the plain head: the normalized line.
    #[inline(never)]
    fn head_byte_beyond(&mut self, line: &[u8], k: usize) -> Option<u8> {
        if k >= self.buf.len() || !self.valid {
            self.ensure(line, k + 16);
        }
        self.buf.get(k).copied()
    }

    /// Whether the normalized line has at most `n` characters.
    fn at_most_chars(&mut self, line: &[u8], n: usize) -> bool {
        // Normalizing never adds characters (it trims, collapses white space and maps single
        // characters to single characters): a raw count within the bound settles it.
        if line.len() <= n || char_count(line) <= n {
            return true;
        }
        if normalized_len_at_least(line, 4 * n + 1).is_some() {
            return false;
        }
        self.ensure(line, 4 * n) && char_count(&self.buf) <= n
    }
}

/// Classifies one line (terminator included or not; it makes no difference).
///
/// `prose_words` is the count of prose words before the line: a rule with `after-words=N`
/// other than a `cut` matches only once it is N or more (a `cut` is told apart later, as it
/// still drops its own line before that).
pub fn classify(rules: &RuleSet, line: &[u8], scratch: &mut Scratch, prose_words: usize) -> LineClass {
    let (blank, shape, bullet) = shape_of(line);
    if blank {
        // The hint was for this line; the next one must not inherit it.
        scratch.anchor_hint = None;
        return LineClass { blank, shape: false, bullet: false, hit: None };
    }
    LineClass { blank, shape, bullet, hit: best_hit(rules, line, scratch, prose_words) }
}

/// Whether the line is blank (white space only, as normalization counts it), thread-shaped
/// (indented with spaces, tabs or no-break spaces, or bulleted), bulleted.
pub fn shape_of(line: &[u8]) -> (bool, bool, bool) {
    // Most lines begin with a visible ASCII byte that begins no bullet.
    if line.first().is_some_and(|&b| b > b' ' && b < 0x80 && b != b'-' && b != b'*') {
        return (false, false, false);
    }
    let mut i = 0;
    while i < line.len() {
        match line[i] {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            0xC2 if line.get(i + 1) == Some(&0xA0) => i += 2,
            _ => break,
        }
    }
    // Blank: white space as the rules' normalization takes it, which also counts the form feed,
    // the ideographic space, the zero-width space and the byte order mark, among others.
    if i == line.len() {
        return (true, false, false);
    }
    let other_white = match line[i] {
        0x0B | 0x0C => true,
        0xE1..=0xE3 | 0xEF => matches!(
            &line[i..],
            [0xE1, 0x9A, 0x80, ..] | [0xE2, 0x80, 0x80..=0x8B | 0xAF, ..] | [0xE2, 0x81, 0x9F, ..] | [0xE3, 0x80, 0x80, ..] | [0xEF, 0xBB, 0xBF, ..]
        ),
        _ => false,
    };
    if other_white && trim_end_white(&line[i..]).is_empty() {
        return (true, false, false);
    }
    let rest = &line[i..];
    const BULLETS: &[&[u8]] = &[
        "•".as_bytes(),
        "·".as_bytes(),
        "▪".as_bytes(),
        "◦".as_bytes(),
        "‣".as_bytes(),
        "●".as_bytes(),
        b"- ",
        b"* ",
        "– ".as_bytes(),
    ];
    let bullet = BULLETS.iter().any(|b| rest.starts_with(b));
    (false, i > 0 || bullet, bullet)
}

/// The highest-priority rule that matches: `cut` over `thread` over `footer` over `drop`, then
/// the earliest. A rule other than a `cut` whose `after-words` exceeds `prose_words` is passed
/// over.
fn best_hit(rules: &RuleSet, line: &[u8], s: &mut Scratch, prose_words: usize) -> Option<(u32, Action)> {
    let mut best: Option<(u32, Action)> = None;
    for_each_hit(rules, line, s, |r| {
        let rule = rules.rule(r);
        let action = rule.action;
        if action != Action::Cut && rule.after_words.is_some_and(|n| prose_words < n) {
            return;
        }
        let better = match best {
            None => true,
            Some((b, a)) => action > a || (action == a && r < b),
        };
        if better {
            best = Some((r, action));
        }
    });
    best
}

/// Every rule that matches the line (a rule may be reported more than once), for linting.
pub fn all_hits(rules: &RuleSet, line: &[u8], s: &mut Scratch, out: &mut Vec<u32>) {
    out.clear();
    for_each_hit(rules, line, s, |r| out.push(r));
    out.sort_unstable();
    out.dedup();
}

/// Calls `hit` with every rule that matches `line`.
///
/// Each rule is tried only when its gate opens (see `Compiled`): a leading literal in the first
/// normalized bytes of the line, an anchor word in its raw bytes, or a length short enough.
fn for_each_hit(rules: &RuleSet, line: &[u8], s: &mut Scratch, mut hit: impl FnMut(u32)) {
    let c = &rules.compiled;
    s.norm.reset(line);
    s.todo.clear();
    // Whether the line begins like a narrow anchor rule (see `Compiled::floating_tiers`).
    let mut narrow = false;
    if c.gate_len > 0 || !c.nonascii_gated.is_empty() || !c.nonascii_pairs.is_empty() {
        for &r in c.gate.longest_at_start(|k| s.norm.head_byte(line, k, c.gate_len)) {
            if r == NARROW_LEAD {
                narrow = true;
            } else {
                s.todo.push(r);
            }
        }
        let first = s.norm.head_byte(line, 0, 1);
        if let Some(b0) = first.filter(|&b| b >= 0x80) {
            s.todo.extend_from_slice(&c.nonascii_gated);
            if let Some(rules) = s.norm.head_byte(line, 1, 2).and_then(|b1| c.nonascii_pairs.get(&[b0, b1])) {
                s.todo.extend_from_slice(rules);
            }
        }
        // A list item (`* Privacy Policy`): `line` and `prefix` phrases also match its text.
        if first.is_some_and(|b| matches!(b, b'*' | b'-' | b'+' | 0xC2 | 0xE2)) {
            list_item_hits(rules, line, s, &mut hit);
        }
    }
    if !c.suffix.is_empty() {
        // The line's last bytes against the reversed endings, read backwards as normalization
        // would give them: ASCII lowercased, each run of white space one space.
        let tail = trim_end_white(line);
        let floor = tail.len().saturating_sub(4 * SUFFIX_MAX);
        let mut end = tail.len();
        let backwards = |k: usize| {
            if k >= c.suffix_len || end <= floor {
                return None;
            }
            let b = tail[end - 1];
            // Visible ASCII, or a byte no white space ends with: as it is.
            if (b > b' ' && b < 0x80) || white_at_end(&tail[..end]).is_none() {
                end -= 1;
                return Some(b.to_ascii_lowercase());
            }
            while let Some(n) = white_at_end(&tail[..end]) {
                end -= n;
            }
            Some(b' ')
        };
        s.todo.extend_from_slice(c.suffix.longest_at_start(backwards));
    }
    // The block scan (see `Scratch::scan_anchors`) tells whether the line holds a long or a
    // floating anchor at all, and the packed one which.
    let hint = s.anchor_hint.take();
    let known = match &c.anchor_finder {
        Some(BlockFinder::Packed(f)) => {
            if hint.is_none() {
                // A line the block search did not see: searched on its own.
                f.find(line, &mut s.lower, &mut s.line_found);
                s.line_words.clear();
                s.line_words.extend(s.line_found.iter().map(|a| a.1));
            }
            for &w in &s.line_words {
                s.todo.extend_from_slice(&f.words[w as usize].1);
            }
            true
        }
        _ => false,
    };
    // The anchors of narrow rules matter only in lines that begin like them; the floating ones
    // are searched for here only when the block search could not say which they are.
    if narrow || (c.narrow_first != [0; 4] && s.norm.starts_with_one_of(line, &c.narrow_first)) {
        search_tiers(&c.anchor_tiers, line, s);
    }
    if !known && hint != Some(false) {
        search_tiers(&c.floating_tiers, line, s);
    }
    if let Some(ac) = c.long_anchors.as_ref().filter(|_| !known && hint != Some(false)) {
        for m in ac.find_overlapping_iter(line) {
            s.todo.extend_from_slice(&c.long_targets[m.pattern().as_usize()]);
        }
    }
    if !s.todo.is_empty() {
        s.todo.sort_unstable();
        s.todo.dedup();
        for &r in &s.todo {
            if verify(rules, r, line, &mut s.norm, &mut s.regex_caches) {
                hit(r);
            }
        }
    }
    if !c.short.is_empty() && normalized_len_at_least(line, c.short_max + 1).is_none() {
        for &(r, max, ref first) in &c.short {
            if first.is_some_and(|f| !s.norm.starts_with_one_of(line, &f)) {
                continue;
            }
            if s.norm.ensure(line, max) && verify(rules, r, line, &mut s.norm, &mut s.regex_caches) {
                hit(r);
            }
        }
    }
    if let Some((set, ids)) = &c.unbounded {
        s.norm.ensure(line, usize::MAX);
        s.set_hits.clear();
        s.set_hits.resize(set.len(), false);
        if set.matches_read_at(&mut s.set_hits, &s.norm.buf, 0) {
            for (i, &h) in s.set_hits.iter().enumerate() {
                if h && max_chars_ok(rules, ids[i], line, &mut s.norm) {
                    hit(ids[i]);
                }
            }
        }
    }
}

/// Adds the rules of every anchor of `tiers` in `line` to the work list: the first tier whose
/// bound the line does not exceed holds every anchor that still matters for it.
fn search_tiers(tiers: &[AnchorTier], line: &[u8], s: &mut Scratch) {
    if let Some(last) = tiers.last() {
        // One count, up to the largest bound, serves every tier and most `max-chars` checks.
        s.norm.visible_above(line, last.max_visible);
        if let Some(tier) = tiers.iter().find(|t| !s.norm.visible_above(line, t.max_visible)) {
            let set = tier.ascii.as_ref().filter(|_| line.is_ascii()).unwrap_or(&tier.all);
            set.for_each_target(line, |rules| s.todo.extend_from_slice(rules));
        }
    }
}

fn max_chars_ok(rules: &RuleSet, r: u32, line: &[u8], norm: &mut Norm) -> bool {
    // Visible ASCII characters are counted fast and are a lower bound on the normalized count.
    rules.rule(r).max_chars.is_none_or(|n| !norm.visible_above(line, n) && norm.at_most_chars(line, n))
}

/// Calls `hit` with the `line` and `prefix` rules that match the text of the list item `line`
/// is, if it is one. Kept out of line: most lines are not.
#[inline(never)]
fn list_item_hits(rules: &RuleSet, line: &[u8], s: &mut Scratch, hit: &mut impl FnMut(u32)) {
    let marker = s.norm.list_marker(line);
    if marker == 0 {
        return;
    }
    let c = &rules.compiled;
    s.listed.clear();
    // The gate's `line` and `prefix` rules (its regexes must match the whole line).
    let opened = c.gate.longest_at_start(|k| s.norm.head_byte(line, marker + k, marker + c.gate_len));
    s.listed.extend(opened.iter().filter(|&&r| r != NARROW_LEAD && matches!(rules.rule(r).mode, Mode::Line | Mode::Prefix)));
    for &r in &s.listed {
        if verify_listed(rules, r, line, marker, &mut s.norm) {
            hit(r);
        }
    }
}

/// Whether `line` or `prefix` rule `r` matches the text of a list item, after its marker of
/// `marker` normalized bytes.
fn verify_listed(rules: &RuleSet, r: u32, line: &[u8], marker: usize, norm: &mut Norm) -> bool {
    max_chars_ok(rules, r, line, norm) && phrase_matches(rules.rule(r), line, marker, norm)
}

/// Whether the normalized line, from byte `from` on, equals (`line`) or starts with (`prefix`)
/// the rule's phrase; other modes never.
fn phrase_matches(rule: &crate::rules::Rule, line: &[u8], from: usize, norm: &mut Norm) -> bool {
    let complete = norm.ensure(line, from + rule.norm.len());
    let text = &norm.buf[from.min(norm.buf.len())..];
    match rule.mode {
        Mode::Line => complete && text == rule.norm.as_slice(),
        Mode::Prefix => text.starts_with(&rule.norm),
        _ => false,
    }
}

/// Whether rule `r` matches the line (its gate has opened).
fn verify(rules: &RuleSet, r: u32, line: &[u8], norm: &mut Norm, caches: &mut Vec<Option<Box<LineRegexCache>>>) -> bool {
    let rule = rules.rule(r);
    if rule.mode == Mode::Regex && rules.compiled.non_ascii[r as usize].is_some_and(|lead| norm.all_ascii(line) || !lead.in_line(line)) {
        return false;
    }
    if !max_chars_ok(rules, r, line, norm) {
        return false;
    }
    match rule.mode {
        Mode::Line | Mode::Prefix => phrase_matches(rule, line, 0, norm),
        Mode::Contains => {
            norm.ensure(line, usize::MAX);
            // Every `contains` rule has its searcher (see `Compiled::contains_finders`).
            rules.compiled.contains_finders[r as usize].as_ref().is_some_and(|f| f.find(&norm.buf).is_some())
        }
        // Context rules are not matched line by line (see engine::context).
        Mode::Context => false,
        Mode::Regex => {
            if rules.compiled.anchored_first[r as usize].is_some_and(|f| !norm.starts_with_one_of(line, &f)) {
                return false;
            }
            let Some(re) = rules.compiled.regexes[r as usize].get() else { return false };
            if !re.may_match_raw(line) {
                return false;
            }
            norm.ensure(line, usize::MAX);
            if caches.len() <= r as usize {
                caches.resize_with(rules.rules().len().max(r as usize + 1), || None);
            }
            let cache = caches[r as usize].get_or_insert_with(|| Box::new(re.create_cache()));
            re.is_match(cache, &norm.buf)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{BlockFinder, LIST_MARKERS, Norm, Scratch, all_hits};
    use crate::RuleSet;

    #[test]
    fn the_list_markers_named_are_those_the_matcher_reads() {
        let mut norm = Norm::default();
        for m in LIST_MARKERS {
            let line = format!("{m}Privacy Policy");
            norm.reset(line.as_bytes());
            assert_eq!(norm.list_marker(line.as_bytes()), m.len(), "{m:?}");
        }
        let line = b"~ Privacy Policy";
        norm.reset(line);
        assert_eq!(norm.list_marker(line), 0);
    }

    #[test]
    fn a_line_is_blank_indented_or_bulleted_by_its_first_characters_whatever_byte_it_begins_with() {
        // By definition: white space only as normalization counts it (blank), or past spaces,
        // tabs, line breaks and no-break spaces a bullet; indented or bulleted is a possible
        // thread line.
        let reference = |line: &[u8]| {
            let text = std::str::from_utf8(line).ok();
            let rest = text.map(|t| t.trim_start_matches([' ', '\t', '\r', '\n', '\u{a0}']));
            let blank = line.iter().all(|b| b" \t\r\n".contains(b))
                || text.is_some_and(|t| {
                    t.chars().all(|c| {
                        matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{b}' | '\u{c}' | '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200b}' | '\u{202f}' | '\u{205f}' | '\u{3000}' | '\u{feff}')
                    })
                });
            let bullet = ["•", "·", "▪", "◦", "‣", "●", "- ", "* ", "– "].iter().any(|b| rest.is_some_and(|r| r.starts_with(b)));
            let indented = rest.is_some_and(|r| r.len() < line.len());
            (blank, !blank && (indented || bullet), !blank && bullet)
        };
        let mut checked = 0;
        for first in 0u8..0x80 {
            for tail in ["", " ", "x", " x", "• a", "\u{a0}b"] {
                let mut line = vec![first];
                line.extend_from_slice(tail.as_bytes());
                assert_eq!(super::shape_of(&line), reference(&line), "{line:?}");
                checked += 1;
            }
        }
        for line in ["• a", "·b", "- x", "* y", "– z", "\u{a0}x", " \u{a0}", "\u{25aa} q", "\u{2013}x", "é", "\u{3000}", " \u{200b}\u{feff}", "\u{c}", "\u{3000}x", "\u{2003}\u{2003}", "\u{201c}"] {
            assert_eq!(super::shape_of(line.as_bytes()), reference(line.as_bytes()), "{line:?}");
        }
        assert!(checked > 700);
    }

    /// Compiles `rules`; the check it returns asserts that exactly the rules `want` hit a line.
    fn checker(rules: &str) -> impl FnMut(&str, &[u32]) {
        let set = RuleSet::from_sources(&[("t.rules", rules)]).expect("rules compile");
        let mut s = Scratch::default();
        let mut hits = Vec::new();
        move |line, want| {
            all_hits(&set, line.as_bytes(), &mut s, &mut hits);
            assert_eq!(hits, want, "{line:?}");
        }
    }

    #[test]
    fn every_anchor_in_a_short_line_opens_its_rules() {
        let rules = "drop[max-chars=80] contains photo\n\
                     drop[max-chars=80] contains photos\n\
                     drop[max-chars=80] contains xap\n\
                     drop[max-chars=80] contains фото\n";
        let mut check = checker(rules);
        // "photo" begins where the longer "photos" does.
        check("My PHOTOS", &[0, 1]);
        // "photos" begins inside "xap".
        check("xaphotos", &[0, 1, 2]);
        // A line with a non-ASCII letter is searched for every anchor, ASCII ones included.
        check("фото: xap", &[2, 3]);
        check("no anchor here", &[]);
    }

    /// A regex that begins with a Cyrillic letter is tried on lines that begin with that letter,
    /// in either case, and not on other lines of Cyrillic text.
    #[test]
    fn a_regex_starting_with_a_cyrillic_letter_opens_on_that_letter() {
        let rules = crate::RuleSet::from_sources(&[("t.rules", "drop regex ^Одна відповідь до .+$\n")]).expect("rules");
        assert!(!rules.compiled.nonascii_pairs.is_empty() && rules.compiled.nonascii_gated.is_empty());
        let mut s = Scratch::default();
        let mut hits = Vec::new();
        for (line, want) in [("Одна відповідь до «Літо»", true), ("одна відповідь до «Літо»", true), ("Інша відповідь до «Літо»", false)] {
            all_hits(&rules, line.as_bytes(), &mut s, &mut hits);
            assert_eq!(!hits.is_empty(), want, "{line}");
        }
    }

    #[test]
    fn an_ending_is_found_through_any_white_space_before_it() {
        let mut check = checker("drop[max-chars=100] regex ^(?:[*-]|[0-9]{1,4}\\.) .+? dit :$\n");
        for ws in [" ", "  ", "\t", "\u{a0}", "\u{202f}", " \u{a0} ", "\u{3000}"] {
            check(&format!("* Marie dit{ws}:"), &[0]);
            check(&format!("12. Marie{ws}dit{ws}:{ws}\r\n"), &[0]);
        }
        check("* Marie dit:", &[]);
        check("* Marie \u{e9}dit :", &[]);
        check("* Marie dit : oui", &[]);
    }

    /// A regex gated by an ending with letters of another script that have case opens on
    /// lines that end with those letters in any case, and only there.
    #[test]
    fn an_ending_with_cased_letters_of_another_script_is_found_in_any_case() {
        let mut check = checker("thread[max-chars=100] regex ^(?:[*+•·-]|[0-9]{1,4}\\.) .+? сказав:$\n");
        for line in ["* Марія сказав:", "- Марія СКАЗАВ:", "12. Марія сКаЗаВ: \r\n", "• Марія\u{a0}Сказав:"] {
            check(line, &[0]);
        }
        for line in ["Марія сказав:", "* Марія сказала:", "* Марія сказав: так", "* Марія казав:"] {
            check(line, &[]);
        }
    }

    #[test]
    fn line_and_prefix_phrases_match_the_text_of_a_list_item() {
        let rules = "drop line Privacy Policy\n\
                     drop prefix Share on\n\
                     drop contains sponsored\n\
                     drop regex ^terms$\n";
        let mut check = checker(rules);
        for marker in ["", "* ", "- ", "+ ", "\u{2013} ", "\u{2022}", "\u{2022} ", "\u{b7} ", "\u{25aa} ", "\u{25e6}", "\u{2023} ", "\u{25cf} "] {
            check(&format!("{marker}Privacy  Policy\r\n"), &[0]);
            check(&format!("  {marker}Share on X"), &[1]);
        }
        // The text must be all the item holds, or begin it; one marker only; not any character.
        check("* Privacy Policy and Terms", &[]);
        check("* * Privacy Policy", &[]);
        check("*Privacy Policy", &[]);
        check("o Privacy Policy", &[]);
        check("> Privacy Policy", &[]);
        check("- Our Share on the market", &[]);
        // Other modes see the line as it is.
        check("- sponsored", &[2]);
        check("- terms", &[]);
        check("terms", &[3]);
    }

    #[test]
    fn words_found_per_block_open_the_same_rules_as_a_search_per_line() {
        // Words that share windows, overlap, repeat, and stand at a line's edges.
        let rules = "drop[max-chars=80] contains reserved\n\
                     drop[max-chars=80] contains reservados\n\
                     drop[max-chars=80] contains riservati\n\
                     drop[max-chars=80] contains observed\n\
                     drop[max-chars=80] contains servati\n\
                     drop contains fenêtre)\n\
                     drop[max-chars=80] contains dit\n\
                     drop[max-chars=80] contains svar\n";
        let shipped = RuleSet::embedded().expect("shipped rules");
        let mine = RuleSet::from_sources(&[("t.rules", rules)]).expect("rules compile");
        let block = "All rights reserved.\nRISERVATI e reservados\nobserved, reserved, observed\n\
                     reservedreserved\nreserve d\n\u{2022} Jean dit :\n1 Comment\nOne reply to \u{201c}X\u{201d}\n\
                     (Ouvre dans une nouvelle fen\u{ea}tre)\nedit credit\nJane Doe/Shutterstock\n\
                     plain text without any of them\nservati\nEtt SVAR till\nsvarsvar\n";
        for set in [&shipped, &mine] {
            let mut per_block = Scratch::default();
            let mut per_line = Scratch::default();
            let (mut a, mut b) = (Vec::new(), Vec::new());
            per_block.scan_anchors(set, block.as_bytes());
            let mut at = 0;
            for line in block.split_inclusive('\n') {
                per_block.enter_line(at, at + line.len());
                at += line.len();
                all_hits(set, line.as_bytes(), &mut per_block, &mut a);
                per_line.forget_hint();
                all_hits(set, line.as_bytes(), &mut per_line, &mut b);
                assert_eq!(a, b, "{line:?}");
            }
        }
        let mut s = Scratch::default();
        let mut hits = Vec::new();
        s.scan_anchors(&mine, b"observed, reserved\n");
        s.enter_line(0, 19);
        all_hits(&mine, b"observed, reserved\n", &mut s, &mut hits);
        assert_eq!(hits, [0, 3], "reserved and observed, each found once its window turns up");
    }

    #[test]
    fn a_block_is_searched_in_pieces_without_missing_a_word_across_their_seams() {
        let rules = "drop contains reserved\ndrop contains subscribers\ndrop[max-chars=40] contains dit\n";
        let set = RuleSet::from_sources(&[("t.rules", rules)]).expect("rules compile");
        let Some(BlockFinder::Packed(f)) = &set.compiled.anchor_finder else { return };
        let (mut lower, mut found) = (Vec::new(), Vec::new());
        // A word at every place around the first seam.
        for at in (256 << 10) - 24..(256 << 10) + 4 {
            let mut block = vec![b'x'; 300 << 10];
            block[at..at + 11].copy_from_slice(b"SUBSCRIBERS");
            f.find(&block, &mut lower, &mut found);
            assert_eq!(found.iter().map(|w| w.0).collect::<Vec<_>>(), [at], "word at {at}");
        }
        // One long line with a word every 9,973 bytes, and short lines after it.
        let mut block = Vec::new();
        while block.len() < 3 * (256 << 10) {
            block.extend(std::iter::repeat_n(b'x', 9973 - 11));
            block.extend_from_slice(b"Subscribers");
        }
        block.extend_from_slice(b"\nall rights RESERVED\nedit\n");
        f.find(&block, &mut lower, &mut found);
        let at: Vec<usize> = found.iter().map(|w| w.0).collect();
        let low = block.to_ascii_lowercase();
        let mut want: Vec<usize> =
            ["subscribers", "reserved", "dit"].iter().flat_map(|w| memchr::memmem::find_iter(&low, w.as_bytes())).collect();
        want.sort_unstable();
        assert_eq!(want.len(), 79 + 2);
        assert_eq!(at, want);
        assert!(lower.len() <= 256 << 10, "the lowercased copy stays one piece long");
    }

    #[test]
    fn with_many_short_words_the_block_search_falls_back_to_an_automaton() {
        let rules = "drop[max-chars=40] contains ab\ndrop[max-chars=40] contains cd\ndrop[max-chars=40] contains ef\n\
                     drop[max-chars=40] contains gh\ndrop[max-chars=40] contains ij\ndrop contains klmnop\n";
        let set = RuleSet::from_sources(&[("t.rules", rules)]).expect("rules compile");
        assert!(matches!(set.compiled.anchor_finder, Some(BlockFinder::Automaton(_))));
        let block = "AB cd\nnothing\nxklmnopx and ij\nshort gh\n";
        let (mut per_block, mut per_line) = (Scratch::default(), Scratch::default());
        let (mut a, mut b) = (Vec::new(), Vec::new());
        per_block.scan_anchors(&set, block.as_bytes());
        let mut at = 0;
        let mut all = Vec::new();
        for line in block.split_inclusive('\n') {
            per_block.enter_line(at, at + line.len());
            at += line.len();
            all_hits(&set, line.as_bytes(), &mut per_block, &mut a);
            per_line.forget_hint();
            all_hits(&set, line.as_bytes(), &mut per_line, &mut b);
            assert_eq!(a, b, "{line:?}");
            all.push(a.clone());
        }
        assert_eq!(all, [vec![0, 1], vec![], vec![4, 5], vec![3]]);
    }

}
