//! `chaff [clean] [FILE...]`: clean documents to standard output.
//!
//! Each FILE is one document (`-` or no FILE: standard input). A file that cannot be opened is
//! reported on stderr and skipped, and chaff exits 2 at the end; a closed output pipe stops
//! quietly with status 0.

use std::fs::File;
use std::io::{self, BufWriter, LineWriter, Read, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};

use serde_json::json;

use super::{EXIT_ERROR, EXIT_OK, Io, Watched, counted, load_rules};
use crate::cli::{CleanArgs, Format};
use crate::engine::{DocStats, Engine, Options};
use crate::output::{CleanSink, Stats, StatsSink};
use crate::rules::RuleSet;
use crate::parallel::Stop;

/// Runs `chaff clean`.
///
/// # Errors
/// Rule errors, write errors (a broken pipe included; the caller treats it as success).
pub fn run(args: &CleanArgs, io: &mut Io<'_>) -> Result<ExitCode> {
    let mut failed = false;
    match clean(args, io, &mut failed) {
        // A closed output pipe is success, unless a document failed before it.
        Err(e) if failed && super::is_broken_pipe(&e) => Ok(ExitCode::from(EXIT_ERROR)),
        result => result,
    }
}

/// [`run`], which sets `failed` as soon as a document fails (a message on stderr).
fn clean(args: &CleanArgs, io: &mut Io<'_>, failed: &mut bool) -> Result<ExitCode> {
    let listed = match &args.files_from {
        Some(list) => Some(read_list(list, &mut *io.stdin)?),
        None => None,
    };
    let shared = std::sync::Arc::new(load_rules(&args.rules)?);
    // Opened before any cleaning, so that a path that cannot be written fails at once, and
    // emptied only once it is known to be no document (below).
    let stats_file = match &args.stats_file {
        Some(path) => Some(
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .with_context(|| format!("--stats-file {}: cannot create it", path.display()))?,
        ),
        None => None,
    };
    // A spare core compiles the regexes while this thread cleans (a thread still compiling when
    // the process ends is simply dropped). Only with a core to spare: `-j` workers compile what
    // they need themselves.
    if std::thread::available_parallelism().is_ok_and(|n| n.get() > args.threads.max(1)) {
        let rules = std::sync::Arc::clone(&shared);
        std::thread::spawn(move || rules.compile_regexes());
    }
    let rules: &RuleSet = &shared;
    let line_buffered = args.line_buffered || (io.stdout_is_tty && !args.block_buffered);
    let out: Box<dyn Write + '_> = if line_buffered {
        Box::new(LineWriter::new(&mut *io.stdout))
    } else {
        Box::new(BufWriter::with_capacity(64 * 1024, &mut *io.stdout))
    };
    let mut sink = StatsSink::new(CleanSink::new(Watched::new(out)), rules.rules().len());
    let opts = Options { max_line_bytes: args.max_line_bytes, ..Options::default() };
    let mut engine = Engine::new(rules, opts);
    let files = &match listed {
        Some(listed) if listed.iter().chain(&args.files).any(|f| f.as_os_str() == "-") && is_stdin(args) => {
            anyhow::bail!("--files-from -: standard input holds the list, so it cannot also be a document")
        }
        Some(listed) => args.files.iter().cloned().chain(listed).collect(),
        None => super::inputs(&args.files),
    }[..];
    // How an input is named in messages: a path from the --files-from list says so.
    let label = |i: usize| -> String {
        match (&args.files_from, files.get(i)) {
            (Some(list), Some(f)) if i >= args.files.len() => format!("{} (listed in {})", f.display(), if list.as_os_str() == "-" { "standard input".into() } else { list.display().to_string() }),
            (_, Some(f)) => f.display().to_string(),
            (_, None) => "-".to_string(),
        }
    };
    if let (Some(path), Some(file)) = (&args.stats_file, &stats_file) {
        if super::is_output_file(file) {
            anyhow::bail!("--stats-file {}: it is the file standard output writes to, which the report would overwrite", path.display());
        }
        let list = args.files_from.iter().filter(|l| l.as_os_str() != "-");
        if let Some(doc) = files.iter().chain(list).find(|f| same_file(file, f)) {
            let doc = if doc.as_os_str() == "-" { "standard input".into() } else { doc.display().to_string() };
            anyhow::bail!("--stats-file {}: it is also an input ({doc}), which the report would overwrite", path.display());
        }
        // Emptied now, so that a run that stops early (a closed pipe) leaves no older report
        // there; a pipe or a terminal has nothing to empty.
        if file.metadata().is_ok_and(|m| m.is_file()) {
            file.set_len(0).with_context(|| format!("--stats-file {}: cannot write it", path.display()))?;
        }
    }
    if args.jsonl {
        let out = sink.get_mut().get_mut();
        let stats = super::jsonl::run(rules, opts, &args.field, files, &label, args.threads, line_buffered, args.decompress, &mut *io.stdin, out, io.stderr, failed)?;
        sink.stats.merge(&stats);
    }
    let parallel = !args.jsonl && args.threads > 1 && files.len() > 1 && files.iter().all(|f| f.as_os_str() != "-");
    if parallel {
        clean_parallel(rules, opts, files, &label, args.threads, args.decompress, &mut sink, io.stderr, failed)?;
    }
    let mut stdin_read = false;
    for (i, path) in files.iter().enumerate().filter(|_| !parallel && !args.jsonl) {
        let opened = if path.as_os_str() == "-" { super::stdin_is_output_file().map_or(Ok(None), Err) } else { super::open_input(path).map(Some) };
        // What a document that ends in a read error read before it.
        let mut read = DocStats::default();
        let mut run = |r: &mut dyn io::Read, name: &str| {
            let result = engine.run(r, name, &mut sink);
            read = engine.last_read();
            result
        };
        let result = match opened {
            // Decompressed, standard input is read once, to the end of its stream (or to an
            // error, past which its bytes are no document): named again, it is empty.
            Ok(None) if args.decompress && std::mem::replace(&mut stdin_read, true) => run(&mut io::empty(), "-"),
            Ok(None) => run(&mut super::reader(&mut *io.stdin, args.decompress), "-"),
            Ok(Some(f)) => run(&mut super::reader(f, args.decompress), &path.to_string_lossy()),
            Err(e) => Err(e),
        };
        settle(result, read, &mut sink, io.stderr, &label, i, failed)?;
    }
    sink.get_mut().get_mut().flush().context("writing the cleaned output")?;
    if let (Some(path), Some(file)) = (&args.stats_file, stats_file) {
        let mut file = std::io::BufWriter::new(file);
        write_stats(&mut file, rules, &sink.stats, args.stats.unwrap_or(Format::Json))
            .and_then(|()| Ok(file.flush()?))
            .with_context(|| format!("--stats-file {}: cannot write it", path.display()))?;
    } else if let Some(format) = args.stats {
        write_stats(io.stderr, rules, &sink.stats, format)?;
    }
    if io.exit_after {
        // Freeing the compiled rules and the engine's tables would only delay the exit.
        std::mem::forget(engine);
        std::mem::forget(shared);
    }
    Ok(ExitCode::from(if *failed { EXIT_ERROR } else { EXIT_OK }))
}

