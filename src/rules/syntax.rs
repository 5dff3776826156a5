//! The rule-file parser: text in, raw rules (each with its place in the file) out.
//!
//! It is pure — no I/O, no regex compilation — so it is tested on strings. Compiling and
//! validating the rules happens in [`compile`](super::compile).
//!
//! ```text
//! # comment                          a line whose first non-blank character is `#`
//! pack wordpress                     optional, before the first rule (default: the file stem)
//! about WordPress comment forms.     optional one-line description
//!
//! cut line Leave a Reply             ACTION MODE PHRASE
//! drop[max-chars=120] contains All rights reserved
//!     drop: Copyright 2020 Example Inc. All rights reserved.
//!     keep: The report said all rights reserved to the owners of the land were void.
//! ```

use std::path::Path;

use super::compile::MAX_CHARS_LIMIT;
use super::error::RuleError;

/// What a rule does with the line it matches.
///
/// The order is their precedence when several rules match one line: `cut`, then `thread`, then
/// `footer`, then `drop`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// Drop the matching line.
    Drop,
    /// Drop the matching line, a line of the page's footer: beside another dropped line, once
    /// the article has begun, it ends the article for `page-tail` (see `engine::context`).
    Footer,
    /// Drop the matching comment thread: the run of indented or bulleted lines around it.
    Thread,
    /// Drop the matching line and the rest of the document (guarded near the top).
    Cut,
}

impl Action {
    /// The keyword used in rule files.
    pub fn keyword(self) -> &'static str {
        match self {
            Action::Drop => "drop",
            Action::Thread => "thread",
            Action::Cut => "cut",
            Action::Footer => "footer",
        }
    }
}

/// How a rule's phrase is compared with a (normalized) line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// The line equals the phrase.
    Line,
    /// The line starts with the phrase.
    Prefix,
    /// The line contains the phrase.
    Contains,
    /// The regex matches somewhere in the line.
    Regex,
    /// A context rule: the phrase names a built-in judgement of a line by its shape and its
    /// neighbours (`menu-run`, `page-head`), tuned by options.
    Context,
}

impl Mode {
    /// The keyword used in rule files.
    pub fn keyword(self) -> &'static str {
        match self {
            Mode::Line => "line",
            Mode::Prefix => "prefix",
            Mode::Contains => "contains",
            Mode::Regex => "regex",
            Mode::Context => "context",
        }
    }
}

/// An example attached to a rule: a one-line document it must drop or keep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Example {
    /// `true` for `keep:`, `false` for `drop:`.
    pub keep: bool,
    /// The example line.
    pub text: String,
    /// 1-based line of the example in the rule file.
    pub line: usize,
    /// The example's source line, as written.
    pub source_line: String,
}

/// A page example under a rule: a short document (`page:` and its `| ` lines) and the lines
/// that must be left of it once cleaned (`kept:` and its `| ` lines). It is cleaned by the whole
/// rule set, so that cuts, threads and context rules are tried on lines around them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageExample {
    /// 1-based line of `page:` in the rule file.
    pub line: usize,
    /// That line, as written.
    pub source_line: String,
    /// The page's lines, each as written after its `|` and one space.
    pub page: Vec<String>,
    /// The lines left once the page is cleaned; `None` until a `kept:` line came.
    pub kept: Option<Vec<String>>,
    /// Where each line of `page`, then of `kept`, stands in the rule file: its 1-based line and
    /// the line as written (for errors that point at it).
    pub lines: Vec<(usize, String)>,
}

/// A rule as written, before compilation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawRule {
    /// 1-based line of the rule.
    pub line: usize,
    /// The whole source line (for error messages).
    pub source_line: String,
    /// The action.
    pub action: Action,
    /// The match mode.
    pub mode: Mode,
    /// The phrase or regex, trimmed.
    pub phrase: String,
    /// 1-based character column where the phrase starts.
    pub phrase_col: usize,
    /// An explicit `id=`, if given, and its column.
    pub id: Option<(String, usize)>,
    /// `max-chars=`: the rule only applies to lines of at most this many (normalized) characters.
    pub max_chars: Option<usize>,
    /// Numeric options (`after-words` of phrase and regex rules; `max-words`, `min-run`, `keep`, `confirm`,
    /// `lead-words` of context rules), with their columns.
    pub params: Vec<(String, usize, usize)>,
    /// Examples that follow the rule.
    pub examples: Vec<Example>,
    /// Page examples that follow the rule.
    pub pages: Vec<PageExample>,
}

