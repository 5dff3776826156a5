//! Rule files: parsing, compiling and the compiled, immutable [`RuleSet`].
//!
//! Rules are parsed ([`syntax`]), then compiled ([`compile`]); the result is cheap to share
//! between threads and knows, for every rule, its id and the `file:line` it came from.

pub(crate) mod block;
pub mod compile;
pub(crate) mod line_regex;
pub mod lint;
pub mod error;
pub mod normalize;
pub(crate) mod shape;
pub mod syntax;

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

pub use compile::ContextRules;
use compile::NARROW_LEAD;
pub use error::{RuleError, RuleErrors, Severity};
pub use syntax::{Action, Example, Mode, PageExample};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));
}

/// The shape of a shipped regex, worked out when chaff was built (see [`shape`]); `None` for
/// any other regex.
pub(crate) fn cached_shape(phrase: &str) -> Option<shape::RegexShape> {
    let table = embedded::REGEX_SHAPES;
    table.binary_search_by(|(p, _)| (*p).cmp(phrase)).ok().map(|i| table[i].1.to_shape())
}

/// The shipped rule files, embedded in the binary: `(path in the repository, contents)`.
pub fn embedded_files() -> &'static [(&'static str, &'static str)] {
    embedded::EMBEDDED
}

/// One compiled rule and where it came from.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Stable id: an explicit `id=`, else `pack/slug-of-the-phrase`.
    pub id: String,
    /// The pack (file) the rule belongs to.
    pub pack: String,
    /// The rule file (`rules/x.rules` for the shipped rules).
    pub path: PathBuf,
    /// 1-based line of the rule in its file.
    pub line: usize,
    /// The rule's source line, as written.
    pub source_line: String,
    /// 1-based column where the phrase starts.
    pub phrase_col: usize,
    /// What it does.
    pub action: Action,
    /// How it matches.
    pub mode: Mode,
    /// The phrase or regex as written.
    pub phrase: String,
    /// The normalized phrase (empty for regexes).
    pub norm: Vec<u8>,
    /// The rule only applies to lines of at most this many normalized characters.
    pub max_chars: Option<usize>,
    /// With `after-words=N`, the rule acts only once N words of prose came before the line: a
    /// `cut` before that drops only its own line, any other rule does not match.
    pub after_words: Option<usize>,
    /// Examples written under the rule.
    pub examples: Vec<Example>,
    /// Page examples written under the rule.
    pub pages: Vec<PageExample>,
}

impl Rule {
    /// `path:line` of the rule.
    pub fn location(&self) -> String {
        format!("{}:{}", self.path.display(), self.line)
    }
}

/// A pack (one rule file) in a rule set.
#[derive(Clone, Debug)]
pub struct PackInfo {
    /// Pack name.
    pub name: String,
    /// Its `about` line.
    pub about: Option<String>,
    /// Where it was loaded from.
    pub path: PathBuf,
    /// Number of rules.
    pub rules: usize,
    /// Whether it is one of the shipped packs embedded in the binary.
    pub embedded: bool,
}

/// What the block search looks for in every line (see [`RuleSet::block_windows`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockWindows {
    /// Each window (its bytes as text, those of a cut character escaped) and the anchor words
    /// that hold it.
    pub windows: Vec<(String, Vec<String>)>,
    /// The anchor words too short for a window, searched for one by one.
    pub short: Vec<String>,
}

/// A compiled set of rules, ready for the engine. Immutable; share it by reference.
#[derive(Debug)]
pub struct RuleSet {
    rules: Vec<Rule>,
    packs: Vec<PackInfo>,
    pub(crate) compiled: compile::Compiled,
}

impl RuleSet {
    /// Compiles rules from `(path, text)` pairs, for tests and embedding.
    ///
    /// # Errors
    /// Every error in every file, as [`RuleErrors`].
    pub fn from_sources<P: AsRef<Path>, S: AsRef<str>>(sources: &[(P, S)]) -> Result<RuleSet, RuleErrors> {
        let mut b = RuleSetBuilder::new();
        for (p, s) in sources {
            b.add_source(p.as_ref(), s.as_ref(), false);
        }
        b.build()
    }