/// Output buffers of at most this capacity are reused for the next documents.
const SPARE_CAPACITY: usize = 4 << 20;

/// A worker holds at most this much of a document's output before its turn to be written: past
/// it, the worker waits for its turn and hands the output over as it goes, so that memory does
/// not grow with the size of a file.
const HOLD_BYTES: usize = 1 << 20;

/// A document a worker cleaned (or part of one), one that failed after the bytes it gave, or a
/// pipe or device for the writing thread to open and clean in its turn.
enum Cleaned {
    Bytes(Vec<u8>),
    Failed(Vec<u8>, io::Error),
    AtTurn,
}

/// A worker's output: held in memory, and past [`HOLD_BYTES`] handed over as a part (which waits
/// for the document's turn).
struct Held<'a, 'p> {
    bytes: Vec<u8>,
    part: &'p mut dyn FnMut(Cleaned) -> bool,
    spare: &'a std::sync::Mutex<Vec<Vec<u8>>>,
}

impl Held<'_, '_> {
    fn fresh(spare: &std::sync::Mutex<Vec<Vec<u8>>>) -> Vec<u8> {
        spare.lock().unwrap_or_else(|p| p.into_inner()).pop().unwrap_or_default()
    }
}

impl Write for Held<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes.extend_from_slice(buf);
        if self.bytes.len() >= HOLD_BYTES {
            let next = Held::fresh(self.spare);
            if !(self.part)(Cleaned::Bytes(std::mem::replace(&mut self.bytes, next))) {
                return Err(io::Error::other("the run has stopped"));
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A worker's input, which fails once the run has stopped.
struct Stoppable<'s, R> {
    inner: R,
    stop: Stop<'s>,
}

impl<R: Read> Read for Stoppable<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.stop.stopped() {
            return Err(io::Error::other("the run has stopped"));
        }
        self.inner.read(buf)
    }
}

