//! One module per subcommand, each with `run(args, io) -> Result<ExitCode>`.

pub mod bench;
pub mod check;
pub mod clean;
pub mod eval;
pub mod examples;
pub mod explain;
pub mod jsonl;
pub mod rules;

use std::ffi::OsString;
use std::io::{self, BufRead, Read, Write};
use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;

use crate::cli::{Cli, Command, RuleArgs};
use crate::rules::{RuleErrors, RuleSet, RuleSetBuilder};

/// Exit status: success.
pub const EXIT_OK: u8 = 0;
/// Exit status: `check` or `test` found problems.
pub const EXIT_PROBLEMS: u8 = 1;
/// Exit status: usage or I/O error.
pub const EXIT_ERROR: u8 = 2;
/// Exit status: invalid rule files (sysexits `EX_CONFIG`).
pub const EXIT_RULES: u8 = 78;

/// Standard streams, injectable so the CLI runs in-process in tests.
pub struct Io<'a> {
    /// Standard input.
    pub stdin: &'a mut dyn io::Read,
    /// Standard output.
    pub stdout: &'a mut dyn Write,
    /// Standard error.
    pub stderr: &'a mut dyn Write,
    /// Whether standard output is a terminal (line buffering, colour).
    pub stdout_is_tty: bool,
    /// Whether standard error is a terminal (colour in usage errors).
    pub stderr_is_tty: bool,
    /// The process ends when the command returns: what the command built need not be freed.
    pub exit_after: bool,
}

/// A writer that remembers whether a write to it failed, so that an error coming out of the
/// engine (which reads and writes) can be put down to the output rather than the input.
pub struct Watched<W> {
    inner: W,
    /// A write or flush failed.
    pub failed: bool,
}

impl<W: Write> Watched<W> {
    /// Watches `inner`.
    pub fn new(inner: W) -> Self {
        Watched { inner, failed: false }
    }
}

impl<W: Write> Write for Watched<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf).inspect_err(|_| self.failed = true)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush().inspect_err(|_| self.failed = true)
    }
}

/// `s` in double quotes with quotes, backslashes and control characters escaped, as `{:?}`
/// writes it, but with the combining marks of scripts such as Thai or Devanagari as they are
/// (`{:?}` writes `ที่` as `ท\u{e35}\u{e48}`).
pub fn quoted(s: &str) -> String {
    format!("\"{}\"", s.escape_debug().to_string().replace("\\'", "'"))
}

/// Parses `args` and runs chaff; returns the exit status. Never panics on bad input, and treats
/// a closed output pipe as success.
pub fn main_with_args<I, T>(args: I, io: &mut Io<'_>) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version are output, on stdout; usage errors go to stderr. Colour only
            // where it goes to a terminal and `NO_COLOR` is unset.
            let (out, tty): (&mut dyn Write, bool) =
                if e.use_stderr() { (&mut *io.stderr, io.stderr_is_tty) } else { (&mut *io.stdout, io.stdout_is_tty) };
            let rendered = e.render();
            let written = if explain::use_color(crate::cli::Color::Auto, tty) {
                write!(out, "{}", rendered.ansi())
            } else {
                write!(out, "{rendered}")
            }
            .and_then(|()| out.flush());
            if e.use_stderr() {
                return ExitCode::from(EXIT_ERROR);
            }
            // Help or version that could not be written (a full disk; not a closed pipe) fails.
            return match written {
                Err(w) if w.kind() != io::ErrorKind::BrokenPipe => {
                    let _ = writeln!(io.stderr, "chaff: error: writing the help: {w}");
                    ExitCode::from(EXIT_ERROR)
                }
                _ => ExitCode::from(EXIT_OK),
            };
        }
    };
    match run(cli, io) {
        Ok(code) => code,
        Err(err) => {
            // Rust ignores SIGPIPE, so a closed pipe (`chaff < big | head`) shows up as an
            // error; the reader has all it wanted, which is success (a document that failed
            // before makes `clean` return its status itself).
            if is_broken_pipe(&err) {
                return ExitCode::from(EXIT_OK);
            }
            if let Some(errors) = err.downcast_ref::<RuleErrors>() {
                let _ = writeln!(io.stderr, "{errors}");
                return ExitCode::from(EXIT_RULES);
            }
            // Paths and names in the message are shown, not sent to the terminal.
            let _ = writeln!(io.stderr, "chaff: error: {}", crate::rules::error::printable(&format!("{err:#}")));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn run(cli: Cli, io: &mut Io<'_>) -> Result<ExitCode> {
    match cli.command {
        None => clean::run(&cli.clean, io),
        Some(Command::Clean(args)) => clean::run(&args, io),
        Some(Command::Explain(args)) => explain::run(&args, io),
        Some(Command::Rules(args)) => reporting(io, |io| rules::run(&args, io)),
        Some(Command::Check(args)) => reporting(io, |io| check::run(&args, io)),
        Some(Command::Test(args)) => reporting(io, |io| examples::run(&args, io)),
        Some(Command::Bench(args)) => reporting(io, |io| bench::run(&args, io)),
        Some(Command::Eval(args)) => reporting(io, |io| eval::run(&args, io)),
    }
}

/// Runs a command that writes a report to standard output; an error from a failed write is
/// named as one ("writing the report: No space left on device").
fn reporting(io: &mut Io<'_>, command: impl FnOnce(&mut Io<'_>) -> Result<ExitCode>) -> Result<ExitCode> {
    let mut out = Watched::new(&mut *io.stdout);
    let mut report = Io { stdin: &mut *io.stdin, stdout: &mut out, stderr: &mut *io.stderr, ..*io };
    let result = command(&mut report);
    if out.failed { anyhow::Context::context(result, "writing the report") } else { result }
}

/// Whether `err` comes from writing to a closed pipe.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| e.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe))
}

