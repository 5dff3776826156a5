//! `chaff check [PATH...]`: every error in the rule files, then warnings (see
//! [`crate::rules::lint`]). Exit status: 0 clean, 1 warnings with `--deny-warnings`, 78 errors.

use std::process::ExitCode;

use anyhow::Result;
use serde_json::json;

use super::{EXIT_OK, EXIT_PROBLEMS, EXIT_RULES, Io, load_paths};
use crate::cli::{CheckArgs, Format};
use crate::rules::lint::{PROSE_SAMPLE, lint, read_prose};
use crate::rules::{RuleError, RuleErrors, Severity};

/// Runs `chaff check`.
///
/// # Errors
/// I/O errors (unreadable paths, write errors).
pub fn run(args: &CheckArgs, io: &mut Io<'_>) -> Result<ExitCode> {
    let set = match load_paths(&args.paths, &args.rules) {
        Ok(set) => set,
        Err(e) => match e.downcast::<RuleErrors>() {
            Ok(errors) => {
                report(io, args.format, &errors.0, None, None)?;
                return Ok(ExitCode::from(EXIT_RULES));
            }
            Err(e) => return Err(e),
        },
    };
    let mut extra = Vec::new();
    for p in &args.prose {
        extra.push((p.display().to_string(), read_prose(p)?));
    }
    let mut prose: Vec<(&str, &str)> = vec![PROSE_SAMPLE];
    prose.extend(extra.iter().map(|(n, t)| (n.as_str(), t.as_str())));
    let findings = lint(&set, &prose);
    let gates = (args.format == Format::Json).then(|| gates_json(&set, args.gates));
    report(io, args.format, &findings, Some((set.packs().len(), set.rules().len())), gates)?;
    if args.format == Format::Text {
        let g = set.gate_summary();
        writeln!(
            io.stdout,
            "gates: {} by leading text, {} by their ending, {} by an anchor word, {} on short lines only, {} on every line; {} context rules",
            g.head_literal, g.ending, g.anchor_word, g.short_line, g.every_line, g.context
        )?;
        if args.gates {
            let ids = |rs: &[u32]| rs.iter().map(|&r| set.rule(r).id.as_str()).collect::<Vec<_>>().join(", ");
            for (word, rs, every_line) in set.anchor_words() {
                let where_ = if every_line { "" } else { " (only in lines that begin like its rules)" };
                writeln!(io.stdout, "anchor word {}{where_}: {}", super::quoted(&word), ids(&rs))?;
            }
            if let Some(crate::rules::BlockWindows { windows, short }) = set.block_windows() {
                // Every window costs each line a little: the packed search slows as they grow.
                writeln!(
                    io.stdout,
                    "block search: {} windows of the anchor words above, looked for in every line, and {} words too short for one",
                    windows.len(),
                    short.len()
                )?;
                for (window, words) in windows {
                    writeln!(io.stdout, "window \"{}\": {}", crate::rules::error::printable(&window), words.iter().map(|w| super::quoted(w)).collect::<Vec<_>>().join(", "))?;
                }
                for word in short {
                    writeln!(io.stdout, "short word {}", super::quoted(&word))?;
                }
            }
            for (lit, rs) in set.gate_literals() {
                writeln!(io.stdout, "leading text \"{}\": {}", crate::rules::error::printable(&lit), ids(&rs))?;
            }
            for (end, rs) in set.gate_endings() {
                writeln!(io.stdout, "ending \"{}\": {}", crate::rules::error::printable(&end), ids(&rs))?;
            }
        }
    }
    if findings.iter().any(|f| f.severity == Severity::Error) {
        return Ok(ExitCode::from(EXIT_RULES));
    }
    let warned = !findings.is_empty();
    Ok(ExitCode::from(if warned && args.deny_warnings { EXIT_PROBLEMS } else { EXIT_OK }))
}

/// The gates as JSON: the counts of each kind, and with `lists` what opens each rule (as
/// `--gates` prints it).
fn gates_json(set: &crate::rules::RuleSet, lists: bool) -> serde_json::Value {
    let g = set.gate_summary();
    let mut doc = json!({
        "by_leading_text": g.head_literal,
        "by_ending": g.ending,
        "by_anchor_word": g.anchor_word,
        "on_short_lines_only": g.short_line,
        "on_every_line": g.every_line,
        "context_rules": g.context,
    });
    if lists {
        let ids = |rs: &[u32]| rs.iter().map(|&r| set.rule(r).id.clone()).collect::<Vec<_>>();
        doc["anchor_words"] = set
            .anchor_words()
            .into_iter()
            .map(|(word, rs, every_line)| json!({"word": word, "every_line": every_line, "rules": ids(&rs)}))
            .collect();
        let block = set.block_windows().unwrap_or(crate::rules::BlockWindows { windows: Vec::new(), short: Vec::new() });
        doc["block_windows"] = block.windows.into_iter().map(|(window, words)| json!({"window": window, "words": words})).collect();
        doc["block_short_words"] = block.short.into();
        doc["leading_texts"] = set.gate_literals().into_iter().map(|(text, rs)| json!({"text": text, "rules": ids(&rs)})).collect();
        doc["endings"] = set.gate_endings().into_iter().map(|(text, rs)| json!({"text": text, "rules": ids(&rs)})).collect();
    }
    doc
}

fn report(
    io: &mut Io<'_>,
    format: Format,
    findings: &[RuleError],
    checked: Option<(usize, usize)>,
    gates: Option<serde_json::Value>,
) -> Result<()> {
    let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
    let warnings = findings.len() - errors;
    match format {
        Format::Json => {
            let items: Vec<_> = findings.iter().map(finding_json).collect();
            let doc = json!({
                "packs": checked.map(|c| c.0),
                "rules": checked.map(|c| c.1),
                "errors": errors,
                "warnings": warnings,
                "findings": items,
                "gates": gates,
            });
            writeln!(io.stdout, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
        Format::Text => {
            for f in findings {
                writeln!(io.stdout, "{f}\n")?;
            }
            let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
            match checked {
                Some((packs, rules)) => writeln!(
                    io.stdout,
                    "checked {} with {}: {}, {}",
                    plural(packs, "pack"),
                    plural(rules, "rule"),
                    plural(errors, "error"),
                    plural(warnings, "warning")
                )?,
                None => writeln!(io.stdout, "{}, {}", plural(errors, "error"), plural(warnings, "warning"))?,
            }
        }
    }
    Ok(())
}

/// A finding as JSON (also used by `chaff test`).
pub fn finding_json(f: &RuleError) -> serde_json::Value {
    json!({
        "path": f.path.display().to_string(),
        "line": f.line,
        "col": f.col,
        "end_col": f.col + f.width.max(1),
        "severity": match f.severity { Severity::Error => "error", Severity::Warning => "warning" },
        "message": f.message,
        "help": f.hint,
        "source": f.source_line,
    })
}
