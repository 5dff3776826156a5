//! Command-line arguments (clap derive). Parsing only; the work is in [`crate::cmd`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Strip site chrome (comment forms, share widgets, cookie notices, bylines, footers) from
/// article text, keeping every article line byte for byte.
///
/// With no subcommand, chaff cleans: each FILE (or standard input, or `-`) is one document, and
/// the cleaned text goes to standard output.
///
/// Exit status: 0 success; 1 `check --deny-warnings` found warnings or `test` a failing example;
/// 2 usage or I/O error; 78 invalid rule files.
#[derive(Debug, Parser)]
#[command(
    name = "chaff",
    version,
    args_conflicts_with_subcommands = true,
    after_help = "Examples:\n  chaff < page.txt > clean.txt\n  chaff a.txt b.txt > out.txt\n  zcat dump.jsonl.gz | chaff --jsonl -j 4 > clean.jsonl\n  chaff --rules my.rules --disable bylines page.txt\n  chaff explain page.txt"
)]
pub struct Cli {
    /// What to do (default: clean).
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Arguments of the default `clean` command.
    #[command(flatten)]
    pub clean: CleanArgs,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Clean documents (the default when no subcommand is given).
    #[command(after_help = "Example:\n  chaff clean --rules extra.rules page1.txt page2.txt > out.txt")]
    Clean(CleanArgs),
    /// List the rule packs in use (name, rule count, where each comes from), their rules
    /// (`--list`), or the rules that match a line (`--match`).
    #[command(after_help = "Examples:\n  chaff rules --rules my-rules/\n  chaff rules --list comment-form\n  chaff rules --match 'Leave a Reply'\n  chaff rules --list --format json | jq -r '.[] | select(.mode == \"prefix\") | .phrase'")]
    Rules(RulesArgs),
    /// Check rule files: every error, and warnings for rules that repeat or cover each other,
    /// regexes that run on every line or are slow to compile (`\d`, a large class repeated by
    /// count), missing examples, and rules that match article prose.
    #[command(after_help = "Examples:\n  chaff check rules/\n  chaff check --deny-warnings --format json my.rules")]
    Check(CheckArgs),
    /// Run the examples written under rules through the engine: `drop:` and `keep:` lines, and
    /// page examples (a `page:` block and the lines it keeps under `kept:`).
    #[command(after_help = "Examples:\n  chaff test rules/\n  chaff test my.rules")]
    Test(TestArgs),
    /// Show each input line with what became of it: kept, or dropped by which rule and action.
    #[command(after_help = "Examples:\n  chaff explain page.txt | less -R\n  chaff explain --dropped-only --color never page.txt\n  chaff explain --format json --dropped-only pages/*.txt | jq -r 'select(.line) | .rule' | sort | uniq -c")]
    Explain(ExplainArgs),
    /// Measure throughput: the real engine over in-memory documents into a discarding sink,
    /// beside a plain memchr line split and copy of the same bytes (the floor).
    #[command(after_help = "Examples:\n  chaff bench\n  chaff bench --size 1GiB --repeat 5\n  chaff bench pages/*.txt --rules extra.rules")]
    Bench(BenchArgs),
    /// Score cleaning against gold article text, in-process: micro precision, recall and F1 over
    /// word 4-grams (the measure of the development corpus's score.py; letters as chaff's
    /// Unicode tables know them, which may be newer than a Python's), beside doing nothing,
    /// and what each rule removed: chrome bought, article text cost, and on how many pages (a
    /// rule that acts on one page only may be fitted to its text).
    #[command(after_help = "Example:\n  chaff eval ../shared/eval/dev/full ../shared/eval/dev/gold\n  chaff eval --rules my.rules --top 20 pages/ gold/")]
    Eval(EvalArgs),
}

