//! Compiling raw rules into the structures the engine matches with, with hard validation.
//!
//! Literal phrases are normalized once here (see [`normalize`](super::normalize)). Whole-line
//! phrases go into a hash map, prefix and contains phrases into one Aho-Corasick automaton run
//! over a line's normalized head, and contains phrases also contribute an *anchor* (their longest
//! word) to a small raw-byte automaton that picks, among long lines, the few worth normalizing in
//! full. Regexes that can only match short lines (anchored at both ends with a bounded length,
//! or limited by `max-chars`) only ever run on short lines; the rest run on every line.

use std::collections::HashMap;
use std::path::Path;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::bytes::{RegexSet, RegexSetBuilder};
use regex_syntax::hir::Look;

use super::error::RuleError;
use super::normalize::normalize;
use super::syntax::{Action, Mode, RawPack, RawRule};
use super::{PackInfo, Rule};

/// The longest phrase, in normalized bytes, a literal rule may have.
pub const MAX_PHRASE_BYTES: usize = 4096;
/// The largest `max-chars` a rule may set.
pub const MAX_CHARS_LIMIT: usize = 4096;
/// Regexes whose longest match is at most this many bytes count as bounded.
const MAX_BOUNDED_REGEX: usize = 4 * MAX_CHARS_LIMIT;

/// The matching structures built from a rule set. Immutable once built.
#[derive(Debug, Default)]
pub(crate) struct Compiled {
    /// How many normalized bytes of each line to compute up front: enough to decide every rule
    /// that can only match a short line.
    pub head_limit: usize,
    /// Normalized whole-line phrase → rules.
    pub line_map: HashMap<Box<[u8]>, Vec<u32>>,
    /// Normalized prefix phrases (standard semantics, searched overlapping in a line's first
    /// `prefix_max` normalized bytes; only matches at offset 0 count).
    pub prefixes: Lits,
    /// The longest normalized prefix phrase.
    pub prefix_max: usize,
    /// Normalized contains phrases (standard semantics, searched overlapping).
    pub contains: Lits,
    /// Shortest and longest normalized whole-line phrase: other lengths skip the hash lookup.
    pub line_lens: (usize, usize),
    /// Raw-byte, ASCII-case-insensitive anchors of the contains rules that apply to lines of any
    /// length; a long line is normalized in full only when one of them occurs in it.
    pub anchors: Option<AhoCorasick>,
    /// Regexes that can only match lines of at most `head_limit` normalized bytes.
    pub bounded: Set,
    /// Regexes that must be tried on every line.
    pub unbounded: Set,
    /// Whether any rule has the `thread` action (the engine then holds back indented runs).
    pub has_thread: bool,
}

/// A literal automaton and, per pattern id, the rules that use that phrase.
#[derive(Debug, Default)]
pub(crate) struct Lits {
    pub ac: Option<AhoCorasick>,
    pub rules: Vec<Vec<u32>>,
    patterns: Vec<Vec<u8>>,
    index: HashMap<Vec<u8>, usize>,
}

impl Lits {
    fn add(&mut self, norm: &[u8], rule: u32) {
        let pid = match self.index.get(norm) {
            Some(&pid) => pid,
            None => {
                self.patterns.push(norm.to_vec());
                self.rules.push(Vec::new());
                self.index.insert(norm.to_vec(), self.patterns.len() - 1);
                self.patterns.len() - 1
            }
        };
        self.rules[pid].push(rule);
    }

    fn build(&mut self) -> Result<(), String> {
        self.ac = build_ac(&self.patterns, false)?;
        self.index = HashMap::new();
        self.patterns = Vec::new();
        Ok(())
    }
}

