//! `chaff check`, `chaff test`, `chaff explain` and `--stats`, as a rule author uses them.

use crate::util::{TempDir, chaff, chaff_in, fixture};

#[test]
fn check_reports_every_error_with_exit_78() {
    let dir = TempDir::new("check-errors");
    dir.write("x.rules", b"drop line ok\ncut lin Leave a Reply\ndrop regex a(b\n");
    let out = chaff_in(&dir.0, &["check", "x.rules"], b"");
    assert_eq!(out.status.code(), Some(78));
    let want = "\
x.rules:2:5: error: unknown match mode `lin`
  |
2 | cut lin Leave a Reply
  |     ^^^
  = help: did you mean `line`? (modes are `line`, `prefix`, `contains`, `regex` and `context`)

x.rules:3:13: error: invalid regex: unclosed group
  |
3 | drop regex a(b
  |             ^
  = help: rules use the Rust `regex` crate's syntax (no look-around or backreferences)

2 errors, 0 warnings
";
    assert_eq!(String::from_utf8_lossy(&out.stdout), want);
}

#[test]
fn check_reports_errors_of_every_stage_in_one_run() {
    let dir = TempDir::new("check-one-run");
    // A parse error, a regex the analysis refuses and one only the regex crate refuses.
    dir.write("a.rules", b"dorp line x\ndrop regex \\w{1,100000}\ndrop regex ^(a{1000}){1000}$\n");
    // A pack name taken twice, with a bad regex in the second file.
    dir.write("b.rules", b"pack a\ndrop regex ^(b\n");
    // Invalid UTF-8, with a mistake further on.
    dir.write("c.rules", b"drop line caf\xe9\ndrop line ok\ndorp line y\n");
    let out = chaff_in(&dir.0, &["check", "a.rules", "b.rules", "c.rules"], b"");
    assert_eq!(out.status.code(), Some(78));
    let text = String::from_utf8_lossy(&out.stdout);
    let heads: Vec<&str> = text.lines().filter(|l| l.contains(": error: ")).collect();
    assert_eq!(
        heads,
        vec![
            "a.rules:1:1: error: unknown action `dorp`",
            "a.rules:2:12: error: invalid regex: Compiled regex exceeds size limit of 10485760 bytes.",
            "a.rules:3:12: error: invalid regex: Compiled regex exceeds size limit of 10485760 bytes.",
            "b.rules:1:1: error: pack `a` is already the name of the pack of a.rules",
            "b.rules:2:13: error: invalid regex: unclosed group",
            "c.rules:1:14: error: rule file is not valid UTF-8",
            "c.rules:3:1: error: unknown action `dorp`",
        ],
        "{text}"
    );
}

#[test]
fn check_duplicate_id_is_an_error() {
    let dir = TempDir::new("check-dup-id");
    dir.write("x.rules", b"drop[id=a] line One\ndrop[id=a] line Two\ndrop[max-chars=9, id  =  a ] line Three\n");
    let out = chaff_in(&dir.0, &["check", "x.rules"], b"");
    assert_eq!(out.status.code(), Some(78));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("x.rules:2:6: error: duplicate rule id `a`\n"), "{text}");
    assert!(text.contains("= help: `a` is already the id of the rule at x.rules:1"), "{text}");
    // The caret covers the option, however it is spaced.
    assert!(text.contains("x.rules:3:19: error: duplicate rule id `a`\n  |\n3 | drop[max-chars=9, id  =  a ] line Three\n  |                   ^^^^^^^^\n"), "{text}");
}

