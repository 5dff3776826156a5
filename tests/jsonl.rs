//! `--jsonl`: a JSON Lines dump in, the same dump out with each record's document cleaned.

use serde_json::{Value, json};

use crate::util::{TempDir, chaff_in};

const RULES: &[u8] = b"drop line Share this:\ndrop prefix Photo:\n";

fn rules_dir(name: &str) -> TempDir {
    let dir = TempDir::new(name);
    dir.write("r.rules", RULES);
    dir
}

fn run(dir: &TempDir, extra: &[&str], input: &[u8]) -> std::process::Output {
    let mut args = vec!["--no-default-rules", "--rules", "r.rules", "--jsonl"];
    args.extend_from_slice(extra);
    chaff_in(&dir.0, &args, input)
}

fn rules() -> chaff::RuleSet {
    chaff::RuleSet::from_sources(&[("r.rules", std::str::from_utf8(RULES).unwrap())]).unwrap()
}

/// Records of varied shapes: documents with and without chrome, CRLF, no final newline, escapes,
/// non-ASCII text, other fields before and after.
fn records(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let mut text = format!("Story {i} begins here.\n");
            if i % 3 == 0 {
                text.push_str("Share this:\n");
            }
            if i % 5 == 0 {
                text.push_str("Photo: \u{e9}quipe \"AP\"\r\n");
            }
            text.push_str(&"It goes on, caf\u{e9} \u{1f600}\t and on.\n".repeat(i % 7));
            if i % 2 == 0 {
                text.push_str("The end, no newline");
            }
            json!({"id": i, "text": text, "meta": {"text": "not this one", "score": 0.5}})
        })
        .collect()
}

#[test]
fn each_record_is_cleaned_and_every_other_byte_kept() {
    let dir = rules_dir("jsonl-basic");
    let rules = rules();
    let mut input = Vec::new();
    for (i, r) in records(60).iter().enumerate() {
        // Mix writers' styles: spacing, key order, line endings.
        let line = if i % 4 == 0 { serde_json::to_string_pretty(r).unwrap().replace('\n', " ") } else { r.to_string() };
        input.extend_from_slice(line.as_bytes());
        input.extend_from_slice(if i % 6 == 1 { b"\r\n" } else { b"\n" });
        if i == 10 {
            input.extend_from_slice(b"\n   \n");
        }
    }
    let out = run(&dir, &[], &input);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty());
    // Only JSON's white space makes a blank line: a form feed or an ideographic space is no
    // record, written back and reported.
    let odd = run(&dir, &[], b"{\"text\":\"a\"}\n\x0c\n\xe3\x80\x80\n \t\n");
    assert_eq!(odd.status.code(), Some(2));
    assert_eq!(odd.stdout, b"{\"text\":\"a\"}\n\x0c\n\xe3\x80\x80\n \t\n");
    let errs = String::from_utf8_lossy(&odd.stderr);
    assert!(errs.contains("-:2:1: ") && errs.contains("-:3:1: ") && !errs.contains("-:4:"), "{errs}");
    let ins: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
    let outs: Vec<&[u8]> = out.stdout.split(|&b| b == b'\n').collect();
    assert_eq!(ins.len(), outs.len(), "one line out per line in");
    let mut changed = 0;
    for (a, b) in ins.iter().zip(&outs) {
        if a.iter().all(u8::is_ascii_whitespace) {
            assert_eq!(a, b, "blank lines pass through");
            continue;
        }
        assert_eq!(a.ends_with(b"\r"), b.ends_with(b"\r"), "line endings kept");
        let (va, vb): (Value, Value) = (serde_json::from_slice(a).unwrap(), serde_json::from_slice(b).unwrap());
        let text = va["text"].as_str().unwrap();
        let want = chaff::clean_bytes(&rules, text.as_bytes());
        assert_eq!(vb["text"].as_str().unwrap().as_bytes(), &want[..], "the text is cleaned as a document");
        let (mut ra, mut rb) = (va.clone(), vb.clone());
        ra["text"] = Value::Null;
        rb["text"] = Value::Null;
        assert_eq!(ra, rb, "the other fields are untouched");
        if want.len() == text.len() {
            assert_eq!(a, b, "a record with nothing to drop is written back byte for byte");
        } else {
            changed += 1;
            // Only the string's bytes differ: the same prefix up to it.
            let key = a.windows(7).position(|w| w == br#""text":"#).unwrap();
            assert_eq!(a[..key], b[..key]);
        }
    }
    assert!(changed > 20, "the test input has chrome to drop ({changed} records changed)");
}

