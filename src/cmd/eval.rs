//! `chaff eval INPUT_DIR GOLD_DIR`: how well the rules clean a corpus with gold article text.
//!
//! The measure is the development corpus's: each text becomes a bag of word 4-grams (words are
//! runs of what Python's `\w` matches: letters, numbers and `_`, not the marks and joiners the
//! regex crate's `\w` takes in as well; letters as the regex crate's Unicode tables know them,
//! so a character added to Unicode after the version of a Python that runs score.py may split
//! words differently there; a text of one to three words is a single shingle), and
//! per page
//! tp = |output ∩ gold|, fp = |output| - tp, fn = |gold| - tp, summed over pages (micro).
//! The per-rule table counts, for the lines each rule dropped, the 4-grams inside them that are
//! in the page's gold text (article text the rule cost) and those that are not (chrome it
//! removed).

use std::collections::HashMap;
use std::path::Path;
use std::process::ExitCode;
use std::sync::OnceLock;

use anyhow::{Context, Result};
use regex::Regex;
use serde_json::json;

use super::{EXIT_OK, Io, counted, load_rules};
use crate::cli::{EvalArgs, Format};
use crate::engine::{Engine, Options};
use crate::output::RecordSink;

fn word_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // A fixed, valid pattern.
    RE.get_or_init(|| Regex::new(r"[\p{L}\p{N}_]+").unwrap_or_else(|_| unreachable!("a valid regex")))
}

/// The bag of word 4-grams of a text.
pub fn shingles(text: &str) -> HashMap<String, u32> {
    let words: Vec<&str> = word_re().find_iter(text).map(|m| m.as_str()).collect();
    let mut bag = HashMap::new();
    if words.is_empty() {
        return bag;
    }
    if words.len() < 4 {
        *bag.entry(words.join(" ")).or_insert(0) += 1;
        return bag;
    }
    for w in words.windows(4) {
        *bag.entry(w.join(" ")).or_insert(0) += 1;
    }
    bag
}

fn overlap(a: &HashMap<String, u32>, b: &HashMap<String, u32>) -> u64 {
    a.iter().map(|(k, &n)| u64::from(n.min(b.get(k).copied().unwrap_or(0)))).sum()
}

fn total(a: &HashMap<String, u32>) -> u64 {
    a.values().map(|&n| u64::from(n)).sum()
}

#[derive(Default, Clone, Copy)]
struct Counts {
    tp: u64,
    fp: u64,
    fn_: u64,
}

impl Counts {
    fn add(&mut self, out: &HashMap<String, u32>, gold: &HashMap<String, u32>) {
        let tp = overlap(out, gold);
        self.tp += tp;
        self.fp += total(out) - tp;
        self.fn_ += total(gold) - tp;
    }

    fn prf(&self) -> (f64, f64, f64) {
        // No output and no gold text at all is a perfect score, as score.py counts it.
        if self.tp + self.fp == 0 && self.tp + self.fn_ == 0 {
            return (1.0, 1.0, 1.0);
        }
        let p = self.tp as f64 / (self.tp + self.fp).max(1) as f64;
        let r = self.tp as f64 / (self.tp + self.fn_).max(1) as f64;
        let f = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
        (p, r, f)
    }
}

