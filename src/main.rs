//! The `chaff` binary: a thin shell over the library (see `chaff::cmd`).

use std::io::{self, IsTerminal};
use std::process::ExitCode;

fn main() -> ExitCode {
    let stdout = io::stdout();
    let stdout_is_tty = stdout.is_terminal();
    let mut stdin = io::stdin().lock();
    let mut out = stdout.lock();
    let mut err = io::stderr().lock();
    let mut io = chaff::cmd::Io { stdin: &mut stdin, stdout: &mut out, stderr: &mut err, stdout_is_tty };
    chaff::cmd::main_with_args(std::env::args_os(), &mut io)
}