#[test]
fn threads_give_the_same_output_and_counts() {
    let dir = rules_dir("jsonl-threads");
    // Enough records for many blocks (a block is 256 KiB).
    let mut input = Vec::new();
    for r in records(3000) {
        input.extend_from_slice(r.to_string().as_bytes());
        input.push(b'\n');
        input.extend_from_slice(json!({"text": "Story.\nShare this:\n".repeat(200)}).to_string().as_bytes());
        input.push(b'\n');
    }
    assert!(input.len() > 1 << 20);
    let one = run(&dir, &["--stats=json"], &input);
    let three = run(&dir, &["-j", "3", "--stats=json"], &input);
    assert_eq!(one.status.code(), Some(0));
    assert_eq!(one.stdout, three.stdout);
    let stats = |o: &std::process::Output| -> Value { serde_json::from_slice(&o.stderr).unwrap() };
    assert_eq!(stats(&one), stats(&three));
    assert_eq!(stats(&one)["documents"], 6000, "one document per record");
    assert_eq!(stats(&one)["dropped_by_rule"][0]["lines"], 3000 * 200 + 1000);
}

#[test]
fn lines_that_are_not_records_are_written_back_and_reported_with_their_place() {
    let dir = rules_dir("jsonl-bad");
    let good = json!({"text": "A.\nShare this:\n"}).to_string();
    let input = [
        good.as_str(),
        r#"{"text": "unterminated"#,
        r#"[1, 2]"#,
        r#"{"body": "Share this:\n"}"#,
        r#"{"id": 3, "text": null}"#,
        r#"{"text": "a", "text": "b"}"#,
        &good,
    ]
    .join("\n");
    let mut input = input.into_bytes();
    input.extend_from_slice(b"\n{\"text\": \"caf\xe9\"}\n");
    dir.write("dump.jsonl", &input);
    let out = chaff_in(&dir.0, &["--no-default-rules", "--rules", "r.rules", "--jsonl", "dump.jsonl"], b"");
    assert_eq!(out.status.code(), Some(2));
    let cleaned = json!({"text": "A.\n"}).to_string();
    let mut want = input.clone();
    for _ in 0..2 {
        let at = want.windows(good.len()).position(|w| w == good.as_bytes()).unwrap();
        want.splice(at..at + good.len(), cleaned.bytes());
    }
    assert_eq!(String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&want), "bad lines pass through");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "\
chaff: dump.jsonl:2:22: invalid JSON: EOF while parsing a string; written back unchanged
chaff: dump.jsonl:3:1: not a JSON object; written back unchanged
chaff: dump.jsonl:4:1: no `text` field; written back unchanged
chaff: dump.jsonl:5:19: the `text` field is not a string; written back unchanged
chaff: dump.jsonl:6:1: the `text` field appears more than once; written back unchanged
chaff: dump.jsonl:8:14: invalid JSON: invalid UTF-8, or a `\\u` escape of half a surrogate pair; written back unchanged
"
    );
}

/// A byte order mark before the first record (a dump saved by some editors) does not make it
/// invalid: the record is cleaned and the mark written back; a lone surrogate escape is reported
/// as one, with columns counted from the line's first byte.
#[test]
fn a_byte_order_mark_is_kept_and_a_lone_surrogate_is_named() {
    let dir = rules_dir("jsonl-bom");
    let input = b"\xEF\xBB\xBF{\"text\": \"A.\\nShare this:\\n\"}\n\xEF\xBB\xBF{\"text\": 7}\n{\"text\": \"a\\ud800\"}\n";
    let out = run(&dir, &[], input);
    assert_eq!(out.status.code(), Some(2));
    let want = b"\xEF\xBB\xBF{\"text\": \"A.\\n\"}\n\xEF\xBB\xBF{\"text\": 7}\n{\"text\": \"a\\ud800\"}\n";
    assert_eq!(String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(want));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "\
chaff: -:2:13: the `text` field is not a string; written back unchanged
chaff: -:3:18: invalid JSON: a `\\u` escape cut short, or half a surrogate pair (`\\ud800`) without the other half; written back unchanged
"
    );
}

#[test]
fn many_bad_lines_are_counted_after_the_first_twenty() {
    let dir = rules_dir("jsonl-many-bad");
    let input = "not json\n".repeat(25);
    let out = run(&dir, &[], input.as_bytes());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(out.stdout, input.as_bytes());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 21, "{err}");
    assert!(err.lines().nth(19).unwrap().starts_with("chaff: -:20:2: invalid JSON"), "{err}");
    assert_eq!(err.lines().last(), Some("chaff: 5 more lines were not records and were written back unchanged"));
}

