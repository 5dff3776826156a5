//! `chaff test [PATH...]`: run the examples under every rule through the engine (see
//! [`crate::rules::lint::run_examples`]). Exit status: 0 all pass, 1 failures, 78 rule errors.

use std::process::ExitCode;

use anyhow::Result;
use serde_json::json;

use super::check::finding_json;
use super::{EXIT_OK, EXIT_PROBLEMS, Io, load_paths};
use crate::cli::{Format, TestArgs};
use crate::rules::lint::run_examples;

/// Runs `chaff test`.
///
/// # Errors
/// Rule errors, I/O errors.
pub fn run(args: &TestArgs, io: &mut Io<'_>) -> Result<ExitCode> {
    let set = match load_paths(&args.paths, &args.rules) {
        Ok(set) => set,
        // With `--format json`, rule errors are findings of the report, as with `check`.
        Err(e) if args.format == Format::Json => match e.downcast::<crate::rules::RuleErrors>() {
            Ok(errors) => {
                let doc = json!({
                    "passed": 0,
                    "failed": 0,
                    "errors": errors.0.iter().map(finding_json).collect::<Vec<_>>(),
                    "failures": [],
                });
                writeln!(io.stdout, "{}", serde_json::to_string_pretty(&doc)?)?;
                return Ok(ExitCode::from(super::EXIT_RULES));
            }
            Err(e) => return Err(e),
        },
        Err(e) => return Err(e),
    };
    let report = run_examples(&set);
    let failed = report.failures.len();
    match args.format {
        Format::Json => {
            let doc = json!({
                "passed": report.passed,
                "failed": failed,
                "errors": [],
                "failures": report.failures.iter().map(finding_json).collect::<Vec<_>>(),
            });
            writeln!(io.stdout, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
        Format::Text => {
            for f in &report.failures {
                writeln!(io.stdout, "{f}\n")?;
            }
            writeln!(
                io.stdout,
                "examples of {}: {} passed, {} failed",
                super::counted(set.rules().len() as u64, "rule"),
                report.passed,
                failed
            )?;
        }
    }
    Ok(ExitCode::from(if failed > 0 { EXIT_PROBLEMS } else { EXIT_OK }))
}
