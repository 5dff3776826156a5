//! The seeds: five real scraped articles and the exact bytes chaff must write for each with its
//! shipped rules (tests/fixtures/seeds, copied from the project's seed set).

use std::fs;

use crate::util::{assert_bytes_eq, chaff, fixture};

fn seeds() -> Vec<(String, Vec<u8>, Vec<u8>)> {
    let mut names: Vec<String> = fs::read_dir(fixture("seeds/input"))
        .expect("seed fixtures")
        .map(|e| e.expect("dir entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 5, "five seed articles");
    names
        .into_iter()
        .map(|n| {
            let input = fs::read(fixture(&format!("seeds/input/{n}"))).expect("seed input");
            let expected = fs::read(fixture(&format!("seeds/expected/{n}"))).expect("seed expected output");
            (n, input, expected)
        })
        .collect()
}

#[test]
fn seeds_in_process_with_embedded_rules() {
    let rules = chaff::RuleSet::embedded().expect("shipped rules compile");
    for (name, input, expected) in seeds() {
        assert_bytes_eq(&expected, &chaff::clean_bytes(&rules, &input), &name);
    }
}

#[test]
fn seeds_through_the_binary() {
    for (name, input, expected) in seeds() {
        let out = chaff(&[], &input);
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stderr.is_empty(), "{name}: stderr {}", String::from_utf8_lossy(&out.stderr));
        assert_bytes_eq(&expected, &out.stdout, &name);
    }
}

#[test]
fn seeds_as_file_arguments_are_separate_documents() {
    let (mut expected, mut args) = (Vec::new(), Vec::new());
    for (name, _, exp) in seeds() {
        expected.extend_from_slice(&exp);
        args.push(fixture(&format!("seeds/input/{name}")).to_string_lossy().into_owned());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = chaff(&args, b"");
    assert!(out.status.success());
    assert_bytes_eq(&expected, &out.stdout, "all seeds as FILE arguments");
}

#[test]
fn seeds_match_the_reference_cleaner() {
    let rules = chaff::RuleSet::embedded().expect("shipped rules compile");
    for (name, input, expected) in seeds() {
        assert_bytes_eq(&expected, &crate::reference::clean(&rules, &input, usize::MAX), &name);
    }
}
