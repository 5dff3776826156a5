//! The command line as a user meets it: exit codes, error messages, pipes, awkward input.

use std::io::Read;
use std::process::{Command, Stdio};

use crate::util::{TempDir, chaff, chaff_in, spawn_in};

const ARTICLE: &str = "The senior diplomat said the talks would go on for another week at least.\n";

#[test]
fn broken_rule_file_exact_stderr_and_exit_code() {
    let dir = TempDir::new("broken-rules");
    dir.write(
        "bad.rules",
        b"pack bad\ndorp line Leave a Reply\ndrop regex ^(photo|image: .+$\ndrop line ok\ndrop[max-chars=x] contains y\n",
    );
    let out = chaff_in(&dir.0, &["--rules", "bad.rules", "--no-default-rules"], ARTICLE.as_bytes());
    assert_eq!(out.status.code(), Some(78));
    assert!(out.stdout.is_empty(), "nothing is written to stdout");
    let want = "\
bad.rules:2:1: error: unknown action `dorp`
  |
2 | dorp line Leave a Reply
  | ^^^^
  = help: did you mean `drop`? (actions are `drop`, `cut`, `thread` and `footer`)

bad.rules:3:13: error: invalid regex: unclosed group
  |
3 | drop regex ^(photo|image: .+$
  |             ^
  = help: rules use the Rust `regex` crate's syntax (no look-around or backreferences)

bad.rules:5:6: error: invalid `max-chars` value `x`
  |
5 | drop[max-chars=x] contains y
  |      ^^^^^^^^^^^
  = help: give a positive number of characters, e.g. `max-chars=120`

error: 3 errors in rule files
";
    assert_eq!(String::from_utf8_lossy(&out.stderr), want);
}

#[test]
fn bad_regex_points_at_the_spot_with_the_regex_crates_reason() {
    let dir = TempDir::new("bad-regex");
    dir.write("r.rules", b"drop regex ^(photo|image: .+$\n");
    let out = chaff_in(&dir.0, &["--rules", "r.rules", "--no-default-rules"], b"");
    assert_eq!(out.status.code(), Some(78));
    let want = "\
r.rules:1:13: error: invalid regex: unclosed group
  |
1 | drop regex ^(photo|image: .+$
  |             ^
  = help: rules use the Rust `regex` crate's syntax (no look-around or backreferences)

error: 1 error in rule files
";
    assert_eq!(String::from_utf8_lossy(&out.stderr), want);
}

/// A regex that parses but that the regex crate refuses to compile (too big) is an error for
/// every command that loads the file, at the regex, whether the rule has an anchor word or runs
/// on every line; cleaning does not go on with a rule that can never match.
#[test]
fn a_regex_too_big_to_compile_is_an_error_everywhere() {
    let dir = TempDir::new("huge-regex");
    for (rule, col) in [("drop regex ^(?:hello|\\w{1000})$\n", 12), ("drop regex \\w{6000}x\n", 12)] {
        dir.write("r.rules", rule.as_bytes());
        for args in [&["--no-default-rules", "--rules", "r.rules"][..], &["test", "r.rules"][..], &["check", "r.rules"][..]] {
            let out = chaff_in(&dir.0, args, b"hello\n");
            let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            assert_eq!(out.status.code(), Some(78), "{rule:?} {args:?}: {text}");
            assert!(text.contains(&format!("r.rules:1:{col}: error: invalid regex: Compiled regex exceeds size limit")), "{rule:?} {args:?}: {text}");
            assert!(!text.contains("hello\n") || args[0] != "--no-default-rules", "{args:?}: cleaned anyway");
        }
    }
}

/// `chaff eval` with a gold folder that is missing, or that holds no page's gold text, is an
/// error, not a score of zero; pages without gold text are named on stderr and left out.
#[test]
fn eval_needs_gold_text_for_its_pages() {
    let dir = TempDir::new("eval-gold");
    dir.write("pages/a.txt", ARTICLE.as_bytes());
    dir.write("pages/b.txt", ARTICLE.as_bytes());
    dir.write("gold/a.txt", ARTICLE.as_bytes());
    dir.write("none/other.txt", b"x\n");
    for (gold, want) in [("missing", "missing: not a folder of gold texts"), ("gold/a.txt", "not a folder"), ("none", "no page of pages has its gold text in none")] {
        let out = chaff_in(&dir.0, &["eval", "pages", gold], b"");
        assert_eq!(out.status.code(), Some(2), "{gold}");
        assert!(out.stdout.is_empty(), "{gold}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(want), "{gold}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let out = chaff_in(&dir.0, &["eval", "pages", "gold"], b"");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("1 page, "), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "chaff: 1 of 2 pages has no gold text in gold and is left out (the first: b.txt)\n");
    // A folder of no pages says so; a folder named like a page is no page; with no rule
    // dropping anything, there is no table.
    std::fs::create_dir_all(dir.0.join("empty")).expect("mkdir");
    let out = chaff_in(&dir.0, &["eval", "empty", "gold"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "chaff: error: empty: no pages in this folder (pages are its .txt files)\n");
    std::fs::create_dir_all(dir.0.join("pages/c.txt")).expect("mkdir");
    dir.write("mine.rules", b"drop line Never here\n");
    let out = chaff_in(&dir.0, &["eval", "--no-default-rules", "--rules", "mine.rules", "pages", "gold"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("1 page, ") && text.ends_with("\nno rule dropped a line\n"), "{text}");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "chaff: 1 of 2 pages has no gold text in gold and is left out (the first: b.txt)\n");
}

/// Pages with no words and gold with none score perfect, as the corpus's score.py has it; a
/// page whose name is not UTF-8 is scored like any other.
#[test]
fn eval_scores_empty_pages_and_names_of_any_bytes() {
    let dir = TempDir::new("eval-edges");
    dir.write("pages/e.txt", b"");
    dir.write("gold/e.txt", b"");
    let out = chaff_in(&dir.0, &["eval", "--format", "json", "pages", "gold"], b"");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!((v["chaff"]["f1"].as_f64(), v["baseline"]["precision"].as_f64()), (Some(1.0), Some(1.0)), "{v}");
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
        std::fs::write(dir.0.join("pages").join(name), ARTICLE).expect("page");
        std::fs::write(dir.0.join("gold").join(name), ARTICLE).expect("gold");
        let out = chaff_in(&dir.0, &["eval", "--format", "json", "pages", "gold"], b"");
        assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(v["pages"], 2, "{v}");
    }
}

/// A pack is known by its name (`--disable`, rule ids): a file whose pack takes the name of a
/// shipped one (a file named `share.rules` without a `pack` line) is an error, and a file name a
/// pack name cannot hold gives a valid one.
#[test]
fn pack_names_are_unique_and_valid() {
    let dir = TempDir::new("pack-names");
    dir.write("share.rules", b"drop line foo bar baz\n");
    dir.write("My Site.rules", b"drop line foo bar baz\n");
    let out = chaff_in(&dir.0, &["--rules", "share.rules", "--disable", "share"], b"foo bar baz\n");
    assert_eq!(out.status.code(), Some(78));
    assert!(out.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with("share.rules:1:1: error: pack `share` is already the name of the pack of rules/share.rules"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = chaff_in(&dir.0, &["--rules", "My Site.rules", "--stats=json"], b"foo bar baz\nkept\n");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.stdout, b"kept\n");
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"rule\": \"my-site/foo-bar-baz\""), "{}", String::from_utf8_lossy(&out.stderr));
    let out = chaff_in(&dir.0, &["--rules", "My Site.rules", "--disable", "my-site"], b"foo bar baz\n");
    assert_eq!(out.stdout, b"foo bar baz\n");
    // `--stats-file`: the report apart from the messages on stderr, JSON a machine can read.
    let out = chaff_in(&dir.0, &["--rules", "My Site.rules", "--stats-file", "stats.json", "-", "missing.txt"], b"foo bar baz\nkept\n");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "chaff: missing.txt: No such file or directory (os error 2)\n");
    let stats: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.0.join("stats.json")).expect("written")).expect("JSON");
    assert_eq!(stats["dropped_by_rule"][0]["rule"], "my-site/foo-bar-baz");
    assert_eq!(stats["documents"], 1);
    // So is the list of --files-from.
    dir.write("list.txt", b"stats.json\n");
    let out = chaff_in(&dir.0, &["--stats-file", "list.txt", "--files-from", "list.txt"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(dir.0.join("list.txt")).expect("kept"), b"stats.json\n");
    // A longer file there is replaced whole, not overwritten from the start.
    dir.write("stats.json", format!("[{}]", " ".repeat(4096)).as_bytes());
    let out = chaff_in(&dir.0, &["--stats-file", "stats.json"], b"kept\n");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stats: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.0.join("stats.json")).expect("written")).expect("JSON");
    assert_eq!(stats["documents"], 1);
    // A report that would overwrite a document to clean is refused before anything is read,
    // and the document is left as it was (one and -j 2 alike).
    dir.write("page.txt", b"foo bar baz\nkept\n");
    for threads in ["1", "2"] {
        let out = chaff_in(&dir.0, &["-j", threads, "--stats-file", "page.txt", "page.txt", "stats.json"], b"");
        assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stderr).contains("--stats-file page.txt: it is also an input (page.txt)"), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stdout.is_empty());
        assert_eq!(std::fs::read(dir.0.join("page.txt")).expect("kept"), b"foo bar baz\nkept\n");
    }
    // A device or a pipe has nothing to empty (`--stats-file /dev/stderr`, `>(jq ...)`).
    #[cfg(unix)]
    {
        let out = chaff_in(&dir.0, &["--stats-file", "/dev/null"], b"kept\n");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.stdout, b"kept\n");
    }
    // So is the file standard input reads (`chaff --stats-file page.txt < page.txt`).
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_chaff"))
        .args(["--stats-file", "page.txt"])
        .current_dir(&dir.0)
        .stdin(std::fs::File::open(dir.0.join("page.txt")).expect("page"))
        .output()
        .expect("chaff runs");
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("it is also an input (standard input)"), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read(dir.0.join("page.txt")).expect("kept"), b"foo bar baz\nkept\n");
}