    /// The shipped rules.
    ///
    /// # Errors
    /// Only if a shipped rule file is broken (a test guards against that).
    pub fn embedded() -> Result<RuleSet, RuleErrors> {
        let mut b = RuleSetBuilder::new();
        b.add_embedded();
        b.build()
    }

    /// Compiles every regex rule's regex now (cleaning otherwise compiles each on first use).
    /// The CLI calls this on a spare core at start-up, so that the cleaning thread seldom waits
    /// for a compilation.
    pub fn compile_regexes(&self) {
        for r in &self.compiled.regexes {
            r.get();
        }
    }

    /// All rules, in load order; a rule's index here is its number in engine events.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule with index `i`, a number from an engine event of this rule set
    /// ([`crate::engine::Decision::rule`]).
    ///
    /// # Panics
    /// If `i` is out of range, as a number from another rule set may be: use
    /// `rules().get(i)` where that can happen.
    pub fn rule(&self, i: u32) -> &Rule {
        &self.rules[i as usize]
    }

    /// The packs, in load order.
    pub fn packs(&self) -> &[PackInfo] {
        &self.packs
    }

    /// For each anchor word: the word, the rules it gates, and whether it is looked for in every
    /// line rather than only in lines that begin like its rules (`chaff check --gates`).
    pub fn anchor_words(&self) -> Vec<(String, Vec<u32>, bool)> {
        let c = &self.compiled;
        c.anchor_words
            .iter()
            .zip(&c.anchor_targets)
            .zip(&c.anchor_every_line)
            .map(|((w, t), &every)| (String::from_utf8_lossy(w).into_owned(), t.clone(), every))
            .collect()
    }

    /// What the block search looks for in every line (`chaff check --gates`): each window of the
    /// packed searchers with the anchor words that hold it, and the words too short for a
    /// window, searched for one by one. `None` when there are no such anchor words, or when the
    /// search is an automaton over the words themselves (see `BlockFinder`).
    pub fn block_windows(&self) -> Option<BlockWindows> {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        match &self.compiled.anchor_finder {
            Some(block::BlockFinder::Packed(f)) => Some(BlockWindows {
                windows: f.windows().into_iter().map(|(w, words)| (shown(w), words.into_iter().map(text).collect())).collect(),
                short: f.short_words().map(text).collect(),
            }),
            _ => None,
        }
    }

    /// Whether the block search is an automaton over the anchor words rather than the packed
    /// searchers: more than [`block::SHORT_WORDS`] words looked for in every line are too short
    /// for a window (or the machine has no SIMD).
    pub(crate) fn block_search_fell_back(&self) -> bool {
        matches!(self.compiled.anchor_finder, Some(block::BlockFinder::Automaton(_)))
    }

    /// For each leading literal of the gate: the literal and the rules it gates, including the
    /// rules of shorter literals it starts with (`chaff check --gates`).
    pub fn gate_literals(&self) -> Vec<(String, Vec<u32>)> {
        let c = &self.compiled;
        c.gate_words
            .iter()
            .zip(&c.gate.rules)
            .map(|(w, t)| (shown(w), t.iter().copied().filter(|&r| r != NARROW_LEAD).collect::<Vec<_>>()))
            .filter(|(_, t)| !t.is_empty())
            .collect()
    }

    /// For each ending of the ending gate: the ending and the rules it gates, including the rules
    /// of shorter endings it ends with (`chaff check --gates`).
    pub fn gate_endings(&self) -> Vec<(String, Vec<u32>)> {
        let c = &self.compiled;
        c.suffix_words.iter().zip(&c.suffix.rules).map(|(w, t)| (shown(w), t.clone())).collect()
    }

    /// The context rules in use (`menu-run`, `page-head`) and their settings.
    pub fn context(&self) -> ContextRules {
        self.compiled.context
    }

