//! Soft findings about a rule set (for `chaff check`) and the rule-example runner (for
//! `chaff test`).

use std::collections::HashMap;
use std::path::Path;

use super::error::RuleError;
use super::syntax::{Mode};
use super::line_regex::nfa_states;
use super::{Rule, RuleSet};
use crate::engine::matcher::{Scratch, all_hits, classify};
use crate::engine::{Engine, Options};
use crate::output::RecordSink;

/// The shipped prose sample: article text with no chrome in it. A rule that matches a line of
/// it would drop article text, so `check` warns about it.
pub const PROSE_SAMPLE: (&str, &str) = ("rules/prose-sample.txt", include_str!("../../rules/prose-sample.txt"));

fn at(rule: &Rule, col: usize, width: usize) -> RuleError {
    RuleError::new(&rule.path, rule.line, &rule.source_line, col, width).warning()
}

/// What `visitor` finds in the syntax tree of `regex`; nothing if the regex does not parse.
fn visit_regex<V: regex_syntax::ast::Visitor<Err = ()>>(regex: &str, visitor: V) -> V::Output
where
    V::Output: Default,
{
    regex_syntax::ast::parse::Parser::new().parse(regex).ok().and_then(|ast| regex_syntax::ast::visit(&ast, visitor).ok()).unwrap_or_default()
}

/// Byte offsets of the flag groups that turn `i` off (`(?-i)`, `(?s-i:…)`); none if the regex
/// does not parse.
fn case_sensitive_groups(regex: &str) -> Vec<(usize, usize)> {
    use regex_syntax::ast::{Ast, Flag, Flags, FlagsItemKind, GroupKind, Visitor};
    fn turns_i_off(flags: &Flags) -> bool {
        let mut negated = false;
        flags.items.iter().any(|item| match item.kind {
            FlagsItemKind::Negation => {
                negated = true;
                false
            }
            FlagsItemKind::Flag(Flag::CaseInsensitive) => negated,
            FlagsItemKind::Flag(_) => false,
        })
    }
    // The byte span of each flag group's flags (`-i` in `(?-i)`, `x-i` in `(?x-i:…)`).
    struct Off(Vec<(usize, usize)>);
    impl Visitor for Off {
        type Output = Vec<(usize, usize)>;
        type Err = ();
        fn finish(self) -> Result<Vec<(usize, usize)>, ()> {
            Ok(self.0)
        }
        fn visit_pre(&mut self, ast: &Ast) -> Result<(), ()> {
            match ast {
                Ast::Flags(set) if turns_i_off(&set.flags) => self.0.push((set.flags.span.start.offset, set.flags.span.end.offset)),
                Ast::Group(g) => {
                    if let GroupKind::NonCapturing(f) = &g.kind {
                        if turns_i_off(f) {
                            self.0.push((f.span.start.offset, f.span.end.offset));
                        }
                    }
                }
                _ => {}
            }
            Ok(())
        }
    }
    visit_regex(regex, Off(Vec::new()))
}

fn phrase_at(rule: &Rule) -> RuleError {
    at(rule, rule.phrase_col, rule.phrase.chars().count())
}

/// The error for a regex the regex crate refuses to compile (too big, say), at its phrase.
pub(crate) fn regex_error(rule: &Rule, reason: &str) -> RuleError {
    phrase_at(rule).msg(format!("invalid regex: {reason}")).hint("simplify the regex").into_error()
}