#[test]
fn a_record_over_the_cap_streams_through_unchanged() {
    let dir = rules_dir("jsonl-long");
    let small = json!({"text": "B.\nShare this:\n"}).to_string();
    let long = json!({"text": format!("Share this:\n{}", "z".repeat(900_000))}).to_string();
    let input = format!("{small}\n{long}\n{small}\n{long}");
    let out = run(&dir, &["--max-line-bytes", "300K"], input.as_bytes());
    assert_eq!(out.status.code(), Some(2));
    let b = json!({"text": "B.\n"}).to_string();
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{b}\n{long}\n{b}\n{long}"));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "chaff: -:2:1: a record longer than --max-line-bytes; written back unchanged\n\
         chaff: -:4:1: a record longer than --max-line-bytes; written back unchanged\n"
    );
}

#[test]
fn ascii_escaped_dumps_stay_ascii_and_another_field_can_be_named() {
    let dir = rules_dir("jsonl-ascii");
    let input = "{\"content\": \"Caf\\u00e9 \\ud83d\\ude00.\\nPhoto: x\\n\", \"text\": \"Photo: y\"}\n";
    let out = run(&dir, &["--field", "content"], input.as_bytes());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "{\"content\": \"Caf\\u00e9 \\ud83d\\ude00.\\n\", \"text\": \"Photo: y\"}\n"
    );
    let raw = "{\"text\": \"Caf\u{e9}.\\nPhoto: x\"}";
    let out = run(&dir, &[], raw.as_bytes());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "{\"text\": \"Caf\u{e9}.\\n\"}", "raw UTF-8 stays raw");
    // DEL: escaped where the writer escaped it (Python's default), raw where it was raw.
    // Non-ASCII escaped with a raw DEL (writers that escape from U+0080 on): both kept so.
    let escaped = "{\"text\": \"A\\u007fB \\u00e9.\\nPhoto: x\"}\n{\"text\": \"A\u{7f}B.\\nPhoto: x\"}\n{\"text\": \"A\u{7f}B \\u00e9.\\nPhoto: x\"}\n";
    let out = run(&dir, &[], escaped.as_bytes());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "{\"text\": \"A\\u007fB \\u00e9.\\n\"}\n{\"text\": \"A\u{7f}B.\\n\"}\n{\"text\": \"A\u{7f}B \\u00e9.\\n\"}\n"
    );
}