/// A parsed rule file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawPack {
    /// The pack name: from a `pack` line, else the file stem.
    pub name: String,
    /// The `about` line, if any.
    pub about: Option<String>,
    /// Rules in file order.
    pub rules: Vec<RawRule>,
}

const ACTIONS: &[(&str, Action)] =
    &[("drop", Action::Drop), ("cut", Action::Cut), ("thread", Action::Thread), ("footer", Action::Footer)];
/// The largest value of a numeric option: a billion words or lines is more than any document
/// holds, and the engine's arithmetic on the options stays far from overflowing.
pub const MAX_NUMERIC_OPTION: usize = 1_000_000_000;
/// The options that take a number: `after-words` of phrase and regex rules, the rest of context
/// rules (which of them a context rule takes is checked when it is compiled).
const NUMERIC_OPTIONS: &[&str] = &[
    "after-words",
    "max-words",
    "min-run",
    "chrome-before",
    "long-run",
    "keep",
    "confirm",
    "lead-words",
    "teaser-words",
    "teaser-short",
    "article-lines",
    "article-words",
    "prose-words",
    "long-bytes",
    "tail-bytes",
    "lone-after",
    "page-chrome",
    "page-drops",
    "footer-words",
    "footer-run",
];
const MODES: &[(&str, Mode)] = &[
    ("line", Mode::Line),
    ("prefix", Mode::Prefix),
    ("contains", Mode::Contains),
    ("regex", Mode::Regex),
    ("context", Mode::Context),
];