/// Warnings about `set`: repeated and covered rules, regexes that run on every line, regex
/// rules without examples, and rules that match a line of the prose samples (`(name, text)`).
pub fn lint(set: &RuleSet, prose: &[(&str, &str)]) -> Vec<RuleError> {
    let mut out = Vec::new();
    let rules = set.rules();
    // Regexes the regex crate refuses (cleaning compiles them lazily; here all are compiled).
    for (r, reason) in set.compiled.regex_errors() {
        out.push(regex_error(set.rule(r), &reason));
    }
    // Rule files with no rules (empty, or comments only): a file given by mistake, or cut short.
    for p in set.packs().iter().filter(|p| p.rules == 0) {
        out.push(
            RuleError::new(&p.path, 1, "", 1, 1)
                .warning()
                .msg("rule file holds no rules")
                .hint("add rules (`drop line TEXT`, see docs/RULES.md), or leave the file out"),
        );
    }
    let shipped: Vec<&str> = set.packs().iter().filter(|p| p.embedded).map(|p| p.name.as_str()).collect();
    // Repeated rules: same mode and same normalized phrase (or same regex, or same context rule).
    let mut seen: HashMap<(Mode, &[u8]), usize> = HashMap::new();
    for (i, r) in rules.iter().enumerate() {
        let key: &[u8] = if matches!(r.mode, Mode::Regex | Mode::Context) { r.phrase.as_bytes() } else { &r.norm };
        let Some(&j) = seen.get(&(r.mode, key)) else {
            seen.insert((r.mode, key), i);
            continue;
        };
        let o = &rules[j];
        let found = if r.mode == Mode::Context {
            // Only the first context rule of a kind is used (see `compile`).
            phrase_at(r)
                .msg(format!("this `{}` rule is not used: the one at {} is", r.phrase, o.location()))
                .hint(format!("to use this one's options instead, leave out the other's pack (`--disable {}`) or edit that rule", o.pack))
        } else if o.action != r.action {
            let (won, lost) = if o.action > r.action { (o, r) } else { (r, o) };
            let acts = format!("where both match, the `{}` rule acts (`cut` outranks `thread`, `footer` and `drop`)", won.action.keyword());
            let same = (o.max_chars, o.after_words) == (r.max_chars, r.after_words);
            let (what, hint) = if !same {
                ("has the same phrase as", format!("{acts}; their options differ, so each may match lines the other does not"))
            } else if shipped.contains(&lost.pack.as_str()) {
                ("matches the same lines as", format!("{acts}, so the shipped one never does"))
            } else {
                ("matches the same lines as", format!("{acts}: remove the `{}` one", lost.action.keyword()))
            };
            phrase_at(r).msg(format!("rule {what} the {} {} rule at {}", o.action.keyword(), o.mode.keyword(), o.location())).hint(hint)
        } else if (o.max_chars, o.after_words) == (r.max_chars, r.after_words) {
            phrase_at(r)
                .msg(format!("rule repeats the {} rule at {}", r.mode.keyword(), o.location()))
                .hint("remove one of them: they match the same lines")
        } else {
            phrase_at(r)
                .msg(format!("rule repeats the {} rule at {}, with other options", r.mode.keyword(), o.location()))
                .hint("where both apply they do the same: merge them into one rule")
        };
        out.push(found);
    }
    // Rules whose every line another rule already drops: a whole-line rule whose phrase another
    // rule matches, a prefix rule whose phrase begins with another prefix rule's or holds a
    // contains rule's, a contains rule whose phrase holds another's. The other must act as
    // much: an action that outranks or equals this one, a `max-chars` at least as large, an
    // `after-words` no larger.
    let mut scratch = Scratch::default();
    let mut hits = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        let covers: &[Mode] = match r.mode {
            Mode::Line => &[Mode::Prefix, Mode::Contains, Mode::Regex],
            Mode::Prefix => &[Mode::Prefix, Mode::Contains],
            Mode::Contains => &[Mode::Contains],
            Mode::Regex | Mode::Context => continue,
        };
        all_hits(set, r.phrase.as_bytes(), &mut scratch, &mut hits);
        // Line and prefix phrases also match a list item's text, after any marker: the other
        // rule must too.
        if matches!(r.mode, Mode::Line | Mode::Prefix) {
            let mut item_hits = Vec::new();
            for marker in crate::engine::matcher::LIST_MARKERS {
                all_hits(set, format!("{marker}{}", r.phrase).as_bytes(), &mut scratch, &mut item_hits);
                hits.retain(|j| item_hits.contains(j));
            }
        }
        let wider = |o: &Rule| {
            o.action >= r.action
                && covers.contains(&o.mode)
                && (r.mode == Mode::Line || o.max_chars.is_none_or(|n| r.max_chars.is_some_and(|m| m <= n)))
                && o.after_words.is_none_or(|n| r.after_words.is_some_and(|m| m >= n))
                // (The same phrase in the same mode is a repeat, reported above.)
                && (o.mode, &o.norm) != (r.mode, &r.norm)
        };
        // A shipped rule covered by a rule of the files given is left out: it is not theirs to
        // change.
        let own = |o: &Rule| !shipped.contains(&r.pack.as_str()) || shipped.contains(&o.pack.as_str());
        if let Some(o) = hits.iter().map(|&j| &rules[j as usize]).find(|o| !std::ptr::eq(*o, &rules[i]) && wider(o) && own(o)) {
            let what = if r.mode == Mode::Line { "this line" } else { "every line this rule matches" };
            let pack = if o.pack == r.pack { String::new() } else { format!(" (pack `{}`)", o.pack) };
            out.push(
                phrase_at(r)
                    .msg(format!("{what} is already dropped by the {} rule at {}{pack}", o.mode.keyword(), o.location()))
                    .hint("remove this rule, or narrow the other one"),
            );
        }
    }
    // One ASCII word anywhere in a line, or at its start, with no bound on the line's length:
    // whatever prose sample there is, article lines hold such words.
    for r in rules.iter().filter(|r| matches!(r.mode, Mode::Prefix | Mode::Contains) && r.max_chars.is_none()) {
        let one_word = !r.norm.is_empty() && r.norm.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'\'');
        if one_word {
            let what = if r.mode == Mode::Contains {
                "drops every line that holds it"
            } else {
                "drops every line that begins with it, or with a longer word that begins so"
            };
            out.push(
                phrase_at(r)
                    .msg(format!("a {} rule on one word {what}, article lines included", r.mode.keyword()))
                    .hint("name more of the phrase, match the whole line, or add `max-chars`"),
            );
        }
    }
    // Literal rules whose `max-chars` is shorter than their own phrase.
    for r in rules.iter().filter(|r| matches!(r.mode, Mode::Line | Mode::Prefix | Mode::Contains)) {
        let chars = String::from_utf8_lossy(&r.norm).chars().count();
        if let Some(n) = r.max_chars.filter(|&n| n < chars) {
            // The option itself (`max-chars=N`, maybe `max-chars = N`), not the same letters in
            // an id: its column and its width up to the number's last digit.
            let line = r.source_line.as_str();
            let (col, width) = line
                .match_indices("max-chars")
                .filter(|&(b, _)| line[..b].trim_end().ends_with(['[', ',']))
                .find_map(|(b, _)| {
                    let value = line[b + "max-chars".len()..].trim_start().strip_prefix('=')?.trim_start();
                    let value = value.strip_prefix('+').unwrap_or(value);
                    let end = line.len() - value.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                    Some((line[..b].chars().count() + 1, line[b..end].chars().count()))
                })
                .unwrap_or((1, 1));
            out.push(
                at(r, col, width)
                    .msg(format!("`max-chars={n}` is shorter than the phrase ({chars} characters): the rule never matches"))
                    .hint(format!("raise it to {chars} or more, or shorten the phrase")),
            );
        }
    }
    // Regexes that need text a normalized line never holds.
    for r in rules.iter().filter(|r| r.mode == Mode::Regex) {
        for (offset, len, why) in unmatchable_parts(&r.phrase) {
            let col = r.phrase_col + r.phrase[..offset].chars().count();
            out.push(
                at(r, col, r.phrase[offset..offset + len].chars().count())
                    .msg(format!("{why}: this part of the regex never matches"))
                    .hint("rules match the normalized line: white space trimmed and each run of it one space, curly quotes straight (see docs/RULES.md)"),
            );
        }
    }
    // Regexes that cannot be limited to short lines run on every line.
    if let Some((_, ids)) = &set.compiled.unbounded {
        for &r in ids {
            let r = set.rule(r);
            out.push(
                phrase_at(r)
                    .msg("this regex runs on every line: each line is normalized in full and searched")
                    .hint("anchor it with `^…$` and bound its length, or add `max-chars=N`, so that only short lines are tried"),
            );
        }
    }
    // `\d`: every script's digits, slow to compile.
    for r in rules.iter().filter(|r| r.mode == Mode::Regex) {
        for offset in unicode_digit_classes(&r.phrase) {
            let col = r.phrase_col + r.phrase[..offset].chars().count();
            let class = &r.phrase[offset..offset + 2];
            out.push(
                at(r, col, 2)
                    .msg(format!("`{class}` matches the digits of every script (some 680 characters): the regex is several times slower to compile"))
                    .hint("for ASCII digits write `[0-9]` (`0-9` inside a class, `[^0-9]` for `\\D`)"),
            );
        }
    }
    // Regexes with a large automaton: slow to compile (on first use, while cleaning) and to match.
    for (i, r) in rules.iter().enumerate().filter(|(_, r)| r.mode == Mode::Regex) {
        let compiled = set.compiled.regexes.get(i).and_then(|re| re.get());
        let Some(states) = compiled.map(|re| re.nfa_states()).filter(|&n| n > MAX_NFA_STATES) else { continue };
        let slow = "it is slow to compile, on first use while cleaning, and to match";
        let finding = match costly_repetition(&r.phrase, states) {
            Some(rep) => {
                let col = r.phrase_col + r.phrase[..rep.offset].chars().count();
                let hint = if rep.exact {
                    format!("it compiles what it repeats {} times, and a class such as `\\w` or `\\p{{L}}` is large (some 300 states): repeat a smaller class", rep.count)
                } else {
                    "it compiles what it repeats once per count, and a class such as `\\w` or `\\p{L}` is large (some 300 states): write `+` or `*` and bound the line with `max-chars=N`, or repeat a smaller class".to_string()
                };
                at(r, col, r.phrase[rep.offset..rep.offset + rep.len].chars().count())
                    .msg(format!("the regex compiles to {states} automaton states (more than {MAX_NFA_STATES}), {} of them for this repetition: {slow}", rep.states))
                    .hint(hint)
            }
            None => phrase_at(r)
                .msg(format!("the regex compiles to {states} automaton states (more than {MAX_NFA_STATES}): {slow}"))
                .hint("each class such as `\\w` or `\\p{L}` adds some 300 states, and each copy of one as many again: use smaller classes (`[a-z]`, `[^ ]`) or fewer of them"),
        };
        out.push(finding);
    }
    // `(?-i)`: case-sensitive matching of lines whose ASCII letters are lowercased.
    for r in rules.iter().filter(|r| r.mode == Mode::Regex) {
        for (start, end) in case_sensitive_groups(&r.phrase) {
            let col = r.phrase_col + r.phrase[..start].chars().count();
            out.push(
                at(r, col, r.phrase[start..end].chars().count().max(1))
                    .msg("this turns off case-insensitive matching, but rules see each line with its ASCII letters lowercased: an uppercase ASCII letter here never matches")
                    .hint("leave out `-i`: matching ignores ASCII case anyway"),
            );
        }
    }
    // Examples under context rules, which are not run.
    for r in rules.iter().filter(|r| r.mode == Mode::Context) {
        if let Some(ex) = r.examples.first() {
            let col = super::syntax::col_of(&ex.source_line, ex.source_line.len() - ex.source_line.trim_start().len());
            out.push(
                RuleError::new(&r.path, ex.line, &ex.source_line, col, ex.source_line.trim().chars().count())
                    .warning()
                    .msg("`drop:` and `keep:` examples under a context rule are not run: a context rule judges a line by the lines around it")
                    .hint("write a page example instead (`page:` and `kept:` blocks, see docs/RULES.md)"),
            );
        }
    }
    // Regex rules need examples both ways (literal rules have their phrase as a drop example).
    for r in rules.iter().filter(|r| r.mode == Mode::Regex) {
        for (keep, word) in [(false, "drop"), (true, "keep")] {
            if !r.examples.iter().any(|e| e.keep == keep) {
                out.push(
                    at(r, 1, r.action.keyword().len())
                        .msg(format!("regex rule has no `{word}:` example"))
                        .hint(format!("add an indented `{word}: …` line under the rule")),
                );
            }
        }
    }
    // Anchor words too short for a window of the packed block search: past a few of them, the
    // whole search falls back to an automaton over every byte (about half the speed).
    if set.block_search_fell_back() {
        let short: Vec<(String, Vec<u32>)> = set
            .anchor_words()
            .into_iter()
            .filter(|(w, _, every_line)| *every_line && w.len() < super::block::SHORTEST_WINDOW)
            .map(|(w, rs, _)| (w, rs))
            .collect();
        // (A machine without SIMD falls back whatever the words: no warning for that.)
        let short = if short.len() > super::block::SHORT_WORDS { short } else { Vec::new() };
        let mut by_rule: Vec<(u32, Vec<&str>)> = Vec::new();
        for (w, rs) in &short {
            // A narrow rule sharing the word is not the cause: the others make it every line's.
            for &r in rs.iter().filter(|r| !set.compiled.narrow.contains(r)) {
                match by_rule.iter_mut().find(|e| e.0 == r) {
                    Some(e) => e.1.push(w),
                    None => by_rule.push((r, vec![w])),
                }
            }
        }
        for (r, words) in by_rule {
            let shown = words.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(", ");
            out.push(phrase_at(set.rule(r)).msg(format!(
                "its anchor words {shown} are looked for in every line and are shorter than {} bytes: with {} such words in the rule set (more than {}), the block search is an automaton over every byte instead of the packed search, and cleaning runs at about half the speed",
                super::block::SHORTEST_WINDOW,
                short.len(),
                super::block::SHORT_WORDS
            ))
            .hint("begin the regex with fixed text (found by the leading-text gate) or with a digit (its words are then looked for only in lines that begin like it), or make every match hold a longer word"));
        }
    }
    // Rules that hit article prose: one warning a rule, with its first hit and the count.
    let mut prose_hits: Vec<(u32, usize, String)> = Vec::new();
    for (name, text) in prose {
        for (n, line) in text.lines().enumerate() {
            all_hits(set, line.as_bytes(), &mut scratch, &mut hits);
            for &r in &hits {
                match prose_hits.iter_mut().find(|h| h.0 == r) {
                    Some(h) => h.1 += 1,
                    None => {
                        let shown: String = line.chars().take(80).collect();
                        prose_hits.push((r, 1, format!("{name}:{}: `{shown}`", n + 1)));
                    }
                }
            }
        }
    }
    for (r, count, first) in prose_hits {
        let more = if count > 1 { format!(" (and {} more lines)", count - 1) } else { String::new() };
        out.push(
            phrase_at(set.rule(r))
                .msg(format!("rule matches article prose at {first}{more}"))
                .hint("narrow the rule (whole line, `max-chars`, anchors) so it cannot drop article text"),
        );
    }
    out.sort_by(|a, b| (&a.path, a.line, a.col).cmp(&(&b.path, b.line, b.col)));
    out
}

