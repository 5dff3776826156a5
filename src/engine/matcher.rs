//! Matching one line against a compiled rule set.

use crate::rules::normalize::{char_count, normalize_into};
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
fn for_each_hit(rules: &RuleSet, line: &[u8], s: &mut Scratch, mut hit: impl FnMut(u32)) {
    let c = &rules.compiled;
    let mut consider = |r: u32, chars: usize| {
        if !rules.rule(r).max_chars.is_some_and(|n| chars > n) {
            hit(r);
        }
    };
    s.norm.clear();
    let mut short = normalize_into(line, &mut s.norm, c.head_limit);
    // `full`: s.norm holds the whole normalized line (short lines always do).
    let mut full = short;
    if !short
        && (c.unbounded.is_some() || c.anchors.as_ref().is_some_and(|a| a.is_match(line)))
    {
        s.norm.clear();
        normalize_into(line, &mut s.norm, usize::MAX);
        full = true;
        short = false;
    }
    let norm = &s.norm[..];
    // Lines longer than head_limit bytes exceed every max-chars limit.
    let chars = if short { char_count(norm) } else { usize::MAX };
    if short {
        if let Some(rs) = c.line_map.get(norm) {
            for &r in rs {
                consider(r, chars);
            }
        }
    }
    if let Some(ac) = &c.lits {
        for m in ac.find_overlapping_iter(norm) {
            for &r in &c.lit_rules[m.pattern().as_usize()] {
                let ok = match rules.rule(r).mode {
                    Mode::Prefix => m.start() == 0,
                    // A contains match in a head is a match in the line: the head is a prefix.
                    _ => true,
                };
                if ok {
                    consider(r, chars);
                }
            }
        }
    }
    let sets = [(c.bounded.as_ref(), short), (c.unbounded.as_ref(), full)];
    for (set, run) in sets {
        let Some((set, ids)) = set.filter(|_| run) else { continue };
        s.set_hits.clear();
        s.set_hits.resize(set.len(), false);
        if set.matches_read_at(&mut s.set_hits, norm, 0) {
            for (i, &hit) in s.set_hits.iter().enumerate() {
                if hit {
                    consider(ids[i], chars);
                }
            }
        }
    }
}