/// The device and inode of the regular file standard output writes to, if it writes to one
/// (`chaff a.txt > out.txt`); asked once.
#[cfg(unix)]
fn output_file() -> Option<(u64, u64)> {
    use std::os::fd::AsFd;
    static ID: std::sync::OnceLock<Option<(u64, u64)>> = std::sync::OnceLock::new();
    *ID.get_or_init(|| file_id(&std::fs::File::from(io::stdout().as_fd().try_clone_to_owned().ok()?)))
}

#[cfg(not(unix))]
fn output_file() -> Option<(u64, u64)> {
    None
}

/// The device and inode of `file` if it is a regular file.
fn file_id(file: &std::fs::File) -> Option<(u64, u64)> {
    regular_id(&file.metadata().ok()?)
}

/// The device and inode of a regular file, from its metadata: what tells two names of one file
/// apart from two files (devices and pipes have none here: `/dev/null` twice is no clash).
#[cfg(unix)]
pub fn regular_id(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    meta.is_file().then(|| (meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
pub fn regular_id(_: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

/// Whether `file` is the regular file standard output writes to: read while chaff appends to
/// it, it would never end (`find . -name '*.txt' | chaff --files-from - > out.txt`, run where
/// `out.txt` is found).
pub fn is_output_file(file: &std::fs::File) -> bool {
    file_id(file).is_some_and(|id| output_file() == Some(id))
}

/// Whether standard input reads the regular file standard output writes to, with bytes left
/// to read (`chaff < f >> f`): an error to report instead of reading it.
pub fn stdin_is_output_file() -> Option<io::Error> {
    #[cfg(unix)]
    {
        use std::io::Seek;
        use std::os::fd::AsFd;
        let mut file = std::fs::File::from(io::stdin().as_fd().try_clone_to_owned().ok()?);
        let left = file.metadata().ok()?.len() > file.stream_position().unwrap_or(0);
        (left && is_output_file(&file)).then(|| io::Error::other("standard input reads the file standard output writes to; left out"))
    }
    #[cfg(not(unix))]
    None
}

/// A document's bytes as chaff reads them: with `decompress`, a gzip or zstd stream (told by its
/// first bytes) decompressed, concatenated streams one after another; anything else as it is.
///
/// Nothing is read here: the first bytes are read by the first `read`, so that an error there is
/// the document's read error like any later one (the document begins, then ends at it).
pub fn reader<'a, R: Read + 'a>(inner: R, decompress: bool) -> Box<dyn Read + 'a> {
    if decompress { Box::new(Sniffed::Head { inner: Some(inner), head: [0; 4], got: 0 }) } else { Box::new(inner) }
}

/// The bytes a stream began with, then the rest of it.
type Whole<R> = io::Chain<io::Cursor<Vec<u8>>, R>;

/// A stream read as its first bytes say: see [`reader`].
enum Sniffed<R: Read> {
    /// The first bytes, however a pipe hands them over, until they make a magic number or begin
    /// none (a JSON Lines record that arrives alone is not held back for more). `inner` is taken
    /// only when they are known.
    Head { inner: Option<R>, head: [u8; 4], got: usize },
    Plain(Whole<R>),
    Gzip(Box<GzMembers<Whole<R>>>),
    Zstd(zstd::stream::read::Decoder<'static, io::BufReader<Whole<R>>>),
}

impl<R: Read> Read for Sniffed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self {
                Sniffed::Plain(r) => return r.read(buf),
                Sniffed::Gzip(r) => return r.read(buf),
                Sniffed::Zstd(r) => return r.read(buf),
                Sniffed::Head { inner, head, got } => {
                    let Some(r) = inner.as_mut() else { return Ok(0) };
                    while *got < head.len() && Magic::of(&head[..*got]) == Some(Magic::Partial) {
                        match r.read(&mut head[*got..]) {
                            Ok(0) => break,
                            Ok(n) => *got += n,
                            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                            // The bytes read so far stay, for a later read.
                            Err(e) => return Err(e),
                        }
                    }
                    let kind = Magic::of(&head[..*got]);
                    let Some(r) = inner.take() else { return Ok(0) };
                    let whole = io::Cursor::new(head[..*got].to_vec()).chain(r);
                    *self = match kind {
                        Some(Magic::Gzip) => Sniffed::Gzip(Box::new(GzMembers::new(whole))),
                        Some(Magic::Zstd) => Sniffed::Zstd(zstd::stream::read::Decoder::new(whole)?),
                        _ => Sniffed::Plain(whole),
                    };
                }
            }
        }
    }
}

/// Gzip members one after another, as `gzip -d` reads them: zero bytes after a member (the
/// padding of a tape or a block device) end the stream, and bytes after them are an error (gzip
/// warns of them); any other bytes must begin a member.
struct GzMembers<R: Read> {
    /// The member being read; `None` once the stream has ended.
    member: Option<flate2::bufread::GzDecoder<io::BufReader<R>>>,
}

impl<R: Read> GzMembers<R> {
    fn new(inner: R) -> Self {
        // Reads of 64 KiB, as the engine's: with the default 8 KiB, a 54 MB file took 7% longer.
        GzMembers { member: Some(flate2::bufread::GzDecoder::new(io::BufReader::with_capacity(64 * 1024, inner))) }
    }
}

impl<R: Read> Read for GzMembers<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(member) = self.member.as_mut() else { return Ok(0) };
            let n = member.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            // The member ended where its trailer did: what follows decides.
            let Some(mut rest) = self.member.take().map(flate2::bufread::GzDecoder::into_inner) else { return Ok(0) };
            let mut padded = false;
            loop {
                let zeros = match rest.fill_buf() {
                    Ok([]) => return Ok(0),
                    Ok(bytes) => bytes.iter().take_while(|&&b| b == 0).count(),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                };
                if zeros == 0 {
                    break;
                }
                padded = true;
                rest.consume(zeros);
            }
            if padded {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "bytes after the zero padding that ended the gzip stream"));
            }
            self.member = Some(flate2::bufread::GzDecoder::new(rest));
        }
    }
}