/// Ids made from phrases stay unique when a phrase slugs like another rule's id with its line
/// number ("foo 5" at line 2 and "foo" at line 5 both make `foo-5`).
#[test]
fn ids_made_from_phrases_never_repeat() {
    let dir = TempDir::new("auto-ids");
    dir.write("p.rules", b"pack p\ndrop line foo 5\ndrop line foo\n# c\ndrop[max-chars=3] prefix foo\ndrop[max-chars=4] prefix foo\n");
    let out = chaff_in(&dir.0, &["rules", "--no-default-rules", "--rules", "p.rules", "--list"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    let ids: Vec<&str> = text.lines().filter_map(|l| l.split_whitespace().nth(1)).collect();
    assert_eq!(ids, ["p/foo-5", "p/foo", "p/foo-5-2", "p/foo-6"], "{text}");
}

/// A pipe named `*.rules` in a rules folder is refused, not read (which would wait forever);
/// named alone it is read.
#[cfg(unix)]
#[test]
fn a_pipe_in_a_rules_folder_is_refused() {
    let dir = TempDir::new("rules-fifo");
    std::fs::create_dir_all(dir.0.join("ff")).expect("mkdir");
    dir.write("ff/a.rules", b"drop line a\n");
    let made = std::process::Command::new("mkfifo").arg(dir.0.join("ff/pipe.rules")).status().expect("mkfifo runs");
    assert!(made.success());
    let out = chaff_in(&dir.0, &["--rules", "ff"], b"a\nb\n");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "chaff: error: ff/pipe.rules: not a regular file (a pipe, socket or device), in the rules folder ff\n");
}

/// A byte order mark beginning a line is not counted in the column of a byte that is not UTF-8.
#[test]
fn a_bad_byte_after_a_byte_order_mark_is_pointed_at() {
    let dir = TempDir::new("bom-utf8");
    dir.write("u.rules", b"drop line a\n\xef\xbb\xbfdrop line \xff\n");
    let out = chaff_in(&dir.0, &["check", "u.rules"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("u.rules:2:11: error: rule file is not valid UTF-8\n  |\n2 | drop line \u{fffd}\n  |           ^\n"), "{text}");
    // In a file with CRLF endings, the line is shown without its `\r`.
    dir.write("w.rules", b"drop line a\r\ndrop line \xff b\r\n");
    let out = chaff_in(&dir.0, &["check", "w.rules"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("w.rules:2:11: error: rule file is not valid UTF-8\n  |\n2 | drop line \u{fffd} b\n  |           ^\n"), "{text}");
}

/// The second file of a pack's name is pointed at its `pack` line, however spaced.
#[test]
fn a_repeated_pack_name_is_reported_at_its_pack_line() {
    let dir = TempDir::new("pack-tab");
    dir.write("a.rules", b"pack share\ndrop line x\n");
    dir.write("b.rules", b"# mine\npack\tshare\ndrop line Share now\n");
    let out = chaff_in(&dir.0, &["check", "a.rules", "b.rules"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("b.rules:2:1: error: pack `share` is already the name of the pack of a.rules"), "{text}");
    // A byte order mark before it is not shown, and the caret is as wide as the line.
    dir.write("c.rules", "# mine\n\u{feff}pack share\ndrop line Share now\n".as_bytes());
    let out = chaff_in(&dir.0, &["check", "a.rules", "c.rules"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("c.rules:2:1: error: pack `share` is already the name of the pack of a.rules\n  |\n2 | pack share\n  | ^^^^^^^^^^\n"), "{text}");
}

#[test]
fn check_places_options_on_the_rules_that_take_them() {
    let dir = TempDir::new("check-options");
    dir.write(
        "x.rules",
        b"cut[after-words=150] line Related articles\ndrop[after-words=5] line Tags\ndrop[min-run=3] line Menu\ndrop[after-words=2] context menu-run\n",
    );
    let out = chaff_in(&dir.0, &["check", "x.rules"], b"");
    assert_eq!(out.status.code(), Some(78));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("x.rules:3:6: error: `min-run` is an option of context rules"), "{text}");
    assert!(text.contains("x.rules:4:6: error: `after-words` is not an option of `menu-run`"), "{text}");
    // Every phrase or regex rule takes `after-words`.
    assert!(!text.contains("x.rules:1:") && !text.contains("x.rules:2:"), "{text}");
    assert!(text.contains("2 errors"), "{text}");
}

#[test]
fn check_bounds_the_lengths_of_menu_runs() {
    let dir = TempDir::new("check-menu-run");
    dir.write("low.rules", b"drop[min-run=5, long-run=4] context menu-run\n");
    dir.write("high.rules", b"drop[min-run=1001] context menu-run\n");
    dir.write("ok.rules", b"drop[min-run=5, chrome-before=1, long-run=1000] context menu-run\n");
    // The error points at the option out of range.
    for (name, col, caret) in [("low.rules", 17, "^^^^^^^^^^"), ("high.rules", 6, "^^^^^^^^^^^^")] {
        let out = chaff_in(&dir.0, &["check", name], b"");
        assert_eq!(out.status.code(), Some(78), "{name}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains(&format!("{name}:1:{col}: error: `menu-run` needs `max-words` of at least 1, `min-run` from 2 to 1000, and `long-run` from `min-run` to 1000")),
            "{text}"
        );
        assert!(text.contains(&format!("| {}{caret}\n", " ".repeat(col - 1))), "{text}");
    }
    let out = chaff_in(&dir.0, &["check", "ok.rules"], b"");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn check_needs_a_footer_run_of_one_line_or_more() {
    let dir = TempDir::new("check-footer-run");
    dir.write("zero.rules", b"drop[page-chrome=2, footer-run=0] context page-tail\n");
    dir.write("one.rules", b"footer line Back to top\ndrop[footer-words=50, footer-run=1] context page-tail\n");
    let out = chaff_in(&dir.0, &["check", "zero.rules"], b"");
    assert_eq!(out.status.code(), Some(78));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("zero.rules:1:21: error: `page-tail` needs `prose-words`, `long-bytes` and `footer-run` of at least 1, and `tail-bytes` of at most 1048576"),
        "{text}"
    );
    let out = chaff_in(&dir.0, &["check", "one.rules"], b"");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}

const WARNY: &[u8] = b"pack warny
drop line Share this
drop line share   THIS
drop contains share this
drop regex \\w\\d$
    drop: a1
drop[max-chars=200] contains the
";

#[test]
fn check_warnings_and_deny_warnings() {
    let dir = TempDir::new("check-warnings");
    dir.write("w.rules", WARNY);
    let out = chaff_in(&dir.0, &["check", "w.rules"], b"");
    assert_eq!(out.status.code(), Some(0), "warnings alone do not fail");
    let text = String::from_utf8_lossy(&out.stdout);
    let heads: Vec<&str> = text.lines().filter(|l| l.starts_with("w.rules:")).collect();
    assert_eq!(heads[0], "w.rules:2:11: warning: this line is already dropped by the contains rule at w.rules:4");
    assert_eq!(heads[1], "w.rules:3:11: warning: rule repeats the line rule at w.rules:2");
    assert_eq!(heads[3], "w.rules:5:1: warning: regex rule has no `keep:` example");
    assert_eq!(heads[4], "w.rules:5:12: warning: this regex runs on every line: each line is normalized in full and searched");
    assert_eq!(heads[5], "w.rules:5:14: warning: `\\d` matches the digits of every script (some 680 characters): the regex is several times slower to compile");
    // One warning a rule that hits prose, with its first hit and the count of the others.
    assert!(heads[6].starts_with("w.rules:7:30: warning: rule matches article prose at rules/prose-sample.txt:1: `"), "{}", heads[6]);
    assert!(heads[6].ends_with("` (and 37 more lines)"), "{}", heads[6]);
    assert!(text.contains("\nchecked 1 pack with 5 rules: 0 errors, 7 warnings\n"), "{text}");
    assert!(text.ends_with("gates: 2 by leading text, 0 by their ending, 2 by an anchor word, 0 on short lines only, 1 on every line; 0 context rules\n"), "{text}");
    let out = chaff_in(&dir.0, &["check", "--deny-warnings", "w.rules"], b"");
    assert_eq!(out.status.code(), Some(1));
}

/// A regex that turns case-insensitive matching off can never match an uppercase ASCII letter
/// (lines are lowercased first): `check` says so at the flag group. A folder with no rule files
/// is an error, not an empty pass.
#[test]
fn check_warns_of_case_sensitive_regexes_and_refuses_an_empty_folder() {
    let dir = TempDir::new("check-case");
    dir.write("c.rules", b"drop regex ^(?-i)Subscribe$\n    drop: subscribe\n    keep: subscribed\ndrop regex ^a(?i:b)[(?-i)](?s-i:x)$\n    drop: ab(x\n    keep: abc\n");
    let out = chaff_in(&dir.0, &["check", "c.rules"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    let heads: Vec<&str> = text.lines().filter(|l| l.starts_with("c.rules:")).collect();
    let warning = "warning: this turns off case-insensitive matching, but rules see each line with its ASCII letters lowercased: an uppercase ASCII letter here never matches";
    // At the flags that turn `i` off, under carets as wide as they are.
    assert_eq!(heads, [format!("c.rules:1:15: {warning}"), format!("c.rules:4:29: {warning}")], "{text}");
    assert!(text.contains("\n  |               ^^\n") && text.contains("\n  |                             ^^^\n"), "{text}");
    std::fs::create_dir_all(dir.0.join("empty")).expect("mkdir");
    let out = chaff_in(&dir.0, &["check", "empty"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "chaff: error: empty: no rule files (*.rules) in this folder\n");
}

/// A regex whose automaton is large (a Unicode class repeated by count) is reported at the
/// repetition that makes most of it, with the states it makes; the same regex with `+` under
/// `max-chars` is not. Where no counted repetition makes half the states, the whole regex is
/// pointed at and no repetition is blamed.
#[test]
fn check_warns_of_regexes_with_a_large_automaton_at_the_costly_repetition() {
    let dir = TempDir::new("check-large-nfa");
    let words = "\\w+ ".repeat(15);
    let rules = [
        ("big", "drop[max-chars=80] regex ^get (?:the|our) [\\w.' -]{1,40} app$".to_string()),
        ("exact", "drop[max-chars=80] regex ^get (?:the|our) \\w{40} app$".to_string()),
        ("spread", format!("drop[max-chars=200] regex ^{words}[0-9]{{4}}$")),
        // Flags count: the ASCII class repeated 60 times is small, the Unicode `\w{15}` is not.
        ("flags", "drop[max-chars=300] regex (?-u)^by [\\w ]{1,60}, (?u:\\w{15})$".to_string()),
        // Many cheap repetitions with larger counts do not hide the costly one.
        ("many", format!("drop[max-chars=400] regex ^(?:\\w\\w\\w\\w\\w){{3}} {}$", ["x{4}"; 40].join(" "))),
        ("small", "drop[max-chars=80] regex ^get (?:the|our) [\\w.' -]+ app$".to_string()),
    ];
    for (name, rule) in &rules {
        dir.write(&format!("{name}.rules"), format!("{rule}\n    drop: get the news app\n    keep: get the app\n").as_bytes());
    }
    let heads = |name: &str| {
        let out = chaff_in(&dir.0, &["check", &format!("{name}.rules")], b"");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let heads: Vec<String> = text.lines().filter(|l| l.starts_with(&format!("{name}.rules:")) && l.contains("automaton states")).map(str::to_string).collect();
        (heads, text)
    };
    let (big, text) = heads("big");
    assert_eq!(big.len(), 1, "{text}");
    assert!(big[0].starts_with("big.rules:1:43: warning: the regex compiles to "), "{text}");
    assert!(big[0].contains(" of them for this repetition: it is slow to compile, on first use while cleaning, and to match"), "{text}");
    // The caret spans the repetition, class and count; the hint suits a range.
    assert!(text.contains(&format!("| {}{}\n", " ".repeat(42), "^".repeat(14))), "{text}");
    assert!(text.contains("write `+` or `*` and bound the line with `max-chars=N`"), "{text}");
    // An exact count is not told to become `+`.
    let (exact, text) = heads("exact");
    assert!(exact[0].starts_with("exact.rules:1:43: warning: ") && exact[0].contains("for this repetition"), "{text}");
    assert!(text.contains("it compiles what it repeats 40 times") && !text.contains("write `+`"), "{text}");
    // Fifteen `\w+` make the states; the four digits are not blamed.
    let (spread, text) = heads("spread");
    assert_eq!(spread.len(), 1, "{text}");
    assert!(spread[0].starts_with("spread.rules:1:27: warning: the regex compiles to "), "{text}");
    assert!(!spread[0].contains("repetition"), "{text}");
    assert!(text.contains("use smaller classes"), "{text}");
    let (flags, text) = heads("flags");
    assert!(flags[0].starts_with("flags.rules:1:53: warning: ") && flags[0].contains("for this repetition"), "{text}");
    let (many, text) = heads("many");
    assert!(many[0].starts_with("many.rules:1:28: warning: ") && many[0].contains("for this repetition"), "{text}");
    let out = chaff_in(&dir.0, &["check", "--deny-warnings", "small.rules"], b"");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}

/// Rules that never act, or act only where another already does, are found: regexes that need
/// what a normalized line never holds, a `max-chars` shorter than the phrase, phrases another
/// rule covers; and where two rules match the same lines, the warning says which one acts.
#[test]
fn check_finds_rules_that_never_act_or_are_covered() {
    let dir = TempDir::new("check-never");
    dir.write(
        "n.rules",
        "drop regex ^share  this$\ndrop regex ^\u{201c}hi\u{201d}$\ndrop regex ^a\\tb$\ndrop regex ^foo\\s\\s+bar$\ndrop regex ^ foo$\ndrop regex ^foo +$\ndrop regex ^foo\\s*$\ndrop[max-chars=5] line Share me please\n\
         drop regex ^foo {2}bar$\ndrop regex ^foo[\\t]bar$\ndrop regex ^foo[[:space:]]$\ndrop regex ^foo[ \\t]bar$\n\
         drop[id=max-chars-x,  max-chars = 3 ] line Hello world\ndrop[id=a,\u{a0}max-chars=3] line Hello there\ndrop[max-chars=+3] line Hello again\n"
            .as_bytes(),
    );
    let out = chaff_in(&dir.0, &["check", "n.rules"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    let heads: Vec<&str> = text.lines().filter(|l| l.starts_with("n.rules:") && !l.contains("example")).collect();
    let never = ": this part of the regex never matches";
    assert_eq!(
        heads,
        vec![
            format!("n.rules:1:18: warning: a normalized line never holds two pieces of white space in a row{never}"),
            format!("n.rules:2:13: warning: curly, low and angle quotes become straight ones in a normalized line{never}"),
            format!("n.rules:2:16: warning: curly, low and angle quotes become straight ones in a normalized line{never}"),
            format!("n.rules:3:14: warning: white space other than a space becomes a space in a normalized line{never}"),
            format!("n.rules:4:16: warning: a normalized line never holds two pieces of white space in a row{never}"),
            format!("n.rules:5:12: warning: a normalized line never begins with white space{never}"),
            format!("n.rules:6:16: warning: a normalized line never ends with white space{never}"),
            "n.rules:8:6: warning: `max-chars=5` is shorter than the phrase (15 characters): the rule never matches".to_string(),
            format!("n.rules:9:16: warning: a normalized line never holds two pieces of white space in a row{never}"),
            format!("n.rules:10:16: warning: white space other than a space becomes a space in a normalized line{never}"),
            format!("n.rules:11:16: warning: a normalized line never ends with white space{never}"),
            // (`[ \t]` may match a space: no warning.)
            // Spaced, the option is still found, and not the same letters in the id.
            "n.rules:13:23: warning: `max-chars=3` is shorter than the phrase (11 characters): the rule never matches".to_string(),
            "n.rules:14:12: warning: `max-chars=3` is shorter than the phrase (11 characters): the rule never matches".to_string(),
            "n.rules:15:6: warning: `max-chars=3` is shorter than the phrase (11 characters): the rule never matches".to_string(),
        ],
        "{text}"
    );
    dir.write(
        "c.rules",
        b"drop[after-words=100] prefix Share\ndrop line Share this\ndrop line Follow us\ncut line Follow us\ndrop prefix Share this story\ndrop prefix Share this\ndrop contains our newsletter today\ndrop contains newsletter\ndrop[max-chars=50] contains weekly newsletter\ndrop[max-chars=40] contains newsletter\ndrop[min-run=3] context menu-run\n\
          drop line Send to our Facebook\ndrop regex ^(?:\\* )?send to our facebook$\nfooter[after-words=100] line Follow us\ncut line Like this:\n",
    );
    dir.write("broad.rules", b"drop contains photo\ndrop prefix Share\ndrop[max-chars=30] contains credit\n");
    let out = chaff_in(&dir.0, &["check", "broad.rules"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    let heads: Vec<&str> = text.lines().filter(|l| l.starts_with("broad.rules:")).collect();
    assert_eq!(
        heads,
        vec![
            "broad.rules:1:15: warning: a contains rule on one word drops every line that holds it, article lines included",
            "broad.rules:2:13: warning: a prefix rule on one word drops every line that begins with it, or with a longer word that begins so, article lines included",
        ],
        "{text}"
    );
    let context = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/context.rules")).expect("context.rules");
    let menu_at = context.lines().position(|l| l.starts_with("drop[id=menu-run")).expect("menu-run") + 1;
    let out = chaff_in(&dir.0, &["check", "--rules", "c.rules"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    let heads: Vec<&str> =
        text.lines().filter(|l| l.starts_with("c.rules:") && !l.contains(" on one word ") && !l.contains(" has no `")).collect();
    assert_eq!(
        heads,
        vec![
            // Line 6 covers line 2; line 1 does not, as it waits for 100 words of prose.
            "c.rules:2:11: warning: this line is already dropped by the prefix rule at c.rules:6",
            "c.rules:4:10: warning: rule matches the same lines as the drop line rule at c.rules:3",
            "c.rules:5:13: warning: every line this rule matches is already dropped by the prefix rule at c.rules:6",
            "c.rules:7:15: warning: every line this rule matches is already dropped by the contains rule at c.rules:8",
            "c.rules:9:29: warning: every line this rule matches is already dropped by the contains rule at c.rules:8",
            "c.rules:10:29: warning: rule repeats the contains rule at c.rules:8, with other options",
            &format!("c.rules:11:25: warning: this `menu-run` rule is not used: the one at rules/context.rules:{menu_at} is"),
            // Line 12 is not covered by line 13: `- Send to our Facebook` is a list item the regex
            // does not take. Line 14 waits for prose, where line 3 does not: other options.
            "c.rules:14:30: warning: rule has the same phrase as the drop line rule at c.rules:3",
            "c.rules:15:10: warning: rule matches the same lines as the drop line rule at rules/share.rules:35",
        ],
        "{text}"
    );
    assert!(text.contains("= help: where both match, the `cut` rule acts (`cut` outranks `thread`, `footer` and `drop`): remove the `drop` one"), "{text}");
    assert!(text.contains("= help: to use this one's options instead, leave out the other's pack (`--disable context`) or edit that rule"), "{text}");
    assert!(text.contains("; their options differ, so each may match lines the other does not"), "{text}");
    // A shipped rule is not the user's to remove.
    assert!(text.contains("= help: where both match, the `cut` rule acts (`cut` outranks `thread`, `footer` and `drop`), so the shipped one never does"), "{text}");
}

#[test]
fn check_json_for_editors() {
    let dir = TempDir::new("check-json");
    dir.write("w.rules", WARNY);
    let out = chaff_in(&dir.0, &["check", "--format", "json", "w.rules"], b"");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(v["errors"], 0);
    assert_eq!(v["rules"], 5);
    let first = &v["findings"][0];
    assert_eq!(first["path"], "w.rules");
    assert_eq!(first["line"], 2);
    assert_eq!(first["col"], 11);
    assert_eq!(first["end_col"], 21);
    assert_eq!(first["severity"], "warning");
    // The gates: their counts always, what opens each rule with `--gates`.
    assert_eq!(v["gates"]["by_leading_text"], 2, "{v}");
    assert_eq!(v["gates"]["on_every_line"], 1, "{v}");
    assert!(v["gates"]["leading_texts"].is_null(), "{v}");
    let out = chaff_in(&dir.0, &["check", "--gates", "--format", "json", "w.rules"], b"");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(v["gates"]["leading_texts"][0]["text"], "share this", "{v}");
    assert_eq!(v["gates"]["leading_texts"][0]["rules"][0], "warny/share-this", "{v}");
    // `test --format json` reports broken rule files as JSON too.
    dir.write("bad.rules", b"dorp line x\n");
    let out = chaff_in(&dir.0, &["test", "--format", "json", "bad.rules"], b"");
    assert_eq!(out.status.code(), Some(78));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(v["errors"][0]["message"], "unknown action `dorp`");
    assert_eq!(v["errors"][0]["line"], 1);
}

/// A file named twice (as itself and through its folder) is read once; a file with no rules is
/// worth a warning.
#[test]
fn check_reads_a_file_once_and_warns_of_one_without_rules() {
    let dir = TempDir::new("check-twice");
    dir.write("d/site.rules", b"drop line Share this story:\n");
    dir.write("d/empty.rules", b"# rules to come\n");
    let out = chaff_in(&dir.0, &["check", "d/site.rules", "./d/site.rules", "d"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.starts_with("d/empty.rules:1:1: warning: rule file holds no rules\n  = help: "), "{text}");
    assert!(text.contains("\nchecked 2 packs with 1 rule: 0 errors, 1 warning\n"), "{text}");
}

#[test]
fn check_shipped_rules_has_no_errors() {
    let out = chaff(&["check", "rules/"], b"");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn test_runs_examples_and_reports_failures_at_their_line() {
    let dir = TempDir::new("test-examples");
    dir.write(
        "e.rules",
        b"drop regex ^photo: .{1,20}$\n    drop: Photo: AP\n    drop: Photo by AP\n    keep: Share this\ndrop line Share this\ndrop[max-chars=5] line Longer phrase\ndrop line Follow us\n    drop: Follow  US!\ndrop[max-chars=9] contains follow\n    drop: Please follow us\ndrop context menu-run\n    drop: Home\n",
    );
    let out = chaff_in(&dir.0, &["test", "e.rules"], b"");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let heads: Vec<&str> = text.lines().filter(|l| l.starts_with("e.rules:")).collect();
    assert_eq!(
        heads,
        vec![
            // Each failed `drop:` example says why the rule did not match it.
            "e.rules:3:5: error: `drop:` example is not dropped by this rule (`e/photo-1-20`): the regex does not match the normalized line `photo by ap`",
            "e.rules:4:5: error: `keep:` example is dropped by rule `e/share-this` (e.rules:5)",
            "e.rules:6:24: error: the rule does not drop its own phrase",
            "e.rules:8:5: error: `drop:` example is not dropped by this rule (`e/follow-us`): normalized, the line is `follow us!`, not the phrase `follow us`",
            "e.rules:10:5: error: `drop:` example is not dropped by this rule (`e/follow`): the line has 16 characters once normalized, more than `max-chars=9`",
        ]
    );
    // The example under the context rule is not run (`check` warns about it).
    assert!(text.ends_with("examples of 6 rules: 4 passed, 5 failed\n"), "{text}");
}

/// A page example is a small document cleaned by the whole rule set; a failure names the first
/// line that went otherwise and the rule that dropped it.
#[test]
fn test_runs_page_examples_on_the_whole_rule_set() {
    let dir = TempDir::new("test-pages");
    let prose = "The council met on Tuesday to discuss the new budget for the coming year, and it passed.";
    dir.write(
        "p.rules",
        format!(
            "cut line Leave a Reply\n    page:\n    | {prose}\n    | Leave a Reply\n    | Your email address will not be published.\n    kept:\n    | {prose}\n    | Your email address will not be published.\n\
             drop line Share this:\n    page:\n    | {prose}\n    | Share this:\n    | Facebook\n    kept:\n    | {prose}\n    | Facebook\n\
             drop line Follow us\n    page:\n    | Follow us\n    | {prose}\n    kept:\n    | {prose}\n    | Follow us\n"
        )
        .as_bytes(),
    );
    let out = chaff_in(&dir.0, &["test", "p.rules"], b"");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let heads: Vec<&str> = text.lines().filter(|l| l.starts_with("p.rules:")).collect();
    // The first two pass: this near the top the cut is guarded and drops its own line only, as
    // the `kept:` block says. The third lists its `kept:` lines out of the page's order: the
    // error points at the `kept:` line that is out of order.
    assert_eq!(
        heads,
        vec!["p.rules:23:5: error: page example: the `kept:` line `Follow us` is not a line of the page, in order"],
        "{text}"
    );
    assert!(text.ends_with("examples of 3 rules: 5 passed, 1 failed\n"), "{text}");
    // With the wrong `kept:` block, the first line that went otherwise and the rule.
    dir.write("q.rules", format!("cut line Leave a Reply\n    page:\n    | {prose}\n    | Leave a Reply\n    | More text.\n    kept:\n    | {prose}\n").as_bytes());
    let out = chaff_in(&dir.0, &["test", "q.rules"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    // Each points at the page line that went otherwise.
    assert!(text.starts_with("q.rules:5:5: error: page example: page line 3 (`More text.`) is kept, but `kept:` leaves it out\n"), "{text}");
    dir.write("r.rules", format!("drop line Share this:\n    page:\n    | {prose}\n    | Share this:\n    kept:\n    | {prose}\n    | Share this:\n").as_bytes());
    // A line the page holds twice, kept the second time: what was kept is compared, in order.
    dir.write(
        "d.rules",
        format!("drop line Share this:\n    page:\n    | Council backs the budget\n    | Share this:\n    | Council backs the budget\n    | {prose}\n    kept:\n    | Council backs the budget\n    | {prose}\n").as_bytes(),
    );
    let out = chaff_in(&dir.0, &["test", "--rules", "d.rules"], b"");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let out = chaff_in(&dir.0, &["test", "r.rules"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("r.rules:4:5: error: page example: page line 2 (`Share this:`) is dropped by rule `r/share-this` (r.rules:1), but `kept:` keeps it\n"), "{text}");
}

#[test]
fn test_tries_after_words_rules_as_if_the_article_had_begun() {
    let dir = TempDir::new("test-after-words");
    dir.write(
        "w.rules",
        b"drop[after-words=150, max-chars=40] line About the writer\n    drop: About the writer\n\
          drop[after-words=150] prefix Related\n    drop: Related posts\n    keep: Related reading on the talks\n\
          drop[after-words=5]line Sponsored post\n    drop: Sponsored post\n",
    );
    let out = chaff_in(&dir.0, &["test", "w.rules"], b"");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let heads: Vec<&str> = text.lines().filter(|l| l.starts_with("w.rules:")).collect();
    // The drops act on their examples and phrases; the keep example would go once the article
    // has begun, and is reported.
    assert_eq!(heads, vec!["w.rules:5:5: error: `keep:` example is dropped by rule `w/related` (w.rules:3)"], "{text}");
    // Options written without a space before the mode (`drop[after-words=5]line`) too.
    assert!(text.ends_with("examples of 3 rules: 6 passed, 1 failed\n"), "{text}");
}

/// An example indented with white space beyond ASCII (a no-break or an ideographic space) is
/// reported at its column in characters, as every other location is.
#[test]
fn examples_indented_with_wide_spaces_are_placed_by_characters() {
    let dir = TempDir::new("wide-indent");
    dir.write("nb.rules", "pack nb\ndrop line foo bar\n\u{a0}\u{a0}keep: foo bar\n\u{3000}drop: bar\n".as_bytes());
    dir.write("nc.rules", "pack nc\ndrop context menu-run\n\u{3000}\u{3000}drop: zzz\n".as_bytes());
    let out = chaff_in(&dir.0, &["test", "nb.rules"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    let heads: Vec<&str> = text.lines().filter(|l| l.starts_with("nb.rules:")).map(|l| &l[..l.find(": ").unwrap_or(0)]).collect();
    assert_eq!(heads, ["nb.rules:3:3", "nb.rules:4:2"], "{text}");
    let out = chaff_in(&dir.0, &["check", "--no-default-rules", "nc.rules"], b"");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("nc.rules:3:3: warning: "), "{}", String::from_utf8_lossy(&out.stdout));
}

/// Control characters of a rule file reach no terminal raw: messages, hints and listings show
/// their pictures, as the source lines under findings do.
#[test]
fn control_characters_of_rule_files_are_shown_not_sent() {
    let dir = TempDir::new("rule-controls");
    dir.write("cc.rules", b"pack cc\ndrop context \x1b]0;title\x07\n");
    dir.write("cd.rules", b"pack cd\ndrop line foo\x1b[31mbar\n    drop: x\x1b]0;t\x07y\n");
    dir.write("cg.rules", b"pack cg\ndrop prefix Lead\x1b]0;T\x07 text\n    drop: Lead\x1b]0;T\x07 text\n");
    let runs: [&[&str]; 5] = [
        &["check", "--no-default-rules", "cc.rules"],
        &["check", "--gates", "--no-default-rules", "cg.rules"],
        &["test", "cd.rules"],
        &["rules", "--no-default-rules", "--rules", "cd.rules", "--list"],
        &["rules", "--no-default-rules", "--rules", "cd.rules", "--match", "foo\x1b[31mbar"],
    ];
    for args in runs {
        let out = chaff_in(&dir.0, args, b"");
        let all = [&out.stdout[..], &out.stderr[..]].concat();
        assert!(!all.contains(&0x1b) && !all.contains(&0x07), "{args:?}: {}", String::from_utf8_lossy(&all));
        assert!(String::from_utf8_lossy(&all).contains('\u{241b}'), "{args:?}");
    }
    // Names of files too: in the counts, explain's rule references and headers, and messages.
    dir.write("r\x1b]0;t\x07.rules", b"drop line Share this article\n");
    dir.write("doc.txt", b"Text here.\nShare this article\n");
    let named: [&[&str]; 4] = [
        &["--rules", "r\x1b]0;t\x07.rules", "--stats=text", "doc.txt"],
        &["explain", "--no-default-rules", "--rules", "r\x1b]0;t\x07.rules", "doc.txt", "doc.txt"],
        &["no\x1b[2Jfile"],
        &["--rules", "no\x1b[2J.rules", "doc.txt"],
    ];
    for args in named {
        let out = chaff_in(&dir.0, args, b"");
        let all = [&out.stdout[..], &out.stderr[..]].concat();
        assert!(!all.contains(&0x1b) && !all.contains(&0x07), "{args:?}: {}", String::from_utf8_lossy(&all));
        assert!(String::from_utf8_lossy(&all).contains('\u{241b}'), "{args:?}: {}", String::from_utf8_lossy(&all));
    }
}

/// A pack left out with `--disable` is not compiled: none of its errors, of syntax or of its
/// regexes, stops the others; named, it does.
#[test]
fn a_disabled_pack_does_not_count_its_errors() {
    let dir = TempDir::new("disabled-errors");
    dir.write("wip.rules", b"pack wip\ndorp line x\ndrop regex ^(unclosed\ndrop[max-words=3] line y\n");
    dir.write("ok.rules", b"pack ok\ndrop line Share this:\n");
    let page: &[u8] = b"An article line.\nShare this:\n";
    let broken = chaff_in(&dir.0, &["--no-default-rules", "--rules", "wip.rules", "--rules", "ok.rules"], page);
    assert_eq!(broken.status.code(), Some(78));
    let err = String::from_utf8_lossy(&broken.stderr);
    assert!(err.contains("wip.rules:2:1: error") && err.contains("wip.rules:3:") && err.contains("wip.rules:4:"), "{err}");
    let out = chaff_in(&dir.0, &["--no-default-rules", "--rules", "wip.rules", "--rules", "ok.rules", "--disable", "wip"], page);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.stdout, b"An article line.\n");
    let checked = chaff_in(&dir.0, &["check", "--no-default-rules", "--rules", "wip.rules", "--rules", "ok.rules", "--disable", "wip"], b"");
    assert_eq!(checked.status.code(), Some(0), "{}", String::from_utf8_lossy(&checked.stdout));
    // Bytes that are not UTF-8 are an error of the file too.
    dir.write("wip.rules", b"pack wip\ndrop line caf\xe9\n");
    let out = chaff_in(&dir.0, &["--no-default-rules", "--rules", "wip.rules", "--rules", "ok.rules", "--disable", "wip"], page);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    // Two files of one name are an error in any run, but the left-out one's own errors are not
    // reported.
    dir.write("wip2.rules", b"pack wip\ndrop regex ^(unclosed\n");
    let out = chaff_in(&dir.0, &["--no-default-rules", "--rules", "wip.rules", "--rules", "wip2.rules", "--rules", "ok.rules", "--disable", "wip"], page);
    assert_eq!(out.status.code(), Some(78));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("wip2.rules:1:1: error: pack `wip` is already the name") && !err.contains("unclosed") && !err.contains("UTF-8"), "{err}");
}

#[test]
fn shipped_rule_examples_pass() {
    let set = chaff::RuleSet::embedded().expect("shipped rules compile");
    let report = chaff::rules::lint::run_examples(&set);
    let failures: Vec<String> = report.failures.iter().map(|f| f.to_string()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(report.passed >= set.rules().len());
}

#[test]
fn explain_agrees_with_clean_on_the_seeds() {
    for entry in std::fs::read_dir(fixture("seeds/input")).expect("seeds") {
        let path = entry.expect("entry").path();
        let input = std::fs::read(&path).expect("seed");
        let clean = chaff(&[], &input);
        let explain = chaff(&["explain", "--color", "never"], &input);
        assert!(explain.status.success());
        let want: Vec<String> = String::from_utf8_lossy(&clean.stdout).lines().map(str::to_string).collect();
        assert_eq!(crate::util::explain_written(&String::from_utf8_lossy(&explain.stdout)), want, "{}", path.display());
    }
}

#[test]
fn explain_names_the_rule_and_the_cut() {
    let input = std::fs::read(fixture("seeds/input/000_1442d9dcadd45dab.txt")).expect("seed");
    let out = chaff(&["explain", "--dropped-only", "--color", "never"], &input);
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 9, "{text}");
    // First, where `page-head` found the article, and why there.
    assert!(lines[0].starts_with("       page-head rules/context.rules:"), "{text}");
    // The headline (line 3) ends no sentence and the paragraph after it begins in a capital:
    // the article begins at the paragraph, and the headline is one of the two lines kept above.
    assert!(lines[0].contains(": the article begins at line 7 (a prose line)"), "{text}");
    let lines = &lines[1..];
    // The rule's place is the line of `rules/junk.rules` that holds it.
    let junk = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/junk.rules")).expect("junk.rules");
    let at = junk.lines().position(|l| l.starts_with("drop[id=junk-quotes-only")).expect("the rule") + 1;
    assert_eq!(lines[0], format!("     1 - \" \"  [drop junk-quotes-only rules/junk.rules:{at}]"), "{text}");
    assert!(lines[1].starts_with("     5 - 0 99  [drop "), "{text}");
    assert!(lines[1].contains(" rules/junk.rules:"), "{text}");
    // The author box heading comes after more than 150 words of prose: it cuts.
    assert!(lines[2].starts_with("    34 - About Author  [cut bylines/about-author rules/bylines.rules:"), "{text}");
    assert!(lines[2].ends_with(": drops the rest of the document]"), "{text}");
    assert_eq!(lines[3], "    36 - Leave a Reply  [cut from line 34]");
    assert_eq!(lines[4], "    38 - Your email address will not be published. Required fields are marked *  [cut from line 34]");
    assert!(lines[6].starts_with("       cut at line 34 by bylines/about-author "), "{text}");
    // Blank lines are not counted as dropped: the cut says how many it took.
    assert!(lines[6].ends_with(" took lines 34-40 (7 lines, 3 of them blank)"), "{text}");
    assert_eq!(lines[7], "       6 of 40 lines dropped");
}

#[test]
fn explain_says_when_the_article_begins_at_a_narrow_wrapped_paragraph() {
    let input = "Sign in (free)\nSubscribe (free)\nSearch (site)\nHome (front page)\nA headline\nBiegun said that if the Russian\nleadership continues down this\npath, it risks turning the\n";
    let out = chaff(&["explain", "--dropped-only", "--color", "never"], input.as_bytes());
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text.lines().next().unwrap_or_default();
    assert!(
        first.ends_with(": the article begins at line 6 (the first of two lines of a wrapped paragraph: 30 bytes or more each, the second going on in lowercase); the lines above it are dropped, except up to 2 worded lines just above it"),
        "{text}"
    );
    assert!(text.contains("     1 - Sign in (free)  [drop page-head rules/context.rules:"), "{text}");
    assert!(text.contains("     3 - Search (site)  [drop page-head rules/context.rules:"), "{text}");
    assert!(!text.contains("     4 - "), "{text}");
}

/// Headlines in sentence case are wide lines in a row too, but none ends like a sentence or
/// goes on in lowercase: the article begins at its own paragraphs, and the list above it goes.
#[test]
fn a_list_of_headlines_in_sentence_case_does_not_begin_the_article() {
    let input = "Menu\nMore on:\nTwo patients diagnosed with plague in China as officials scramble\nOrigin of the plague which ravaged Europe traced to Russia\nPrairie dogs force cancellation of a camping event in Colorado\nA case of the bubonic plague was reported in China over\nthe weekend, after two people there were diagnosed with it.\n";
    let out = chaff(&["explain", "--dropped-only", "--color", "never"], input.as_bytes());
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text.lines().next().unwrap_or_default();
    assert!(first.contains(": the article begins at line 6 (the first of lines of 8 or more words in a row, one of them ending a sentence or going on in lowercase)"), "{text}");
    assert!(text.contains("     3 - Two patients diagnosed"), "{text}");
    // The two headlines just above the article are the lines it keeps there (`keep`).
    assert!(!text.contains("     4 - ") && !text.contains("     5 - "), "{text}");
    // Two wide lines of a paragraph begin it at once, the second going on in lowercase.
    let wrapped = "Menu\nThe council met on Tuesday evening to discuss the budget for\nthe coming year, and voted for it after four hours of debate\n";
    let out = chaff(&["explain", "--dropped-only", "--color", "never"], wrapped.as_bytes());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().next().unwrap_or_default().contains(": the article begins at line 2 (the first of lines"), "{text}");
}

#[test]
fn explain_says_when_the_first_line_was_a_teaser() {
    let dir = TempDir::new("explain-teaser");
    dir.write(
        "t.rules",
        b"drop[keep=1, teaser-words=30] context page-head\ndrop[max-words=3, min-run=3, chrome-before=1] context menu-run\n",
    );
    let prose = "The senior diplomat said that if the leadership continues down this path, it risks turning the people against Moscow.";
    let input = format!("Home\nNews\nSport\nWorld\nA headline\n{prose}\nSection 1\nSection 2\nSection 3\n{prose}\n");
    let out = chaff_in(&dir.0, &["explain", "--no-default-rules", "--rules", "t.rules", "--color", "never"], input.as_bytes());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("       t/page-head t.rules:1: line 6 was a teaser, not the article: a menu-like run begins at line 7, before 30 words of prose; the lines from 6 to the run are dropped\n"),
        "{text}"
    );
    assert!(text.contains(&format!("     6 - {prose}  [drop t/page-head t.rules:1]")), "{text}");
    assert!(text.contains(&format!("    10 + {prose}\n")), "{text}");
}

#[test]
fn explain_says_when_short_lines_among_descriptions_showed_a_teaser() {
    let dir = TempDir::new("explain-teaser-short");
    dir.write(
        "t.rules",
        b"drop[keep=1, teaser-words=30, teaser-short=2] context page-head\ndrop[max-words=3, min-run=3, chrome-before=1] context menu-run\n",
    );
    let prose = "The senior diplomat said that if the leadership continues down this path, it risks turning the people against Moscow.";
    let d = "A line of several words about it";
    let input = format!("Home\nNews\nSport\nWorld\nA headline\n{prose}\nSection one\n{d}\nSection two\n{d}\n{prose}\n");
    let out = chaff_in(&dir.0, &["explain", "--no-default-rules", "--rules", "t.rules", "--color", "never"], input.as_bytes());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("       t/page-head t.rules:1: line 6 was a teaser, not the article: 2 short lines came by line 9, before 30 words of prose (a menu with a line under each entry); the lines from 6 to line 9 are dropped\n"),
        "{text}"
    );
    assert!(text.contains(&format!("     8 - {d}  [drop t/page-head t.rules:1]")), "{text}");
    assert!(text.contains("     9 + Section two\n"), "{text}");
}

#[test]
fn explain_says_why_an_after_words_cut_did_not_cut() {
    let dir = TempDir::new("explain-after-words");
    dir.write("t.rules", b"cut[after-words=150] line Related Articles\n");
    let input = "Menu\nRelated Articles\nA teaser that stays.\n";
    let out = chaff_in(&dir.0, &["explain", "--no-default-rules", "--rules", "t.rules", "--color", "never"], input.as_bytes());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("     2 - Related Articles  [cut t/related-articles t.rules:1: guarded, before 150 words of prose (after-words), drops this line only]"),
        "{text}"
    );
    assert!(text.contains("     3 + A teaser that stays."), "{text}");
}

#[test]
fn explain_names_the_rule_that_waits_for_prose() {
    let dir = TempDir::new("explain-after-words-drop");
    dir.write("t.rules", b"drop[after-words=5] line About the writer\n");
    let input = "About the writer\nThe senior diplomat said the talks would go on for another week at least.\nAbout the writer\n";
    let out = chaff_in(&dir.0, &["explain", "--no-default-rules", "--rules", "t.rules", "--color", "never"], input.as_bytes());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("     1 + About the writer  [drop t/about-the-writer t.rules:1: before 5 words of prose (after-words), does not match yet]"),
        "{text}"
    );
    assert!(text.contains("     2 + The senior diplomat said the talks would go on for another week at least.\n"), "{text}");
    assert!(text.contains("     3 - About the writer  [drop t/about-the-writer t.rules:1]"), "{text}");
}

/// `page-tail` drops what follows the article's last line when it is short enough, on a page
/// that had chrome dropped (the skip links), and `explain` says where the article ends; a long
/// tail is kept, and so is the tail of clean text.
#[test]
fn page_tail_drops_a_short_tail_and_explain_says_where_the_article_ends() {
    let dir = TempDir::new("page-tail");
    dir.write("t.rules", b"drop line Skip to content\ndrop line Skip to navigation\ndrop[tail-bytes=80, page-chrome=2] context page-tail\n");
    let article = "The council met on Tuesday to discuss the new budget for the coming year.\n\
                   The proposal would raise spending on schools and roads by a tenth.\n";
    let tail = "\nRelated posts\nCouncil backs the budget\nSchools to get more money\n";
    let input = format!("Skip to content\nSkip to navigation\n{article}{tail}");
    let out = chaff_in(&dir.0, &["--no-default-rules", "--rules", "t.rules"], input.as_bytes());
    assert_eq!(String::from_utf8_lossy(&out.stdout), article);
    let out = chaff_in(&dir.0, &["explain", "--no-default-rules", "--rules", "t.rules", "--color", "never"], input.as_bytes());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "     4 + The proposal would raise spending on schools and roads by a tenth.\n       \
             t/page-tail t.rules:3: the article ends at line 4; the lines after it hold at most 80 bytes and are dropped\n"
        ),
        "{text}"
    );
    assert!(text.contains("     8 - Schools to get more money  [drop t/page-tail t.rules:3]"), "{text}");
    // 95 bytes from the first line after the article: more than `tail-bytes`, all kept.
    let long = format!("{article}{tail}Roads budget rises by a tenth\n");
    let out = chaff_in(&dir.0, &["--no-default-rules", "--rules", "t.rules"], format!("Skip to content\nSkip to navigation\n{long}").as_bytes());
    assert_eq!(String::from_utf8_lossy(&out.stdout), long);
    // Clean text: nothing was dropped, and the tail stays; `explain` says why.
    let clean = format!("{article}{tail}");
    let out = chaff_in(&dir.0, &["--no-default-rules", "--rules", "t.rules"], clean.as_bytes());
    assert_eq!(String::from_utf8_lossy(&out.stdout), clean);
    let out = chaff_in(&dir.0, &["explain", "--no-default-rules", "--rules", "t.rules", "--color", "never"], clean.as_bytes());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "t/page-tail t.rules:3: the article ends at line 2, but the lines after it are kept: no line of the page was \
             dropped, too little chrome to tell a page's tail from clean text's last lines\n     3   \n     4 + Related posts"
        ),
        "{text}"
    );
}

/// `explain` says when the tail of clean text is kept although `page-head` trimmed its head:
/// those lines count only once `page-drops` lines were dropped in all.
#[test]
fn explain_says_a_trimmed_head_is_no_chrome_for_the_tail() {
    let dir = TempDir::new("page-drops");
    dir.write("t.rules", b"drop[keep=1] context page-head\ndrop[page-chrome=2, page-drops=5] context page-tail\n");
    let input = "Blog\nAbout\nMarch 3\nA headline\n\
                 The council met on Tuesday to discuss the new budget for the coming year.\n\
                 - schools\n- roads\n";
    let out = chaff_in(&dir.0, &["explain", "--no-default-rules", "--rules", "t.rules", "--color", "never"], input.as_bytes());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "t/page-tail t.rules:2: the article ends at line 5, but the lines after it are kept: no line of the page was \
             dropped besides 3 lines of its head, too little chrome to tell a page's tail from clean text's last lines\n     6 + - schools"
        ),
        "{text}"
    );
}

/// `explain` names the footer line that marks the page's footer, the lines dropped after it, and
/// a footer line that came before `footer-words` words of prose.
#[test]
fn explain_names_the_footer_and_what_went_after_it() {
    let dir = TempDir::new("footer");
    dir.write("t.rules", b"footer line Copyright Example\ndrop line Privacy Policy\ndrop[footer-words=20] context page-tail\n");
    let sentence = "The council met on Tuesday to discuss the new budget for the coming year, and it passed.";
    let input = format!("Copyright Example\n{}Copyright Example\nPrivacy Policy\nAbout us\n", format!("{sentence}\n").repeat(6));
    let out = chaff_in(&dir.0, &["explain", "--no-default-rules", "--rules", "t.rules", "--color", "never"], input.as_bytes());
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "     1 - Copyright Example  [footer t/copyright-example t.rules:1: before 20 words of prose (footer-words), drops this line only]",
        "{text}"
    );
    assert_eq!(lines[7], "     8 - Copyright Example  [footer t/copyright-example t.rules:1: marks the page's footer]", "{text}");
    assert_eq!(lines[8], "     9 - Privacy Policy  [drop t/privacy-policy t.rules:2]", "{text}");
    assert_eq!(lines[9], "    10 - About us  [after the page's footer at line 8]", "{text}");
    assert_eq!(lines[10], "       footer at line 8 by t/copyright-example t.rules:1 ended the article: 1 kept line after it dropped, from line 10 on", "{text}");
    let stats = chaff_in(&dir.0, &["--no-default-rules", "--rules", "t.rules", "--stats"], input.as_bytes());
    let err = String::from_utf8_lossy(&stats.stderr);
    assert!(err.lines().any(|l| l.contains("t/copyright-example") && l.split_whitespace().next() == Some("3")), "{err}");
    // The rules of the files given that never fired are listed; the shipped ones only counted.
    dir.write("idle.rules", b"drop line Never seen here\n");
    let stats = chaff_in(&dir.0, &["--rules", "idle.rules", "--stats"], input.as_bytes());
    let err = String::from_utf8_lossy(&stats.stderr);
    let idle: Vec<&str> = err.lines().skip_while(|l| !l.starts_with("rules that never fired: ")).collect();
    assert!(idle[0].ends_with(" of them shipped, not listed here; --stats=json lists them)"), "{err}");
    assert_eq!(idle.len(), 2, "{err}");
    assert!(idle[1].trim_start().starts_with("idle/never-seen-here "), "{err}");
}

/// With `confirm`, an article line after a run of links stands alone and goes with the tail,
/// on a page that had chrome dropped (the skip links), and `explain` says so.
#[test]
fn explain_counts_the_article_lines_that_stood_alone_in_a_tail() {
    let dir = TempDir::new("page-tail-lone");
    dir.write("t.rules", b"drop line Skip to content\ndrop line Skip to navigation\ndrop[confirm=2, lone-after=3, page-chrome=2] context page-tail\n");
    let input = "Skip to content\nSkip to navigation\nThe council met on Tuesday to discuss the new budget for the coming year.\n\
                 Council backs the budget\nSchools to get more money\nRoads budget rises\n\
                 Our newsletter brings you the news of the council every week, for free.\nSubscribe\n";
    let out = chaff_in(&dir.0, &["--no-default-rules", "--rules", "t.rules"], input.as_bytes());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "The council met on Tuesday to discuss the new budget for the coming year.\n"
    );
    let out = chaff_in(&dir.0, &["explain", "--no-default-rules", "--rules", "t.rules", "--color", "never"], input.as_bytes());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "the article ends at line 3; the lines after it hold at most 8192 bytes and are dropped \
             (with an article line among them that stood alone: nothing confirmed it)"
        ),
        "{text}"
    );
    assert!(text.contains("     7 - Our newsletter brings you"), "{text}");
}

/// A short prose line among the links (a site's tagline) is not the article's first line when
/// `confirm` is set: the article begins where a second article line follows within `confirm`
/// worded lines, and `explain` says so.
#[test]
fn page_head_waits_for_a_short_prose_line_to_be_confirmed() {
    let dir = TempDir::new("page-head-confirm");
    dir.write("t.rules", b"drop[keep=0, confirm=2, lead-words=30] context page-head\n");
    dir.write("off.rules", b"drop[keep=0] context page-head\n");
    let input = "Home\nNews\nOur site brings you the best news from all over the world every day.\nAbout\nContact\nLogin\n\
                 The council met on Tuesday to discuss the new budget for the coming year.\n\
                 The proposal would raise spending on schools and roads by a tenth.\n";
    let clean = |rules: &str| chaff_in(&dir.0, &["--no-default-rules", "--rules", rules], input.as_bytes()).stdout;
    let article = "The council met on Tuesday to discuss the new budget for the coming year.\n\
                   The proposal would raise spending on schools and roads by a tenth.\n";
    assert_eq!(String::from_utf8_lossy(&clean("t.rules")), article);
    // Without `confirm`, the tagline begins the article.
    assert!(String::from_utf8_lossy(&clean("off.rules")).starts_with("Our site brings you"));
    let out = chaff_in(&dir.0, &["explain", "--no-default-rules", "--rules", "t.rules", "--color", "never"], input.as_bytes());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(
            "       t/page-head t.rules:1: the article begins at line 7 (a short prose line, confirmed by line 8); \
             the lines above it are dropped\n"
        ),
        "{text}"
    );
    // With no second article line, the first short prose line stands in.
    let alone = "Home\nNews\nOur site brings you the best news from all over the world every day.\nAbout\n";
    let out = chaff_in(&dir.0, &["explain", "--no-default-rules", "--rules", "t.rules", "--color", "never"], alone.as_bytes());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("the article begins at line 3 (the first short prose line; none was confirmed)"), "{text}");
    assert!(text.contains("     1 - Home  [drop t/page-head t.rules:1]"), "{text}");
    assert!(text.contains("     4 + About"), "{text}");
    // Nothing like an article line: nothing dropped, and `explain` says why.
    let out = chaff_in(&dir.0, &["explain", "--no-default-rules", "--rules", "t.rules", "--color", "never"], b"Home\nNews\n");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("       t/page-head t.rules:1: no article line "), "{text}");
    assert!(text.contains("     1 + Home"), "{text}");
}

