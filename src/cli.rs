//! Command-line arguments (clap derive). Parsing only; the work is in [`crate::cmd`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Strip site chrome (comment forms, share widgets, cookie notices, bylines, footers) from
/// article text, keeping every article line byte for byte.
///
/// With no subcommand, chaff cleans: each FILE (or standard input, or `-`) is one document, and
/// the cleaned text goes to standard output.
///
/// Exit status: 0 success; 1 `check`/`test` found problems; 2 usage or I/O error;
/// 78 invalid rule files.
#[derive(Debug, Parser)]
#[command(
    name = "chaff",
    version,
    args_conflicts_with_subcommands = true,
    after_help = "Examples:\n  chaff < page.txt > clean.txt\n  chaff a.txt b.txt > out.txt\n  chaff --rules my.rules --disable bylines page.txt\n  chaff explain page.txt"
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
    /// List the rule packs in use: name, rule count, where each comes from.
    #[command(after_help = "Example:\n  chaff rules --rules my-rules/")]
    Rules(RulesArgs),
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
    /// Lines longer than this many bytes are kept unmatched and streamed through (suffixes
    /// K, M, G).
    #[arg(long, value_name = "SIZE", default_value = "64M", value_parser = parse_size)]
    pub max_line_bytes: usize,
    /// Flush output after every line (the default on a terminal).
    #[arg(long, conflicts_with = "block_buffered")]
    pub line_buffered: bool,
    /// Buffer output in blocks (the default in a pipe).
    #[arg(long)]
    pub block_buffered: bool,
}

/// Arguments of `chaff rules`.
#[derive(Debug, Clone, Args)]
pub struct RulesArgs {
    #[allow(missing_docs)]
    #[command(flatten)]
    pub rules: RuleArgs,
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
    let n: usize = num
        .trim()
        .parse()
        .map_err(|_| format!("invalid size `{s}`: expected a number with an optional K, M or G suffix, e.g. 64M"))?;
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
    }
}