/// Runs `chaff eval`.
///
/// # Errors
/// Rule errors, unreadable folders or files, write errors.
pub fn run(args: &EvalArgs, io: &mut Io<'_>) -> Result<ExitCode> {
    let rules = load_rules(&args.rules)?;
    if !args.gold.is_dir() {
        anyhow::bail!("{}: not a folder of gold texts", args.gold.display());
    }
    // Names as the file system has them (not all are UTF-8), shown lossily.
    let (mut names, lost): (Vec<std::ffi::OsString>, Vec<std::ffi::OsString>) = std::fs::read_dir(&args.input)
        .with_context(|| format!("cannot list {}", args.input.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .filter(|n| n.as_encoded_bytes().ends_with(b".txt") && !args.input.join(n).is_dir())
        .partition(|n| args.gold.join(n).is_file());
    if names.is_empty() && lost.is_empty() {
        anyhow::bail!("{}: no pages in this folder (pages are its .txt files)", args.input.display());
    }
    if names.is_empty() {
        anyhow::bail!(
            "no page of {} has its gold text in {} (pages are the .txt files, and each needs a gold file of the same name)",
            args.input.display(),
            args.gold.display()
        );
    }
    if !lost.is_empty() {
        writeln!(
            io.stderr,
            "chaff: {} of {} pages {} no gold text in {} and {} left out (the first: {})",
            lost.len(),
            lost.len() + names.len(),
            if lost.len() == 1 { "has" } else { "have" },
            crate::rules::error::printable(&args.gold.display().to_string()),
            if lost.len() == 1 { "is" } else { "are" },
            crate::rules::error::printable(&lost.iter().min().map_or_else(String::new, |n| n.to_string_lossy().into_owned()))
        )?;
    }
    names.sort();
    let (mut base, mut clean) = (Counts::default(), Counts::default());
    let mut per_rule = vec![RuleCounts::default(); rules.rules().len()];
    let mut engine = Engine::new(&rules, Options::default());
    let started = std::time::Instant::now();
    let mut bytes = 0usize;
    for (page, os_name) in names.iter().enumerate() {
        let name = &*os_name.to_string_lossy();
        let input = read(&args.input.join(os_name))?;
        let gold_text = String::from_utf8_lossy(&read(&args.gold.join(os_name))?).into_owned();
        bytes += input.len();
        let gold = shingles(&gold_text);
        let mut rec = RecordSink::default();
        let mut reader = &input[..];
        engine.run(&mut reader, name, &mut rec).with_context(|| format!("cleaning {name}"))?;
        base.add(&shingles(&String::from_utf8_lossy(&input)), &gold);
        clean.add(&shingles(&String::from_utf8_lossy(&rec.written())), &gold);
        for (_, decision, _, line) in &rec.lines {
            if let Some(r) = decision.rule() {
                let bag = shingles(&String::from_utf8_lossy(line));
                let in_gold = overlap(&bag, &gold);
                let e = &mut per_rule[r as usize];
                e.lines += 1;
                e.chrome += total(&bag) - in_gold;
                e.gold += in_gold;
                if e.last_page != Some(page) {
                    e.last_page = Some(page);
                    e.pages += 1;
                }
            }
        }
    }
    let elapsed = started.elapsed();
    let mut rows: Vec<(usize, RuleCounts)> = per_rule.iter().copied().enumerate().filter(|(_, c)| c.lines > 0).collect();
    rows.sort_by(|a, b| (b.1.chrome + b.1.gold).cmp(&(a.1.chrome + a.1.gold)).then(a.0.cmp(&b.0)));
    if args.top > 0 {
        rows.truncate(args.top);
    }
    let (bp, br, bf) = base.prf();
    let (cp, cr, cf) = clean.prf();
    match args.format {
        Format::Json => {
            let doc = json!({
                "pages": names.len(),
                "baseline": {"precision": bp, "recall": br, "f1": bf},
                "chaff": {"precision": cp, "recall": cr, "f1": cf},
                "seconds": elapsed.as_secs_f64(),
                "rules": rows.iter().map(|(i, c)| {
                    let r = &rules.rules()[*i];
                    json!({"rule": r.id, "location": r.location(), "lines": c.lines, "pages": c.pages, "chrome_4grams": c.chrome, "gold_4grams": c.gold})
                }).collect::<Vec<_>>(),
            });
            writeln!(io.stdout, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
        Format::Text => {
            writeln!(
                io.stdout,
                "{}, {:.2} MB, cleaned and scored in {:.2} s (word 4-grams, micro)",
                counted(names.len() as u64, "page"),
                bytes as f64 / 1e6,
                elapsed.as_secs_f64()
            )?;
            writeln!(io.stdout, "  {:<10} {:>9} {:>7} {:>7}", "", "precision", "recall", "F1")?;
            writeln!(io.stdout, "  {:<10} {bp:>9.3} {br:>7.3} {bf:>7.3}", "nothing")?;
            writeln!(io.stdout, "  {:<10} {cp:>9.3} {cr:>7.3} {cf:>7.3}", "chaff")?;
            if rows.is_empty() {
                writeln!(io.stdout, "\nno rule dropped a line")?;
            }
            // The rule's id last: ids in scripts of wide characters would push a column after
            // them out of line. The location column as wide as its longest entry.
            let w = rows.iter().map(|(i, _)| rules.rules()[*i].location().len()).max().unwrap_or(0);
            if !rows.is_empty() {
                writeln!(io.stdout, "\n{:>8} {:>6} {:>10} {:>9}  {:<w$}  rule", "lines", "pages", "chrome", "gold", "location")?;
            }
            for (i, c) in &rows {
                let r = &rules.rules()[*i];
                writeln!(io.stdout, "{:>8} {:>6} {:>10} {:>9}  {:<w$}  {}", c.lines, c.pages, c.chrome, c.gold, crate::rules::error::printable(&r.location()), r.id)?;
            }
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}

/// What one rule did over the pages: lines dropped, the pages it dropped lines on, and the
/// 4-grams of those lines that are not in the gold text (chrome) and that are (article text).
#[derive(Clone, Copy, Default)]
struct RuleCounts {
    lines: u64,
    pages: u64,
    chrome: u64,
    gold: u64,
    /// The last page counted in `pages`.
    last_page: Option<usize>,
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shingles_follow_the_scorer() {
        assert_eq!(shingles("a b").get("a b"), Some(&1));
        let bag = shingles("one two three four five, one two three four");
        assert_eq!(bag.get("one two three four"), Some(&2));
        assert_eq!(total(&bag), 6);
        assert!(shingles("  ,, ").is_empty());
        // Words as Python's `\w` finds them (`re.findall(r"\w+", t)`): a joiner or a combining
        // mark is no word character, a superscript digit and `_` are.
        let words = |t: &str| word_re().find_iter(t).map(|m| m.as_str().to_string()).collect::<Vec<_>>();
        assert!(words("\u{200d}").is_empty());
        assert_eq!(words("caf\u{e9} x\u{301}y snake_case m\u{b2} \u{0939}\u{093f}\u{0928}"), ["caf\u{e9}", "x", "y", "snake_case", "m\u{b2}", "\u{0939}", "\u{0928}"]);
    }
}