    /// How the rules are gated (see docs/DESIGN.md): counts per kind of gate.
    pub fn gate_summary(&self) -> GateSummary {
        let c = &self.compiled;
        let anchored: std::collections::HashSet<u32> = c.anchor_targets.iter().flatten().copied().collect();
        let ending: std::collections::HashSet<u32> = c.suffix.rules.iter().flatten().copied().collect();
        let mut g = GateSummary::default();
        for (i, r) in self.rules.iter().enumerate() {
            let i = i as u32;
            match r.mode {
                Mode::Line | Mode::Prefix => g.head_literal += 1,
                Mode::Context => g.context += 1,
                Mode::Contains => g.anchor_word += 1,
                Mode::Regex if anchored.contains(&i) => g.anchor_word += 1,
                Mode::Regex if ending.contains(&i) => g.ending += 1,
                Mode::Regex if c.short.iter().any(|s| s.0 == i) => g.short_line += 1,
                Mode::Regex if c.unbounded.as_ref().is_some_and(|u| u.1.contains(&i)) => g.every_line += 1,
                Mode::Regex => g.head_literal += 1,
            }
        }
        g
    }
}

/// Counts of rules per kind of gate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GateSummary {
    /// Gated by the first bytes of the line.
    pub head_literal: usize,
    /// Gated by the last bytes of the line.
    pub ending: usize,
    /// Gated by a word in the raw line.
    pub anchor_word: usize,
    /// Run on short lines only.
    pub short_line: usize,
    /// Run on every line.
    pub every_line: usize,
    /// Context rules (judged by shape and neighbours, not matched).
    pub context: usize,
}

/// A gate's bytes as text: a leading text, an ending or a window may cut a character of another
/// script, whose bytes are shown as they are and the cut ones escaped (`\xd0`).
fn shown(b: &[u8]) -> String {
    b.utf8_chunks().fold(String::new(), |mut out, chunk| {
        out.push_str(chunk.valid());
        out.extend(chunk.invalid().iter().map(|x| format!("\\x{x:02x}")));
        out
    })
}

/// Collects rule files, then compiles them into a [`RuleSet`].
#[derive(Default)]
pub struct RuleSetBuilder {
    sources: Vec<(PathBuf, String, bool)>,
    /// Errors met while reading (bad UTF-8), reported with the parse errors.
    read_errors: Vec<RuleError>,
    disabled: Vec<String>,
    /// The files read so far, by their canonical paths: a file named twice (`my.rules` and
    /// `./my.rules`, or a file and its folder) is read once.
    read: Vec<PathBuf>,
}