/// Counts and shares out of range are usage errors, not a run that does nothing or hangs.
#[test]
fn out_of_range_numbers_are_usage_errors() {
    for (args, want) in [
        (&["-j", "0"][..], "`0` is not a whole number of at least 1"),
        (&["bench", "--repeat", "0"][..], "`0` is not a whole number of at least 1"),
        (&["bench", "--chrome-rate", "2"][..], "`2` is not a share from 0 to 1"),
        (&["bench", "--chrome-rate", "NaN"][..], "`NaN` is not a share from 0 to 1"),
        // More than any address space holds: an error before anything is generated.
        (&["bench", "--size", "1000000G"][..], "do not fit in memory"),
    ] {
        let out = chaff(args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(want), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn a_huge_thread_count_is_lowered_not_a_crash() {
    let dir = TempDir::new("huge-j");
    dir.write("a.txt", b"First document.\n");
    dir.write("b.txt", b"Second document.\n");
    for n in ["4294967295", "18446744073709551615"] {
        let out = chaff_in(&dir.0, &["-j", n, "a.txt", "b.txt"], b"");
        assert_eq!(out.status.code(), Some(0), "-j {n}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.stdout, b"First document.\nSecond document.\n");
        let out = chaff_in(&dir.0, &["--jsonl", "-j", n], b"{\"text\":\"a\"}\n");
        assert_eq!(out.status.code(), Some(0), "--jsonl -j {n}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.stdout, b"{\"text\":\"a\"}\n");
    }
}

#[test]
fn help_that_cannot_be_written_is_an_error() {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
    for args in [&["--help"][..], &["--version"], &["explain", "--help"]] {
        let out = Command::new(env!("CARGO_BIN_EXE_chaff")).args(args).stdout(full.try_clone().unwrap()).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("No space left on device"), "{args:?}");
    }
}

#[test]
fn missing_file_is_reported_and_the_rest_is_cleaned() {
    let dir = TempDir::new("missing");
    dir.write("a.txt", ARTICLE.as_bytes());
    let out = chaff_in(&dir.0, &["nope.txt", "a.txt"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(out.stdout, ARTICLE.as_bytes());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("chaff: nope.txt: "), "{err}");
}

#[test]
fn unknown_pack_to_disable_is_a_usage_error() {
    let out = chaff(&["--disable", "no-such-pack"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no pack named `no-such-pack`"));
    // Leaving every pack out leaves no rules, as --no-default-rules alone does: an error.
    let dir = TempDir::new("disable-all");
    dir.write("mine.rules", b"pack mine\ndrop line Foo\n");
    let out = chaff_in(&dir.0, &["--no-default-rules", "--rules", "mine.rules", "--disable", "mine"], b"Foo\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--disable leaves no rules: every pack (mine) is disabled"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn dash_means_stdin_and_files_are_separate_documents() {
    let dir = TempDir::new("dash");
    dir.write("a.txt", b"Leave a Reply\nrest");
    dir.write("r.rules", b"cut line Leave a Reply\n");
    let out = chaff_in(&dir.0, &["--no-default-rules", "--rules", "r.rules", "a.txt", "-"], ARTICLE.as_bytes());
    assert!(out.status.success());
    // The cut in a.txt is guarded (nothing before it), so it drops only its line; stdin is
    // untouched by what happened in a.txt.
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("rest{ARTICLE}"));
}

#[test]
fn awkward_input_passes_through_byte_identical() {
    let cases: &[&[u8]] = &[
        b"",
        b"no final newline",
        b"crlf line\r\nanother\r\n",
        b"nul \x00 bytes\x00\n",
        b"invalid \xff\xfe utf-8\n\xc3\n",
        b"\n\n\n",
        b"  trailing spaces  \n\t\n",
    ];
    for input in cases {
        let out = chaff(&[], input);
        assert!(out.status.success());
        assert_eq!(&out.stdout[..], *input, "{:?}", String::from_utf8_lossy(input));
    }
}

#[test]
fn closed_pipe_exits_zero_quietly() {
    let mut big = Vec::new();
    for i in 0..200_000 {
        big.extend_from_slice(format!("{i} {ARTICLE}").as_bytes());
    }
    let mut child = spawn_in(&crate::util::root(), &[]);
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let _ = std::io::Write::write_all(&mut stdin, &big);
    });
    // Read one line's worth, then close our end, like `| head -1`.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).expect("some output");
    drop(stdout);
    let out = child.wait_with_output().expect("chaff exits");
    writer.join().expect("writer");
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A failed write that is not a closed pipe (a full disk) stops the run at once with one error
/// about the output, for every way of cleaning; it is not blamed on the input files.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_an_output_error() {
    let dir = TempDir::new("full-disk");
    let doc = ARTICLE.repeat(2000);
    let files: Vec<String> = (0..3).map(|i| dir.write(&format!("{i}.txt"), doc.as_bytes()).to_string_lossy().into_owned()).collect();
    for extra in [&[][..], &["-j", "2"][..], &["explain"][..]] {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
        let out = Command::new(env!("CARGO_BIN_EXE_chaff"))
            .args(extra.iter().copied().chain(files.iter().map(String::as_str)))
            .stdout(full)
            .stderr(Stdio::piped())
            .output()
            .expect("chaff runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{extra:?}: {err}");
        assert!(err.starts_with("chaff: error: writing the ") && err.contains("No space left"), "{extra:?}: {err}");
    }
    // The reports of the other commands say so too.
    for args in [&["rules"][..], &["check", "rules/"], &["test", "rules/"]] {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
        let out = Command::new(env!("CARGO_BIN_EXE_chaff")).args(args).current_dir(crate::util::root()).stdout(full).output().expect("chaff runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "chaff: error: writing the report: No space left on device (os error 28)\n", "{args:?}");
    }
}

/// Help and version are output: on stdout, exit 0. Usage errors go to stderr, exit 2. Neither is
/// coloured when it does not go to a terminal, even without `NO_COLOR`.
#[test]
fn help_goes_to_stdout_and_nothing_is_coloured_in_a_pipe() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_chaff")).args(args).env_remove("NO_COLOR").output().expect("chaff runs")
    };
    for args in [&["--help"][..], &["-V"][..], &["help", "explain"][..]] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(out.stderr.is_empty(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stdout.starts_with(b"chaff") || out.stdout.windows(6).any(|w| w == b"Usage:"), "{args:?}");
        assert!(!out.stdout.contains(&0x1b), "{args:?}: escape codes in a pipe");
    }
    let out = run(&["--bogus"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unexpected argument '--bogus'"));
    assert!(!out.stderr.contains(&0x1b), "escape codes in a pipe");
}

#[test]
fn over_long_lines_are_kept_with_a_small_cap() {
    let mut input = "Share this:\n".repeat(2).into_bytes();
    input.extend(std::iter::repeat_n(b'y', 100_000));
    input.extend_from_slice(b"\nShare this:\n");
    let dir = TempDir::new("long-lines");
    dir.write("r.rules", b"drop line Share this:\n");
    let out = chaff_in(&dir.0, &["--no-default-rules", "--rules", "r.rules", "--max-line-bytes", "1K"], &input);
    assert!(out.status.success());
    assert_eq!(out.stdout.len(), 100_001);
    assert!(out.stdout[..100_000].iter().all(|&b| b == b'y'));
    // `explain` shows the start of such a line, cut before a character, and says so.
    let mut input = "x".repeat(199).into_bytes();
    input.extend("é".repeat(5000).as_bytes());
    input.push(b'\n');
    let out = chaff_in(&dir.0, &["explain", "--no-default-rules", "--rules", "r.rules", "--max-line-bytes", "1K"], &input);
    let text = String::from_utf8(out.stdout).expect("explain writes UTF-8");
    let first = text.lines().next().unwrap_or("");
    assert_eq!(first, format!("     1 + {}…  [line over the length cap, its first 199 bytes shown: kept unmatched]", "x".repeat(199)));
    // Under a cap of a few bytes the line goes through in pieces of the buffer's size, not of
    // the cap's: `explain` still has its first 200 bytes to show.
    let input = format!("{}\nShare this:\n", "y".repeat(300));
    let out = chaff_in(&dir.0, &["explain", "--no-default-rules", "--rules", "r.rules", "--max-line-bytes", "3"], input.as_bytes());
    let text = String::from_utf8(out.stdout).expect("explain writes UTF-8");
    assert!(text.starts_with(&format!("     1 + {}…  [line over the length cap, its first 200 bytes shown", "y".repeat(200))), "{text}");
    let out = chaff_in(&dir.0, &["--no-default-rules", "--rules", "r.rules", "--max-line-bytes", "3"], input.as_bytes());
    assert_eq!(out.stdout, input.as_bytes());
}

#[test]
fn rules_lists_packs() {
    let dir = TempDir::new("rules-list");
    dir.write("mine.rules", b"pack mine\nabout My own chrome.\ndrop line Foo bar\ndrop line Baz\n");
    let out = chaff_in(&dir.0, &["rules", "--no-default-rules", "--rules", "mine.rules"], b"");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "pack   rules  source\nmine       2  mine.rules\n              My own chrome.\ntotal      2\n"
    );
}

#[test]
fn threads_keep_input_order_and_counts() {
    let dir = TempDir::new("threads");
    dir.write("r.rules", b"drop line Share this:\n");
    let mut args: Vec<String> = vec!["--no-default-rules".into(), "--rules".into(), "r.rules".into()];
    for i in 0..40 {
        let body = format!("doc {i}\nShare this:\n{}\n", "text ".repeat(i * 50));
        dir.write(&format!("d{i:02}.txt"), body.as_bytes());
        args.push(format!("d{i:02}.txt"));
        if i == 17 {
            args.push("missing.txt".into());
        }
    }
    let seq: Vec<&str> = args.iter().map(String::as_str).collect();
    let one = chaff_in(&dir.0, &seq, b"");
    let mut par = seq.clone();
    par.extend(["-j", "3", "--stats=json"]);
    let three = chaff_in(&dir.0, &par, b"");
    assert_eq!(one.status.code(), Some(2));
    assert_eq!(three.status.code(), Some(2));
    assert_eq!(one.stdout, three.stdout);
    assert!(!String::from_utf8_lossy(&one.stdout).contains("Share this"));
    let err = String::from_utf8_lossy(&three.stderr);
    assert!(err.starts_with("chaff: missing.txt: "), "{err}");
    let json_start = err.find('{').expect("stats JSON");
    let v: serde_json::Value = serde_json::from_str(&err[json_start..]).expect("JSON");
    assert_eq!(v["documents"], 40);
    assert_eq!(v["dropped_by_rule"][0]["lines"], 40);
    assert_eq!(v["bytes_out"].as_u64(), Some(one.stdout.len() as u64));
}

#[test]
fn files_from_reads_the_paths_from_a_list_or_standard_input() {
    let dir = TempDir::new("files-from");
    dir.write("r.rules", b"drop line Share this:\n");
    let mut list = String::new();
    let mut want = String::new();
    for i in 0..12 {
        dir.write(&format!("d{i}.txt"), format!("doc {i}\nShare this:\n").as_bytes());
        // CRLF and empty lines in the list are allowed.
        list.push_str(&format!("d{i}.txt{}", if i % 2 == 0 { "\r\n" } else { "\n\n" }));
        want.push_str(&format!("doc {i}\n"));
    }
    dir.write("list.txt", list.as_bytes());
    let base = ["--no-default-rules", "--rules", "r.rules"];
    let from_file = chaff_in(&dir.0, &[&base[..], &["d0.txt", "--files-from", "list.txt"]].concat(), b"");
    assert!(from_file.status.success(), "{}", String::from_utf8_lossy(&from_file.stderr));
    assert_eq!(String::from_utf8_lossy(&from_file.stdout), format!("doc 0\n{want}"), "FILE arguments come first");
    for threads in ["1", "3"] {
        let from_stdin = chaff_in(&dir.0, &[&base[..], &["--files-from", "-", "-j", threads]].concat(), list.as_bytes());
        assert!(from_stdin.status.success());
        assert_eq!(String::from_utf8_lossy(&from_stdin.stdout), want, "-j {threads}");
    }
    // Standard input cannot be both the list and a document.
    let both = chaff_in(&dir.0, &[&base[..], &["--files-from", "-", "-"]].concat(), list.as_bytes());
    assert_eq!(both.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&both.stderr).contains("standard input holds the list"));
    let missing = chaff_in(&dir.0, &[&base[..], &["--files-from", "nope.txt"]].concat(), b"");
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("--files-from nope.txt: cannot read it"));
    // A listed path that cannot be read is reported with the list it came from, on every path
    // (one thread, -j, --jsonl); a FILE argument as it is.
    dir.write("gaps.txt", b"d0.txt\nnot-there.txt\nd1.txt\n");
    for extra in [&[][..], &["-j", "2"][..], &["--jsonl"][..]] {
        let out = chaff_in(&dir.0, &[&base[..], &["--files-from", "gaps.txt", "absent.txt"], extra].concat(), b"");
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("chaff: not-there.txt (listed in gaps.txt): "), "{extra:?}: {err}");
        assert!(err.contains("chaff: absent.txt: "), "{extra:?}: {err}");
    }
    // A NUL-separated list (`find -print0`): names are taken whole, a new line in one included.
    dir.write("odd\nname.txt", b"odd doc\nShare this:\n");
    let nul = chaff_in(&dir.0, &[&base[..], &["--files-from", "-"]].concat(), b"d1.txt\0odd\nname.txt\0\0d2.txt");
    assert!(nul.status.success(), "{}", String::from_utf8_lossy(&nul.stderr));
    assert_eq!(String::from_utf8_lossy(&nul.stdout), "doc 1\nodd doc\ndoc 2\n");
}

#[test]
fn bench_measures_threads_beside_one_thread_on_the_same_bytes() {
    let out = chaff(&["bench", "--size", "256K", "--repeat", "1", "-j", "2", "--format", "json"], b"");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("bench writes JSON");
    let results = doc["results"].as_array().expect("results");
    assert_eq!(results.len(), 2, "both layouts");
    for r in results {
        let (bytes, kept) = (r["bytes"].as_u64().expect("bytes"), r["kept_bytes"].as_u64().expect("kept"));
        assert!(kept > bytes / 2 && kept < bytes, "{r}");
        assert_eq!(r["threads"], 2, "{r}");
        assert!(r["threads_mb_per_s"].as_f64().expect("threads MB/s") > 0.0, "{r}");
        assert!(r["threads_speedup"].as_f64().expect("speedup") > 0.0, "{r}");
    }
    // Without -j, one thread only.
    let out = chaff(&["bench", "--size", "64K", "--repeat", "1"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\n  chaff ") && !text.contains("-j ") && !text.contains("threads"), "{text}");
    let out = chaff(&["bench", "--size", "64K", "--repeat", "1", "--threads", "3"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\n  -j 3 ") && text.contains("on 3 threads chaff runs"), "{text}");
    // One document: nothing to share among threads, so no thread row and no speed-up.
    let dir = TempDir::new("bench-one");
    dir.write("one.txt", ARTICLE.repeat(20).as_bytes());
    let out = chaff_in(&dir.0, &["bench", "--repeat", "1", "-j", "4", "one.txt"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("1 file: 0.0 MB, 1 document, 20 lines; kept 100.0% of bytes") && !text.contains("-j ") && !text.contains("threads"), "{text}");
}

/// `explain --format json`: one object per input line, in order, whose written lines are the
/// cleaned output's lines, and whose rule and counts agree with it; the notes and the summary
/// are objects of their own.
#[test]
fn explain_as_json_lines_agrees_with_clean() {
    let mut docs: Vec<Vec<u8>> = std::fs::read_dir(crate::util::fixture("seeds/input"))
        .expect("seed inputs")
        .map(|e| std::fs::read(e.expect("entry").path()).expect("seed"))
        .collect();
    docs.push(b"Article text, kept.\r\nShare this:\r\nbad \xff byte\r\nno final newline".to_vec());
    let mut events = std::collections::BTreeSet::new();
    for doc in &docs {
        let cleaned = chaff(&[], doc).stdout;
        let out = chaff(&["explain", "--format", "json"], doc);
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8(out.stdout).expect("UTF-8");
        let (mut written, mut next_line, mut dropped, mut summary) = (Vec::new(), 1u64, 0u64, None);
        for l in text.lines() {
            let v: serde_json::Value = serde_json::from_str(l).expect("each line is a JSON object");
            assert_eq!(v["file"], "-");
            if let Some(event) = v["event"].as_str() {
                events.insert(event.to_string());
                if event == "summary" {
                    summary = Some((v["lines"].as_u64().unwrap(), v["dropped"].as_u64().unwrap()));
                } else {
                    assert!(v["rule"].is_string() && v["message"].as_str().is_some_and(|m| !m.is_empty()), "{l}");
                }
                continue;
            }
            assert_eq!(v["line"].as_u64(), Some(next_line), "every line once, in order");
            next_line += 1;
            let decision = v["decision"].as_str().unwrap();
            let has_rule = v["rule"].is_string() && v["location"].as_str().is_some_and(|s| s.starts_with("rules/"));
            assert_eq!(has_rule, !matches!(decision, "keep" | "blank"), "{l}");
            dropped += u64::from(has_rule);
            if v["written"] == true {
                written.push(v["text"].as_str().unwrap().to_string());
            }
        }
        let want: Vec<String> = String::from_utf8_lossy(&cleaned)
            .split_inclusive('\n')
            .map(|l| l.trim_end_matches('\n').trim_end_matches('\r').to_string())
            .collect();
        assert_eq!(written, want, "the written lines are the cleaned output");
        assert_eq!(summary, Some((next_line - 1, dropped)), "the summary counts the lines");
    }
    assert!(events.contains("page-head") && events.contains("cut"), "notes come as events: {events:?}");
    // `--dropped-only` leaves the kept lines out.
    let out = chaff(&["explain", "--format", "json", "--dropped-only"], &docs[docs.len() - 1]);
    let lines: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().filter(|l| l.contains("\"line\"")).collect();
    assert_eq!(lines.len(), 1);
    assert!(lines[0].contains("\"text\":\"Share this:\"") && lines[0].contains("\"decision\":\"drop\""), "{}", lines[0]);
}

/// Reports cut short by a closed pipe (`| head -1`) end quietly with status 0, JSON ones too:
/// the JSON of `rules` was written straight to the pipe, and its error was not seen as the
/// pipe's.
#[test]
fn reports_to_a_closed_pipe_end_quietly() {
    for args in [&["rules", "--list", "--format", "json"][..], &["rules", "--list"], &["rules", "--format", "json"]] {
        let mut child = spawn_in(&crate::util::root(), args);
        drop(child.stdin.take());
        let mut stdout = child.stdout.take().expect("stdout");
        let mut first = [0u8; 1];
        stdout.read_exact(&mut first).expect("some output");
        drop(stdout);
        let out = child.wait_with_output().expect("chaff exits");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stderr.is_empty(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

/// Runs chaff in `dir` with its standard output and error given, and no input.
#[cfg(unix)]
fn chaff_to(dir: &std::path::Path, args: &[&str], stdout: impl Into<Stdio>, stderr: impl Into<Stdio>) -> std::process::ExitStatus {
    Command::new(env!("CARGO_BIN_EXE_chaff"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .status()
        .expect("the chaff binary runs")
}

/// The file standard output appends to is not read as a document (it would grow for ever, as
/// `find . | chaff --files-from - > out.txt` run where out.txt is found): it is left out, as
/// `cat` leaves it out, with one thread, with `-j 2` and with `--jsonl`; a report file that
/// is standard output's file is refused.
#[cfg(unix)]
#[test]
fn the_output_file_is_not_read_as_an_input() {
    let dir = TempDir::new("input-is-output");
    dir.write("a.txt", b"First line of the article.\nShare this:\n");
    for args in [&["a.txt", "out.txt"][..], &["-j", "2", "a.txt", "out.txt"], &["--jsonl", "a.txt", "out.txt"]] {
        dir.write("out.txt", b"older\n");
        let out = std::fs::OpenOptions::new().append(true).open(dir.0.join("out.txt")).expect("open");
        let err = std::fs::File::create(dir.0.join("err.txt")).expect("create");
        let status = chaff_to(&dir.0, args, out, err);
        assert_eq!(status.code(), Some(2), "{args:?}");
        let written = std::fs::read_to_string(dir.0.join("out.txt")).expect("read");
        let messages = std::fs::read_to_string(dir.0.join("err.txt")).expect("read");
        assert!(messages.contains("chaff: out.txt: it is the file standard output writes to; left out"), "{args:?}: {messages}");
        assert!(written.starts_with("older\n") && written.len() < 200, "{args:?}: {written:?}");
    }
    let out = std::fs::File::create(dir.0.join("o.txt")).expect("create");
    let err = std::fs::File::create(dir.0.join("err.txt")).expect("create");
    let status = chaff_to(&dir.0, &["--stats-file", "o.txt", "a.txt"], out, err);
    assert_eq!(status.code(), Some(2));
    let messages = std::fs::read_to_string(dir.0.join("err.txt")).expect("read");
    assert!(messages.contains("--stats-file o.txt: it is the file standard output writes to"), "{messages}");
    // A device is no clash: standard input and the report both /dev/null.
    let status = chaff_to(&dir.0, &["--stats-file", "/dev/null"], Stdio::null(), Stdio::null());
    assert_eq!(status.code(), Some(0));
    // Emptied by the shell (`chaff f > f`), the file ends at once: no clash, as for `cat`.
    let out = std::fs::File::create(dir.0.join("f.txt")).expect("create");
    let status = chaff_to(&dir.0, &["f.txt"], out, Stdio::null());
    assert_eq!(status.code(), Some(0));
    // Standard input reading the output file is left out at its turn; the others are cleaned,
    // by `clean` and by `explain`.
    dir.write("b.txt", b"Second file line.\n");
    for args in [&["a.txt", "-", "b.txt"][..], &["explain", "-"]] {
        dir.write("out.txt", b"older\n");
        let out = std::fs::OpenOptions::new().append(true).open(dir.0.join("out.txt")).expect("open");
        let err = std::fs::File::create(dir.0.join("err.txt")).expect("create");
        let status = Command::new(env!("CARGO_BIN_EXE_chaff"))
            .args(args)
            .current_dir(&dir.0)
            .stdin(std::fs::File::open(dir.0.join("out.txt")).expect("open"))
            .stdout(out)
            .stderr(err)
            .status()
            .expect("runs");
        assert_eq!(status.code(), Some(2), "{args:?}");
        let messages = std::fs::read_to_string(dir.0.join("err.txt")).expect("read");
        assert!(messages.contains("chaff: -: standard input reads the file standard output writes to; left out"), "{args:?}: {messages}");
        let written = std::fs::read_to_string(dir.0.join("out.txt")).expect("read");
        assert!(written.len() < 300, "{args:?}: {written:?}");
        if args[0] == "a.txt" {
            assert!(written.ends_with("Second file line.\n"), "{written:?}");
        }
    }
    // A --stats report that cannot be written is an error.
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
    let status = chaff_to(&dir.0, &["--stats", "a.txt"], Stdio::null(), full);
    assert_eq!(status.code(), Some(2));
}

/// A closed standard error does not stop the run: the other documents are cleaned and the exit
/// status says that one failed. A closed standard output after a failure is not success.
#[cfg(unix)]
#[test]
fn closed_pipes_do_not_hide_a_failure() {
    let dir = TempDir::new("closed-pipes");
    dir.write("good.txt", b"The article's line.\n");
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = std::fs::File::create(dir.0.join("out.txt")).expect("create");
    let status = chaff_to(&dir.0, &["missing.txt", "good.txt"], out, writer);
    assert_eq!(status.code(), Some(2));
    assert_eq!(std::fs::read(dir.0.join("out.txt")).expect("read"), b"The article's line.\n");
    // Standard output closed: quiet success, unless a document failed first.
    for (args, want) in [(&["good.txt"][..], 0), (&["missing.txt", "good.txt"], 2), (&["-j", "2", "missing.txt", "good.txt"], 2)] {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let status = chaff_to(&dir.0, args, writer, Stdio::null());
        assert_eq!(status.code(), Some(want), "{args:?}");
    }
}

/// With `-j`, a pipe is read at its turn, as with one thread: `/dev/stdin` named twice is read
/// once to its end and then found empty, as `cat` finds it, not shared by two workers.
#[cfg(unix)]
#[test]
fn threads_read_a_pipe_named_twice_in_turn() {
    let dir = TempDir::new("pipe-twice");
    dir.write("a.txt", b"Middle document line.\n");
    let input: Vec<u8> = (0..20_000).flat_map(|i| format!("Line {i} of the piped document, which goes on for a while.\n").into_bytes()).collect();
    let one = chaff_in(&dir.0, &["/dev/stdin", "a.txt", "/dev/stdin"], &input);
    let two = chaff_in(&dir.0, &["-j", "2", "--stats=json", "/dev/stdin", "a.txt", "/dev/stdin"], &input);
    assert_eq!(one.status.code(), Some(0));
    assert_eq!(two.status.code(), Some(0));
    assert_eq!(one.stdout, two.stdout);
    assert!(one.stdout.ends_with(b"Middle document line.\n"), "the second read finds nothing");
    let stats: serde_json::Value = serde_json::from_slice(&two.stderr).expect("stats");
    assert_eq!(stats["lines_in"], 20_001);
}

/// A folder named as a document is reported and not counted as one.
#[test]
fn a_folder_is_no_document() {
    let dir = TempDir::new("folder-doc");
    dir.write("sub/a.txt", b"x\n");
    dir.write("b.txt", b"The article line.\n");
    for threads in ["1", "2"] {
        let out = chaff_in(&dir.0, &["-j", threads, "--stats=json", "sub", "b.txt"], b"");
        assert_eq!(out.status.code(), Some(2));
        let text = String::from_utf8_lossy(&out.stderr);
        assert!(text.starts_with("chaff: sub: Is a directory\n"), "{text}");
        assert!(text.contains("\"documents\": 1,"), "{text}");
        assert_eq!(out.stdout, b"The article line.\n");
    }
}

/// With `-j`, documents larger than what a worker holds before its turn come out whole and in
/// order, with the same counts as one thread.
#[test]
fn threads_write_big_documents_in_order() {
    let dir = TempDir::new("threads-big");
    dir.write("r.rules", b"drop line Share this:\n");
    let big = |tag: &str| -> Vec<u8> {
        (0..150_000).flat_map(|i| format!("{tag} line {i} of a long document.\nShare this:\n").into_bytes()).collect()
    };
    dir.write("big1.txt", &big("first"));
    dir.write("big2.txt", &big("second"));
    dir.write("small.txt", b"A small document.\nShare this:\n");
    let docs = ["small.txt", "big1.txt", "small.txt", "big2.txt", "big1.txt", "small.txt"];
    let base = [&["--no-default-rules", "--rules", "r.rules", "--stats=json"][..], &docs].concat();
    let one = chaff_in(&dir.0, &base, b"");
    assert_eq!(one.status.code(), Some(0));
    assert!(one.stdout.len() > 10_000_000, "more than a worker holds: {}", one.stdout.len());
    assert!(!String::from_utf8_lossy(&one.stdout).contains("Share this"));
    for threads in ["2", "3"] {
        let out = chaff_in(&dir.0, &[&base[..], &["-j", threads]].concat(), b"");
        assert_eq!(out.status.code(), Some(0));
        assert!(out.stdout == one.stdout, "-j {threads} wrote other bytes than one thread");
        assert_eq!(out.stderr, one.stderr, "-j {threads} counted otherwise");
    }
}

/// With `-j`, a worker holds at most a few megabytes of a document, before its turn and after
/// it, however many threads are asked for: the peak memory of cleaning two files of 48 MB each
/// for a slow reader stays far under their size.
#[cfg(target_os = "linux")]
#[test]
fn threads_do_not_hold_big_files_in_memory() {
    let dir = TempDir::new("threads-memory");
    let doc: Vec<u8> = (0..1_000_000).flat_map(|i| format!("Line {i} of a long document, kept as it is.\n").into_bytes()).collect();
    assert!(doc.len() > 40_000_000);
    dir.write("a.txt", &doc);
    dir.write("b.txt", &doc);
    dir.write("r.rules", b"drop line Share this:\n");
    for threads in ["2", "64"] {
        let mut child = spawn_in(&dir.0, &["-j", threads, "--no-default-rules", "--rules", "r.rules", "a.txt", "b.txt"]);
        drop(child.stdin.take());
        let status = format!("/proc/{}/status", child.id());
        let mut stdout = child.stdout.take().expect("stdout is piped");
        let reader = std::thread::spawn(move || {
            let mut n = 0u64;
            let mut buf = vec![0u8; 1 << 16];
            loop {
                // Read slowly, so that the writer waits on the pipe while the workers go on.
                std::thread::sleep(std::time::Duration::from_micros(200));
                match std::io::Read::read(&mut stdout, &mut buf) {
                    Ok(0) | Err(_) => return n,
                    Ok(k) => n += k as u64,
                }
            }
        });
        // The high-water mark of resident memory, in kB, as long as the process lives.
        let mut peak = 0u64;
        while !reader.is_finished() {
            if let Some(kb) = std::fs::read_to_string(&status).ok().and_then(|s| {
                s.lines().find_map(|l| l.strip_prefix("VmHWM:").and_then(|v| v.trim().trim_end_matches(" kB").parse::<u64>().ok()))
            }) {
                peak = peak.max(kb);
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let written = reader.join().expect("reader");
        let out = child.wait_with_output().expect("chaff ends");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(written, 2 * doc.len() as u64);
        assert!(peak > 0, "the peak was read");
        assert!(peak < 40_000, "-j {threads}: peak memory {peak} kB for two documents of {} bytes", doc.len());
    }
}

/// With `-j`, a FIFO among the files is opened at its turn, as with one thread: when the output
/// closes before it, chaff ends instead of waiting for a writer that never comes.
#[cfg(unix)]
#[test]
fn threads_open_a_fifo_at_its_turn() {
    let dir = TempDir::new("threads-fifo");
    let doc: Vec<u8> = (0..50_000).flat_map(|i| format!("Line {i} of the first document.\n").into_bytes()).collect();
    dir.write("a.txt", &doc);
    let made = Command::new("mkfifo").arg(dir.0.join("f")).status().expect("mkfifo runs");
    assert!(made.success());
    let mut child = spawn_in(&dir.0, &["-j", "2", "a.txt", "f"]);
    drop(child.stdin.take());
    let mut first = [0u8; 10];
    child.stdout.as_mut().expect("stdout is piped").read_exact(&mut first).expect("the first bytes");
    drop(child.stdout.take());
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if start.elapsed() > std::time::Duration::from_secs(20) {
            child.kill().expect("kill");
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    assert_eq!(status.and_then(|s| s.code()), Some(0), "chaff waited on the FIFO after its output closed");
    assert_eq!(&first, b"Line 0 of ");
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut enc, bytes).expect("gzip");
    enc.finish().expect("gzip")
}

/// `-z` reads gzip and zstd documents (files, standard input, concatenated streams) as the text
/// they hold, with one thread or several, and anything else as it is.
#[test]
fn compressed_documents_are_cleaned_as_their_text() {
    let dir = TempDir::new("decompress");
    let a: &[u8] = b"The first article line.\nShare this:\nTwitter\nFacebook\nIts last line.\n";
    let b: &[u8] = b"Another article, no final newline.\r\nLeave a Reply\r\nCancel reply";
    dir.write("a.txt", a);
    dir.write("b.txt", b);
    dir.write("a.txt.gz", &gzip(a));
    dir.write("b.txt.zst", &zstd::encode_all(b, 3).expect("zstd"));
    dir.write("ab.gz", &[gzip(a), gzip(b)].concat());
    dir.write("ab.txt", &[a, b].concat());
    dir.write("short.txt", b"ab");
    let plain = chaff_in(&dir.0, &["--stats=json", "a.txt", "b.txt", "ab.txt", "short.txt"], b"");
    assert_eq!(plain.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&plain.stdout).contains("Share this"), "the rules acted");
    for threads in ["1", "2"] {
        let out = chaff_in(&dir.0, &["-z", "-j", threads, "--stats=json", "a.txt.gz", "b.txt.zst", "ab.gz", "short.txt"], b"");
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.stdout, plain.stdout, "-j {threads}");
        // Bytes in are the documents' text.
        assert_eq!(out.stderr, plain.stderr, "-j {threads}");
    }
    let stdin = chaff_in(&dir.0, &["-z"], &gzip(a));
    assert_eq!(stdin.stdout, chaff_in(&dir.0, &[], a).stdout);
    // Without -z a compressed file is bytes like any other.
    let raw = chaff_in(&dir.0, &["a.txt.gz"], b"");
    assert_eq!(raw.stdout, gzip(a));
    let explained = chaff_in(&dir.0, &["explain", "-z", "a.txt.gz"], b"");
    assert!(String::from_utf8_lossy(&explained.stdout).contains("- Share this:"), "{}", String::from_utf8_lossy(&explained.stdout));
}

/// A compressed document cut short: what it gave is cleaned and written, the error reported,
/// and the next document cleaned; the exit status is 2.
#[test]
fn a_truncated_compressed_document_is_reported_after_what_it_gave() {
    let dir = TempDir::new("decompress-cut");
    let text: Vec<u8> = (0..20_000).flat_map(|i| format!("Article line {i}, kept as it is.\n").into_bytes()).collect();
    let packed = gzip(&text);
    dir.write("cut.gz", &packed[..packed.len() / 2]);
    dir.write("bad.gz", b"\x1f\x8b\x08 not gzip at all\n");
    dir.write("next.txt", b"The next document.\n");
    for threads in ["1", "2"] {
        let out = chaff_in(&dir.0, &["-z", "-j", threads, "--stats=json", "cut.gz", "bad.gz", "next.txt"], b"");
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        // What the cut document read is counted with what it wrote.
        let stats: serde_json::Value = serde_json::from_str(&err[err.find('{').expect("stats")..]).expect("stats JSON");
        assert_eq!(stats["bytes_in"], stats["bytes_out"], "{stats}");
        assert!(err.starts_with("chaff: cut.gz: "), "{err}");
        assert!(err.contains("\nchaff: bad.gz: "), "{err}");
        // The text cut short, its last line too (without its newline, as `cat` would give it),
        // then the next document.
        let (given, next) = out.stdout.split_at(out.stdout.len() - b"The next document.\n".len());
        assert_eq!(next, b"The next document.\n");
        assert!(given.len() > 100_000 && text.starts_with(given) && !given.ends_with(b"\n"), "{} bytes", given.len());
    }
}

/// Zero bytes after a gzip stream (a tape's or a device's padding) end it, as `gzip -d` reads it;
/// other bytes after it are an error, reported after the text.
#[test]
fn zero_padding_after_gzip_is_the_end_of_the_stream() {
    let dir = TempDir::new("decompress-padded");
    let a: &[u8] = b"The first article line.\nShare this:\nIts last line.\n";
    dir.write("padded.gz", &[gzip(a), gzip(a), vec![0; 3000]].concat());
    // After the padding, even a member is past the stream's end (`gzip -d` warns of it).
    dir.write("member.gz", &[gzip(a), vec![0; 7], gzip(a)].concat());
    dir.write("garbage.gz", &[gzip(a), vec![0; 5], b"x".to_vec()].concat());
    let clean = chaff_in(&dir.0, &[], a).stdout;
    for threads in ["1", "2"] {
        let out = chaff_in(&dir.0, &["-z", "-j", threads, "padded.gz"], b"");
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.stdout, [&clean[..], &clean[..]].concat());
        for name in ["member.gz", "garbage.gz"] {
            let out = chaff_in(&dir.0, &["-z", "-j", threads, name], b"");
            assert_eq!(out.status.code(), Some(2), "{name}");
            assert_eq!(out.stdout, clean, "{name}");
            assert!(String::from_utf8_lossy(&out.stderr).starts_with(&format!("chaff: {name}: ")), "{name}");
        }
    }
}

/// A document that fails at its first read is a document whose read failed, with `-z` or
/// without and on any number of threads: the counts agree, and hold no other document's.
#[cfg(target_os = "linux")]
#[test]
fn a_document_failing_at_its_first_read_counts_the_same_everywhere() {
    let dir = TempDir::new("first-read");
    dir.write("a.txt", b"An article line.\nShare this:\n");
    dir.write("b.txt", b"Another article line.\nLeave a Reply\n");
    // Reading a process's memory at offset 0 fails (EIO).
    let files = ["a.txt", "b.txt", "/proc/self/mem", "a.txt", "b.txt", "/proc/self/mem"];
    let mut seen = Vec::new();
    for z in [&[][..], &["-z"]] {
        for threads in ["1", "2", "3"] {
            let args: Vec<&str> = z.iter().copied().chain(["-j", threads, "--stats=json"]).chain(files).collect();
            let out = chaff_in(&dir.0, &args, b"");
            assert_eq!(out.status.code(), Some(2), "{args:?}");
            let err = String::from_utf8_lossy(&out.stderr);
            let stats: serde_json::Value = serde_json::from_str(&err[err.find('{').expect("stats")..]).expect("stats JSON");
            assert_eq!(stats["documents"], 6, "{args:?}: {stats}");
            assert_eq!(stats["bytes_in"], 2 * (29 + 36), "{args:?}: {stats}");
            seen.push((out.stdout, stats["lines_in"].clone()));
        }
    }
    assert!(seen.windows(2).all(|w| w[0] == w[1]));
}

/// `--jsonl -z`: a compressed dump from a file or standard input gives the records the plain
/// dump gives.
#[test]
fn compressed_json_lines_are_cleaned_as_their_records() {
    let dir = TempDir::new("decompress-jsonl");
    let dump: &[u8] = b"{\"id\":1,\"text\":\"Body line.\\nShare this:\\nTwitter\\n\"}\n{\"id\":2,\"text\":\"Other body.\\n\"}\n";
    dir.write("d.jsonl", dump);
    dir.write("d.jsonl.gz", &gzip(dump));
    let plain = chaff_in(&dir.0, &["--jsonl", "d.jsonl"], b"");
    assert_eq!(plain.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&plain.stdout).contains("Share"));
    for args in [&["--jsonl", "-z", "d.jsonl.gz"][..], &["--jsonl", "-z"], &["--jsonl", "-z", "-j", "2", "-", "-"]] {
        let out = chaff_in(&dir.0, args, &gzip(dump));
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.stdout, plain.stdout, "{args:?}");
    }
}

/// `--jsonl -z` on a stream cut short writes every record decoded before the cut, then
/// reports it; a zstd file that begins with a skippable frame (as pzstd writes) is decoded.
#[test]
fn compressed_streams_cut_short_give_their_whole_records() {
    let dir = TempDir::new("decompress-records");
    let dump: Vec<u8> =
        (0..40).flat_map(|i| format!("{{\"id\":{i},\"text\":\"Record {i} body line.\\nShare this:\\n\"}}\n").into_bytes()).collect();
    let packed = gzip(&dump);
    // The gzip trailer (CRC and size) cut off: every record is there, the stream is not whole.
    dir.write("cut.jsonl.gz", &packed[..packed.len() - 3]);
    dir.write("d.jsonl", &dump);
    let plain = chaff_in(&dir.0, &["--jsonl", "d.jsonl"], b"");
    for threads in ["1", "2"] {
        let out = chaff_in(&dir.0, &["--jsonl", "-z", "-j", threads, "cut.jsonl.gz"], b"");
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(out.stdout, plain.stdout, "-j {threads}");
        assert!(String::from_utf8_lossy(&out.stderr).starts_with("chaff: cut.jsonl.gz: "));
    }
    // Cut inside a record: the records before it are written, the cut one is reported (written
    // back as it came, or not explained), then the read error.
    dir.write("mid.jsonl.gz", &packed[..packed.len() / 2]);
    let out = chaff_in(&dir.0, &["--jsonl", "-z", "mid.jsonl.gz"], b"");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("invalid JSON") && err.contains("written back unchanged"), "{err}");
    let explained = chaff_in(&dir.0, &["explain", "--jsonl", "-z", "mid.jsonl.gz"], b"");
    assert_eq!(explained.status.code(), Some(2));
    let err = String::from_utf8_lossy(&explained.stderr);
    let (cut, read) = (err.find("not explained").expect("the cut record is reported"), err.rfind("chaff: mid.jsonl.gz: ").expect("read error"));
    assert!(cut < read, "{err}");
    let text: &[u8] = b"A line of the article.\nShare this:\n";
    let skippable = [&[0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4][..], &zstd::encode_all(text, 3).expect("zstd")].concat();
    dir.write("p.zst", &skippable);
    let out = chaff_in(&dir.0, &["-z", "p.zst"], b"");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, b"A line of the article.\n");
}

/// Decompressed, standard input is one stream: after a decoding error its remaining bytes are
/// no document, and `-` named again is empty (with --jsonl too).
#[test]
fn decompressed_standard_input_is_read_once() {
    let dir = TempDir::new("decompress-stdin");
    let input = [gzip(b"The article.\nShare this:\n"), b"garbage\nMore text that is no document.\n".to_vec()].concat();
    let out = chaff_in(&dir.0, &["-z", "-", "-"], &input);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(out.stdout, b"The article.\n");
    let out = chaff_in(&dir.0, &["explain", "-z", "-", "-"], &input);
    assert_eq!(out.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("More text"));
}

/// `-z` does not hold back a first record that is plainly not compressed until more bytes come.
#[test]
fn decompress_does_not_wait_for_bytes_it_does_not_need() {
    let dir = TempDir::new("decompress-eager");
    let mut child = spawn_in(&dir.0, &["-z", "--jsonl", "--line-buffered"]);
    let mut stdin = child.stdin.take().expect("stdin is piped");
    std::io::Write::write_all(&mut stdin, b"{\"text\":\"a\"}\n").expect("write");
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut first = [0u8; 13];
        let got = stdout.read_exact(&mut first).map(|()| first);
        let _ = tx.send(got.ok());
    });
    let first = rx.recv_timeout(std::time::Duration::from_secs(20));
    drop(stdin);
    reader.join().expect("reader");
    assert!(child.wait().expect("chaff ends").success());
    assert_eq!(first.ok().flatten(), Some(*b"{\"text\":\"a\"}\n"), "the record came out before standard input closed");
}
