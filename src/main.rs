//! The `chaff` binary: a thin shell over the library (see `chaff::cmd`).

use std::io::{self, IsTerminal};
use std::process::ExitCode;

fn main() -> ExitCode {
    let stdout = io::stdout();
    let stdout_is_tty = stdout.is_terminal();
    let stderr_is_tty = io::stderr().is_terminal();
    let mut stdin = io::stdin().lock();
    let mut out = stdout.lock();
    // Not locked for the whole run: a message another thread prints (a worker's panic report)
    // would otherwise wait forever for this thread, which waits for that worker.
    let mut err = io::stderr();
    let mut io = chaff::cmd::Io { stdin: &mut stdin, stdout: &mut out, stderr: &mut err, stdout_is_tty, stderr_is_tty, exit_after: true };
    chaff::cmd::main_with_args(std::env::args_os(), &mut io)
}
