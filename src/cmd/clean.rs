//! `chaff [clean] [FILE...]`: clean documents to standard output.
//!
//! Each FILE is one document (`-` or no FILE: standard input). A file that cannot be opened is
//! reported on stderr and skipped, and chaff exits 2 at the end; a closed output pipe stops
//! quietly with status 0.

use std::fs::File;
use std::io::{self, BufWriter, LineWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::{EXIT_ERROR, EXIT_OK, Io, load_rules};
use crate::cli::CleanArgs;
use crate::engine::{Engine, Options};
use crate::output::CleanSink;

/// Runs `chaff clean`.
///
/// # Errors
/// Rule errors, write errors (a broken pipe included; the caller treats it as success).
pub fn run(args: &CleanArgs, io: &mut Io<'_>) -> Result<ExitCode> {
    let rules = load_rules(&args.rules)?;
    let line_buffered = args.line_buffered || (io.stdout_is_tty && !args.block_buffered);
    let out: Box<dyn Write + '_> = if line_buffered {
        Box::new(LineWriter::new(&mut *io.stdout))
    } else {
        Box::new(BufWriter::with_capacity(64 * 1024, &mut *io.stdout))
    };
    let mut sink = CleanSink::new(out);
    let opts = Options { max_line_bytes: args.max_line_bytes, ..Options::default() };
    let mut engine = Engine::new(&rules, opts);
    let mut failed = false;
    let stdin_only = [Path::new("-").to_path_buf()];
    let files = if args.files.is_empty() { &stdin_only[..] } else { &args.files[..] };
    for path in files {
        let result = if path.as_os_str() == "-" {
            engine.run(&mut *io.stdin, "-", &mut sink)
        } else {
            match File::open(path) {
                Ok(mut f) => engine.run(&mut f, &path.to_string_lossy(), &mut sink),
                Err(e) => {
                    // Report and go on with the other documents, like cat and grep.
                    let _ = sink.get_mut().flush();
                    writeln!(io.stderr, "chaff: {}: {e}", path.display())?;
                    failed = true;
                    continue;
                }
            }
        };
        if let Err(e) = result {
            if is_write_side(&e) {
                return Err(e).context("writing the cleaned output");
            }
            let _ = sink.get_mut().flush();
            writeln!(io.stderr, "chaff: {}: {e}", path.display())?;
            failed = true;
        }
    }
    sink.get_mut().flush().context("writing the cleaned output")?;
    Ok(ExitCode::from(if failed { EXIT_ERROR } else { EXIT_OK }))
}

fn is_write_side(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::BrokenPipe | io::ErrorKind::WriteZero)
}
