//! `chaff bench`: throughput of the real engine (MB/s, lines/s, documents/s), beside the floor
//! of a plain memchr line split and copy over the same bytes, and peak memory.

use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::json;

use super::{EXIT_OK, Io, counted, load_rules};
use crate::bench::{Corpus, Digest, Layout, Pass, chrome_lines, clean_into, clean_parallel_into, clean_pass, clean_pass_parallel, floor_pass, peak_rss, try_generate};
use crate::cli::{BenchArgs, Format};
use crate::engine::{Engine, Options};

/// The fastest of `repeat` passes, after one untimed pass that warms what a long run has warm:
/// the regexes compiled on first use and their caches, the threads' engines, the page cache.
fn best(repeat: usize, mut f: impl FnMut() -> Pass) -> Pass {
    let _ = f();
    let mut best: Option<Pass> = None;
    for _ in 0..repeat.max(1) {
        let p = f();
        if best.is_none_or(|b| p.elapsed < b.elapsed) {
            best = Some(p);
        }
    }
    best.unwrap_or_default()
}

fn per_sec(n: u64, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

/// Runs `chaff bench`.
///
/// # Errors
/// Rule errors, unreadable files, write errors.
pub fn run(args: &BenchArgs, io: &mut Io<'_>) -> Result<ExitCode> {
    let t0 = Instant::now();
    let rules = load_rules(&args.rules)?;
    let startup = t0.elapsed();
    let mut corpora: Vec<(String, Corpus)> = Vec::new();
    if args.files.is_empty() {
        let chrome = chrome_lines(&rules);
        for (name, layout) in [("paragraphs", Layout::Paragraphs), ("wrapped", Layout::Wrapped)] {
            // Both layouts are held at once: a size memory cannot hold is an error, not an abort.
            let corpus = try_generate(args.size, layout, &chrome, args.chrome_rate).map_err(|_| {
                anyhow::anyhow!("--size {}: two generated corpora of that size (one per layout) do not fit in memory", args.size)
            })?;
            corpora.push((format!("generated, {name}"), corpus));
        }
    } else {
        let mut c = Corpus::default();
        for f in &args.files {
            let read = std::fs::File::open(f).and_then(|mut file| {
                let size = file.metadata().map_or(0, |m| usize::try_from(m.len()).unwrap_or(usize::MAX));
                c.read_doc(&mut file, size)
            });
            read.with_context(|| format!("cannot read {}", f.display()))?;
        }
        corpora.push((format!("{} file{}", args.files.len(), if args.files.len() == 1 { "" } else { "s" }), c));
    }
    let mut results = Vec::new();
    for (name, corpus) in &corpora {
        let floor = best(args.repeat, || floor_pass(corpus));
        let mut engine = Engine::new(&rules, Options::default());
        let chaff = best(args.repeat, || clean_pass(&mut engine, corpus));
        let engines = Mutex::new(Vec::new());
        // Threads share documents: with fewer than two, there is nothing to share.
        let parallel = (args.threads.min(corpus.docs().count()) > 1)
            .then(|| best(args.repeat, || clean_pass_parallel(&rules, &engines, corpus, args.threads)));
        // Beside the counts of the timed passes, the bytes themselves and their order: one more
        // pass each way, untimed, into a hash.
        let same_bytes = parallel.is_none() || {
            let one = clean_into(&mut engine, corpus, Digest::default()).1.value();
            let many = clean_parallel_into(&rules, &engines, corpus, args.threads, Digest::default()).1.value();
            one == many
        };
        if let Some(p) = parallel.filter(|p| p.bytes_out == chaff.bytes_out && p.lines == chaff.lines && !same_bytes) {
            anyhow::bail!("{name}: on {} threads chaff kept as many bytes as on one, but other bytes or in another order: not measured", p.threads);
        }
        if let Some(p) = parallel.filter(|p| p.bytes_out != chaff.bytes_out || p.lines != chaff.lines) {
            anyhow::bail!(
                "{name}: on {} threads chaff kept {} bytes of {} lines, on one {} bytes of {}: not measured",
                p.threads,
                p.bytes_out,
                p.lines,
                chaff.bytes_out,
                chaff.lines
            );
        }
        results.push((name, floor, chaff, parallel));
    }
    let peak = peak_rss();
    let held: usize = corpora.iter().map(|c| c.1.bytes.len()).sum();
    match args.format {
        Format::Json => {
            let rows: Vec<_> = results
                .iter()
                .map(|(name, floor, chaff, parallel)| {
                    json!({
                        "corpus": name,
                        "bytes": chaff.bytes_in,
                        "lines": chaff.lines,
                        "documents": chaff.docs,
                        "kept_bytes": chaff.bytes_out,
                        "chaff_mb_per_s": per_sec(chaff.bytes_in, chaff.elapsed) / 1e6,
                        "chaff_lines_per_s": per_sec(chaff.lines, chaff.elapsed),
                        "chaff_docs_per_s": per_sec(chaff.docs, chaff.elapsed),
                        "floor_mb_per_s": per_sec(floor.bytes_in, floor.elapsed) / 1e6,
                        "ratio_to_floor": floor.elapsed.as_secs_f64() / chaff.elapsed.as_secs_f64().max(1e-9),
                        "threads": parallel.map(|p| p.threads),
                        "threads_mb_per_s": parallel.map(|p| per_sec(p.bytes_in, p.elapsed) / 1e6),
                        "threads_speedup": parallel.map(|p| chaff.elapsed.as_secs_f64() / p.elapsed.as_secs_f64().max(1e-9)),
                    })
                })
                .collect();
            let doc = json!({
                "rules": rules.rules().len(),
                "packs": rules.packs().len(),
                "startup_ms": startup.as_secs_f64() * 1e3,
                "peak_rss_bytes": peak,
                "corpus_bytes_held": held,
                "results": rows,
            });
            writeln!(io.stdout, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
        Format::Text => {
            writeln!(
                io.stdout,
                "rules: {} in {} packs, loaded in {:.1} ms (regexes compile on first use: an untimed pass warms them)",
                rules.rules().len(),
                rules.packs().len(),
                startup.as_secs_f64() * 1e3
            )?;
            for (name, floor, chaff, parallel) in &results {
                writeln!(
                    io.stdout,
                    "\n{name}: {:.1} MB, {}, {}; kept {:.1}% of bytes",
                    chaff.bytes_in as f64 / 1e6,
                    counted(chaff.docs, "document"),
                    counted(chaff.lines, "line"),
                    if chaff.bytes_in == 0 { 100.0 } else { 100.0 * chaff.bytes_out as f64 / chaff.bytes_in as f64 }
                )?;
                writeln!(io.stdout, "  {:<6} {:>10} {:>14} {:>12}", "pass", "MB/s", "lines/s", "docs/s")?;
                let threaded = parallel.map(|p| (format!("-j {}", p.threads), p));
                let rows = [("floor".to_string(), *floor), ("chaff".to_string(), *chaff)].into_iter().chain(threaded);
                for (label, p) in rows {
                    writeln!(
                        io.stdout,
                        "  {label:<6} {:>10.1} {:>14.0} {:>12.0}",
                        per_sec(p.bytes_in, p.elapsed) / 1e6,
                        per_sec(p.lines, p.elapsed),
                        per_sec(p.docs, p.elapsed)
                    )?;
                }
                writeln!(
                    io.stdout,
                    "  chaff runs at {:.2} of the floor's speed",
                    floor.elapsed.as_secs_f64() / chaff.elapsed.as_secs_f64().max(1e-9)
                )?;
                if let Some(p) = parallel {
                    writeln!(
                        io.stdout,
                        "  on {} threads chaff runs {:.2} times as fast as on one",
                        p.threads,
                        chaff.elapsed.as_secs_f64() / p.elapsed.as_secs_f64().max(1e-9)
                    )?;
                }
            }
            if let Some(peak) = peak {
                writeln!(
                    io.stdout,
                    "\npeak memory: {:.1} MiB, of which {:.1} MiB is the corpus held in memory",
                    peak as f64 / (1 << 20) as f64,
                    held as f64 / (1 << 20) as f64
                )?;
            }
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}
