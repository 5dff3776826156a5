//! `chaff rules`: the packs in use, their rule counts and where they come from; with `--list`,
//! every rule; with `--match LINE`, the rules that match a line.

use std::process::ExitCode;

use anyhow::Result;
use serde_json::{Value, json};

use super::{EXIT_OK, Io, load_rules};
use crate::cli::{Format, RulesArgs};
use crate::engine::Scratch;
use crate::engine::matcher::all_hits;
use crate::rules::syntax::Action;
use crate::rules::{Rule, RuleSet};

/// Runs `chaff rules`.
///
/// # Errors
/// Rule errors, an unknown pack name, and write errors.
pub fn run(args: &RulesArgs, io: &mut Io<'_>) -> Result<ExitCode> {
    let rules = load_rules(&args.rules)?;
    for name in &args.packs {
        if !rules.packs().iter().any(|p| &p.name == name) {
            let names: Vec<&str> = rules.packs().iter().map(|p| p.name.as_str()).collect();
            anyhow::bail!("no pack named `{name}` in use (packs: {})", names.join(", "));
        }
    }
    if !args.packs.is_empty() && !args.list && args.matching.is_empty() {
        anyhow::bail!("naming packs needs --list or --match: `chaff rules` alone lists every pack");
    }
    let chosen = |r: &Rule| args.packs.is_empty() || args.packs.contains(&r.pack);
    if args.list {
        let listed: Vec<&Rule> = rules.rules().iter().filter(|r| chosen(r)).collect();
        return write(io, args.format, &listed.iter().map(|r| rule_json(r)).collect::<Vec<_>>(), |out| {
            let width = listed.iter().map(|r| r.location().len()).max().unwrap_or(0);
            for r in &listed {
                writeln!(out, "{:<width$}  {}  {}", r.location(), r.id, r.source_line.trim())?;
            }
            Ok(())
        });
    }
    if !args.matching.is_empty() {
        return matches(&rules, args, io, &chosen);
    }
    let packs: Vec<Value> = rules
        .packs()
        .iter()
        .map(|p| json!({"pack": p.name, "rules": p.rules, "path": p.path, "embedded": p.embedded, "about": p.about}))
        .collect();
    write(io, args.format, &packs, |out| {
        let width = rules.packs().iter().map(|p| p.name.len()).max().unwrap_or(0).max(5);
        writeln!(out, "{:<width$}  {:>5}  source", "pack", "rules")?;
        for p in rules.packs() {
            let source = if p.embedded { format!("{} (embedded)", p.path.display()) } else { p.path.display().to_string() };
            writeln!(out, "{:<width$}  {:>5}  {}", p.name, p.rules, source)?;
            if let Some(about) = &p.about {
                writeln!(out, "{:<width$}         {}", "", about)?;
            }
        }
        writeln!(out, "{:<width$}  {:>5}", "total", rules.rules().len())?;
        Ok(())
    })
}

/// `--match`: for each line, every rule that matches it on its own, in the order the engine
/// ranks them (`cut`, `thread`, `footer`, `drop`, then the earliest), and what holds one back.
fn matches(rules: &RuleSet, args: &RulesArgs, io: &mut Io<'_>, chosen: &dyn Fn(&Rule) -> bool) -> Result<ExitCode> {
    let mut scratch = Scratch::default();
    let mut hits = Vec::new();
    let mut found: Vec<(&str, Vec<&Rule>)> = Vec::new();
    for line in &args.matching {
        all_hits(rules, line.as_bytes(), &mut scratch, &mut hits);
        let mut matched: Vec<(u32, &Rule)> = hits.iter().map(|&i| (i, rules.rule(i))).filter(|(_, r)| chosen(r)).collect();
        // `Action` is ordered by precedence, `cut` highest (see `matcher::best_hit`).
        matched.sort_by_key(|&(i, r)| (std::cmp::Reverse(r.action), i));
        found.push((line, matched.into_iter().map(|(_, r)| r).collect()));
    }
    let json: Vec<Value> = found
        .iter()
        .map(|(line, rs)| json!({"line": line, "rules": rs.iter().map(|r| rule_json(r)).collect::<Vec<_>>()}))
        .collect();
    write(io, args.format, &json, |out| {
        for (line, rs) in &found {
            if rs.is_empty() {
                writeln!(out, "{line:?}: no rule matches it")?;
                continue;
            }
            writeln!(out, "{line:?}: {}", crate::cmd::counted(rs.len() as u64, "rule"))?;
            for (k, r) in rs.iter().enumerate() {
                let note = match (k, r.after_words) {
                    (_, Some(n)) if r.action == Action::Cut => format!("  (a cut only after {n} words of prose; before, it drops this line only)"),
                    (_, Some(n)) => format!("  (only after {n} words of prose)"),
                    (0, None) => "  (acts)".to_string(),
                    _ => String::new(),
                };
                writeln!(out, "  {}  {}  {}{note}", r.location(), r.id, r.source_line.trim())?;
            }
        }
        Ok(())
    })
}

fn rule_json(r: &Rule) -> Value {
    json!({
        "id": r.id,
        "pack": r.pack,
        "location": r.location(),
        "action": r.action.keyword(),
        "mode": r.mode.keyword(),
        "phrase": r.phrase,
        "max_chars": r.max_chars,
        "after_words": r.after_words,
        "examples": r.examples.len() + r.pages.len(),
        "source": r.source_line.trim(),
    })
}

/// Writes `json` as a pretty JSON array, or the text that `text` writes (a failed write is
/// named by the caller, `cmd::reporting`).
fn write(
    io: &mut Io<'_>,
    format: Format,
    json: &[Value],
    text: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<ExitCode> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *io.stdout, json)?;
            writeln!(io.stdout)?;
        }
        Format::Text => text(&mut *io.stdout)?,
    }
    io.stdout.flush()?;
    Ok(ExitCode::from(EXIT_OK))
}