/// Arguments of `chaff eval`.
#[derive(Debug, Clone, Args)]
pub struct EvalArgs {
    /// Folder of input pages (`<id>.txt`).
    pub input: PathBuf,
    /// Folder of gold article texts with the same names.
    pub gold: PathBuf,
    #[allow(missing_docs)]
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Rows of the per-rule table (0: all rules that dropped something).
    #[arg(long, value_name = "N", default_value_t = 25)]
    pub top: usize,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Arguments of `chaff bench`.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Documents to measure (each file is one document). Without FILE, a deterministic corpus
    /// is generated from the shipped prose sample and the rules' own chrome lines.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[allow(missing_docs)]
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Size of the generated corpus, per layout (suffixes K, M, G), in whole documents of a few
    /// kilobytes (at least one).
    #[arg(long, value_name = "SIZE", default_value = "64M", value_parser = parse_size)]
    pub size: usize,
    /// Timed passes per measurement; the best one is reported.
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = parse_count)]
    pub repeat: usize,
    /// Share of generated paragraphs that are chrome lines (a chrome line takes a paragraph's
    /// place: hard-wrapped, a paragraph is several lines, so a smaller share of the lines).
    #[arg(long, value_name = "RATE", default_value_t = 0.08, value_parser = parse_rate)]
    pub chrome_rate: f64,
    /// Also measure the documents cleaned on this many threads, written in input order (as
    /// `chaff -j N` does), beside one thread. At most 256, and no more than there are documents
    /// (with one document, nothing is measured on threads).
    #[arg(short = 'j', long = "threads", value_name = "N", default_value_t = 1, value_parser = parse_threads)]
    pub threads: usize,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Output format of reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Format {
    /// Human-readable text.
    #[default]
    Text,
    /// JSON, for editors and CI.
    Json,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Color {
    /// On a terminal, unless NO_COLOR is set.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Arguments of `chaff check`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Rule files or folders to check (default: the shipped rules plus any --rules).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[allow(missing_docs)]
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Exit with status 1 when there are warnings.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// More article text (one paragraph per line) that no rule may match (repeatable); the
    /// shipped prose sample is always used.
    #[arg(long, value_name = "FILE")]
    pub prose: Vec<PathBuf>,
    /// Also list every gate: the anchor words and leading literals, with the rules each opens
    /// (a word common in prose makes its rules cost time on every line that holds it).
    #[arg(long)]
    pub gates: bool,
}

/// Arguments of `chaff test`.
#[derive(Debug, Clone, Args)]
pub struct TestArgs {
    /// Rule files or folders whose examples to run (default: the shipped rules plus any --rules).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[allow(missing_docs)]
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Arguments of `chaff explain`.
#[derive(Debug, Clone, Args)]
pub struct ExplainArgs {
    /// Documents to explain; `-` or none means standard input.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[allow(missing_docs)]
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Show only the dropped lines.
    #[arg(long)]
    pub dropped_only: bool,
    /// Colour the output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Output format: text, or JSON Lines (an object per line, per note on a context rule, cut
    /// or footer, and a summary per document), for scripts and editors.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Read gzip- and zstd-compressed documents decompressed (each told by its first bytes, so
    /// standard input too; a document that is neither is read as it is). Concatenated streams
    /// (`cat a.gz b.gz`) are read one after another. Counts of bytes in are of the decompressed
    /// text.
    #[arg(short = 'z', long)]
    pub decompress: bool,
    /// Lines longer than this are kept unmatched (as in `clean`); with --jsonl, a record longer
    /// than this is reported and not explained.
    #[arg(long, value_name = "SIZE", default_value = "64M", value_parser = parse_size)]
    pub max_line_bytes: usize,
    /// Read JSON Lines, as `chaff --jsonl` does: each record's --field string is one document,
    /// explained under the name FILE:LINE. A line that is not such a record is reported, and
    /// chaff exits with status 2.
    #[arg(long)]
    pub jsonl: bool,
    /// The field of a JSON Lines record that holds the document (as for `chaff --jsonl`).
    #[arg(long, value_name = "NAME", default_value = "text", requires = "jsonl", value_parser = parse_field)]
    pub field: String,
}

/// Where rules come from (shared by every subcommand).
#[derive(Debug, Clone, Args, Default)]
pub struct RuleArgs {
    /// Add a rule file, or every *.rules file in a folder (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
    /// Do not load the shipped rules embedded in chaff.
    #[arg(long)]
    pub no_default_rules: bool,
    /// Leave out a pack by name (repeatable); `chaff rules` lists them.
    #[arg(long = "disable", value_name = "PACK")]
    pub disable: Vec<String>,
}

/// Arguments of `chaff clean`.
#[derive(Debug, Clone, Args, Default)]
pub struct CleanArgs {
    /// Documents to clean; `-` or none means standard input.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[allow(missing_docs)]
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Read gzip- and zstd-compressed documents decompressed (each told by its first bytes, so
    /// standard input too; a document that is neither is read as it is). Concatenated streams
    /// (`cat a.gz b.gz`) are read one after another. Counts of bytes in are of the decompressed
    /// text.
    #[arg(short = 'z', long)]
    pub decompress: bool,
    /// Lines longer than this many bytes are kept unmatched and streamed through (suffixes
    /// K, M, G).
    #[arg(long, value_name = "SIZE", default_value = "64M", value_parser = parse_size)]
    pub max_line_bytes: usize,
    /// Flush output after every line (the default on a terminal). A line is written once it is
    /// decided: the context rules hold the top of a document until its article begins (at most
    /// 1,000 lines or 1 MiB) and runs of short lines until they end. With --jsonl, each record
    /// is cleaned and written as soon as it is read, on one thread.
    #[arg(long, conflicts_with = "block_buffered")]
    pub line_buffered: bool,
    /// Buffer output in blocks (the default in a pipe).
    #[arg(long)]
    pub block_buffered: bool,
    /// Also clean the documents whose paths LIST holds, one per line (a final `\r` is
    /// stripped, empty lines are skipped), or separated by NUL bytes if it holds any (`find
    /// -print0`), after any FILE arguments; `-` reads the list from standard input. One process
    /// for a whole corpus, without `xargs` batches.
    #[arg(long, value_name = "LIST")]
    pub files_from: Option<PathBuf>,
    /// Clean this many documents at once, writing them in input order: files (a thread holds at
    /// most 1 MiB of a document's output before its turn, then waits for it; pipes, FIFOs and
    /// devices are opened and read in their turn), or with --jsonl blocks of records, standard
    /// input included. At most 256 (a larger N is lowered to it).
    #[arg(short = 'j', long = "threads", value_name = "N", default_value_t = 1, value_parser = parse_threads)]
    pub threads: usize,
    /// Read JSON Lines: each line is a JSON object whose --field string is one document. Each
    /// record is written back with that string cleaned and every other byte as it came; a line
    /// that is not such a record (or is longer than --max-line-bytes) is written back unchanged
    /// and reported, and chaff exits with status 2.
    #[arg(long)]
    pub jsonl: bool,
    /// The field of a JSON Lines record that holds the document: a key of the record, or a JSON
    /// Pointer to a string nested in it (`/meta/body`, `/pages/0/text`; `~1` stands for `/` in a
    /// key, `~0` for `~`).
    #[arg(long, value_name = "NAME", default_value = "text", requires = "jsonl", value_parser = parse_field)]
    pub field: String,
    /// After cleaning, print counts to stderr: documents, lines and bytes in and out, lines
    /// dropped per rule, and the rules that never fired.
    #[arg(long, value_enum, value_name = "FORMAT", num_args = 0..=1, require_equals = true, default_missing_value = "text")]
    pub stats: Option<Format>,
    /// Write the --stats report to FILE instead of stderr, apart from the messages there (JSON
    /// unless --stats=text is given). A FILE that is also an input (a document, standard
    /// input's file, the --files-from list) is refused.
    #[arg(long, value_name = "FILE")]
    pub stats_file: Option<PathBuf>,
}

/// Arguments of `chaff rules`.
#[derive(Debug, Clone, Args)]
pub struct RulesArgs {
    /// Only these packs (with `--list` or `--match`).
    #[arg(value_name = "PACK")]
    pub packs: Vec<String>,
    #[allow(missing_docs)]
    #[command(flatten)]
    pub rules: RuleArgs,
    /// List every rule: where it is, its id, and its line as written.
    #[arg(long, conflicts_with = "matching")]
    pub list: bool,
    /// Show every rule that matches this line, the one that acts first (repeatable).
    #[arg(long = "match", value_name = "LINE", allow_hyphen_values = true)]
    pub matching: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Parses `--field`: a key, or a JSON Pointer whose `~` escapes are `~0` and `~1`.
pub fn parse_field(s: &str) -> Result<String, String> {
    if s.is_empty() {
        return Err("the field's name is empty (a key, or a JSON Pointer such as /meta/body)".to_string());
    }
    if s.starts_with('/') && s.split('~').skip(1).any(|rest| !rest.starts_with(['0', '1'])) {
        return Err(format!("`{s}`: in a JSON Pointer `~` is written `~0` and `/` in a key `~1`"));
    }
    Ok(s.to_string())
}

/// Parses a count of at least 1 (`--threads`, `--repeat`).
pub fn parse_count(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("`{s}` is not a whole number of at least 1")),
    }
}

/// The most threads `-j` starts: more would cost memory and start-up for no speed on any
/// machine chaff runs on today.
pub const MAX_THREADS: usize = 256;

/// Parses `--threads`: a count of at least 1, lowered to [`MAX_THREADS`].
pub fn parse_threads(s: &str) -> Result<usize, String> {
    parse_count(s).map(|n| n.min(MAX_THREADS))
}

/// Parses a share from 0 to 1 (`--chrome-rate`).
pub fn parse_rate(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        _ => Err(format!("`{s}` is not a share from 0 to 1, e.g. 0.08")),
    }
}

/// Parses sizes such as `4096`, `64K`, `16M`, `1G` (powers of 1024; a trailing `B`/`iB` is
/// allowed).
pub fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let t = t.strip_suffix("iB").or_else(|| t.strip_suffix('B')).unwrap_or(t);
    let (num, shift) = match t.char_indices().last() {
        Some((i, 'K' | 'k')) => (&t[..i], 10),
        Some((i, 'M' | 'm')) => (&t[..i], 20),
        Some((i, 'G' | 'g')) => (&t[..i], 30),
        _ => (t, 0),
    };
    let n: usize = num.trim().parse().map_err(|e: std::num::ParseIntError| match e.kind() {
        std::num::IntErrorKind::PosOverflow => format!("invalid size `{s}`: must be at least 1 byte and fit in memory"),
        _ => format!("invalid size `{s}`: expected a number with an optional K, M or G suffix, e.g. 64M"),
    })?;
    n.checked_mul(1usize << shift)
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("invalid size `{s}`: must be at least 1 byte and fit in memory"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("64K"), Ok(64 << 10));
        assert_eq!(parse_size("16MiB"), Ok(16 << 20));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert!(parse_size("0").is_err());
        assert!(parse_size("12X").unwrap_err().contains("expected a number"));
        assert!(parse_size("99999999999999999999").unwrap_err().contains("fit in memory"));
    }
}