/// Compiles parsed packs. Returns the rules, pack descriptions and matcher, or every error.
pub(crate) fn compile(
    packs: Vec<(std::path::PathBuf, RawPack, bool)>,
) -> Result<(Vec<Rule>, Vec<PackInfo>, Compiled), Vec<RuleError>> {
    let mut errors = Vec::new();
    let mut rules: Vec<Rule> = Vec::new();
    let mut infos = Vec::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut c = Compiled::default();
    let mut anchors: Vec<Vec<u8>> = Vec::new();
    let mut bounded: (Vec<String>, Vec<u32>) = (Vec::new(), Vec::new());
    let mut unbounded: (Vec<String>, Vec<u32>) = (Vec::new(), Vec::new());
    let mut head_limit = 0usize;

    for (path, pack, embedded) in packs {
        infos.push(PackInfo {
            name: pack.name.clone(),
            about: pack.about.clone(),
            path: path.clone(),
            rules: pack.rules.len(),
            embedded,
        });
        for raw in pack.rules {
            let err = |col: usize, width: usize| RuleError::new(&path, raw.line, &raw.source_line, col, width);
            let index = rules.len() as u32;
            if let Some(n) = raw.max_chars {
                if n > MAX_CHARS_LIMIT {
                    errors.push(
                        err(1, raw.source_line.find(']').map_or(1, |e| e + 1))
                            .msg(format!("`max-chars={n}` is larger than {MAX_CHARS_LIMIT}"))
                            .hint("max-chars is for short chrome lines; drop the option to match lines of any length"),
                    );
                    continue;
                }
                head_limit = head_limit.max(4 * n);
            }
            let norm = normalize(raw.phrase.as_bytes());
            match raw.mode {
                Mode::Regex => match check_regex(&raw, &path) {
                    Ok(shape) => {
                        let bounded_len = match (shape, raw.max_chars) {
                            (_, Some(n)) => Some(4 * n),
                            (Some(len), None) => Some(len),
                            (None, None) => None,
                        };
                        let pattern = format!("(?i){}", raw.phrase);
                        match bounded_len {
                            Some(len) => {
                                head_limit = head_limit.max(len);
                                bounded.0.push(pattern);
                                bounded.1.push(index);
                            }
                            None => {
                                unbounded.0.push(pattern);
                                unbounded.1.push(index);
                            }
                        }
                    }
                    Err(e) => {
                        errors.push(e);
                        continue;
                    }
                },
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
                Mode::Line => {
                    head_limit = head_limit.max(norm.len());
                    c.line_lens = if c.line_map.is_empty() {
                        (norm.len(), norm.len())
                    } else {
                        (c.line_lens.0.min(norm.len()), c.line_lens.1.max(norm.len()))
                    };
                    c.line_map.entry(norm.clone().into_boxed_slice()).or_default().push(index);
                }
                Mode::Prefix => {
                    c.prefix_max = c.prefix_max.max(norm.len());
                    c.prefixes.add(&norm, index);
                }
                Mode::Contains => {
                    if raw.max_chars.is_none() {
                        anchors.push(anchor_of(&norm).to_vec());
                    }
                    c.contains.add(&norm, index);
                }
            }
            let id = match &raw.id {
                Some((id, col)) => {
                    if let Some(&other) = ids.get(id) {
                        let o = &rules[other];
                        errors.push(
                            err(*col, id.chars().count() + 3)
                                .msg(format!("duplicate rule id `{id}`"))
                                .hint(format!("`{id}` is already the id of the rule at {}:{}", o.path.display(), o.line)),
                        );
                        continue;
                    }
                    id.clone()
                }
                None => auto_id(&pack.name, &raw, &ids),
            };
            ids.insert(id.clone(), rules.len());
            c.has_thread |= raw.action == Action::Thread;
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
                examples: raw.examples,
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    c.head_limit = head_limit;
    let built = (|| {
        c.prefixes.build()?;
        c.contains.build()?;
        c.anchors = build_ac(&anchors, true)?;
        c.bounded = build_set(bounded)?;
        c.unbounded = build_set(unbounded)?;
        Ok::<_, String>(())
    })();
    if let Err(message) = built {
        let path = infos.first().map_or_else(Default::default, |p: &PackInfo| p.path.clone());
        return Err(vec![RuleError::new(&path, 1, "", 1, 1)
            .msg(format!("the rule set is too large to compile: {message}"))
            .hint("split the regex rules or use fewer of them")]);
    }
    Ok((rules, infos, c))
}

/// Parses a regex rule with regex-syntax to point errors at the exact column, rejects regexes
/// that mention a line break, and returns `Some(max_len)` when the regex is anchored at both ends
/// and bounded (so it can only match a short line).
fn check_regex(raw: &RawRule, path: &Path) -> Result<Option<usize>, RuleError> {
    let err = |col: usize, width: usize| RuleError::new(path, raw.line, &raw.source_line, col, width);
    let phrase_chars = raw.phrase.chars().count();
    let mut parser = regex_syntax::ParserBuilder::new().case_insensitive(true).build();
    let hir = match parser.parse(&raw.phrase) {
        Ok(hir) => hir,
        Err(e) => {
            let (offset, width, kind) = match &e {
                regex_syntax::Error::Parse(e) => {
                    let s = e.span();
                    (s.start.offset, s.end.offset.saturating_sub(s.start.offset), e.kind().to_string())
                }
                regex_syntax::Error::Translate(e) => {
                    let s = e.span();
                    (s.start.offset, s.end.offset.saturating_sub(s.start.offset), e.kind().to_string())
                }
                _ => (0, phrase_chars, e.to_string()),
            };
            let col = raw.phrase_col + raw.phrase.get(..offset).map_or(0, |s| s.chars().count());
            let width = raw.phrase.get(offset..offset + width).map_or(1, |s| s.chars().count().max(1));
            return Err(err(col, width)
                .msg(format!("invalid regex: {kind}"))
                .hint("rules use the Rust `regex` crate's syntax (no look-around or backreferences)"));
        }
    };
    for esc in ["\\n", "\\r", "\\x0a", "\\x0A", "\\x0d", "\\x0D"] {
        if let Some(at) = raw.phrase.find(esc) {
            let col = raw.phrase_col + raw.phrase[..at].chars().count();
            return Err(err(col, esc.len())
                .msg("regex mentions a line break, but rules see one line at a time")
                .hint("match the line's own text; white space is already collapsed to single spaces"));
        }
    }
    // The regex crate has limits of its own (size of the compiled program); surface them too.
    if let Err(e) = regex::bytes::RegexBuilder::new(&format!("(?i){}", raw.phrase)).build() {
        return Err(err(raw.phrase_col, phrase_chars)
            .msg(format!("invalid regex: {}", e.to_string().lines().last().unwrap_or("")))
            .hint("simplify the regex"));
    }
    let props = hir.properties();
    let anchored = props.look_set_prefix().contains(Look::Start) && props.look_set_suffix().contains(Look::End);
    Ok(match props.maximum_len() {
        Some(n) if anchored && n <= MAX_BOUNDED_REGEX => Some(n),
        _ => None,
    })
}

/// The longest run of a normalized phrase with no space or quote in it: raw text that contains
/// the phrase contains this run verbatim (up to ASCII case).
fn anchor_of(norm: &[u8]) -> &[u8] {
    norm.split(|&b| b == b' ' || b == b'\'' || b == b'"')
        .max_by_key(|w| w.len())
        .filter(|w| !w.is_empty())
        .unwrap_or(norm)
}

fn auto_id(pack: &str, raw: &RawRule, ids: &HashMap<String, usize>) -> String {
    let mut slug = String::new();
    for c in raw.phrase.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.chars().count() >= 40 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    let base = if slug.is_empty() { format!("{pack}/line-{}", raw.line) } else { format!("{pack}/{slug}") };
    if ids.contains_key(&base) {
        format!("{base}-{}", raw.line)
    } else {
        base
    }
}

fn build_ac(patterns: &[Vec<u8>], ascii_case_insensitive: bool) -> Result<Option<AhoCorasick>, String> {
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