/// `--field /meta/body` cleans a document in nested objects, on one thread and on two, and the
/// records where it is missing are written back and reported under that name.
#[test]
fn a_json_pointer_names_a_nested_field() {
    let dir = rules_dir("jsonl-pointer");
    let mut input = String::new();
    let mut want = String::new();
    for i in 0..50 {
        input.push_str(&format!("{{\"id\": {i}, \"meta\": {{\"body\": \"Text {i}.\\nPhoto: x\"}}, \"text\": \"Photo: y\"}}\n"));
        want.push_str(&format!("{{\"id\": {i}, \"meta\": {{\"body\": \"Text {i}.\\n\"}}, \"text\": \"Photo: y\"}}\n"));
    }
    input.push_str("{\"meta\": [\"Photo: z\"]}\n");
    want.push_str("{\"meta\": [\"Photo: z\"]}\n");
    for threads in ["1", "2"] {
        let out = run(&dir, &["--field", "/meta/body", "-j", threads], input.as_bytes());
        assert_eq!(out.status.code(), Some(2), "a record without the field is reported");
        assert_eq!(String::from_utf8_lossy(&out.stdout), want, "-j {threads}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(":51:1: no `/meta/body` field"), "{err}");
    }
}

/// A field that can name nothing is a usage error, before any record is read.
#[test]
fn a_field_that_names_nothing_is_a_usage_error() {
    let dir = rules_dir("jsonl-bad-field");
    for (field, says) in [("", "empty"), ("/a~2b", "~0"), ("/meta/", "")] {
        let out = run(&dir, &["--field", field], b"{\"text\": \"x\"}\n");
        if field == "/meta/" {
            // The empty key under `meta` is a key like any other: not found here, reported.
            assert_eq!(out.status.code(), Some(2));
            assert!(String::from_utf8_lossy(&out.stderr).contains("no `/meta/` field"));
            continue;
        }
        assert_eq!(out.status.code(), Some(2), "{field:?}");
        assert!(out.stdout.is_empty(), "{field:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(says), "{field:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn field_needs_jsonl() {
    let dir = rules_dir("jsonl-usage");
    let out = chaff_in(&dir.0, &["--field", "body"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--jsonl"));
}

#[test]
fn a_file_whose_last_record_has_no_newline_does_not_run_into_the_next() {
    let dir = rules_dir("jsonl-files");
    dir.write("a.jsonl", b"{\"text\":\"A1\\nShare this:\"}\n{\"text\":\"A2\"}");
    dir.write("b.jsonl", b"{\"text\":\"B1\"}\r\n{\"text\":\"B2\"}");
    for threads in ["1", "2"] {
        let out = run(&dir, &["-j", threads, "a.jsonl", "b.jsonl", "a.jsonl"], b"");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        // Each file's records as they came (the first cleaned), with a `\n` added only where a
        // file's last record had none and another file follows; the very last is left as it is.
        let a = "{\"text\":\"A1\\n\"}\n{\"text\":\"A2\"}";
        let expected = format!("{a}\n{{\"text\":\"B1\"}}\r\n{{\"text\":\"B2\"}}\n{a}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), expected, "-j {threads}");
        for line in out.stdout.split(|&b| b == b'\n') {
            serde_json::from_slice::<Value>(line).expect("one record a line");
        }
    }
}

/// With `--line-buffered`, a record comes out as soon as it came in, while the input stays open
/// (as in `tail -f dump.jsonl | chaff --jsonl --line-buffered`), on one thread and on two.
#[test]
fn line_buffered_records_come_out_while_the_input_is_open() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    let dir = rules_dir("jsonl-line-buffered");
    for threads in ["1", "2"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_chaff"))
            .args(["--no-default-rules", "--rules", "r.rules", "--jsonl", "--line-buffered", "-j", threads])
            .current_dir(&dir.0)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the chaff binary runs");
        let mut input = child.stdin.take().expect("stdin is piped");
        let mut output = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            for _ in 0..2 {
                let mut line = String::new();
                output.read_line(&mut line).expect("read");
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        for (record, cleaned) in [
            ("{\"text\":\"One.\\nShare this:\"}\n", "{\"text\":\"One.\\n\"}\n"),
            ("{\"text\":\"Two.\"}\n", "{\"text\":\"Two.\"}\n"),
        ] {
            input.write_all(record.as_bytes()).expect("write");
            input.flush().expect("flush");
            // Not a speed check: a record held back until the input ends would never come.
            let got = rx.recv_timeout(std::time::Duration::from_secs(30)).expect("the record came out before the input ended");
            assert_eq!(got, cleaned, "-j {threads}");
        }
        drop(input);
        assert!(child.wait().expect("chaff ends").success());
        reader.join().expect("reader");
    }
}

/// `explain --jsonl` explains each record's document under FILE:LINE, with the lines that
/// `chaff --jsonl` keeps of it; lines that are no records are reported, blank lines pass.
#[test]
fn explain_takes_json_lines_as_clean_does() {
    let dir = rules_dir("jsonl-explain");
    let mut input = String::new();
    for r in records(30) {
        input.push_str(&json!({"doc": {"body": r["text"]}, "id": r["id"]}).to_string());
        input.push('\n');
    }
    input.push_str("not a record\n\n");
    dir.write("d.jsonl", input.as_bytes());
    let cleaned = run(&dir, &["--field", "/doc/body", "d.jsonl"], b"");
    let args = ["explain", "--no-default-rules", "--rules", "r.rules", "--jsonl", "--field", "/doc/body", "--format", "json", "d.jsonl"];
    let out = chaff_in(&dir.0, &args, b"");
    assert_eq!(out.status.code(), Some(2), "the line that is no record is reported");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "chaff: d.jsonl:31:2: invalid JSON: expected ident; not explained\n");
    // What each record's explanation writes, by name.
    let mut written: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for l in String::from_utf8(out.stdout).unwrap().lines() {
        let v: Value = serde_json::from_str(l).unwrap();
        let lines = written.entry(v["file"].as_str().unwrap().to_string()).or_default();
        if v["written"] == true {
            lines.push(v["text"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(written.len(), 30, "one document a record");
    for (k, record) in String::from_utf8(cleaned.stdout).unwrap().lines().take(30).enumerate() {
        let v: Value = serde_json::from_str(record).unwrap();
        let want: Vec<String> = v["doc"]["body"].as_str().unwrap().lines().map(|l| l.trim_end_matches('\r').to_string()).collect();
        assert_eq!(written[&format!("d.jsonl:{}", k + 1)], want, "record {}", k + 1);
    }
    // The size cap counts a record's bytes before its `\n` or `\r\n` in both, as it counts a line of text,
    // and the largest cap is no cap.
    for ending in ["\n", "\r\n"] {
        dir.write("e.jsonl", format!("{{\"text\":\"hello world\"}}{ending}").as_bytes());
        for (cap, code) in [("21", 2), ("22", 0), ("18446744073709551615", 0)] {
            let clean = run(&dir, &["--max-line-bytes", cap, "e.jsonl"], b"");
            let explain = chaff_in(&dir.0, &["explain", "--no-default-rules", "--rules", "r.rules", "--jsonl", "--max-line-bytes", cap, "e.jsonl"], b"");
            assert_eq!((clean.status.code(), explain.status.code()), (Some(code), Some(code)), "cap {cap}");
            assert_eq!(String::from_utf8_lossy(&explain.stdout).contains("hello world"), code == 0, "cap {cap}");
        }
    }
}
