//! chaff strips site chrome — comment forms, share widgets, cookie notices, photo credits,
//! bylines, copyright footers — out of raw article text, and keeps every article line exactly as
//! it came.
//!
//! The library is layered like the tool:
//!
//! * [`rules`] parses rule files ([`rules::syntax`]), compiles them into a [`RuleSet`] and
//!   reports broken rules like a compiler (`file:line:col`, every error at once). Every rule is
//!   reached through a cheap gate: `line` and `prefix` phrases through one Aho-Corasick
//!   automaton over a line's first normalized bytes, `contains` phrases and unanchored regexes
//!   through anchor words found by one packed search per block, other regexes through their
//!   leading text or ending; a regex runs only on the lines its gate opens (docs/DESIGN.md).
//! * [`engine`] runs one streaming, byte-level pass over a document and decides every line,
//!   in bounded memory.
//! * [`output`] turns decisions into output through a [`output::Sink`]: the cleaned text
//!   ([`output::CleanSink`]), an explanation ([`output::ExplainSink`]), every decision
//!   ([`output::RecordSink`]) or counts per rule ([`output::StatsSink`]).
//!
//! [`parallel`] runs documents on several threads with output in input order, and [`jsonl`]
//! cleans a field of JSON Lines records. The `bench`, `cli` and `cmd` modules are the command
//! line tool's own, public for it and its benchmarks.
//!
//! # Examples
//!
//! Cleaning bytes in memory with rules of your own:
//!
//! ```
//! let rules = chaff::RuleSet::from_sources(&[("my.rules", "drop prefix Photo:\n")]).unwrap();
//! let page = b"Article text.\r\nPhoto: AP\r\nMore text, no final newline";
//! assert_eq!(chaff::clean_bytes(&rules, page), b"Article text.\r\nMore text, no final newline");
//! ```
//!
//! The shipped rules with a file of your own, one pack left out, and a stream cleaned from a
//! reader to a writer (any [`std::io::Read`] and [`std::io::Write`]); one engine serves any
//! number of documents:
//!
//! ```
//! use chaff::rules::RuleSetBuilder;
//! use chaff::output::CleanSink;
//!
//! # let dir = std::env::temp_dir().join(format!("chaff-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).unwrap();
//! # let my_rules = dir.join("site.rules");
//! # std::fs::write(&my_rules, "drop line Back to the shop\n").unwrap();
//! let mut builder = RuleSetBuilder::new();
//! builder.add_embedded().add_path(&my_rules)?.disable("cookies");
//! // A broken rule file is an error listing every problem, each at its file:line:col.
//! let rules = builder.build().map_err(|errors| anyhow::anyhow!("{errors}"))?;
//!
//! let mut engine = chaff::Engine::new(&rules, chaff::Options::default());
//! let mut sink = CleanSink::new(Vec::new()); // a file or a `BufWriter` in real use
//! let page = "The article's one line.\nBack to the shop\nShare this:\n";
//! engine.run(&mut page.as_bytes(), "page.txt", &mut sink)?;
//! assert_eq!(String::from_utf8(sink.into_inner())?, "The article's one line.\n");
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), anyhow::Error>(())
//! ```
//!
//! Why each line was dropped: every decision names the rule behind it.
//!
//! ```
//! use chaff::output::RecordSink;
//!
//! let rules = chaff::RuleSet::embedded().unwrap();
//! let mut engine = chaff::Engine::new(&rules, chaff::Options::default());
//! let mut record = RecordSink::default();
//! engine.run(&mut &b"The article's one line.\nShare this:\n"[..], "-", &mut record).unwrap();
//! for (line_no, decision, written, _bytes) in &record.lines {
//!     if let Some(i) = decision.rule() {
//!         let rule = rules.rule(i);
//!         println!("line {line_no}: dropped by {} ({}), written: {written}", rule.id, rule.location());
//!     }
//! }
//! assert!(record.lines[1].1.is_dropped());
//! ```
//!
//! A [`RuleSet`] is `Send + Sync`: threads share one by reference, each with an [`Engine`] of
//! its own, which [`parallel::ordered_with`] sets up (the `-j` of the command line).
#![warn(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod bench;
pub mod cli;
pub mod cmd;
pub mod engine;
pub mod jsonl;
pub mod output;
pub mod parallel;
pub mod rules;

pub use engine::{Engine, Options, clean_bytes};
pub use rules::RuleSet;
