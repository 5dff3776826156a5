//! chaff's integration tests, built into one test binary.

// Running the binary, a temporary directory per test, fixture paths.
mod util;
// A simple, whole-document reference implementation of the cleaner.
mod reference;
// The seeds: real scraped articles with their exact expected output.
mod seeds;
// The streaming engine against the reference, across buffer sizes and read sizes.
mod engine_ref;
// Properties on generated inputs.
mod props;
// The command line: exit codes, error messages, pipes, awkward input.
mod cli;
// Cleaning quality on real pages.
mod quality;
// The rule-editing tools: check, test, explain, --stats.
mod rule_tools;
// JSON Lines input.
mod jsonl;
