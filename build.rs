//! Embeds the shipped rule files (`rules/*.rules`) into the binary, with the shapes of their
//! regexes worked out (see `src/rules/shape.rs`), so that start-up only looks them up.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

#[path = "src/rules/shape.rs"]
#[allow(dead_code)]
mod shape;

fn main() {
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=src/rules/shape.rs");
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")).join("rules");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".rules"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut out = String::from("/// The shipped rule files: (path relative to the repository, contents).\npub static EMBEDDED: &[(&str, &str)] = &[\n");
    let mut phrases = Vec::new();
    for name in &names {
        println!("cargo:rerun-if-changed=rules/{name}");
        let path = dir.join(name);
        let _ = writeln!(out, "    (\"rules/{name}\", include_str!({:?})),", path.display().to_string());
        phrases.extend(fs::read_to_string(&path).unwrap_or_default().lines().filter_map(regex_phrase).map(str::to_string));
    }
    out.push_str("];\n\n");
    phrases.sort();
    phrases.dedup();
    out.push_str("/// The shapes of the shipped regexes, by phrase, sorted.\npub static REGEX_SHAPES: &[(&str, super::shape::StaticShape)] = &[\n");
    for phrase in &phrases {
        // A regex that does not analyse is left to start-up, which reports it.
        if let Ok(s) = shape::analyse(phrase) {
            let _ = writeln!(out, "    ({phrase:?}, {}),", literal(&s));
        }
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded_rules.rs");
    fs::write(dest, out).expect("OUT_DIR is writable");
}

/// The phrase of a `regex` rule line (`ACTION[OPTIONS] regex PHRASE`), as the rule parser trims
/// it. Anything else yields `None`; a phrase missed here is simply analysed at start-up.
fn regex_phrase(line: &str) -> Option<&str> {
    if line.starts_with(|c: char| c.is_whitespace() || c == '#') {
        return None;
    }
    let head_end = line.find(|c: char| c == '[' || c.is_whitespace())?;
    let rest = &line[head_end..];
    let rest = if rest.starts_with('[') { &rest[rest.find(']')? + 1..] } else { rest };
    let phrase = rest.trim_start().strip_prefix("regex")?;
    phrase.starts_with(char::is_whitespace).then(|| phrase.trim()).filter(|p| !p.is_empty())
}

/// `s` as a `StaticShape` expression.
fn literal(s: &shape::RegexShape) -> String {
    let words = |w: &Option<Vec<Vec<u8>>>| match w {
        None => "None".to_string(),
        Some(w) => {
            let items: Vec<String> = w.iter().map(|l| format!("b\"{}\"", l.escape_ascii())).collect();
            format!("Some(&[{}])", items.join(", "))
        }
    };
    format!(
        "super::shape::StaticShape {{ max_len: {:?}, prefixes: {}, nonascii_start: {}, first_pairs: {}, leads: {}, anchors: {}, suffixes: {}, first: {:?}, non_ascii: {:?} }}",
        s.max_len,
        words(&s.prefixes),
        s.nonascii_start,
        s.first_pairs.as_ref().map_or("None".to_string(), |p| format!("Some(&{p:?})")),
        words(&s.leads),
        words(&s.anchors),
        words(&s.suffixes),
        s.first,
        s.non_ascii
    )
}
