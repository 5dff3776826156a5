//! chaff strips site chrome — comment forms, share widgets, cookie notices, photo credits,
//! bylines, copyright footers — out of raw article text, and keeps every article line exactly as
//! it came.
//!
//! The library is layered like the tool:
//!
//! * [`rules`] parses rule files ([`rules::syntax`]), compiles them into a [`RuleSet`] (one
//!   hash map for whole-line phrases, one Aho-Corasick automaton for prefix and contains
//!   phrases, regex sets for the rest) and reports broken rules like a compiler;
//! * [`engine`] runs one streaming, byte-level pass over a document and decides every line;
//! * [`output`] turns decisions into output: the cleaned text, or an explanation.
//!
//! # Example
//!
//! ```
//! let rules = chaff::RuleSet::from_sources(&[("my.rules", "drop prefix Photo:\n")]).unwrap();
//! let page = b"Article text.\r\nPhoto: AP\r\nMore text, no final newline";
//! assert_eq!(chaff::clean_bytes(&rules, page), b"Article text.\r\nMore text, no final newline");
//! ```
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
