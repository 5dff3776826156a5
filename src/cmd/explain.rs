//! `chaff explain [FILE...]`: the input, line by line, with what became of each line. It runs
//! the same engine as `clean` with a different sink, so it cannot disagree with it.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::{EXIT_ERROR, EXIT_OK, Io, Watched, load_rules};
use crate::cli::{Color, ExplainArgs, Format};
use crate::engine::{Engine, Options};
use crate::output::ExplainSink;

/// Whether to colour output: `--color`, then `NO_COLOR`, then whether stdout is a terminal.
pub fn use_color(choice: Color, is_tty: bool) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => is_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

/// Runs `chaff explain`.
///
/// # Errors
/// Rule errors and write errors.
pub fn run(args: &ExplainArgs, io: &mut Io<'_>) -> Result<ExitCode> {
    let rules = load_rules(&args.rules)?;
    let color = use_color(args.color, io.stdout_is_tty);
    let files = &super::inputs(&args.files)[..];
    let out = Watched::new(BufWriter::with_capacity(64 * 1024, &mut *io.stdout));
    let mut sink = match args.format {
        Format::Text => ExplainSink::new(out, &rules, color, args.dropped_only, files.len() > 1),
        Format::Json => ExplainSink::json(out, &rules, args.dropped_only),
    };
    let mut engine = Engine::new(&rules, Options { max_line_bytes: args.max_line_bytes, ..Options::default() });
    let mut failed = false;
    for path in files {
        let name = path.to_string_lossy();
        let result = if path.as_os_str() == "-" {
            engine.run(&mut *io.stdin, "-", &mut sink)
        } else {
            match File::open(path) {
                Ok(mut f) => engine.run(&mut f, &name, &mut sink),
                Err(e) => Err(e),
            }
        };
        if let Err(e) = result {
            if sink.get_ref().failed {
                return Err(e).context("writing the explanation");
            }
            writeln!(io.stderr, "chaff: {}: {e}", path.display())?;
            failed = true;
        }
    }
    sink.into_inner().flush().context("writing the explanation")?;
    Ok(ExitCode::from(if failed { EXIT_ERROR } else { EXIT_OK }))
}
