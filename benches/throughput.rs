//! Throughput of the cleaner (criterion, bytes per second). Every benchmark first checks the
//! kept-byte count against the engine's ordered path (the one `explain` uses), so a broken
//! engine cannot post a fast time.
//!
//! Run: `cargo bench --bench throughput` (or `-- realistic` for one group).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

use chaff::RuleSet;
use chaff::bench::{Corpus, Layout, chrome_lines, clean_pass, generate};
use chaff::engine::{Engine, Options};
use chaff::output::RecordSink;

const SIZE: usize = 16 << 20;

/// Kept bytes by the ordered path, and a sanity check of the clean path against it.
fn checked_kept(rules: &RuleSet, corpus: &Corpus) -> u64 {
    let mut kept = 0u64;
    let mut engine = Engine::new(rules, Options::default());
    for doc in corpus.docs() {
        let mut rec = RecordSink::default();
        let mut reader = doc;
        engine.run(&mut reader, "-", &mut rec).expect("in memory");
        kept += rec.written().len() as u64;
    }
    let pass = clean_pass(&mut engine, corpus);
    assert_eq!(pass.bytes_out, kept, "clean and explain paths disagree on kept bytes");
    kept
}

fn bench_corpus(c: &mut Criterion, group: &str, name: &str, rules: &RuleSet, corpus: &Corpus, expect: impl Fn(u64, u64)) {
    let kept = checked_kept(rules, corpus);
    expect(kept, corpus.bytes.len() as u64);
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Bytes(corpus.bytes.len() as u64));
    g.sample_size(10);
    let mut engine = Engine::new(rules, Options::default());
    g.bench_function(name, |b| b.iter(|| clean_pass(&mut engine, corpus)));
    g.finish();
}

fn realistic(c: &mut Criterion) {
    let rules = RuleSet::embedded().expect("shipped rules");
    let chrome = chrome_lines(&rules);
    for (name, layout) in [("paragraphs", Layout::Paragraphs), ("wrapped", Layout::Wrapped)] {
        let corpus = generate(SIZE, layout, &chrome, 0.08);
        bench_corpus(c, "realistic", name, &rules, &corpus, |kept, all| assert!(kept > all / 2 && kept < all));
    }
    let heavy = generate(SIZE, Layout::Paragraphs, &chrome, 0.5);
    bench_corpus(c, "chrome-heavy", "half-chrome", &rules, &heavy, |kept, all| assert!(kept < all));
}

fn edge_cases(c: &mut Criterion) {
    let rules = RuleSet::embedded().expect("shipped rules");
    let mut one_line = Corpus::default();
    one_line.push(&vec![b'x'; 100 << 20]);
    bench_corpus(c, "edge", "one-100MB-line", &rules, &one_line, |kept, all| assert_eq!(kept, all));
    let mut dropped = Corpus::default();
    let doc: Vec<u8> = "Share this:\nLike this:\nShare on Facebook\n".repeat(20_000).into_bytes();
    for _ in 0..8 {
        dropped.push(&doc);
    }
    bench_corpus(c, "edge", "everything-dropped", &rules, &dropped, |kept, _| assert_eq!(kept, 0));
}

/// Synthetic rule sets of `n` literal rules: whole-line, prefix and contains phrases.
fn synthetic_rules(n: usize) -> (RuleSet, Vec<String>) {
    let mut text = String::from("pack synthetic\n");
    let mut chrome = Vec::new();
    for i in 0..n {
        let phrase = format!("chrome phrase number {i} zq{i:x}");
        let mode = ["line", "prefix", "contains"][i % 3];
        text.push_str(&format!("drop {mode} {phrase}\n"));
        chrome.push(phrase);
    }
    (RuleSet::from_sources(&[("synthetic.rules", text)]).expect("synthetic rules"), chrome)
}

fn rule_count(c: &mut Criterion) {
    let mut g = c.benchmark_group("rule-count");
    g.sample_size(10);
    for n in [100, 1_000, 10_000] {
        let (rules, chrome) = synthetic_rules(n);
        let corpus = generate(SIZE / 2, Layout::Paragraphs, &chrome, 0.08);
        let kept = checked_kept(&rules, &corpus);
        assert!(kept < corpus.bytes.len() as u64);
        g.throughput(Throughput::Bytes(corpus.bytes.len() as u64));
        let mut engine = Engine::new(&rules, Options::default());
        g.bench_with_input(BenchmarkId::from_parameter(n), &corpus, |b, corpus| b.iter(|| clean_pass(&mut engine, corpus)));
    }
    g.finish();
}

criterion_group!(benches, realistic, edge_cases, rule_count);
criterion_main!(benches);