impl RuleSetBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the shipped rule files.
    pub fn add_embedded(&mut self) -> &mut Self {
        for (path, text) in embedded_files() {
            self.add_source(Path::new(path), text, true);
        }
        self
    }

    /// Adds one rule file's text. `path` names it in errors and `chaff explain`. `embedded` is
    /// `true` only for the shipped files (their regexes were checked when chaff was built, and
    /// [`PackInfo::embedded`] says where a pack came from): pass `false` for your own.
    pub fn add_source(&mut self, path: &Path, text: &str, embedded: bool) -> &mut Self {
        self.sources.push((path.to_path_buf(), text.to_string(), embedded));
        self
    }

    /// Adds a rule file, or every `*.rules` file in a folder (sorted by name).
    ///
    /// # Errors
    /// I/O errors (missing file, unreadable folder), with the path.
    pub fn add_path(&mut self, path: &Path) -> anyhow::Result<&mut Self> {
        use anyhow::Context;
        let meta = fs::metadata(path).with_context(|| format!("cannot read rules from {}", path.display()))?;
        if meta.is_dir() {
            let mut files: Vec<PathBuf> = fs::read_dir(path)
                .with_context(|| format!("cannot list {}", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                // Not `is_file`: a `*.rules` entry that cannot be read (a broken link) is an
                // error below, not skipped. Folders inside are not searched.
                .filter(|p| p.extension().is_some_and(|x| x == "rules") && !p.is_dir())
                .collect();
            files.sort();
            if files.is_empty() {
                anyhow::bail!("{}: no rule files (*.rules) in this folder", path.display());
            }
            for f in files {
                // A FIFO, socket or device found in a folder is not a rule file, and reading a
                // FIFO would wait for a writer forever. (Named alone, a pipe is read: `--rules
                // <(…)`.)
                if fs::metadata(&f).is_ok_and(|m| !m.is_file()) {
                    anyhow::bail!("{}: not a regular file (a pipe, socket or device), in the rules folder {}", f.display(), path.display());
                }
                self.add_file(&f)?;
            }
        } else {
            self.add_file(path)?;
        }
        Ok(self)
    }

    fn add_file(&mut self, path: &Path) -> anyhow::Result<()> {
        use anyhow::Context;
        let canonical = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if self.read.contains(&canonical) {
            return Ok(());
        }
        self.read.push(canonical);
        let bytes = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        match String::from_utf8(bytes) {
            Ok(text) => {
                self.add_source(path, &text, false);
            }
            Err(e) => {
                let bytes = e.as_bytes();
                let at = e.utf8_error().valid_up_to();
                let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
                let line_start = bytes[..at].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
                // A byte order mark beginning the line is left out, as the parser leaves it out.
                let line_start = if bytes[line_start..at].starts_with("\u{feff}".as_bytes()) { line_start + 3 } else { line_start };
                let line_end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |p| at + p);
                // The line without its ending (`\r\n` too), as the parser shows lines.
                let line_end = if line_end > at && bytes[line_end - 1] == b'\r' { line_end - 1 } else { line_end };
                let shown = String::from_utf8_lossy(&bytes[line_start..line_end]).into_owned();
                let col = String::from_utf8_lossy(&bytes[line_start..at]).chars().count() + 1;
                self.read_errors.push(
                    RuleError::new(path, line, &shown, col, 1)
                        .msg("rule file is not valid UTF-8")
                        .hint("save the file as UTF-8"),
                );
                // The rest of the file is still checked, its bad bytes read as U+FFFD.
                let text = String::from_utf8_lossy(bytes).into_owned();
                self.add_source(path, &text, false);
            }
        }
        Ok(())
    }

    /// Leaves out the pack named `name`. A name no pack has is ignored: check it against
    /// [`RuleSetBuilder::pack_names`] first (`chaff --disable` reports it as an error).
    pub fn disable(&mut self, name: &str) -> &mut Self {
        self.disabled.push(name.to_string());
        self
    }

    /// Names of all packs added so far (before disabling), to validate `--disable`.
    pub fn pack_names(&self) -> Vec<String> {
        self.sources
            .iter()
            .map(|(p, t, _)| syntax::parse(p, t).0.name)
            .collect()
    }

    /// Parses and compiles everything added.
    ///
    /// # Errors
    /// Every error in every file, as [`RuleErrors`].
    pub fn build(&self) -> Result<RuleSet, RuleErrors> {
        let mut errors = Vec::new();
        // The files of packs left out: their read errors (bytes that are not UTF-8) stop nothing.
        let mut left_out: Vec<&Path> = Vec::new();
        let mut packs = Vec::new();
        // Files whose pack name another file has: compiled on their own, for their errors only.
        let mut apart = Vec::new();
        let mut names: HashMap<String, &Path> = HashMap::new();
        for (path, text, embedded) in &self.sources {
            let (pack, errs) = syntax::parse(path, text);
            // A pack left out is not compiled, and its errors do not count (a file being
            // written can be left out while the others run), those of its lines neither. Its
            // name still does: two files of one name are an error in any run.
            let disabled = self.disabled.contains(&pack.name);
            if disabled {
                left_out.push(path);
            } else {
                errors.extend(errs);
            }
            // One name, one pack: `--disable` and rule ids go by it.
            if let Some(first) = names.get(&pack.name) {
                let text = text.strip_prefix('\u{feff}').unwrap_or(text);
                let (line, text) = text
                    .lines()
                    .map(|l| l.strip_prefix('\u{feff}').unwrap_or(l))
                    .enumerate()
                    .find(|(_, l)| l.split_whitespace().next() == Some("pack"))
                    .unwrap_or((0, text.lines().next().unwrap_or("")));
                errors.push(
                    RuleError::new(path, line + 1, text, 1, text.chars().count().max(1))
                        .msg(format!("pack `{}` is already the name of the pack of {}", pack.name, first.display()))
                        .hint("give this file a `pack NAME` line of its own (a file without one is named after the file)"),
                );
                if !disabled {
                    apart.push((path.clone(), pack, *embedded));
                }
                continue;
            }
            names.insert(pack.name.clone(), path);
            if !disabled {
                packs.push((path.clone(), pack, *embedded));
            }
        }
        errors.extend(self.read_errors.iter().filter(|e| !left_out.contains(&e.path.as_path())).cloned());
        // Compile what parsed even when some lines did not, so that every error in the files
        // (regex errors and duplicate ids included) is reported in one go. Cleaning compiles a
        // regex on first use, and one the regex crate refuses then matches nothing. Those of
        // the shipped files are checked before release (`chaff check rules/`); those of the
        // files given are compiled here, so that a refused one is an error now.
        let given: Vec<PathBuf> = self.sources.iter().filter(|s| !s.2).map(|s| s.0.clone()).collect();
        let mut compile_all = |packs: Vec<(PathBuf, syntax::RawPack, bool)>| {
            // The files given, kept for a second try (the shipped ones compile: CI checks them).
            let own: Vec<_> = packs.iter().filter(|p| !p.2).cloned().collect();
            let refused = |rules: &[Rule], compiled: &compile::Compiled| {
                let refused = compiled.compile_regexes_of(|r| given.contains(&rules[r as usize].path));
                refused.into_iter().map(|(r, reason): (u32, String)| lint::regex_error(&rules[r as usize], &reason)).collect::<Vec<_>>()
            };
            match compile::compile(packs) {
                Ok((rules, packs, compiled)) => {
                    errors.extend(refused(&rules, &compiled));
                    Some(RuleSet { rules, packs, compiled })
                }
                Err(more) => {
                    // The rules that compiled are compiled again without the others, so that
                    // the regexes the regex crate refuses are reported in this run too.
                    let bad: Vec<(&Path, usize)> = more.iter().map(|e| (e.path.as_path(), e.line)).collect();
                    let rest = own
                        .into_iter()
                        .map(|(path, mut pack, embedded)| {
                            pack.rules.retain(|r| !bad.contains(&(path.as_path(), r.line)));
                            (path, pack, embedded)
                        })
                        .collect();
                    if let Ok((rules, _, compiled)) = compile::compile(rest) {
                        errors.extend(refused(&rules, &compiled));
                    }
                    errors.extend(more);
                    None
                }
            }
        };
        let set = compile_all(packs);
        for pack in apart {
            compile_all(vec![pack]);
        }
        match set {
            Some(set) if errors.is_empty() => Ok(set),
            _ => {
                errors.sort_by(|a, b| (&a.path, a.line, a.col).cmp(&(&b.path, b.line, b.col)));
                errors.dedup();
                Err(RuleErrors(errors))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The build script found every shipped regex, and its analysis is the one start-up would do.
    #[test]
    fn every_shipped_regex_has_its_shape_worked_out_at_build_time() {
        let mut regexes = 0;
        for (path, text) in embedded_files() {
            for rule in syntax::parse(Path::new(path), text).0.rules.iter().filter(|r| r.mode == Mode::Regex) {
                let cached = cached_shape(&rule.phrase).unwrap_or_else(|| panic!("{path}:{}: no shape for {:?}", rule.line, rule.phrase));
                assert_eq!(Ok(cached), shape::analyse(&rule.phrase), "{path}:{}", rule.line);
                regexes += 1;
            }
        }
        assert!(regexes > 100, "only {regexes} shipped regexes");
        assert!(cached_shape("^not a shipped regex$").is_none());
    }
}