/// Parses a rule file. Returns the pack with every rule that parsed, and every error found:
/// one bad line does not stop the rest of the file from being checked.
pub fn parse(path: &Path, text: &str) -> (RawPack, Vec<RuleError>) {
    let mut pack = RawPack {
        name: name_from_stem(&path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()),
        ..RawPack::default()
    };
    let mut errors = Vec::new();
    let mut seen_pack_line = false;
    let mut seen_rule_line = false;
    // Whether the last rule line failed to parse: its examples are then skipped silently.
    let mut last_rule_failed = false;
    // Inside a page example: `Some(false)` in its `page:` lines, `Some(true)` in its `kept:`.
    let mut block: Option<bool> = None;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (idx, raw_line) in text.split('\n').enumerate() {
        let lineno = idx + 1;
        let line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        // A byte order mark is left out wherever a line begins with one (files that had one
        // each, joined with `cat`), as it is at the start of the file.
        let line = line.strip_prefix('\u{feff}').unwrap_or(line);
        let err = |byte: usize, len: usize| {
            RuleError::new(path, lineno, line, col_of(line, byte), width_of(line, byte, len))
        };
        let trimmed = line.trim();
        // A carriage return not before a newline: an old Mac line ending, which would otherwise
        // run several rules together into one phrase (or into the comment they follow).
        if let Some(cr) = line.find('\r').filter(|_| !trimmed.is_empty()) {
            errors.push(
                err(cr, 1)
                    .msg("carriage return inside a line")
                    .hint("rule files end their lines with `\\n` or `\\r\\n`; convert the file, e.g. with `tr '\\r' '\\n'`"),
            );
            last_rule_failed = true;
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let lead = line.len() - line.trim_start().len();
        if lead > 0 {
            // Page examples: `page:`, `kept:`, and the `|` lines under each.
            let rule = pack.rules.last_mut().filter(|_| !last_rule_failed);
            if let Some(text) = trimmed.strip_prefix('|') {
                let text = text.strip_prefix(' ').unwrap_or(text);
                let page = rule.and_then(|r| r.pages.last_mut());
                match (block, page) {
                    (Some(false), Some(p)) => {
                        p.page.push(text.to_string());
                        p.lines.push((lineno, line.to_string()));
                    }
                    (Some(true), Some(p)) => {
                        p.kept.get_or_insert_with(Vec::new).push(text.to_string());
                        p.lines.push((lineno, line.to_string()));
                    }
                    _ if last_rule_failed => {}
                    _ => errors.push(
                        err(lead, 1)
                            .msg("a `|` line outside a page example")
                            .hint("`|` lines follow a `page:` line (the page) or a `kept:` line (what is left of it)"),
                    ),
                }
                continue;
            }
            if trimmed == "page:" || trimmed == "kept:" {
                let kept = trimmed == "kept:";
                match rule {
                    Some(r) if !kept => {
                        r.pages.push(PageExample { line: lineno, source_line: line.to_string(), page: Vec::new(), kept: None, lines: Vec::new() });
                        block = Some(false);
                    }
                    Some(r) if r.pages.last().is_some_and(|p| p.kept.is_none() && block == Some(false)) => {
                        if let Some(p) = r.pages.last_mut() {
                            p.kept = Some(Vec::new());
                        }
                        block = Some(true);
                    }
                    Some(_) => errors.push(
                        err(lead, trimmed.len())
                            .msg("`kept:` without a `page:` right before it")
                            .hint("write the page first: `page:` and its `| ` lines, then `kept:` and the lines left of it"),
                    ),
                    None if last_rule_failed => {}
                    None => errors.push(
                        err(lead, trimmed.len())
                            .msg("example before any rule")
                            .hint("an indented `page:` block belongs to the rule above it"),
                    ),
                }
                continue;
            }
            let in_page = block.take().is_some();
            match parse_example(trimmed) {
                Some((keep, example)) => {
                    let example = example.trim();
                    if example.is_empty() {
                        let hint = if keep && in_page {
                            "did you mean `kept:`? It follows a `page:` block, with the lines the page keeps under it"
                        } else {
                            "write the line the rule must drop or keep after the colon"
                        };
                        errors.push(err(lead, trimmed.len()).msg("empty example").hint(hint));
                    } else if let Some(rule) = pack.rules.last_mut().filter(|_| !last_rule_failed) {
                        rule.examples.push(Example {
                            keep,
                            text: example.to_string(),
                            line: lineno,
                            source_line: line.to_string(),
                        });
                    } else if !last_rule_failed {
                        errors.push(
                            err(lead, trimmed.len())
                                .msg("example before any rule")
                                .hint("an indented `drop:` or `keep:` line belongs to the rule above it"),
                        );
                    }
                }
                None => {
                    let word = first_word(trimmed).0;
                    // `page: TEXT` (or `page:TEXT`): the block's head is right, its text belongs
                    // on `|` lines.
                    let head = ["page:", "kept:"].into_iter().find(|h| trimmed.starts_with(h));
                    let hint = if let Some(head) = head {
                        let text = trimmed[head.len()..].trim();
                        let text = text.strip_prefix('|').map_or(text, str::trim_start);
                        format!("`{head}` stands alone on its line; the lines of the block go under it, each after `| ` (e.g. `    | {text}`)")
                    } else {
                        suggest(
                            word,
                            ["drop:", "keep:", "page:", "kept:"].into_iter(),
                            "indented lines are examples (`drop: TEXT`, `keep: TEXT`, or a `page:` block and its `kept:` block); rules start at column 1",
                        )
                    };
                    errors.push(err(lead, trimmed.len()).msg("indented line is not an example").hint(hint));
                }
            }
            continue;
        }
        block = None;
        let (word, rest_at) = first_word(line);
        match word {
            "pack" => {
                let name = line[rest_at..].trim();
                let at = rest_at + (line[rest_at..].len() - line[rest_at..].trim_start().len());
                if seen_rule_line || seen_pack_line {
                    errors.push(
                        err(0, 4)
                            .msg("`pack` must come once, before the first rule")
                            .hint("one file is one pack; move this line to the top or start a new file"),
                    );
                } else if !is_name(name) {
                    errors.push(
                        err(at, name.len().max(1))
                            .msg(format!("invalid pack name `{name}`"))
                            .hint("pack names use lowercase letters, digits, `-`, `_` and `.`, beginning with a letter or digit, e.g. `pack comment-form`"),
                    );
                } else {
                    pack.name = name.to_string();
                }
                seen_pack_line = true;
            }
            "about" => pack.about = Some(line[rest_at..].trim().to_string()),
            _ => {
                seen_rule_line = true;
                match parse_rule(line, lineno) {
                    Ok(rule) => {
                        pack.rules.push(rule);
                        last_rule_failed = false;
                    }
                    Err((byte, len, message, hint)) => {
                        errors.push(err(byte, len).msg(message).hint(hint));
                        last_rule_failed = true;
                    }
                }
            }
        }
    }
    // A page example needs its page and what is left of it.
    for p in pack.rules.iter().flat_map(|r| &r.pages) {
        let problem = if p.page.is_empty() {
            Some(("`page:` with no `|` lines under it", "write the page's lines under `page:`, each after `| `"))
        } else if p.kept.is_none() {
            Some(("`page:` without a `kept:` block", "add `kept:` and, under it, the lines the page keeps (each after `| `; none if it keeps none)"))
        } else {
            None
        };
        if let Some((msg, hint)) = problem {
            let lead = p.source_line.len() - p.source_line.trim_start().len();
            errors.push(
                RuleError::new(path, p.line, &p.source_line, col_of(&p.source_line, lead), "page:".len()).msg(msg).hint(hint),
            );
        }
    }
    errors.sort_by_key(|e| (e.line, e.col));
    (pack, errors)
}

type ParseFail = (usize, usize, String, String);

fn parse_rule(line: &str, lineno: usize) -> Result<RawRule, ParseFail> {
    let action_end = line
        .find(|c: char| c == '[' || c.is_whitespace())
        .unwrap_or(line.len());
    let action_word = &line[..action_end];
    let Some(action) = lookup(ACTIONS, action_word) else {
        let hint = if lookup(MODES, action_word).is_some() {
            format!("a rule starts with its action: `drop {action_word} …`")
        } else if ["drop:", "keep:", "page:", "kept:"].contains(&action_word) || action_word.starts_with('|') {
            "examples are indented under the rule they belong to".to_string()
        } else {
            suggest(action_word, ACTIONS.iter().map(|a| a.0), "actions are `drop`, `cut`, `thread` and `footer`")
        };
        return Err((0, action_end.max(1), format!("unknown action `{action_word}`"), hint));
    };
    let mut pos = action_end;
    let mut id = None;
    let mut max_chars = None;
    let mut max_chars_at = 0;
    let mut params = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    if line[pos..].starts_with('[') {
        let Some(close) = line[pos..].find(']').map(|c| pos + c) else {
            return Err((
                pos,
                line.len() - pos,
                "unclosed `[` in rule options".into(),
                "close the options with `]`, e.g. `drop[max-chars=80] contains …`".into(),
            ));
        };
        let mut at = pos + 1;
        for opt in line[pos + 1..close].split(',') {
            let opt_at = at + (opt.len() - opt.trim_start().len());
            let opt_t = opt.trim();
            at += opt.len() + 1;
            let (key, value) = opt_t.split_once('=').map(|(k, v)| (k.trim(), v.trim())).unwrap_or((opt_t, ""));
            if seen.contains(&key) {
                return Err((opt_at, key.len().max(1), format!("option `{key}` is given twice"), "give each option once".into()));
            }
            seen.push(key);
            match key {
                "id" if is_name(value) => id = Some((value.to_string(), col_of(line, opt_at))),
                "id" => {
                    return Err((
                        opt_at,
                        opt_t.len().max(1),
                        format!("invalid rule id `{value}`"),
                        "ids use lowercase letters, digits, `-`, `_` and `.`, beginning with a letter or digit, e.g. `id=leave-a-reply`".into(),
                    ));
                }
                // Digits past what a number holds are past the limit too.
                _ if NUMERIC_OPTIONS.contains(&key) => match value.parse::<usize>().or_else(|e| if all_digits(value) { Ok(usize::MAX) } else { Err(e) }) {
                    Ok(n) if n <= MAX_NUMERIC_OPTION => params.push((key.to_string(), n, col_of(line, opt_at))),
                    Ok(_) => {
                        return Err((
                            opt_at,
                            opt_t.len().max(1),
                            format!("`{key}` value `{value}` is too large"),
                            format!("give at most {MAX_NUMERIC_OPTION}, e.g. `{key}=5`"),
                        ));
                    }
                    Err(_) => {
                        return Err((
                            opt_at,
                            opt_t.len().max(1),
                            format!("invalid `{key}` value `{value}`"),
                            format!("give a number, e.g. `{key}=5`"),
                        ));
                    }
                },
                "max-chars" => match value.parse::<usize>().or_else(|e| if all_digits(value) { Ok(usize::MAX) } else { Err(e) }) {
                    Ok(n) if n > MAX_CHARS_LIMIT => {
                        return Err((
                            opt_at,
                            opt_t.chars().count(),
                            format!("`max-chars={value}` is larger than {MAX_CHARS_LIMIT}"),
                            "max-chars is for short chrome lines; drop the option to match lines of any length".into(),
                        ));
                    }
                    Ok(n) if n > 0 => (max_chars, max_chars_at) = (Some(n), opt_at),
                    _ => {
                        return Err((
                            opt_at,
                            opt_t.len().max(1),
                            format!("invalid `max-chars` value `{value}`"),
                            "give a positive number of characters, e.g. `max-chars=120`".into(),
                        ));
                    }
                },
                "" => {
                    return Err((
                        opt_at.min(close),
                        opt_t.len().max(1),
                        "empty rule option".into(),
                        "write options as `NAME=VALUE`, separated by commas, e.g. `drop[max-chars=80, id=share-row]`; leave out `[]` when there are none".into(),
                    ));
                }
                _ => {
                    let context: Vec<String> = NUMERIC_OPTIONS.iter().filter(|&&o| o != "after-words").map(|o| format!("`{o}=N`")).collect();
                    let all = ["id", "max-chars"].into_iter().chain(NUMERIC_OPTIONS.iter().copied());
                    return Err((
                        opt_at,
                        key.len().max(1),
                        format!("unknown rule option `{key}`"),
                        suggest(
                            key,
                            all,
                            &format!("options are `id=NAME`, `max-chars=N` and `after-words=N`; context rules take {}", context.join(", ")),
                        ),
                    ));
                }
            }
        }
        pos = close + 1;
    }
    let after_action = pos;
    pos += line[pos..].len() - line[pos..].trim_start().len();
    let (mode_word, _) = first_word(&line[pos..]);
    if mode_word.is_empty() {
        return Err((
            after_action,
            1,
            "expected a match mode after the action".into(),
            "write `line`, `prefix`, `contains`, `regex` or `context`, then the phrase".into(),
        ));
    }
    let Some(mode) = lookup(MODES, mode_word) else {
        let hint = if mode_word.starts_with('[') {
            format!("options follow the action with no space between: `{}{mode_word} …`", action.keyword())
        } else {
            suggest(mode_word, MODES.iter().map(|m| m.0), "modes are `line`, `prefix`, `contains`, `regex` and `context`")
        };
        return Err((pos, mode_word.len(), format!("unknown match mode `{mode_word}`"), hint));
    };
    pos += mode_word.len();
    let phrase_at = pos + (line[pos..].len() - line[pos..].trim_start().len());
    let phrase = line[pos..].trim();
    if phrase.is_empty() {
        return Err((
            pos,
            1,
            "empty phrase".into(),
            format!("write the text to match after `{mode_word}`"),
        ));
    }
    if mode == Mode::Context && max_chars.is_some() {
        return Err((
            max_chars_at,
            "max-chars".len(),
            "`max-chars` is an option of phrase and regex rules, not of context rules".into(),
            "context rules judge runs of lines; their options are listed in docs/RULES.md".into(),
        ));
    }
    Ok(RawRule {
        line: lineno,
        source_line: line.to_string(),
        action,
        mode,
        phrase: phrase.to_string(),
        phrase_col: col_of(line, phrase_at),
        id,
        max_chars,
        params,
        examples: Vec::new(),
        pages: Vec::new(),
    })
}

fn parse_example(trimmed: &str) -> Option<(bool, &str)> {
    if let Some(rest) = trimmed.strip_prefix("drop:") {
        Some((false, rest))
    } else {
        trimmed.strip_prefix("keep:").map(|rest| (true, rest))
    }
}

/// Whether `value` is a number written in ASCII digits (of any size).
fn all_digits(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit())
}

