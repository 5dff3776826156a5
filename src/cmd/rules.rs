//! `chaff rules`: the packs in use, their rule counts and where they come from; with `--list`,
//! every rule; with `--match LINE`, the rules that match a line.

use std::process::ExitCode;

use anyhow::Result;
use serde_json::{Value, json};

use super::{EXIT_OK, Io, load_rules};
use crate::cli::{Format, RulesArgs};
use crate::engine::Scratch;
use crate::engine::matcher::{all_hits, classify};
use crate::rules::{Rule, RuleSet};
use crate::rules::error::printable;

/// Runs `chaff rules`.
///
/// # Errors
/// Rule errors, an unknown pack name, and write errors.
pub fn run(args: &RulesArgs, io: &mut Io<'_>) -> Result<ExitCode> {
    let rules = load_rules(&args.rules)?;
    for name in &args.packs {
        if args.rules.disable.contains(name) {
            anyhow::bail!("pack `{name}` is left out by --disable {name}");
        }
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
                writeln!(out, "{:<width$}  {}  {}", printable(&r.location()), r.id, printable(r.source_line.trim()))?;
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
            writeln!(out, "{:<width$}  {:>5}  {}", printable(&p.name), p.rules, printable(&source))?;
            if let Some(about) = &p.about {
                writeln!(out, "{:<width$}         {}", "", printable(about))?;
            }
        }
        writeln!(out, "{:<width$}  {:>5}", "total", rules.rules().len())?;
        Ok(())
    })
}

/// A line given to `--match`, the rules shown for it, each with whether it acts, and the rule
/// that acts (which may be of a pack not shown).
type Matched<'a> = (&'a str, Vec<(&'a Rule, bool)>, Option<&'a Rule>);

/// `--match`: for each line, every rule that matches it on its own, in the order the engine
/// ranks them (`cut`, `thread`, `footer`, `drop`, then the earliest), the one that acts on the
/// line alone, and what holds the others back.
fn matches(rules: &RuleSet, args: &RulesArgs, io: &mut Io<'_>, chosen: &dyn Fn(&Rule) -> bool) -> Result<ExitCode> {
    let mut scratch = Scratch::default();
    let mut hits = Vec::new();
    let mut found: Vec<Matched<'_>> = Vec::new();
    for given in &args.matching {
        // A line pasted with its ending (`\n`, `\r\n`) is the line; a break inside it is two.
        let line = given.strip_suffix('\n').unwrap_or(given);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.contains(['\n', '\r']) {
            anyhow::bail!("--match {} holds a line break: give each line its own --match", super::quoted(given));
        }
        all_hits(rules, line.as_bytes(), &mut scratch, &mut hits);
        // `Action` is ordered by precedence, `cut` highest (see `matcher::best_hit`).
        hits.sort_by_key(|&i| (std::cmp::Reverse(rules.rule(i).action), i));
        // Of the packs shown or not, the rule that acts on the line alone, as the engine
        // chooses it with no prose before the line.
        let acting = classify(rules, line.as_bytes(), &mut scratch, 0).hit.map(|(i, _)| rules.rule(i));
        let shown = hits
            .iter()
            .map(|&i| rules.rule(i))
            .filter(|r| chosen(r))
            .map(|r| (r, acting.is_some_and(|a| std::ptr::eq(a, r))))
            .collect();
        found.push((line, shown, acting));
    }
    let json: Vec<Value> = found
        .iter()
        .map(|(line, shown, acting)| {
            let rules: Vec<Value> = shown
                .iter()
                .map(|&(r, acts)| {
                    let mut v = rule_json(r);
                    v["acts"] = Value::Bool(acts);
                    v
                })
                .collect();
            json!({"line": line, "acting": acting.map(|r| &r.id), "rules": rules})
        })
        .collect();
    write(io, args.format, &json, |out| {
        for (line, shown, acting) in &found {
            match (shown.is_empty(), acting) {
                (true, None) => writeln!(out, "{}: no rule matches it", super::quoted(line))?,
                (true, Some(a)) => writeln!(out, "{}: no rule of these packs matches it ({} acts, {})", super::quoted(line), a.id, printable(&a.location()))?,
                (false, _) => writeln!(out, "{}: {}", super::quoted(line), crate::cmd::counted(shown.len() as u64, "rule"))?,
            }
            for &(r, acts) in shown {
                let note = match (acts, r.after_words) {
                    (true, Some(n)) => format!("  (acts: a cut, before {n} words of prose it drops this line only)"),
                    (true, None) => "  (acts)".to_string(),
                    (false, Some(n)) => format!("  (only after {n} words of prose)"),
                    (false, None) => String::new(),
                };
                writeln!(out, "  {}  {}  {}{note}", printable(&r.location()), r.id, printable(r.source_line.trim()))?;
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
            // Serialized first, so that a closed pipe is an I/O error (quietly ended by `main`).
            writeln!(io.stdout, "{}", serde_json::to_string_pretty(json)?)?;
        }
        Format::Text => text(&mut *io.stdout)?,
    }
    io.stdout.flush()?;
    Ok(ExitCode::from(EXIT_OK))
}