#[test]
fn explain_colour_follows_flag() {
    let out = chaff(&["explain", "--color", "always"], b"Share this:\nText\n");
    assert!(String::from_utf8_lossy(&out.stdout).contains("\x1b[31m- "));
    let out = chaff(&["explain"], b"Share this:\nText\n");
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\x1b'), "no colour in a pipe");
}

#[test]
fn stats_json_counts_per_rule() {
    let dir = TempDir::new("stats");
    dir.write("s.rules", b"drop line Share this:\ndrop line Never seen\n");
    let out = chaff_in(&dir.0, &["--no-default-rules", "--rules", "s.rules", "--stats=json"], b"a\nShare this:\nb\nShare this:\n");
    assert!(out.status.success());
    assert_eq!(out.stdout, b"a\nb\n");
    let v: serde_json::Value = serde_json::from_slice(&out.stderr).expect("JSON stats on stderr");
    assert_eq!(v["documents"], 1);
    assert_eq!(v["lines_in"], 4);
    assert_eq!(v["lines_out"], 2);
    assert_eq!(v["bytes_in"], 28);
    assert_eq!(v["bytes_out"], 4);
    assert_eq!(v["dropped_by_rule"][0]["rule"], "s/share-this");
    assert_eq!(v["dropped_by_rule"][0]["lines"], 2);
    assert_eq!(v["never_fired"][0]["rule"], "s/never-seen");
}