/// Cleans `files` on `threads` threads and writes them in order through `sink`; sets `failed`
/// when a file fails. Each worker keeps one engine and its own counts, merged at the end.
#[allow(clippy::too_many_arguments)]
fn clean_parallel<W: Write>(
    rules: &RuleSet,
    opts: Options,
    files: &[std::path::PathBuf],
    label: &dyn Fn(usize) -> String,
    threads: usize,
    decompress: bool,
    sink: &mut StatsSink<CleanSink<Watched<W>>>,
    stderr: &mut dyn Write,
    failed: &mut bool,
) -> Result<()> {
    // The window of documents cleaned ahead follows the threads at work, not those asked for.
    let threads = threads.min(files.len());
    let n_rules = rules.rules().len();
    let totals = std::sync::Mutex::new(Stats::default());
    let init = || (Engine::new(rules, opts), Stats { per_rule: vec![0; n_rules], ..Stats::default() });
    // Output buffers go back to the workers once written, so they are allocated once.
    let spare = std::sync::Mutex::new(Vec::<Vec<u8>>::new());
    let work = |(engine, stats): &mut (Engine<'_>, Stats), i: usize, part: &mut dyn FnMut(Cleaned) -> bool, stop: Stop<'_>| -> Cleaned {
        // A pipe or a device is opened and read at its turn, by the thread that writes
        // (below), as with one thread: opening a FIFO waits for a writer, and two workers would
        // share a pipe named twice.
        if is_stream(&files[i]) {
            return Cleaned::AtTurn;
        }
        let f = match super::open_input(&files[i]) {
            Ok(f) => f,
            Err(e) => return Cleaned::Failed(Vec::new(), e),
        };
        let held = Held { bytes: Held::fresh(&spare), part, spare: &spare };
        let mut local = StatsSink::with_stats(CleanSink::new(held), std::mem::take(stats));
        let name = files[i].to_string_lossy();
        // Once the run has stopped (the output closed), the document is given up at its next
        // read: a document that writes little would otherwise be read to its end for nothing.
        let result = engine.run(&mut super::reader(Stoppable { inner: f, stop }, decompress), &name, &mut local);
        let (held, counted) = local.into_parts();
        *stats = counted;
        let bytes = held.into_inner().bytes;
        match result {
            Ok(doc) => {
                stats.lines_in += doc.lines_in;
                stats.bytes_in += doc.bytes_in;
                Cleaned::Bytes(bytes)
            }
            Err(e) => {
                // What was read before a read error is counted, as what it gave is written (the
                // engine ran: a document that cannot be opened is no document).
                let read = engine.last_read();
                stats.lines_in += read.lines_in;
                stats.bytes_in += read.bytes_in;
                Cleaned::Failed(bytes, e)
            }
        }
    };
    let done = |(_, stats): (Engine<'_>, Stats)| {
        totals.lock().unwrap_or_else(|p| p.into_inner()).merge(&stats);
    };
    // Cleans the pipes and devices, in their turn.
    let mut streamer: Option<Engine<'_>> = None;
    crate::parallel::ordered_parts(files.len(), threads, 4 * threads, init, work, done, |i, cleaned| -> Result<()> {
        let (mut bytes, error) = match cleaned {
            Cleaned::AtTurn => {
                let engine = streamer.get_or_insert_with(|| Engine::new(rules, opts));
                let name = files[i].to_string_lossy();
                let mut read = DocStats::default();
                let result = super::open_input(&files[i]).and_then(|f| {
                    let result = engine.run(&mut super::reader(f, decompress), &name, sink);
                    read = engine.last_read();
                    result
                });
                return settle(result, read, sink, stderr, label, i, failed);
            }
            Cleaned::Bytes(bytes) => (bytes, None),
            Cleaned::Failed(bytes, e) => (bytes, Some(e)),
        };
        sink.get_mut().get_mut().write_all(&bytes).context("writing the cleaned output")?;
        // A big document's buffer is freed, not kept for the rest of the run.
        if bytes.capacity() <= SPARE_CAPACITY {
            bytes.clear();
            spare.lock().unwrap_or_else(|p| p.into_inner()).push(bytes);
        }
        match error {
            Some(e) => settle(Err(e), DocStats::default(), sink, stderr, label, i, failed),
            None => Ok(()),
        }
    })?;
    sink.stats.merge(&totals.into_inner().unwrap_or_else(|p| p.into_inner()));
    Ok(())
}

/// Counts the input of document `i`, cleaned into `sink`, or reports why it could not be read
/// (cleaning goes on with the others, like cat and grep) and sets `failed`; `read` is what it
/// read and cleaned before a read error. The output before it
/// is flushed first, so the message comes after it; a message that cannot be written (standard
/// error closed) stops nothing.
///
/// # Errors
/// A failed write, whatever the error's kind: it is the output's, and ends the run.
fn settle<W: Write>(
    result: io::Result<DocStats>,
    read: DocStats,
    sink: &mut StatsSink<CleanSink<Watched<W>>>,
    stderr: &mut dyn Write,
    label: &dyn Fn(usize) -> String,
    i: usize,
    failed: &mut bool,
) -> Result<()> {
    match result {
        Ok(doc) => {
            sink.stats.lines_in += doc.lines_in;
            sink.stats.bytes_in += doc.bytes_in;
        }
        Err(e) if sink.get_mut().get_mut().failed => return Err(e).context("writing the cleaned output"),
        Err(e) => {
            // A read error ended the document after what it read.
            sink.stats.lines_in += read.lines_in;
            sink.stats.bytes_in += read.bytes_in;
            let _ = sink.get_mut().get_mut().flush();
            let _ = writeln!(stderr, "chaff: {}: {e}", crate::rules::error::printable(&label(i)));
            *failed = true;
        }
    }
    Ok(())
}

/// Whether `path` names the open `file`, a regular file (the same device and inode); `-` is
/// standard input, compared the same way. Paths that cannot be read are no file.
fn same_file(file: &File, path: &std::path::Path) -> bool {
    let other = if path.as_os_str() == "-" {
        #[cfg(unix)]
        {
            use std::os::fd::AsFd;
            std::io::stdin().as_fd().try_clone_to_owned().map(File::from).and_then(|f| f.metadata())
        }
        #[cfg(not(unix))]
        return false;
    } else {
        std::fs::metadata(path)
    };
    let id = file.metadata().ok().and_then(|m| super::regular_id(&m));
    id.is_some() && id == other.ok().and_then(|m| super::regular_id(&m))
}

/// Whether `path` names a pipe, a socket or a device (`/dev/stdin` among them): read as it
/// comes, not a file of a known size. Told without opening it.
#[cfg(unix)]
fn is_stream(path: &std::path::Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata(path).is_ok_and(|m| {
        let t = m.file_type();
        t.is_fifo() || t.is_socket() || t.is_char_device() || t.is_block_device()
    })
}

#[cfg(not(unix))]
fn is_stream(_: &std::path::Path) -> bool {
    false
}

fn is_stdin(args: &CleanArgs) -> bool {
    args.files_from.as_ref().is_some_and(|l| l.as_os_str() == "-")
}

/// Reads a list of paths, one per line (`--files-from`).
fn read_list(list: &std::path::Path, stdin: &mut dyn io::Read) -> Result<Vec<std::path::PathBuf>> {
    let mut bytes = Vec::new();
    if list.as_os_str() == "-" {
        stdin.read_to_end(&mut bytes).context("reading the list of files from standard input")?;
    } else {
        bytes = std::fs::read(list).with_context(|| format!("--files-from {}: cannot read it", list.display()))?;
    }
    let mut paths = Vec::new();
    // A path never holds a NUL byte: a list that does is NUL-separated (`find -print0`), and
    // its names are taken as they are, new lines and all.
    if memchr::memchr(0, &bytes).is_some() {
        for name in bytes.split(|&b| b == 0).filter(|n| !n.is_empty()) {
            paths.push(path_from_bytes(name)?);
        }
        return Ok(paths);
    }
    for line in bytes.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if !line.is_empty() {
            paths.push(path_from_bytes(line)?);
        }
    }
    Ok(paths)
}