/// What the first bytes of a stream say it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Magic {
    /// A gzip member (`1f 8b`, deflate).
    Gzip,
    /// A zstd frame, or a skippable frame (pzstd writes one first).
    Zstd,
    /// The start of a magic number: more bytes tell.
    Partial,
}

impl Magic {
    /// `None`: the bytes begin no magic number.
    fn of(head: &[u8]) -> Option<Magic> {
        const MAGICS: [(&[u8], Magic); 2] = [(&[0x1f, 0x8b, 0x08], Magic::Gzip), (&[0x28, 0xb5, 0x2f, 0xfd], Magic::Zstd)];
        for (magic, kind) in MAGICS {
            if head.starts_with(magic) {
                return Some(kind);
            }
            if magic.starts_with(head) {
                return Some(Magic::Partial);
            }
        }
        // A skippable frame: 0x184D2A50 to 0x184D2A5F, little-endian.
        match head {
            [0x50..=0x5f, 0x2a, 0x4d, 0x18, ..] => Some(Magic::Zstd),
            [] | [0x50..=0x5f] | [0x50..=0x5f, 0x2a] | [0x50..=0x5f, 0x2a, 0x4d] => Some(Magic::Partial),
            _ => None,
        }
    }
}

/// Opens a document to read, refusing the file standard output writes to (as `cat` does: "input
/// file is output file").
/// A folder opens on Linux but cannot be read: it is refused here, before it counts as a
/// document.
pub fn open_input(path: &std::path::Path) -> io::Result<std::fs::File> {
    let file = std::fs::File::open(path)?;
    if let Ok(meta) = file.metadata() {
        if meta.is_dir() {
            return Err(io::Error::new(io::ErrorKind::IsADirectory, "Is a directory"));
        }
        // (Empty, as `chaff f > f` leaves it, it ends at once, as `cat` lets it.)
        if meta.is_file() && meta.len() > 0 && output_file().is_some() && file_id(&file) == output_file() {
            return Err(io::Error::other("it is the file standard output writes to; left out"));
        }
    }
    Ok(file)
}

