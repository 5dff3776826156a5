//! `chaff rules`: list the packs in use, their rule counts and where they come from.

use std::process::ExitCode;

use anyhow::Result;

use super::{EXIT_OK, Io, load_rules};
use crate::cli::RulesArgs;

/// Runs `chaff rules`.
///
/// # Errors
/// Rule errors and write errors.
pub fn run(args: &RulesArgs, io: &mut Io<'_>) -> Result<ExitCode> {
    let rules = load_rules(&args.rules)?;
    let width = rules.packs().iter().map(|p| p.name.len()).max().unwrap_or(0).max(5);
    writeln!(io.stdout, "{:<width$}  {:>5}  source", "pack", "rules")?;
    for p in rules.packs() {
        let source = if p.embedded { format!("{} (embedded)", p.path.display()) } else { p.path.display().to_string() };
        writeln!(io.stdout, "{:<width$}  {:>5}  {}", p.name, p.rules, source)?;
        if let Some(about) = &p.about {
            writeln!(io.stdout, "{:<width$}         {}", "", about)?;
        }
    }
    writeln!(io.stdout, "{:<width$}  {:>5}", "total", rules.rules().len())?;
    Ok(ExitCode::from(EXIT_OK))
}
