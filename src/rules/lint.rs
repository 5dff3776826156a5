//! Soft findings about a rule set (for `chaff check`) and the rule-example runner (for
//! `chaff test`).

use std::collections::HashMap;
use std::path::Path;

use super::error::RuleError;
use super::syntax::{Mode};
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

/// Byte offsets of the flag groups that turn `i` off (`(?-i)`, `(?s-i:…)`); none if the regex
/// does not parse.
fn case_sensitive_groups(regex: &str) -> Vec<usize> {
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
    struct Off(Vec<usize>);
    impl Visitor for Off {
        type Output = Vec<usize>;
        type Err = ();
        fn finish(self) -> Result<Vec<usize>, ()> {
            Ok(self.0)
        }
        fn visit_pre(&mut self, ast: &Ast) -> Result<(), ()> {
            match ast {
                Ast::Flags(set) if turns_i_off(&set.flags) => self.0.push(set.span.start.offset),
                Ast::Group(g) if matches!(&g.kind, GroupKind::NonCapturing(f) if turns_i_off(f)) => self.0.push(g.span.start.offset),
                _ => {}
            }
            Ok(())
        }
    }
    regex_syntax::ast::parse::Parser::new()
        .parse(regex)
        .ok()
        .and_then(|ast| regex_syntax::ast::visit(&ast, Off(Vec::new())).ok())
        .unwrap_or_default()
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
    // Repeated rules: same mode and same normalized phrase (or same regex).
    let mut seen: HashMap<(Mode, &[u8]), usize> = HashMap::new();
    for (i, r) in rules.iter().enumerate() {
        let key: &[u8] = if r.mode == Mode::Regex { r.phrase.as_bytes() } else { &r.norm };
        if let Some(&j) = seen.get(&(r.mode, key)) {
            out.push(
                phrase_at(r)
                    .msg(format!("rule repeats the {} rule at {}", r.mode.keyword(), rules[j].location()))
                    .hint("remove one of them; the first one wins"),
            );
        } else {
            seen.insert((r.mode, key), i);
        }
    }
    // Whole-line rules that a prefix or contains rule of the same pack already matches.
    let mut scratch = Scratch::default();
    let mut hits = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        if r.mode != Mode::Line {
            continue;
        }
        all_hits(set, r.phrase.as_bytes(), &mut scratch, &mut hits);
        if let Some(&j) = hits.iter().find(|&&j| {
            let o = &rules[j as usize];
            j as usize != i && o.pack == r.pack && matches!(o.mode, Mode::Prefix | Mode::Contains) && o.action >= r.action
        }) {
            let o = &rules[j as usize];
            out.push(
                phrase_at(r)
                    .msg(format!("this line is already dropped by the {} rule at {}", o.mode.keyword(), o.location()))
                    .hint("remove this rule, or narrow the other one"),
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
    // `(?-i)`: case-sensitive matching of lines whose ASCII letters are lowercased.
    for r in rules.iter().filter(|r| r.mode == Mode::Regex) {
        for offset in case_sensitive_groups(&r.phrase) {
            let col = r.phrase_col + r.phrase[..offset].chars().count();
            out.push(
                at(r, col, 2)
                    .msg("this turns off case-insensitive matching, but rules see each line with its ASCII letters lowercased: an uppercase ASCII letter here never matches")
                    .hint("leave out `-i`: matching ignores ASCII case anyway"),
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
    // Rules that hit article prose.
    for (name, text) in prose {
        for (n, line) in text.lines().enumerate() {
            all_hits(set, line.as_bytes(), &mut scratch, &mut hits);
            for &r in &hits {
                let r = set.rule(r);
                let shown: String = line.chars().take(80).collect();
                out.push(
                    phrase_at(r)
                        .msg(format!("rule matches article prose at {name}:{}: `{shown}`", n + 1))
                        .hint("narrow the rule (whole line, `max-chars`, anchors) so it cannot drop article text"),
                );
            }
        }
    }
    out.sort_by(|a, b| (&a.path, a.line, a.col).cmp(&(&b.path, b.line, b.col)));
    out
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
    regex_syntax::ast::parse::Parser::new()
        .parse(regex)
        .ok()
        .and_then(|ast| regex_syntax::ast::visit(&ast, Digits(Vec::new())).ok())
        .unwrap_or_default()
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
    let mut sink = RecordSink::default();
    let mut engine = Engine::new(set, Options::default());
    let input = format!("{text}\n");
    let mut reader = input.as_bytes();
    // In-memory reading and recording cannot fail.
    let _ = engine.run(&mut reader, "-", &mut sink);
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
    format!("{}{options}{}", &line[..open], &line[close + 1..])
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
        for ex in &rule.examples {
            let err = || {
                let col = ex.source_line.len() - ex.source_line.trim_start().len() + 1;
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
                            .msg(format!("`drop:` example is not dropped by this rule (`{}`)", rule.id))
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