#[cfg(unix)]
fn path_from_bytes(b: &[u8]) -> Result<std::path::PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    Ok(std::ffi::OsStr::from_bytes(b).into())
}

#[cfg(not(unix))]
fn path_from_bytes(b: &[u8]) -> Result<std::path::PathBuf> {
    match std::str::from_utf8(b) {
        Ok(s) => Ok(s.into()),
        Err(_) => anyhow::bail!("--files-from: a path is not valid UTF-8: {}", String::from_utf8_lossy(b)),
    }
}

/// Prints `--stats`: totals, lines dropped per rule (busiest first), rules that never fired.
fn write_stats(err: &mut dyn Write, rules: &RuleSet, stats: &Stats, format: Format) -> Result<()> {
    let mut fired: Vec<(usize, u64)> = stats.per_rule.iter().copied().enumerate().filter(|&(_, n)| n > 0).collect();
    fired.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let idle: Vec<&crate::rules::Rule> =
        rules.rules().iter().enumerate().filter(|&(i, _)| stats.per_rule[i] == 0).map(|(_, r)| r).collect();
    match format {
        Format::Json => {
            let doc = json!({
                "documents": stats.documents,
                "lines_in": stats.lines_in,
                "lines_out": stats.lines_out,
                "bytes_in": stats.bytes_in,
                "bytes_out": stats.bytes_out,
                "dropped_by_rule": fired.iter().map(|&(i, n)| {
                    let r = &rules.rules()[i];
                    json!({"rule": r.id, "location": r.location(), "action": r.action.keyword(), "lines": n})
                }).collect::<Vec<_>>(),
                "never_fired": idle.iter().map(|r| json!({"rule": r.id, "location": r.location()})).collect::<Vec<_>>(),
            });
            writeln!(err, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
        Format::Text => {
            let dropped: u64 = fired.iter().map(|f| f.1).sum();
            writeln!(
                err,
                "chaff: {}; in: {}, {}; out: {}, {}; {} dropped by rules",
                counted(stats.documents, "document"),
                counted(stats.lines_in, "line"),
                counted(stats.bytes_in, "byte"),
                counted(stats.lines_out, "line"),
                counted(stats.bytes_out, "byte"),
                counted(dropped, "line")
            )?;
            if !fired.is_empty() {
                writeln!(err, "{:>8}  {:<48}  location", "lines", "rule")?;
                for &(i, n) in &fired {
                    let r = &rules.rules()[i];
                    writeln!(err, "{n:>8}  {:<48}  {}", r.id, crate::rules::error::printable(&r.location()))?;
                }
            }
            // The idle rules of the files given are listed; the shipped ones only counted (most
            // of them never fire on any one input: `--stats=json` lists them all).
            let shipped: Vec<&str> = rules.packs().iter().filter(|p| p.embedded).map(|p| p.name.as_str()).collect();
            let (idle_shipped, idle_own): (Vec<&crate::rules::Rule>, Vec<_>) = idle.iter().partition(|r| shipped.contains(&r.pack.as_str()));
            write!(err, "rules that never fired: {} of {}", idle.len(), rules.rules().len())?;
            if idle_shipped.is_empty() {
                writeln!(err)?;
            } else {
                writeln!(err, " ({} of them shipped, not listed here; --stats=json lists them)", idle_shipped.len())?;
            }
            for r in idle_own {
                writeln!(err, "  {:<48}  {}", r.id, crate::rules::error::printable(&r.location()))?;
            }
        }
    }
    Ok(())
}