/// `n` and the noun, in the plural unless `n` is 1: "1 line", "2 lines".
pub fn counted(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// The documents to read: the FILE arguments, or standard input (`-`) when there are none.
pub fn inputs(files: &[std::path::PathBuf]) -> Vec<std::path::PathBuf> {
    if files.is_empty() { vec!["-".into()] } else { files.to_vec() }
}

/// Loads the rule files named on the command line (`chaff check PATH...`), or, when there are
/// none, the rule set the flags ask for.
///
/// # Errors
/// As [`load_rules`].
pub fn load_paths(paths: &[std::path::PathBuf], args: &RuleArgs) -> Result<RuleSet> {
    if paths.is_empty() {
        return load_rules(args);
    }
    let mut args = args.clone();
    args.no_default_rules = true;
    args.rules = paths.iter().chain(&args.rules).cloned().collect();
    load_rules(&args)
}

/// Loads the rule set the flags ask for.
///
/// # Errors
/// [`RuleErrors`] for broken rule files, other errors for unreadable paths or unknown packs.
pub fn load_rules(args: &RuleArgs) -> Result<RuleSet> {
    if args.no_default_rules && args.rules.is_empty() {
        anyhow::bail!("--no-default-rules leaves no rules: give your own with --rules FILE or --rules FOLDER");
    }
    let mut b = RuleSetBuilder::new();
    if !args.no_default_rules {
        b.add_embedded();
    }
    for p in &args.rules {
        b.add_path(p)?;
    }
    // Parsing every file for its pack name costs time: only when a pack is to be left out.
    let names = if args.disable.is_empty() { Vec::new() } else { b.pack_names() };
    for d in &args.disable {
        if !names.contains(d) {
            anyhow::bail!("--disable {d}: no pack named `{d}` (packs: {})", names.join(", "));
        }
        b.disable(d);
    }
    if !names.is_empty() && names.iter().all(|n| args.disable.contains(n)) {
        anyhow::bail!("--disable leaves no rules: every pack ({}) is disabled", names.join(", "));
    }
    Ok(b.build()?)
}

#[cfg(test)]
mod tests {
    /// Combining marks stay as they are; quotes, backslashes and control characters are
    /// escaped, and an apostrophe is not.
    #[test]
    fn quoted_keeps_combining_marks() {
        assert_eq!(super::quoted("ที่ 8:13"), "\"ที่ 8:13\"");
        assert_eq!(super::quoted("Don't \"x\" \\' \t\u{7}"), "\"Don't \\\"x\\\" \\\\' \\t\\u{7}\"");
        assert_eq!(super::quoted("\u{301}a"), "\"\\u{301}a\"");
    }
}
