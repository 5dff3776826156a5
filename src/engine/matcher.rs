//! Matching one line against a compiled rule set.

use crate::rules::normalize::{char_count, normalize_into, normalized_len_at_least};
use crate::rules::{Action, RuleSet};

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
    norm: Vec<u8>,
    set_hits: Vec<bool>,
}

/// Classifies one line (terminator included or not; it makes no difference).
pub fn classify(rules: &RuleSet, line: &[u8], scratch: &mut Scratch) -> LineClass {
    let (blank, shape, bullet) = shape_of(line);
    if blank {
        return LineClass { blank, shape: false, bullet: false, hit: None };
    }
    LineClass { blank, shape, bullet, hit: best_hit(rules, line, scratch) }
}

/// Whether the line is blank, thread-shaped, bulleted.
pub fn shape_of(line: &[u8]) -> (bool, bool, bool) {
    let mut i = 0;
    while i < line.len() {
        match line[i] {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            0xC2 if line.get(i + 1) == Some(&0xA0) => i += 2,
            _ => break,
        }
    }
    if i == line.len() {
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

/// The highest-priority rule that matches: `cut` over `thread` over `drop`, then the earliest.
fn best_hit(rules: &RuleSet, line: &[u8], s: &mut Scratch) -> Option<(u32, Action)> {
    let mut best: Option<(u32, Action)> = None;
    for_each_hit(rules, line, s, |r| {
        let action = rules.rule(r).action;
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
/// Short lines (normalized length up to the rule set's `head_limit`) are normalized once and
/// tried against everything. For long lines only three things can match: prefix phrases (tried
/// on the first `prefix_max` normalized bytes), contains phrases without `max-chars` (tried only
/// when one of their anchors occurs in the raw bytes) and regexes that run on every line.
fn for_each_hit(rules: &RuleSet, line: &[u8], s: &mut Scratch, mut hit: impl FnMut(u32)) {
    let c = &rules.compiled;
    let mut consider = |r: u32, chars: usize| {
        if !rules.rule(r).max_chars.is_some_and(|n| chars > n) {
            hit(r);
        }
    };
    s.norm.clear();
    // A cheap lower bound on the normalized length spares long lines a normalization of
    // `head_limit` bytes that would only show they are long.
    let short = normalized_len_at_least(line, c.head_limit + 1).is_none()
        && normalize_into(line, &mut s.norm, c.head_limit);
    if short {
        let norm = &s.norm[..];
        let chars = char_count(norm);
        if (c.line_lens.0..=c.line_lens.1).contains(&norm.len()) {
            if let Some(rs) = c.line_map.get(norm) {
                for &r in rs {
                    consider(r, chars);
                }
            }
        }
        lit_hits(&c.prefixes, &norm[..norm.len().min(c.prefix_max)], true, |r| consider(r, chars));
        lit_hits(&c.contains, norm, false, |r| consider(r, chars));
        for set in [&c.bounded, &c.unbounded] {
            set_hits(set, norm, &mut s.set_hits, |r| consider(r, chars));
        }
        return;
    }
    // Long: every max-chars limit is exceeded (a character is at most 4 bytes).
    let chars = usize::MAX;
    if c.prefixes.ac.is_some() {
        if s.norm.len() <= c.prefix_max {
            s.norm.clear();
            normalize_into(line, &mut s.norm, c.prefix_max);
        }
        lit_hits(&c.prefixes, &s.norm[..s.norm.len().min(c.prefix_max)], true, |r| consider(r, chars));
    }
    let anchored = c.contains.ac.is_some() && c.anchors.as_ref().is_some_and(|a| a.is_match(line));
    if anchored || c.unbounded.is_some() {
        s.norm.clear();
        normalize_into(line, &mut s.norm, usize::MAX);
        if anchored {
            lit_hits(&c.contains, &s.norm, false, |r| consider(r, chars));
        }
        set_hits(&c.unbounded, &s.norm, &mut s.set_hits, |r| consider(r, chars));
    }
}

fn lit_hits(lits: &crate::rules::compile::Lits, hay: &[u8], at_start: bool, mut f: impl FnMut(u32)) {
    let Some(ac) = &lits.ac else { return };
    for m in ac.find_overlapping_iter(hay) {
        if !at_start || m.start() == 0 {
            for &r in &lits.rules[m.pattern().as_usize()] {
                f(r);
            }
        }
    }
}

fn set_hits(set: &crate::rules::compile::Set, hay: &[u8], scratch: &mut Vec<bool>, mut f: impl FnMut(u32)) {
    let Some((set, ids)) = set else { return };
    scratch.clear();
    scratch.resize(set.len(), false);
    if set.matches_read_at(scratch, hay, 0) {
        for (i, &hit) in scratch.iter().enumerate() {
            if hit {
                f(ids[i]);
            }
        }
    }
}