#[test]
fn explain_names_the_rules_of_seeds_001_and_002() {
    let input = std::fs::read(fixture("seeds/input/001_9f7ce0b6b1c71d3c.txt")).expect("seed");
    let text = String::from_utf8_lossy(&chaff(&["explain", "--dropped-only"], &input).stdout).into_owned();
    let text = text.split_once('\n').map_or("", |(note, rest)| {
        assert!(note.contains("page-head rules/context.rules:"), "{note}");
        // An article from the first line on has nothing above it to keep or drop.
        assert!(note.ends_with(": the article begins at line 1 (a prose line): nothing stands above it"), "{note}");
        rest
    });
    assert!(text.starts_with("     4 - Photo: AP  [drop captions-label rules/captions.rules:"), "{text}");
    assert!(text.ends_with("       1 of 18 lines dropped\n"), "{text}");

    let input = std::fs::read(fixture("seeds/input/002_ae7dbf5f6eedc440.txt")).expect("seed");
    let text = String::from_utf8_lossy(&chaff(&["explain", "--dropped-only"], &input).stdout).into_owned();
    let lines: Vec<&str> = text.lines().skip(1).collect();
    assert!(lines[0].starts_with("     3 - September 11, 2020 15:56 GMT UPDATED"), "{text}");
    assert!(lines[0].contains("[drop bylines-dateline-time rules/bylines.rules:"), "{text}");
    let thread: Vec<&&str> = lines.iter().filter(|l| l.contains("[thread ct-en-liked-by rules/comment-thread.rules:")).collect();
    assert_eq!(thread.len(), 11, "every non-blank line of the comment thread, {text}");
    assert!(thread[0].starts_with("    54 -   • "), "the thread starts at its first bullet, {text}");
    assert!(lines.iter().any(|l| l.starts_with("    76 - Leave a Reply  [cut comment-form/leave-a-reply ")), "{text}");
    assert!(text.contains("       cut at line 76 by comment-form/leave-a-reply rules/comment-form.rules:19 took lines 76-98 (23 lines, 11 of them blank)\n"), "{text}");
}

