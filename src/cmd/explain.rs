//! `chaff explain [FILE...]`: the input, line by line, with what became of each line. It runs
//! the same engine as `clean` with a different sink, so it cannot disagree with it.

use std::io::{BufRead, BufReader, BufWriter, Read, Write};
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
        Format::Text => ExplainSink::new(out, &rules, color, args.dropped_only, files.len() > 1 || args.jsonl),
        Format::Json => ExplainSink::json(out, &rules, args.dropped_only),
    };
    let mut engine = Engine::new(&rules, Options { max_line_bytes: args.max_line_bytes, ..Options::default() });
    let mut failed = false;
    let mut stdin_read = false;
    for path in files {
        let name = path.to_string_lossy();
        let opened: std::io::Result<Box<dyn Read + '_>> =
            if path.as_os_str() == "-" {
                match super::stdin_is_output_file() {
                    Some(e) => Err(e),
                    // Decompressed, standard input is read once (as `clean -z` reads it).
                    None if args.decompress && std::mem::replace(&mut stdin_read, true) => Ok(Box::new(std::io::empty())),
                    None => Ok(super::reader(&mut *io.stdin, args.decompress)),
                }
            } else {
                super::open_input(path).map(|f| super::reader(f, args.decompress))
            };
        let result = match opened {
            Ok(mut input) if args.jsonl => {
                records(&mut input, &name, args, &mut engine, &mut sink, &mut *io.stderr).map(|bad| failed |= bad)
            }
            Ok(mut input) => engine.run(&mut input, &name, &mut sink).map(drop),
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            if sink.get_ref().failed {
                return Err(e).context("writing the explanation");
            }
            let _ = writeln!(io.stderr, "chaff: {}: {e}", crate::rules::error::printable(&path.display().to_string()));
            failed = true;
        }
    }
    sink.into_inner().flush().context("writing the explanation")?;
    Ok(ExitCode::from(if failed { EXIT_ERROR } else { EXIT_OK }))
}

/// Explains the document of every JSON Lines record of `input`, each under the name
/// `NAME:LINE`; a line that is not such a record is reported on `stderr` (blank lines pass).
/// Returns whether any was. Memory holds one record, of at most `--max-line-bytes`.
fn records<W: Write>(
    input: &mut dyn Read,
    name: &str,
    args: &ExplainArgs,
    engine: &mut Engine<'_>,
    sink: &mut ExplainSink<'_, W>,
    stderr: &mut dyn Write,
) -> std::io::Result<bool> {
    let mut input = BufReader::with_capacity(64 * 1024, input);
    let mut line = Vec::new();
    let mut bad = false;
    for line_no in 1u64.. {
        line.clear();
        let cap = args.max_line_bytes as u64;
        // At most the cap and two bytes more (a `\r` and the `\n`, or a byte over the cap): the
        // rest of a longer record is skipped, not held.
        // A read error ends the input after the record it cut short, which is explained (or
        // reported) first, as `clean --jsonl` writes it back.
        let mut error = (&mut input).take(cap.saturating_add(2)).read_until(b'\n', &mut line).err();
        if line.is_empty() {
            return error.map_or(Ok(bad), Err);
        }
        if error.is_none() && line.len() as u64 > cap.saturating_add(1) && !line.ends_with(b"\n") {
            error = input.skip_until(b'\n').err();
        }
        match crate::jsonl::record(&line, &args.field, args.max_line_bytes) {
            Ok(None) => {}
            Ok(Some((_, text))) => {
                engine.run(&mut text.as_bytes(), &format!("{name}:{line_no}"), sink)?;
            }
            Err(e) => {
                let _ = sink.get_mut().flush();
                let why = e.describe(&args.field);
                writeln!(stderr, "chaff: {}:{line_no}:{}: {}; not explained", crate::rules::error::printable(name), e.column(), crate::rules::error::printable(&why))?;
                bad = true;
            }
        }
        if let Some(e) = error {
            return Err(e);
        }
    }
    Ok(bad)
}