/// Parts of a regex that a normalized line can never hold, with their byte offset and length
/// and why: a character normalization replaces (white space other than a space, curly
/// quotes), two pieces of white space in a row, or white space at the start or end of the
/// line. None if the regex does not parse.
fn unmatchable_parts(regex: &str) -> Vec<(usize, usize, &'static str)> {
    use regex_syntax::ast::{
        Ast, AssertionKind, ClassAsciiKind, ClassBracketed, ClassPerlKind, ClassSet, ClassSetItem, RepetitionKind, RepetitionRange, Visitor,
    };
    const TWO: &str = "a normalized line never holds two pieces of white space in a row";
    /// Why a normalized line never holds character `c`, if it never does.
    fn replaced(c: char) -> Option<&'static str> {
        match c {
            '\t' | '\r' | '\n' | '\u{b}' | '\u{c}' | '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200b}' | '\u{202f}' | '\u{205f}' | '\u{3000}' | '\u{feff}' => {
                Some("white space other than a space becomes a space in a normalized line")
            }
            '‘' | '’' | '‚' | '‛' | '′' | '“' | '”' | '„' | '‟' | '″' | '«' | '»' => Some("curly, low and angle quotes become straight ones in a normalized line"),
            _ => None,
        }
    }
    /// The items of a bracketed class that is not negated, unions flattened; `None` for other
    /// classes (negated, or with set operations).
    fn items(class: &ClassBracketed) -> Option<Vec<&ClassSetItem>> {
        fn flat<'a>(item: &'a ClassSetItem, out: &mut Vec<&'a ClassSetItem>) {
            match item {
                ClassSetItem::Union(u) => u.items.iter().for_each(|i| flat(i, out)),
                other => out.push(other),
            }
        }
        let ClassSet::Item(item) = &class.kind else { return None };
        let mut out = Vec::new();
        flat(item, &mut out);
        (!class.negated).then_some(out)
    }
    /// The least number of times a repetition matches.
    fn least(kind: &RepetitionKind) -> u32 {
        match kind {
            RepetitionKind::ZeroOrOne | RepetitionKind::ZeroOrMore => 0,
            RepetitionKind::OneOrMore => 1,
            RepetitionKind::Range(RepetitionRange::Exactly(n) | RepetitionRange::AtLeast(n) | RepetitionRange::Bounded(n, _)) => *n,
        }
    }
    /// Whether `ast` matches only white space, at least one character of it.
    fn white(ast: &Ast) -> bool {
        let white_item = |item: &ClassSetItem| match item {
            ClassSetItem::Literal(l) => l.c == ' ' || replaced(l.c).is_some_and(|_| l.c.is_whitespace()),
            ClassSetItem::Perl(p) => p.kind == ClassPerlKind::Space && !p.negated,
            ClassSetItem::Ascii(a) => matches!(a.kind, ClassAsciiKind::Space | ClassAsciiKind::Blank) && !a.negated,
            _ => false,
        };
        match ast {
            Ast::Literal(l) => l.c == ' ',
            Ast::ClassPerl(p) => p.kind == ClassPerlKind::Space && !p.negated,
            Ast::ClassBracketed(c) => items(c).is_some_and(|items| !items.is_empty() && items.into_iter().all(white_item)),
            Ast::Repetition(r) => least(&r.op.kind) > 0 && white(&r.ast),
            Ast::Group(g) => white(&g.ast),
            _ => false,
        }
    }
    fn is_start(ast: &Ast) -> bool {
        matches!(ast, Ast::Assertion(a) if matches!(a.kind, AssertionKind::StartLine | AssertionKind::StartText))
    }
    fn is_end(ast: &Ast) -> bool {
        matches!(ast, Ast::Assertion(a) if matches!(a.kind, AssertionKind::EndLine | AssertionKind::EndText))
    }
    struct Parts(Vec<(usize, usize, &'static str)>);
    impl Visitor for Parts {
        type Output = Vec<(usize, usize, &'static str)>;
        type Err = ();
        fn finish(self) -> Result<Self::Output, ()> {
            Ok(self.0)
        }
        fn visit_pre(&mut self, ast: &Ast) -> Result<(), ()> {
            let span = |a: &Ast| (a.span().start.offset, a.span().end.offset - a.span().start.offset);
            match ast {
                Ast::Literal(l) => {
                    if let Some(why) = replaced(l.c) {
                        self.0.push((l.span.start.offset, l.span.end.offset - l.span.start.offset, why));
                    }
                }
                // A class of such characters only (`[\t]`, `[“”]`).
                Ast::ClassBracketed(c) => {
                    let only = items(c).and_then(|items| {
                        let whys: Vec<Option<&'static str>> =
                            items.iter().map(|i| if let ClassSetItem::Literal(l) = i { replaced(l.c) } else { None }).collect();
                        whys.iter().all(Option::is_some).then(|| whys.first().copied().flatten()).flatten()
                    });
                    if let Some(why) = only {
                        self.0.push((c.span.start.offset, c.span.end.offset - c.span.start.offset, why));
                    }
                }
                // White space counted two or more times (` {2}`, `\s{2,}`).
                Ast::Repetition(r) if least(&r.op.kind) >= 2 && white(&r.ast) => {
                    let (start, len) = span(ast);
                    self.0.push((start, len, TWO));
                }
                Ast::Concat(c) => {
                    for pair in c.asts.windows(2) {
                        let (a, b) = (&pair[0], &pair[1]);
                        let why = if white(a) && white(b) {
                            Some(TWO)
                        } else if is_start(a) && white(b) {
                            Some("a normalized line never begins with white space")
                        } else if white(a) && is_end(b) {
                            Some("a normalized line never ends with white space")
                        } else {
                            None
                        };
                        if let Some(why) = why {
                            let (start, _) = span(a);
                            let (b_start, b_len) = span(b);
                            self.0.push((start, b_start + b_len - start, why));
                        }
                    }
                }
                _ => {}
            }
            Ok(())
        }
    }
    visit_regex(regex, Parts(Vec::new()))
}

/// Above this many NFA states a regex is reported: compiling one takes about 1 ms per 2,500 states
/// (the largest shipped regex has some 2,000).
const MAX_NFA_STATES: usize = 4_000;

/// At most this many counted repetitions of a regex are weighed by [`costly_repetition`] (those
/// with the largest counts), each compiled alone.
const WEIGHED_REPETITIONS: usize = 64;
/// In a regex of at most this many states every weighed repetition is measured in place (the
/// regex compiled again for each); in a larger one, only the [`MEASURED_LARGE`] heaviest.
const MEASURED_ALL_BELOW: usize = 20_000;
const MEASURED_LARGE: usize = 4;

/// A counted repetition (`{n}`, `{n,m}`, `{n,}`) and the NFA states its copies make.
#[derive(Debug)]
struct CostlyRepetition {
    /// Its span in the regex, in bytes.
    offset: usize,
    len: usize,
    /// The count (the largest, or one more than the least for `{n,}`), and whether it is exact.
    count: usize,
    exact: bool,
    /// States the regex loses when this repeats once.
    states: usize,
}

/// The counted repetition of a regex that makes more than half of its `total` NFA states, if one
/// does: of the repetitions whose count exceeds one, the one whose copies cost most, measured in
/// place by compiling the regex with it repeated once (so that the flags around it count).
/// `None` if the regex does not parse, or no repetition makes half its states.
fn costly_repetition(regex: &str, total: usize) -> Option<CostlyRepetition> {
    use regex_syntax::ast::{Ast, RepetitionKind, RepetitionRange, Visitor};
    /// Each counted repetition: count, exact, its span and the span of what it repeats.
    struct Counted(Vec<(usize, bool, std::ops::Range<usize>, std::ops::Range<usize>)>);
    impl Visitor for Counted {
        type Output = Vec<(usize, bool, std::ops::Range<usize>, std::ops::Range<usize>)>;
        type Err = ();
        fn finish(self) -> Result<Self::Output, ()> {
            Ok(self.0)
        }
        fn visit_pre(&mut self, ast: &Ast) -> Result<(), ()> {
            let Ast::Repetition(rep) = ast else { return Ok(()) };
            let (count, exact) = match rep.op.kind {
                RepetitionKind::Range(RepetitionRange::Exactly(n)) => (n as usize, true),
                RepetitionKind::Range(RepetitionRange::Bounded(_, n)) => (n as usize, false),
                RepetitionKind::Range(RepetitionRange::AtLeast(n)) => (n as usize + 1, false),
                _ => (1, false),
            };
            if count > 1 {
                let sub = rep.ast.span();
                self.0.push((count, exact, rep.span.start.offset..rep.span.end.offset, sub.start.offset..sub.end.offset));
            }
            Ok(())
        }
    }
    let mut counted = visit_regex(regex, Counted(Vec::new()));
    // The largest counts first, then what their copies weigh compiled alone (flags around them
    // aside); the heaviest are measured in place, all of them in a regex of moderate size.
    counted.sort_by_key(|c| std::cmp::Reverse(c.0));
    counted.truncate(WEIGHED_REPETITIONS);
    let mut weighed: Vec<_> = counted
        .into_iter()
        .map(|(count, exact, span, sub)| (count.saturating_mul(nfa_states(&format!("(?i){}", &regex[sub.clone()])).unwrap_or(1)), count, exact, span, sub))
        .collect();
    weighed.sort_by_key(|w| std::cmp::Reverse(w.0));
    let tries = if total <= MEASURED_ALL_BELOW { weighed.len() } else { MEASURED_LARGE };
    weighed
        .into_iter()
        .take(tries)
        .filter_map(|(_, count, exact, span, sub)| {
            let once = format!("(?i){}(?:{}){}", &regex[..span.start], &regex[sub], &regex[span.end..]);
            let states = total.saturating_sub(nfa_states(&once)?);
            Some(CostlyRepetition { offset: span.start, len: span.len(), count, exact, states })
        })
        .max_by_key(|rep| rep.states)
        .filter(|rep| 2 * rep.states > total)
}

/// Byte offsets of the `\d` and `\D` classes in a regex (none if it does not parse).
fn unicode_digit_classes(regex: &str) -> Vec<usize> {
    use regex_syntax::ast::{Ast, ClassPerl, ClassPerlKind, ClassSetItem, Visitor};
    struct Digits(Vec<usize>);
    impl Digits {
        fn see(&mut self, p: &ClassPerl) {
            if p.kind == ClassPerlKind::Digit {
                self.0.push(p.span.start.offset);
            }
        }
    }
    impl Visitor for Digits {
        type Output = Vec<usize>;
        type Err = ();
        fn finish(self) -> Result<Vec<usize>, ()> {
            Ok(self.0)
        }
        fn visit_pre(&mut self, ast: &Ast) -> Result<(), ()> {
            if let Ast::ClassPerl(p) = ast {
                self.see(p);
            }
            Ok(())
        }
        fn visit_class_set_item_pre(&mut self, item: &ClassSetItem) -> Result<(), ()> {
            if let ClassSetItem::Perl(p) = item {
                self.see(p);
            }
            Ok(())
        }
    }
    visit_regex(regex, Digits(Vec::new()))
}

/// The outcome of running rule examples.
#[derive(Debug, Default)]
pub struct ExampleReport {
    /// Examples that passed (implicit ones included).
    pub passed: usize,
    /// Failures, each at its example's line.
    pub failures: Vec<RuleError>,
}

fn clean_one_line(set: &RuleSet, text: &str) -> RecordSink {
    clean_lines(set, &[text])
}

/// Cleans the document of `lines` (each ended by `\n`) with `set`, recording every decision.
fn clean_lines(set: &RuleSet, lines: &[&str]) -> RecordSink {
    let mut input = lines.join("\n");
    input.push('\n');
    let mut sink = RecordSink::default();
    let mut engine = Engine::new(set, Options::default());
    // In-memory reading and recording cannot fail.
    let _ = engine.run(&mut input.as_bytes(), "-", &mut sink);
    sink
}

/// A rule's source line without its `after-words` option, unless it is a `cut` (which drops its
/// own line before that many words of prose came): its examples are lines where it acts.
fn acting_source(rule: &Rule) -> String {
    let line = rule.source_line.as_str();
    if rule.action == super::Action::Cut || rule.after_words.is_none() {
        return line.to_string();
    }
    let (Some(open), Some(close)) = (line.find('['), line.find(']')) else { return line.to_string() };
    let kept: Vec<&str> =
        line[open + 1..close].split(',').map(str::trim).filter(|o| !o.starts_with("after-words")).collect();
    let options = if kept.is_empty() { String::new() } else { format!("[{}]", kept.join(", ")) };
    // One space after the options, which may be written without one (`drop[after-words=5]line`).
    format!("{}{options} {}", &line[..open], line[close + 1..].trim_start())
}

/// Runs a page example through `set`: `None` when the page keeps the lines of its `kept:`
/// block, in order (blank lines aside: those that normalize to nothing), else what went
/// otherwise, at the first line it did, and the index into `page.lines` of the line to point
/// at (a page line, or a `kept:` line).
fn page_failure(set: &RuleSet, page: &super::PageExample) -> Option<(String, Option<usize>)> {
    let blank = |l: &str| super::normalize::normalize(l.as_bytes()).is_empty();
    let shown = |l: &str| {
        let mut s: String = l.chars().take(80).collect();
        if s.len() < l.len() {
            s.push('…');
        }
        s
    };
    let sink = clean_lines(set, &page.page.iter().map(String::as_str).collect::<Vec<_>>());
    // The page's non-blank lines, with what became of each.
    let lines: Vec<(usize, &str, Option<u32>)> = page
        .page
        .iter()
        .enumerate()
        .filter(|(_, l)| !blank(l))
        .map(|(i, l)| (i, l.as_str(), sink.lines.iter().find(|r| r.0 == i as u64 + 1).and_then(|r| r.1.rule())))
        .collect();
    let kept: Vec<&(usize, &str, Option<u32>)> = lines.iter().filter(|l| l.2.is_none()).collect();
    // The non-blank `kept:` lines, with their index among all the example's lines.
    let (want_at, want): (Vec<usize>, Vec<&str>) = page
        .kept
        .as_deref()
        .unwrap_or_default()
        .iter()
        .enumerate()
        .filter(|(_, l)| !blank(l))
        .map(|(i, l)| (page.page.len() + i, l.as_str()))
        .unzip();
    // The first place where what was kept and what `kept:` says part.
    let k = kept.iter().zip(&want).take_while(|(got, want)| got.1 == **want).count();
    if k == kept.len() && k == want.len() {
        return None;
    }
    // Past the last line both agree on, the page line `kept:` names next.
    let after = if k == 0 { 0 } else { kept[k - 1].0 + 1 };
    let wanted = want.get(k).map(|w| lines.iter().find(|l| l.0 >= after && l.1 == *w));
    match (kept.get(k), wanted) {
        (_, Some(None)) => Some((format!("the `kept:` line `{}` is not a line of the page, in order", shown(want[k])), Some(want_at[k]))),
        (got, Some(Some(&(i, line, by)))) if got.is_none_or(|g| i < g.0) => {
            let r = set.rule(by.unwrap_or_default());
            Some((format!("page line {} (`{}`) is dropped by rule `{}` ({}), but `kept:` keeps it", i + 1, shown(line), r.id, r.location()), Some(i)))
        }
        (Some(got), _) => Some((format!("page line {} (`{}`) is kept, but `kept:` leaves it out", got.0 + 1, shown(got.1)), Some(got.0))),
        (None, _) => None,
    }
}

/// Why `rule` does not match the line `text`, as far as can be told from outside the engine:
/// the line's length against `max-chars`, or the normalized line against the phrase.
fn why_not(rule: &Rule, text: &str) -> String {
    let norm = super::normalize::normalize(text.as_bytes());
    let line = String::from_utf8_lossy(&norm);
    let chars = line.chars().count();
    if let Some(n) = rule.max_chars.filter(|&n| chars > n) {
        return format!("the line has {chars} characters once normalized, more than `max-chars={n}`");
    }
    let phrase = String::from_utf8_lossy(&rule.norm);
    match rule.mode {
        Mode::Line => format!("normalized, the line is `{line}`, not the phrase `{phrase}`"),
        Mode::Prefix => format!("normalized, the line `{line}` does not begin with the phrase `{phrase}`"),
        Mode::Contains => format!("normalized, the line `{line}` does not hold the phrase `{phrase}`"),
        Mode::Regex | Mode::Context => format!("the regex does not match the normalized line `{line}`"),
    }
}

/// Runs every rule's examples through the engine. A `drop:` example (and, for literal rules,
/// the phrase itself) must be dropped by a rule set holding only that rule; a `keep:` example
/// must come through the whole set unchanged. A rule with `after-words` is tried as if the
/// article had begun: it must drop its `drop:` examples and keep every `keep:` example.
pub fn run_examples(set: &RuleSet) -> ExampleReport {
    let mut report = ExampleReport::default();
    let mut scratch = Scratch::default();
    for rule in set.rules() {
        let source = acting_source(rule);
        let alone = match RuleSet::from_sources(&[(rule.path.as_path(), source.as_str())]) {
            Ok(s) => s,
            Err(e) => {
                report.failures.push(
                    at(rule, 1, 1)
                        .msg(format!("rule does not compile on its own: {e}"))
                        .hint("report this: a rule that compiles in its file compiles alone")
                        .into_error(),
                );
                continue;
            }
        };
        if !matches!(rule.mode, Mode::Regex | Mode::Context) {
            let rec = clean_one_line(&alone, &rule.phrase);
            if rec.lines.iter().any(|l| !l.1.is_dropped()) {
                report.failures.push(
                    phrase_at(rule)
                        .msg("the rule does not drop its own phrase")
                        .hint("a line equal to the phrase must be dropped; check `max-chars`")
                        .into_error(),
                );
            } else {
                report.passed += 1;
            }
        }
        for page in &rule.pages {
            match page_failure(set, page) {
                None => report.passed += 1,
                Some((why, at)) => {
                    // At the page or `kept:` line in question, else at `page:`.
                    let (line, source, width) = match at.and_then(|i| page.lines.get(i)) {
                        Some((n, s)) => (*n, s.as_str(), s.trim().chars().count()),
                        None => (page.line, page.source_line.as_str(), "page:".len()),
                    };
                    let col = source.chars().count() - source.trim_start().chars().count() + 1;
                    report.failures.push(
                        RuleError::new(&rule.path, line, source, col, width)
                            .msg(format!("page example: {why}"))
                            .hint("`chaff explain` on the page shows what each rule did; fix the rules, or the `kept:` block"),
                    );
                }
            }
        }
        // Context rules judge whole documents: one line says nothing (`check` warns).
        for ex in rule.examples.iter().filter(|_| rule.mode != Mode::Context) {
            let err = || {
                let col = super::syntax::col_of(&ex.source_line, ex.source_line.len() - ex.source_line.trim_start().len());
                RuleError::new(&rule.path, ex.line, &ex.source_line, col, ex.source_line.trim().chars().count())
            };
            if ex.keep {
                let rec = clean_one_line(set, &ex.text);
                // A one-line document has no prose before it: rules with `after-words` are
                // asked apart, as they would match once the article has begun.
                let waiting = classify(set, ex.text.as_bytes(), &mut scratch, usize::MAX)
                    .hit
                    .map(|h| h.0)
                    .filter(|&r| set.rule(r).after_words.is_some());
                match rec.lines.iter().find_map(|l| l.1.rule()).or(waiting) {
                    Some(r) => {
                        let by = set.rule(r);
                        report.failures.push(
                            err()
                                .msg(format!("`keep:` example is dropped by rule `{}` ({})", by.id, by.location()))
                                .hint("narrow that rule, or fix the example"),
                        );
                    }
                    None => report.passed += 1,
                }
            } else {
                let rec = clean_one_line(&alone, &ex.text);
                if rec.lines.iter().all(|l| l.1.is_dropped()) {
                    report.passed += 1;
                } else {
                    report.failures.push(
                        err()
                            .msg(format!("`drop:` example is not dropped by this rule (`{}`): {}", rule.id, why_not(rule, &ex.text)))
                            .hint("widen the rule, or fix the example"),
                    );
                }
            }
        }
    }
    report
}

impl RuleError {
    fn into_error(mut self) -> Self {
        self.severity = super::error::Severity::Error;
        self
    }
}

/// Reads prose sample files given on the command line.
///
/// # Errors
/// I/O errors with the path.
pub fn read_prose(path: &Path) -> anyhow::Result<String> {
    use anyhow::Context;
    std::fs::read_to_string(path).with_context(|| format!("cannot read prose sample {}", path.display()))
}