#[test]
fn check_gates_lists_what_opens_each_rule() {
    let dir = TempDir::new("check-gates");
    dir.write(
        "g.rules",
        b"pack g\ndrop contains subscribe to our newsletter\ndrop prefix Share this\n\
          drop[id=says] regex ^(?:[*-]|[0-9]+\\.) .+ says:$\n\
          drop[id=count, max-chars=80] regex ^[0-9]+ (?:comments|responses) on\n",
    );
    let out = chaff_in(&dir.0, &["check", "--gates", "g.rules"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\nanchor word \"newsletter\": g/subscribe-to-our-newsletter\n"), "{text}");
    assert!(text.contains("\nanchor word \"comments\" (only in lines that begin like its rules): count\n"), "{text}");
    assert!(text.contains("\nleading text \"share this\": g/share-this\n"), "{text}");
    assert!(text.contains("\nending \"says:\": says\n"), "{text}");
    assert!(text.contains("gates: 1 by leading text, 1 by their ending, 2 by an anchor word"), "{text}");
    // A leading text cut inside a character of another script shows the cut bytes escaped.
    let out = chaff(&["check", "--gates"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains('\u{fffd}'), "no replacement characters");
    assert!(text.lines().any(|l| l.starts_with("leading text \"(\u{418}\u{437}\u{43c}\u{435}\u{43d}\\xd0\": ")), "{text}");
}

/// Rule folders: an entry named `*.rules` that cannot be read is an error, not skipped; and
/// leaving out the shipped rules with nothing in their place is a usage error.
#[test]
fn rule_folders_report_what_they_cannot_read_and_some_rules_are_needed() {
    let dir = TempDir::new("rules-folder");
    dir.write("d/ok.rules", b"drop line Foo bar baz\n");
    std::os::unix::fs::symlink("/nonexistent-target", dir.0.join("d/broken.rules")).expect("symlink");
    let out = chaff_in(&dir.0, &["check", "d"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "chaff: error: cannot read d/broken.rules: No such file or directory (os error 2)\n");
    for args in [&["--no-default-rules"][..], &["check", "--no-default-rules"], &["test", "--no-default-rules"]] {
        let out = chaff_in(&dir.0, args, b"text\n");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "chaff: error: --no-default-rules leaves no rules: give your own with --rules FILE or --rules FOLDER\n",
            "{args:?}"
        );
    }
}

#[test]
fn check_gates_lists_the_windows_of_the_block_search() {
    let dir = TempDir::new("check-gates-windows");
    dir.write("w.rules", b"pack w\ndrop contains Todos los derechos reservados\ndrop contains Tutti i diritti riservati\ndrop contains newsletter\n");
    let out = chaff_in(&dir.0, &["check", "--gates", "w.rules"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    // One window serves both words that hold it: the fewer windows, the faster every line.
    assert!(text.contains("\nblock search: 2 windows of the anchor words above, looked for in every line, and 0 words too short for one\n"), "{text}");
    let serv = text.lines().find(|l| l.starts_with("window \"serva\": ")).unwrap_or_else(|| panic!("{text}"));
    assert!(serv.contains("\"reservados\"") && serv.contains("\"riservati\""), "{serv}");
    assert!(text.lines().any(|l| l.starts_with("window \"") && l.ends_with(": \"newsletter\"")), "{text}");
}

/// Phrases that share their first 12 bytes with more than 8 others open their rules by up to 24
/// bytes: a line that begins like all of them is compared with the few that begin as it does.
#[test]
fn crowded_phrases_have_longer_gates() {
    let dir = TempDir::new("check-crowded");
    let mut text = String::from("pack c\ndrop line Another phrase of its own\n");
    for i in 0..9 {
        text.push_str(&format!("drop line Phrase number {i} of a long list\n"));
    }
    dir.write("c.rules", text.as_bytes());
    let out = chaff_in(&dir.0, &["check", "--no-default-rules", "--gates", "c.rules"], b"");
    let gates = String::from_utf8_lossy(&out.stdout);
    assert!(gates.contains("leading text \"another phra\": c/another-phrase-of-its-own\n"), "{gates}");
    assert!(gates.contains("leading text \"phrase number 4 of a lon\": c/phrase-number-4-of-a-long-list\n"), "{gates}");
    assert!(!gates.contains("leading text \"phrase numbe\""), "{gates}");
    // The phrases still drop what they name, and only that.
    let out = chaff_in(&dir.0, &["--no-default-rules", "--rules", "c.rules"], b"Phrase number 4 of a long list\nPhrase number 4 of a long story\nAnother phrase of its own\n");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Phrase number 4 of a long story\n");
}

/// Anchor words too short for a window of the packed block search make the whole search an
/// automaton past a few of them: `check` names the rules that look for them in every line, and
/// not a narrow rule (one that begins with a digit) that shares a word with them.
#[test]
fn check_warns_of_short_anchor_words_that_slow_the_block_search() {
    let dir = TempDir::new("check-short-words");
    let slow = "drop[id=slow, max-chars=60] regex ^(?:[*•-] )?(?:jan|feb|mar|apr|may)[a-z]* [0-9]{1,2}, [0-9]{4}$\n    drop: May 5, 2020\n    keep: May 5, 2020 was a Tuesday.\n";
    let narrow = "drop[id=narrow, max-chars=60] regex ^[0-9]{1,2} (?:jan|may)[a-z]* in [a-z]+$\n    drop: 5 May in Paris\n    keep: 5 May 2020\n";
    dir.write("s.rules", format!("pack s\n{slow}{narrow}").as_bytes());
    let out = chaff_in(&dir.0, &["check", "--no-default-rules", "--deny-warnings", "s.rules"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let warnings: Vec<&str> = text.lines().filter(|l| l.contains(": warning: ")).collect();
    assert_eq!(warnings.len(), 1, "{text}");
    assert!(warnings[0].starts_with("s.rules:2:"), "{text}");
    assert!(warnings[0].contains("`apr`, `feb`, `jan`, `mar`, `may`") && warnings[0].contains("with 5 such words"), "{text}");
    // Four short words are searched for one by one, and the packed search stays.
    dir.write("f.rules", slow.replace("|may)", ")").replace("May 5", "Mar 5").as_bytes());
    let out = chaff_in(&dir.0, &["check", "--no-default-rules", "--deny-warnings", "f.rules"], b"");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}

/// `explain` says why `menu-run` dropped a run: where it begins, how many short lines it
/// reached, and which length counted (after page chrome, or without any).
#[test]
fn explain_says_where_a_menu_begins_and_what_made_it_one() {
    let dir = TempDir::new("explain-menu");
    dir.write("m.rules", b"drop line Skip to content\ndrop[min-run=3, chrome-before=1, long-run=5] context menu-run\n");
    let article = "The council met on Tuesday to discuss the new budget for the coming year.\n";
    let menu = "Home\nNews\nSport\nWeather\n";
    for (top, first, short, needs) in [
        ("Skip to content\n", 2, 3, "the 3 a run needs after page chrome (1 or more lines dropped before it)"),
        ("", 1, 5, "the 5 a run needs where no page chrome came before it"),
    ] {
        let input = format!("{top}{menu}Contact\n{article}");
        let out = chaff_in(&dir.0, &["explain", "--no-default-rules", "--rules", "m.rules"], input.as_bytes());
        let text = String::from_utf8_lossy(&out.stdout);
        let want = format!(
            "       m/menu-run m.rules:2: a menu from line {first}: {short} short lines (1 to 6 words, no sentence ending; lines other rules dropped count too), {needs}; its worded lines are dropped until a longer line ends it"
        );
        assert!(text.lines().any(|l| l == want), "{text}");
        assert_eq!(text.lines().filter(|l| l.contains(" - ") && l.contains("[drop m/menu-run m.rules:2]")).count(), 5, "{text}");
    }
}

/// `chaff rules --list` lists every rule of the packs named (or of all), as text or JSON;
/// `--match` finds every rule that matches a line, the one that acts first.
#[test]
fn rules_lists_rules_and_finds_those_that_match_a_line() {
    let packs: serde_json::Value = serde_json::from_slice(&chaff(&["rules", "--format", "json"], b"").stdout).unwrap();
    let total: u64 = packs.as_array().unwrap().iter().map(|p| p["rules"].as_u64().unwrap()).sum();
    let all: serde_json::Value = serde_json::from_slice(&chaff(&["rules", "--list", "--format", "json"], b"").stdout).unwrap();
    let all = all.as_array().unwrap();
    assert_eq!(all.len() as u64, total, "every rule of every pack");
    for r in all {
        let pack = r["pack"].as_str().unwrap();
        assert!(r["location"].as_str().unwrap().starts_with(&format!("rules/{pack}.rules:")), "{r}");
        assert!(r["source"].as_str().unwrap().contains(r["phrase"].as_str().unwrap()), "{r}");
    }
    let out = chaff(&["rules", "--list", "context"], b"");
    let text = String::from_utf8(out.stdout).unwrap();
    let ids: Vec<&str> = text.lines().map(|l| l.split_whitespace().nth(1).unwrap()).collect();
    assert_eq!(ids, ["page-head", "menu-run", "page-tail"], "{text}");

    let dir = TempDir::new("rules-match");
    dir.write(
        "mine.rules",
        b"pack mine\ndrop prefix Comments\ncut line Comments (3)\ndrop[after-words=50] contains (3)\ndrop line Other\n",
    );
    let out = chaff_in(&dir.0, &["rules", "--no-default-rules", "--rules", "mine.rules", "--match", "Comments (3)", "--match", "Nothing"], b"");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "\"Comments (3)\": 3 rules", "{text}");
    assert!(lines[1].contains("mine.rules:3  mine/comments-3  cut line Comments (3)  (acts)"), "the cut outranks the drops: {text}");
    assert!(lines[2].contains("mine.rules:2") && !lines[2].contains("(acts)"), "{text}");
    assert!(lines[3].contains("mine.rules:4") && lines[3].ends_with("(only after 50 words of prose)"), "{text}");
    assert_eq!(lines[4], "\"Nothing\": no rule matches it");
    // The rule that acts is the one a run would use, whichever packs are shown; a line may begin
    // with a dash; JSON marks the acting rule.
    dir.write("wait.rules", b"pack wait\ndrop[after-words=50] line - Share\ndrop prefix - Sh\n");
    let out = chaff_in(&dir.0, &["rules", "--no-default-rules", "--rules", "mine.rules", "--rules", "wait.rules", "--match", "- Share", "--match", "Comments (3)", "wait"], b"");
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "\"- Share\": 2 rules", "{text}");
    assert!(lines[1].contains("wait.rules:2") && lines[1].ends_with("(only after 50 words of prose)"), "{text}");
    assert!(lines[2].contains("wait.rules:3") && lines[2].ends_with("(acts)"), "the first rule that does not wait acts: {text}");
    assert!(lines[3].starts_with("\"Comments (3)\": no rule of these packs matches it (mine/comments-3 acts"), "{text}");
    let out = chaff_in(&dir.0, &["rules", "--no-default-rules", "--rules", "wait.rules", "--match", "- Share", "--format", "json"], b"");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["acting"], "wait/sh");
    let acts: Vec<bool> = v[0]["rules"].as_array().unwrap().iter().map(|r| r["acts"].as_bool().unwrap()).collect();
    assert_eq!(acts, [false, true]);
    let out = chaff(&["rules", "--match", "two\nlines"], b"");
    assert_eq!(out.status.code(), Some(2), "a line break is not a line");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--match \"two\\nlines\" holds a line break"), "{}", String::from_utf8_lossy(&out.stderr));
    // A line pasted with its ending is the line.
    let out = chaff(&["rules", "--match", "Leave a Reply\r\n"], b"");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("\"Leave a Reply\": 1 rule\n"), "{}", String::from_utf8_lossy(&out.stdout));
    // Packs are checked by name, and naming one needs --list or --match.
    let out = chaff(&["rules", "--list", "no-such-pack"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no pack named `no-such-pack`"));
    assert_eq!(chaff(&["rules", "bylines"], b"").status.code(), Some(2));
}