fn first_word(s: &str) -> (&str, usize) {
    let end = s.find(char::is_whitespace).unwrap_or(s.len());
    (&s[..end], end)
}

fn lookup<T: Copy>(table: &[(&str, T)], word: &str) -> Option<T> {
    table.iter().find(|(w, _)| *w == word).map(|(_, t)| *t)
}

/// A pack name made from a file's name (`My Site.rules` gives `my-site`): lowercased, each run of
/// characters a name cannot hold one `-`, and `rules` if nothing is left.
fn name_from_stem(stem: &str) -> String {
    let mut name = String::new();
    for c in stem.chars().map(|c| c.to_ascii_lowercase()) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || (!name.is_empty() && matches!(c, '_' | '.')) {
            name.push(c);
        } else if !name.is_empty() && !name.ends_with('-') {
            name.push('-');
        }
    }
    let name = name.trim_end_matches('-');
    if name.is_empty() { "rules".into() } else { name.into() }
}

/// Whether `s` is a valid pack name or rule id.
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_' || c == '.')
}

fn suggest<'a>(word: &str, options: impl Iterator<Item = &'a str>, fallback: &str) -> String {
    let lower = word.to_ascii_lowercase();
    options
        .filter(|o| edit_distance(&lower, o) <= 2)
        .min_by_key(|o| edit_distance(&lower, o))
        .map(|o| format!("did you mean `{o}`? ({fallback})"))
        .unwrap_or_else(|| fallback.to_string())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// 1-based character column of byte offset `byte` in `line`.
pub(crate) fn col_of(line: &str, byte: usize) -> usize {
    line.get(..byte).map_or(1, |s| s.chars().count() + 1)
}

fn width_of(line: &str, byte: usize, len: usize) -> usize {
    let end = (byte + len).min(line.len());
    line.get(byte..end).map_or(1, |s| s.chars().count().max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> (RawPack, Vec<String>) {
        let (pack, errors) = parse(Path::new("rules/x.rules"), text);
        (pack, errors.iter().map(|e| e.to_string()).collect())
    }

    #[test]
    fn good_file() {
        let (pack, errors) = parse_str(
            "# WordPress\npack wordpress\nabout Comment forms.\n\ncut line Leave a Reply\n  drop: Leave a reply\n  keep: Please leave a reply below.\ndrop[id=akismet, max-chars=200] prefix This site uses Akismet\nthread regex ^liked by \\d+ people$\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(pack.name, "wordpress");
        assert_eq!(pack.about.as_deref(), Some("Comment forms."));
        assert_eq!(pack.rules.len(), 3);
        let r = &pack.rules[0];
        assert_eq!((r.action, r.mode, r.phrase.as_str(), r.line, r.phrase_col), (Action::Cut, Mode::Line, "Leave a Reply", 5, 10));
        assert_eq!(r.examples.len(), 2);
        assert!(!r.examples[0].keep && r.examples[1].keep);
        assert_eq!(r.examples[1].text, "Please leave a reply below.");
        let r = &pack.rules[1];
        assert_eq!(r.id, Some(("akismet".to_string(), 6)));
        assert_eq!(r.max_chars, Some(200));
        assert_eq!(pack.rules[2].action, Action::Thread);
    }

    #[test]
    fn default_pack_name_is_file_stem_and_bom_is_skipped() {
        let (pack, errors) = parse_str("\u{feff}drop line Share this:\r\n");
        assert!(errors.is_empty());
        assert_eq!(pack.name, "x");
        assert_eq!(pack.rules[0].phrase, "Share this:");
        // Two such files joined: the second mark begins a line, and is left out there too.
        let (pack, errors) = parse_str("\u{feff}drop line a\n\u{feff}drop[max-chars=x] line b\n");
        assert_eq!(pack.rules.len(), 1);
        assert_eq!(errors.len(), 1);
        assert!(errors[0].starts_with("rules/x.rules:2:6: error: "), "{errors:?}");
    }

    #[test]
    fn a_pack_name_made_from_a_file_name_is_a_valid_name() {
        for (stem, want) in [("My Site", "my-site"), ("2024 Rules!", "2024-rules"), ("_x.y", "x.y"), ("___", "rules"), ("Ünï", "n"), ("", "rules")] {
            let name = name_from_stem(stem);
            assert_eq!(name, want, "{stem:?}");
            assert!(is_name(&name), "{stem:?}");
        }
    }

    #[test]
    fn an_option_given_twice_and_max_chars_on_a_context_rule_are_errors() {
        let (_, errors) = parse_str("drop[max-chars=5, max-chars=6] line x\ndrop[max-chars=5] context page-tail\n");
        let shown: Vec<String> = errors.iter().map(|e| e.to_string().lines().next().unwrap_or("").to_string()).collect();
        assert_eq!(
            shown,
            [
                "rules/x.rules:1:19: error: option `max-chars` is given twice",
                "rules/x.rules:2:6: error: `max-chars` is an option of phrase and regex rules, not of context rules",
            ]
        );
    }

    #[test]
    fn phrase_keeps_hash_and_brackets() {
        let (pack, errors) = parse_str("drop line #hashtag [link] # not a comment\n");
        assert!(errors.is_empty());
        assert_eq!(pack.rules[0].phrase, "#hashtag [link] # not a comment");
    }

    #[test]
    fn unknown_action_error_text() {
        let (_, errors) = parse_str("drop line ok\ndorp line Leave a Reply\n");
        assert_eq!(
            errors,
            vec![
                "rules/x.rules:2:1: error: unknown action `dorp`\n  |\n2 | dorp line Leave a Reply\n  | ^^^^\n  = help: did you mean `drop`? (actions are `drop`, `cut`, `thread` and `footer`)"
            ]
        );
    }

    #[test]
    fn every_error_in_a_file_is_reported() {
        let (pack, errors) = parse_str(
            "drop lin Share\ncut line\nline Share this\ndrop[max-chars=0] contains x\ndrop[colour=red] line x\n  keep: orphan of a bad rule\ndrop[id=x line y\npack late\n",
        );
        assert!(pack.rules.is_empty());
        let heads: Vec<&str> = errors.iter().map(|e| e.lines().next().unwrap_or("")).collect();
        assert_eq!(
            heads,
            vec![
                "rules/x.rules:1:6: error: unknown match mode `lin`",
                "rules/x.rules:2:9: error: empty phrase",
                "rules/x.rules:3:1: error: unknown action `line`",
                "rules/x.rules:4:6: error: invalid `max-chars` value `0`",
                "rules/x.rules:5:6: error: unknown rule option `colour`",
                "rules/x.rules:7:5: error: unclosed `[` in rule options",
                "rules/x.rules:8:1: error: `pack` must come once, before the first rule",
            ]
        );
        assert!(errors[0].ends_with("= help: did you mean `line`? (modes are `line`, `prefix`, `contains`, `regex` and `context`)"));
        assert!(errors[2].ends_with("= help: a rule starts with its action: `drop line …`"));
    }

    #[test]
    fn option_mistakes_are_named_where_they_are() {
        let (_, errors) = parse_str(
            "drop[max-char=5] line a\ndrop[] line b\ndrop[id=a,] line c\ndrop [max-chars=5] line d\ndrop[max-chars=100000] line e\ndrop line f\rdrop line g\n\
             drop[max-chars=99999999999999999999] line h\ndrop[after-words=99999999999999999999] line i\n\
             drop[max-words=1537228672809129303] context menu-run\ndrop[after-words=1000000000] line j\ndrop[after-words=1000000001] line k\n",
        );
        let heads: Vec<&str> = errors.iter().map(|e| e.lines().next().unwrap_or("")).collect();
        assert_eq!(
            heads,
            vec![
                "rules/x.rules:1:6: error: unknown rule option `max-char`",
                "rules/x.rules:2:6: error: empty rule option",
                "rules/x.rules:3:11: error: empty rule option",
                "rules/x.rules:4:6: error: unknown match mode `[max-chars=5]`",
                "rules/x.rules:5:6: error: `max-chars=100000` is larger than 4096",
                "rules/x.rules:6:12: error: carriage return inside a line",
                // Numbers too large to hold are too large, not invalid.
                "rules/x.rules:7:6: error: `max-chars=99999999999999999999` is larger than 4096",
                "rules/x.rules:8:6: error: `after-words` value `99999999999999999999` is too large",
                // Numbers the engine could overflow on (12 times `max-words`) are refused; a
                // billion is the most.
                "rules/x.rules:9:6: error: `max-words` value `1537228672809129303` is too large",
                "rules/x.rules:11:6: error: `after-words` value `1000000001` is too large",
            ]
        );
        assert!(errors[0].contains("= help: did you mean `max-chars`?"), "{}", errors[0]);
        assert!(errors[3].ends_with("= help: options follow the action with no space between: `drop[max-chars=5] …`"));
        // The caret covers the option, not the action.
        assert!(errors[4].contains("\n  |      ^^^^^^^^^^^^^^^^\n"), "{}", errors[4]);
        // A control character is shown by its picture, the caret under it.
        assert!(errors[5].contains("\n6 | drop line f\u{240d}drop line g\n  |            ^\n"), "{}", errors[5]);
    }

    #[test]
    fn page_examples_hold_their_lines_as_written() {
        let (pack, errors) = parse_str(
            "thread line Liked by 3 people\n    page:\n    | Article.\n    |\n    | * Maria\n    |   Nice.\n    |   Liked by 3 people\n    kept:\n    | Article.\n    drop: Liked by 3 people\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        let rule = &pack.rules[0];
        assert_eq!(rule.pages.len(), 1);
        assert_eq!(rule.pages[0].line, 2);
        assert_eq!(rule.pages[0].page, ["Article.", "", "* Maria", "  Nice.", "  Liked by 3 people"]);
        assert_eq!(rule.pages[0].kept.as_deref(), Some(&["Article.".to_string()][..]));
        assert_eq!(rule.examples.len(), 1, "a `drop:` line ends the block");
        // Mistyped blocks are named: `keep:` for `kept:`, `Page:`, a block at column 1.
        let (_, errors) = parse_str("drop line a\n    page:\n    | a b\n    keep:\n    Page:\npage:\n");
        let helps: Vec<&str> = errors.iter().filter_map(|e| e.lines().last()).collect();
        assert_eq!(helps.len(), 4, "{errors:?}");
        assert!(helps[1].contains("did you mean `kept:`?"), "{errors:?}");
        assert!(helps[2].contains("did you mean `page:`?"), "{errors:?}");
        assert!(helps[3].ends_with("examples are indented under the rule they belong to"), "{errors:?}");
        // A comment ended by a lone CR does not hide the rules after it.
        let (_, errors) = parse_str("# rules\rdrop line x\n");
        assert!(errors[0].starts_with("rules/x.rules:1:8: error: carriage return inside a line"), "{errors:?}");
        let (_, errors) = parse_str("drop line a\n    page:\n    kept:\n    | a\ndrop line b\n    | stray\n    kept:\n    page:\n    | b\n");
        let heads: Vec<&str> = errors.iter().map(|e| e.lines().next().unwrap_or("")).collect();
        assert_eq!(
            heads,
            vec![
                "rules/x.rules:2:5: error: `page:` with no `|` lines under it",
                "rules/x.rules:6:5: error: a `|` line outside a page example",
                "rules/x.rules:7:5: error: `kept:` without a `page:` right before it",
                "rules/x.rules:8:5: error: `page:` without a `kept:` block",
            ]
        );
    }

    #[test]
    fn example_errors() {
        let (_, errors) = parse_str("  drop: x\ndrop line a\n  keep:\n  maybe: y\n");
        let heads: Vec<&str> = errors.iter().map(|e| e.lines().next().unwrap_or("")).collect();
        assert_eq!(
            heads,
            vec![
                "rules/x.rules:1:3: error: example before any rule",
                "rules/x.rules:3:3: error: empty example",
                "rules/x.rules:4:3: error: indented line is not an example",
            ]
        );
    }

    #[test]
    fn a_page_or_kept_line_with_text_says_where_the_text_goes() {
        let (_, errors) = parse_str("cut line Read more\n    page: The council met.\n");
        assert!(errors[0].starts_with("rules/x.rules:2:5: error: indented line is not an example"), "{errors:?}");
        assert!(errors[0].ends_with("= help: `page:` stands alone on its line; the lines of the block go under it, each after `| ` (e.g. `    | The council met.`)"), "{errors:?}");
        // Its text already after a `|`, or no space after the colon: the same advice.
        for line in ["    page: | The council met.", "    page:The council met."] {
            let (_, errors) = parse_str(&format!("cut line Read more\n{line}\n"));
            assert!(errors[0].ends_with("(e.g. `    | The council met.`)"), "{errors:?}");
        }
    }

    #[test]
    fn caret_counts_characters() {
        let (_, errors) = parse_str("drop[id=Ünï] line x\n");
        assert_eq!(
            errors[0],
            "rules/x.rules:1:6: error: invalid rule id `Ünï`\n  |\n1 | drop[id=Ünï] line x\n  |      ^^^^^^\n  = help: ids use lowercase letters, digits, `-`, `_` and `.`, beginning with a letter or digit, e.g. `id=leave-a-reply`"
        );
    }
}
