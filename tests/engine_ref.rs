//! The streaming engine against the reference cleaner, through every path the buffer can take:
//! initial buffer sizes of 1 byte, 7 bytes and 64 KiB, reads of 1, 3 and unlimited bytes, line
//! caps that turn some lines into over-long ones, and inputs several times the buffer size.

use std::io::Read;

use chaff::engine::{Engine, Options, Scratch, matcher};
use chaff::rules::Action;
use chaff::output::CleanSink;
use chaff::RuleSet;

use crate::reference;
use crate::util::{assert_bytes_eq, fixture};

/// A reader that hands out at most `n` bytes per read.
pub struct Chunked<'a> {
    pub data: &'a [u8],
    pub n: usize,
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.n.min(buf.len()).min(self.data.len());
        buf[..k].copy_from_slice(&self.data[..k]);
        self.data = &self.data[k..];
        Ok(k)
    }
}

pub fn run_engine(rules: &RuleSet, input: &[u8], capacity: usize, read: usize, max_line: usize) -> Vec<u8> {
    let mut sink = CleanSink::new(Vec::new());
    let mut engine = Engine::new(rules, Options { buffer_capacity: capacity, max_line_bytes: max_line });
    let mut reader = Chunked { data: input, n: read };
    engine.run(&mut reader, "-", &mut sink).expect("in-memory I/O cannot fail");
    sink.into_inner()
}

pub fn test_rules() -> RuleSet {
    let mut b = chaff::rules::RuleSetBuilder::new();
    b.add_path(&fixture("rules/all-kinds.rules")).expect("fixture rules");
    b.build().expect("fixture rules compile")
}

/// Each document on every path against the reference, and what it becomes on one of them.
fn check_cases(rules: &RuleSet, cases: &[(String, String)], what: &str) {
    for (i, (doc, want)) in cases.iter().enumerate() {
        check_all_paths(rules, doc.as_bytes(), &format!("{what} {i}"));
        let out = String::from_utf8(run_engine(rules, doc.as_bytes(), 4096, usize::MAX, usize::MAX >> 1)).expect("utf-8");
        assert_eq!(&out, want, "{what} {i}");
    }
}

/// Checks one document on every path against the reference.
pub fn check_all_paths(rules: &RuleSet, input: &[u8], what: &str) {
    for max_line in [usize::MAX >> 1, 64, 16] {
        let want = reference::clean(rules, input, max_line);
        for capacity in [1, 7, 64 * 1024] {
            for read in [1, 3, usize::MAX] {
                let got = run_engine(rules, input, capacity, read, max_line);
                assert_bytes_eq(&want, &got, &format!("{what} (capacity {capacity}, reads of {read}, max line {max_line})"));
            }
        }
    }
}

const ARTICLE: &str = "The senior diplomat said that if the leadership continues down this path, it risks turning the people against Moscow.";

fn cases() -> Vec<(&'static str, Vec<u8>)> {
    let a = ARTICLE;
    let v = |s: String| s.into_bytes();
    vec![
        ("empty", v(String::new())),
        ("only blank lines", v("\n \n\t\n".into())),
        ("nothing to drop, no final newline", v(format!("{a}\n\n{a}"))),
        ("drop with blank runs", v(format!("{a}\n\nShare this:\n\n\n{a}\n"))),
        ("leading drop removes leading blanks", v(format!("\n\nShare this:\n\n{a}\n"))),
        ("trailing drop removes trailing blanks", v(format!("{a}\n\nShare this:\n\n"))),
        ("crlf", v(format!("{a}\r\n\r\nShare this:\r\n\r\n{a}\r\n"))),
        // Lines of exactly the 16-byte cap of `check_all_paths` before their `\r\n`: not over it.
        ("crlf at the cap", v(format!("A\r\n\r\nShare this:     \r\n{}\r\n\r\n{a}\r\n", " ".repeat(16)))),
        ("guarded cut near the top", v(format!("Leave a Reply\n{a}\n{a}\n"))),
        ("cut after enough text", v(format!("{a}\n{a}\n{a}\n{a}\n{a}\n\nLeave a Reply\n\n{a}\nName\n"))),
        (
            "thread of bulleted comments",
            v(format!("{a}\n{a}\n\n\n  • Someone\n\n    A comment.\n\n    Liked by 1 person\n\n  • Other\n\n    Liked by 3 people\n\n{a}\n")),
        ),
        ("unindented anchor drops itself", v(format!("{a}\nLiked by 2 people\n{a}\n"))),
        ("indented run without bullets", v(format!("{a}\n   indented text\n   more\n   Reply\n{a}\n"))),
        ("normalization", v(format!("{a}\n  SHARE\u{a0}THIS:  \n\u{201c}quoted\u{201d}   chrome\n{a}\n"))),
        ("prefix and contains", v(format!("{a}\nYou are commenting using your Google account. Log\u{a0}Out\u{a0}/\u{a0} Change\u{a0})\n{a} Log Out / Change ) here\n"))),
        ("max-chars", v(format!("Copyright 2020 X. All rights reserved.\n{a} All rights reserved, said the owner of the very long line.\n"))),
        ("regexes", v(format!("Photo: AP\n{a} Subscribe now!\n12 comments\n{a}\n"))),
        ("invalid utf-8 and nul", v(format!("{a}\n\u{0}\u{0}\nShare this:\n")).into_iter().chain(b"\xff\xfe broken\n".iter().copied()).collect()),
        ("long lines", v(format!("{a}{a}{a}\nShare this:\n{a}{a} Log Out / Change )\n"))),
        ("after-words: menus only before", v(format!("{}Related articles\n{a}\n", "Heading without a full stop\n".repeat(30)))),
        ("after-words: prose before", v(format!("{}{a}\nRelated articles\n{a}\n", "Heading without a full stop\n".repeat(30)))),
    ]
}

#[test]
fn handwritten_documents() {
    let rules = test_rules();
    for (name, input) in cases() {
        check_all_paths(&rules, &input, name);
    }
}

#[test]
fn after_words_holds_a_cut_back_until_prose_came_before_it() {
    let rules = RuleSet::from_sources(&[("t.rules", "cut[after-words=19] line Related articles\n")]).expect("rules");
    let menu = "Heading without a full stop\n".repeat(30);
    let tail = format!("Related articles\n{ARTICLE} (teaser)\n");
    // 800 bytes of unmatched text but no prose: the cut drops only its own line.
    let out = run_engine(&rules, format!("{menu}{tail}").as_bytes(), 4096, usize::MAX, usize::MAX >> 1);
    let out = String::from_utf8(out).expect("utf-8");
    assert!(!out.contains("Related articles") && out.contains("(teaser)"), "{out}");
    // One prose line of 19 words meets after-words=19: the rest of the document goes.
    let out = run_engine(&rules, format!("{menu}{ARTICLE}\n{tail}").as_bytes(), 4096, usize::MAX, usize::MAX >> 1);
    let out = String::from_utf8(out).expect("utf-8");
    assert!(out.contains(ARTICLE) && !out.contains("(teaser)"), "{out}");
}

#[test]
fn after_words_holds_other_rules_back_until_prose_came_before_them() {
    // A drop that waits for 19 words of prose, and a footer for 38 that also matches; below them
    // a drop without the option, for a line that matches all three.
    let src = "drop[after-words=19] line About the writer\nfooter[after-words=38] line About the writer\n\
               drop[after-words=19] prefix About the\ndrop contains the writer too\n";
    let rules = RuleSet::from_sources(&[("t.rules", src)]).expect("rules");
    let clean = |input: String| {
        let out = run_engine(&rules, input.as_bytes(), 4096, usize::MAX, usize::MAX >> 1);
        assert_bytes_eq(&reference::clean(&rules, input.as_bytes(), usize::MAX >> 1), &out, &input);
        String::from_utf8(out).expect("utf-8")
    };
    // No prose before: nothing matches, the lines stay; a rule without the option still drops.
    let out = clean("About the writer\nAbout the team\nAbout the writer too\n".to_string());
    assert_eq!(out, "About the writer\nAbout the team\n");
    // 19 words of prose: the drops match (a line of fewer words is no prose and counts nothing).
    let out = clean(format!("Short line.\n{ARTICLE}\nAbout the writer\nAbout the team\n"));
    assert_eq!(out, format!("Short line.\n{ARTICLE}\n"));
    // 38 words: the footer matches too, and wins over the drop.
    let input = format!("{ARTICLE}\n{ARTICLE}\nAbout the writer\n");
    assert_eq!(clean(input.clone()), format!("{ARTICLE}\n{ARTICLE}\n"));
    let mut s = Scratch::default();
    let line = b"About the writer";
    assert_eq!(matcher::classify(&rules, line, &mut s, 18).hit, None);
    assert_eq!(matcher::classify(&rules, line, &mut s, 19).hit, Some((0, Action::Drop)));
    assert_eq!(matcher::classify(&rules, line, &mut s, 38).hit, Some((1, Action::Footer)));
}

#[test]
fn shipped_rules_on_seeds_all_paths() {
    let rules = RuleSet::embedded().expect("shipped rules");
    for entry in std::fs::read_dir(fixture("seeds/input")).expect("seeds") {
        let path = entry.expect("entry").path();
        let input = std::fs::read(&path).expect("seed");
        let want = reference::clean(&rules, &input, usize::MAX >> 1);
        for capacity in [1, 7, 64 * 1024] {
            for read in [1, 7, usize::MAX] {
                let got = run_engine(&rules, &input, capacity, read, usize::MAX >> 1);
                assert_bytes_eq(&want, &got, &format!("{} ({capacity}/{read})", path.display()));
            }
        }
    }
}

#[test]
fn input_larger_than_the_buffer() {
    let rules = test_rules();
    let mut input = Vec::new();
    let mut i = 0;
    while input.len() < 5 * 64 * 1024 {
        input.extend_from_slice(ARTICLE.as_bytes());
        input.extend_from_slice(format!(" {i}\n").as_bytes());
        if i % 7 == 0 {
            input.extend_from_slice(b"\nShare this:\n\n");
        }
        if i % 50 == 0 {
            input.extend_from_slice("  • A comment\n    Liked by 2 people\n".as_bytes());
        }
        i += 1;
    }
    let want = reference::clean(&rules, &input, usize::MAX >> 1);
    assert!(want.len() < input.len() && want.len() > input.len() / 2);
    for capacity in [7, 64 * 1024] {
        let got = run_engine(&rules, &input, capacity, 10_000, usize::MAX >> 1);
        assert_bytes_eq(&want, &got, &format!("large input, capacity {capacity}"));
    }
}

/// A read buffer asked for beyond the line cap is held to it: `usize::MAX` overflowed the
/// allocation, and a buffer of 1 GiB was zero-filled for lines of at most 1,000 bytes.
#[test]
fn a_buffer_larger_than_the_line_cap_is_lowered_to_it() {
    let rules = test_rules();
    let input = format!("{ARTICLE}\nShare this:\n{ARTICLE}\n");
    let want = reference::clean(&rules, input.as_bytes(), 1000);
    for capacity in [usize::MAX, 1 << 30] {
        let got = run_engine(&rules, input.as_bytes(), capacity, 100, 1000);
        assert_bytes_eq(&want, &got, &format!("capacity {capacity}"));
        // With no cap at all, the buffer starts at a size memory holds and grows.
        let got = run_engine(&rules, input.as_bytes(), capacity, 100, usize::MAX);
        assert_bytes_eq(&reference::clean(&rules, input.as_bytes(), usize::MAX >> 1), &got, &format!("capacity {capacity}, no cap"));
    }
}

#[test]
fn a_line_far_longer_than_the_cap_streams_through_unchanged() {
    let rules = test_rules();
    let mut input = b"Share this:\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 1 << 20));
    input.extend_from_slice(b"\nShare this:\nend");
    let got = run_engine(&rules, &input, 4096, usize::MAX, 1000);
    let mut want = vec![b'x'; 1 << 20];
    want.extend_from_slice(b"\nend");
    assert_eq!(got.len(), want.len());
    assert!(got == want);
}

/// An over-long line's `\r\n` split between two pieces (a buffer of 500 bytes cuts it there) is
/// still its ending, not a byte of text: a cut 499 bytes of text below the top stays held back,
/// as with `\n` and with any other buffer.
#[test]
fn a_line_ending_split_between_pieces_is_no_text() {
    let rules = chaff::RuleSet::from_sources(&[("c.rules", "cut line Leave a Reply\n".to_string())]).expect("rules");
    let lf = format!("{}\nLeave a Reply\nafter\n", "x".repeat(499));
    let crlf = lf.replace('\n', "\r\n");
    let want = run_engine(&rules, lf.as_bytes(), 65536, usize::MAX, 100);
    assert_eq!(String::from_utf8_lossy(&want), format!("{}\nafter\n", "x".repeat(499)));
    for capacity in [1, 7, 500, 501, 65536] {
        for read in [1, 3, usize::MAX] {
            let got = run_engine(&rules, crlf.as_bytes(), capacity, read, 100);
            assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want).replace('\n', "\r\n"), "capacity {capacity}, reads of {read}");
        }
    }
}

/// `page-head` with `confirm`: a short prose line waits for a second article line, which may be
/// a line over the length cap (on the paths with caps of 64 and 16 bytes); with none, the first
/// short one stands in.
#[test]
fn confirmed_page_heads_agree_with_the_reference_on_every_path() {
    let text = std::fs::read_to_string(fixture("rules/all-kinds.rules")).expect("fixture");
    let text = text.replace("drop[keep=1] context page-head", "drop[keep=1, confirm=2, lead-words=14] context page-head");
    let rules = RuleSet::from_sources(&[("confirm.rules", text)]).expect("rules");
    assert!(rules.context().head.is_some_and(|h| h.confirm == 2 && h.lead_words == 14));
    let short = "Our site brings the news of the world to you, every day.";
    let docs = [
        format!("Home\nNews\nWorld\n{short}\nAbout\n{ARTICLE}\n{ARTICLE}\n"),
        format!("Home\nNews\n{short}\nAbout\nContact\nLogin\n{short}\n{ARTICLE}\n"),
        format!("Home\nNews\n{short}\nAbout\nContact\n"),
        format!("Home\n{short}\n\n{short}\nLogin"),
    ];
    for (i, d) in docs.iter().enumerate() {
        check_all_paths(&rules, d.as_bytes(), &format!("confirmed page head {i}"));
    }
}

/// `page-tail` on every path: a tail after the last article line, one that an over-long line
/// (on the paths with caps of 64 and 16 bytes) ends or follows, one in a cut, the end of a
/// hard-wrapped paragraph, a long line, and tails at the bound and over it.
#[test]
fn page_tails_agree_with_the_reference_on_every_path() {
    let text = std::fs::read_to_string(fixture("rules/all-kinds.rules")).expect("fixture");
    let rules = RuleSet::from_sources(&[("tail.rules", format!("{text}drop[tail-bytes=300] context page-tail\n"))])
        .expect("rules");
    assert!(rules.context().tail.is_some_and(|t| (t.prose_words, t.long_bytes, t.tail_bytes) == (12, 200, 300)));
    let a = ARTICLE;
    // Wordless kept lines: held by the tail, and bytes towards its bound (100 lines of 3 bytes).
    let (at_bound, over) = ("--\n".repeat(100), "--\n".repeat(101));
    let docs = [
        format!("Home\nNews\n{a}\n\n{a}\nRelated posts\nA headline\n\nAbout us\n"),
        format!("{a}\nA headline\nAnother headline\n{a}\nA headline\n"),
        format!("{a}\nA headline that is not that short\n{a}\n{a}\n{a}\n{a}\nLeave a Reply\nName\nA headline that is not that short\n"),
        format!("{a}\nThe senior diplomat said that if the leadership continues\ndown this path, it risks it.\nMenu\n"),
        format!("{a}\nThe senior diplomat said that if the leadership continues\n- it risks it.\nMenu\n"),
        // Trimmed, 200 bytes (`long-bytes`) and 199.
        format!("{a}\n{}wordx\nMenu\n", "word ".repeat(39)),
        format!("{a}\n{}word \nMenu\n", "word ".repeat(39)),
        format!("{a}\n{}\nMenu\n", "\u{e9}t\u{e9} ".repeat(50)),
        format!("{a}\n{at_bound}"),
        format!("{a}\n{over}"),
        format!("{a}\nA headline\n\n{a}{a}\nA headline\n"),
        // A hard-wrapped last paragraph that ends in no sentence: its lines go on in lowercase.
        format!("{a}\n\nThe senior diplomat said that if the leadership\ncontinues down this path, it risks turning\nthe people against Moscow, and then\n"),
        format!("{a}\n\nThe senior diplomat said that if the leadership\nContinues down this path\n"),
        // A short sentence after an article line (blank lines between) is one; after a
        // headline it is not.
        format!("{a}\n\nThanks for reading!\n"),
        format!("{a}\nA headline\nThanks for reading!\n"),
        // Excerpts cut short are not article lines.
        format!("{a}\nRelated\nThe senior diplomat said that if the leadership continues down this path\u{2026}\nMenu\n"),
        format!("{a}\nRelated\nThe senior diplomat said that if the leadership continues down this path, it [...]\n"),
    ];
    for (i, d) in docs.iter().enumerate() {
        check_all_paths(&rules, d.as_bytes(), &format!("page tail {i}"));
    }
    // The tail of the first document is dropped; its article lines are kept, and the line
    // above them that `page-head` keeps.
    let out = String::from_utf8(run_engine(&rules, docs[0].as_bytes(), 4096, usize::MAX, usize::MAX >> 1)).expect("utf-8");
    assert_eq!(out, format!("News\n{a}\n\n{a}\n"));
}

/// `page-tail`: a headline in title case is not the first line of a hard-wrapped paragraph, so
/// a line in lowercase or a short sentence after it is no article line; after a paragraph's line
/// it is. On every path, and what each document becomes.
#[test]
fn a_headline_in_title_case_begins_no_paragraph_in_the_tail() {
    let text = std::fs::read_to_string(fixture("rules/all-kinds.rules")).expect("fixture");
    let rules = RuleSet::from_sources(&[("tail.rules", format!("{text}drop[page-chrome=2] context page-tail\n"))]).expect("rules");
    let a = ARTICLE;
    let title = "How to Choose the Right Agency for Your Growing Business";
    let plain = "The senior diplomat said that if the leadership continues";
    // Two lines of chrome first: page-tail drops a tail only on a page that had two dropped.
    let c = "Share this:\nShare this:";
    let cases = [
        (format!("{c}\n{a}\n{title}\nvox.com Politics Money\n"), format!("{a}\n")),
        (format!("{c}\n{a}\n{title}\nIt works.\n"), format!("{a}\n")),
        (format!("{c}\n{a}\n{plain}\ndown this path\n"), format!("{a}\n{plain}\ndown this path\n")),
        (format!("{c}\n{a}\n{plain}\nIt works.\n"), format!("{a}\n{plain}\nIt works.\n")),
        // Of `long-bytes` (200), a line is an article line whatever its case.
        (format!("{c}\n{a}\n{} Title\nIt works.\n", "Word ".repeat(40)), format!("{a}\n{} Title\nIt works.\n", "Word ".repeat(40))),
        // Without chrome, or with one line of it, the text is clean and keeps its last lines.
        (format!("{a}\n{title}\nvox.com Politics Money\n"), format!("{a}\n{title}\nvox.com Politics Money\n")),
        (format!("Share this:\n{a}\n{title}\nvox.com Politics Money\n"), format!("{a}\n{title}\nvox.com Politics Money\n")),
    ];
    check_cases(&rules, &cases, "tail title");
}

/// `page-tail` with `page-drops`: the lines `page-head` drops count toward `page-chrome` only
/// once they and the rest reach `page-drops` (a real page head, not a title trimmed from clean
/// text); lines dropped by other rules count at once. On every path.
#[test]
fn a_trimmed_head_is_no_page_chrome_for_the_tail() {
    let rules = RuleSet::from_sources(&[(
        "tail.rules",
        "drop line Share this:\ndrop[keep=1] context page-head\ndrop[page-chrome=2, page-drops=5] context page-tail\n".to_string(),
    )])
    .expect("rules");
    let a = ARTICLE;
    let list = "- first point\n- second point\n";
    // Three head lines dropped: below `page-drops`, so the text is clean and keeps its list.
    let head3 = "Blog\nAbout\nMarch 3\nA headline\n";
    // Five: a page head, and the list after the article is its tail.
    let head5 = "Blog\nAbout\nArchive\nContact\nMarch 3\nA headline\n";
    let cases = [
        (format!("{head3}{a}\n{list}"), format!("A headline\n{a}\n{list}")),
        (format!("{head5}{a}\n{list}"), format!("A headline\n{a}\n")),
        // Two lines dropped by a phrase rule are chrome enough whatever the head.
        (format!("Share this:\nShare this:\n{a}\n{list}"), format!("{a}\n")),
        (format!("Share this:\n{head3}{a}\n{list}"), format!("A headline\n{a}\n{list}")),
    ];
    check_cases(&rules, &cases, "trimmed head");
}

/// `footer` rules with `page-tail`: once `footer-words` words of prose came, a footer line in a
/// run of `footer-run` dropped lines ends the article: the tail held before it goes as at the
/// end, and every kept line after the run goes too. A footer line alone, or one before the
/// article has begun, drops only itself; without `page-tail` a footer rule is a `drop` rule.
/// On every path (with lines over the cap too, which end the footer's reach).
#[test]
fn a_footer_beside_another_dropped_line_ends_the_article() {
    let phrases = "footer line Copyright Example\ndrop line Privacy Policy\n";
    let tail = "drop[footer-words=40, page-chrome=2] context page-tail\n";
    let rules = RuleSet::from_sources(&[("footer.rules", format!("{phrases}{tail}"))]).expect("rules");
    assert!(rules.context().tail.is_some_and(|t| (t.footer_words, t.footer_run) == (40, 2)));
    let a = ARTICLE;
    let body = format!("{a}\n{a}\n{a}\n{a}\n{a}\n");
    let cases = [
        (format!("{body}Copyright Example\nPrivacy Policy\nAbout us\n{a}\n"), body.clone()),
        (format!("{body}Copyright Example\n\nPrivacy Policy\n\nAbout us\n"), body.clone()),
        (format!("{body}- related one\n- related two\nPrivacy Policy\nCopyright Example\nAbout us\n"), body.clone()),
        // Alone, the footer line drops only itself, and the article goes on.
        (format!("{body}Copyright Example\nAbout us\n{a}\n"), format!("{body}About us\n{a}\n")),
        // Before 40 words of prose, nothing marks the footer.
        (format!("{a}\nCopyright Example\nPrivacy Policy\nAbout us\n{body}"), format!("{a}\nAbout us\n{body}")),
    ];
    check_cases(&rules, &cases, "footer");
    let three = RuleSet::from_sources(&[("footer.rules", format!("{phrases}{}", tail.replace("]", ", footer-run=3]")))]).expect("rules");
    let doc = format!("{body}Copyright Example\nPrivacy Policy\nAbout us\n{a}\n");
    check_cases(&three, &[(doc.clone(), format!("{body}About us\n{a}\n"))], "footer run of 3");
    let no_tail = RuleSet::from_sources(&[("footer.rules", phrases.to_string())]).expect("rules");
    check_cases(&no_tail, &[(doc, format!("{body}About us\n{a}\n"))], "footer without page-tail");
}

/// The shipped rules: a page's copyright line (it has its year) beside another dropped line under
/// a long article ends it, and the legal notice after it goes; a picture's credit beside its
/// dropped caption inside the article (no year) drops only itself, and the article goes on.
#[test]
fn shipped_footers_end_articles_but_picture_credits_do_not() {
    let rules = RuleSet::embedded().expect("shipped rules");
    let sentence = "The council met on Tuesday to discuss the new budget for the coming year, and the vote was close in the end.";
    let body = format!("{sentence}\n").repeat(16);
    let notice = "Example Media Group Ltd is registered in England and Wales, company number 01234567, and publishes its titles under licence from their owners.";
    let page = format!("{body}Accept All Cookies\n\u{a9} 2025 Example News Ltd\n{notice}\n");
    let out = run_engine(&rules, page.as_bytes(), 4096, usize::MAX, usize::MAX >> 1);
    assert_eq!(String::from_utf8(out).expect("utf-8"), body);
    let article = format!("{body}Photo: AP\n\u{a9} Reuters\n{body}");
    let out = run_engine(&rules, article.as_bytes(), 4096, usize::MAX, usize::MAX >> 1);
    assert_eq!(String::from_utf8(out).expect("utf-8"), format!("{body}{body}"));
}

/// `page-tail` with `confirm`: an article line after `lone-after` held lines that are not a
/// list waits for another within `confirm` worded lines, on every path and at both bounds.
#[test]
fn lone_article_lines_in_a_tail_wait_for_confirmation() {
    let text = std::fs::read_to_string(fixture("rules/all-kinds.rules")).expect("fixture");
    let rules = RuleSet::from_sources(&[("tail.rules", format!("{text}drop[confirm=2, lone-after=3, page-chrome=2] context page-tail\n"))])
        .expect("rules");
    let a = ARTICLE;
    // Four words each: not short enough for the fixture's `menu-run`.
    let held = |n: usize| (1..=n).map(|k| format!("A headline about story {k}\n")).collect::<String>();
    let (h2, h3) = (held(2), held(3));
    // Each document opens with two lines of chrome: on a page with fewer dropped, no line
    // stands alone (the last case).
    let chrome = "Share this:\nShare this:\n";
    let cases = [
        // Three held lines: the second article line stands alone; one worded line later a third
        // confirms it, and everything is kept.
        (format!("{a}\n{h3}{a}\nOne more headline here\n{a}\n"), true),
        // Two worded lines later it is too late: the third waits in turn, and the end drops them.
        (format!("{a}\n{h3}{a}\nOne more headline here\nAnd another one here\n{a}\n"), false),
        // Two held lines are too few for a line to stand alone.
        (format!("{a}\n{h2}{a}\n"), true),
        (format!("{a}\n{h3}{a}\n"), false),
        // A list, or a colon before it, and the line does not stand alone.
        (format!("{a}\n- one item of the list\n- two items of the list\n- three items of the list\n{a}\n"), true),
        (format!("{a}\nThe headlines of the day:\n{h3}{a}\n"), true),
    ];
    for (i, (doc, kept)) in cases.iter().enumerate() {
        let page = format!("{chrome}{doc}");
        check_all_paths(&rules, page.as_bytes(), &format!("lone article line {i}"));
        let out = String::from_utf8(run_engine(&rules, page.as_bytes(), 4096, usize::MAX, usize::MAX >> 1)).expect("utf-8");
        assert_eq!(out == *doc, *kept, "case {i}: {out}");
    }
    // Without the chrome, the line of case 3 does not stand alone: clean text is kept whole.
    let clean = &cases[3].0;
    check_all_paths(&rules, clean.as_bytes(), "lone article line in clean text");
    let out = run_engine(&rules, clean.as_bytes(), 4096, usize::MAX, usize::MAX >> 1);
    assert_eq!(String::from_utf8_lossy(&out), *clean, "clean text");
    // With `chrome-before=1`, once a line was dropped a list or a colon no longer keeps a line
    // from standing alone (on a page with two lines dropped): the list and the line after it
    // are the tail.
    let rules = RuleSet::from_sources(&[(
        "tail.rules",
        format!("{text}drop[confirm=2, lone-after=3, chrome-before=1, page-chrome=2] context page-tail\n"),
    )])
    .expect("rules");
    let list = "- one item of the list\n- two items of the list\n- three items of the list\n";
    let cases = [
        (format!("{a}\n{list}{a}\n"), format!("{a}\n{list}{a}\n")),
        (format!("Share this:\nShare this:\n{a}\n{list}{a}\n"), format!("{a}\n")),
        (format!("Share this:\nShare this:\n{a}\nThe headlines of the day:\n{h3}{a}\n"), format!("{a}\n")),
    ];
    check_cases(&rules, &cases, "lone line after chrome");
    // Chrome is counted in the document's order: the second "Share this:" comes after the lines
    // that `menu-run` holds while it waits, so when they go on to `page-tail` only one line was
    // dropped before them, and none of them stands alone (a case the property tests found).
    let rules = RuleSet::from_sources(&[(
        "tail.rules",
        format!("{text}drop[prose-words=12, long-bytes=100, tail-bytes=120, confirm=2, lone-after=3, chrome-before=0, page-chrome=2] context page-tail\n"),
    )])
    .expect("rules");
    let doc = "M\u{1ed9}t b\u{ec}nh lu\u{1ead}n cho \u{201c}B\u{e0}i vi\u{1ebf}t\u{201d}\nPowered by Blogger.\nShare this:\nShort heading\nShort heading\n\
               Seven Questions About talks on and on and on\nbad \u{fffd} utf8\nShare this:";
    check_all_paths(&rules, doc.as_bytes(), "chrome counted in order");
}

/// `page-head` begins the article at a paragraph wrapped too narrow for lines of 8 words: a
/// line of 30 bytes or more that ends no sentence, and right after it one that starts in
/// lowercase; on every path, and not after a sentence, a short line, a list item or a blank.
#[test]
fn page_head_begins_at_a_paragraph_wrapped_narrow() {
    let rules = RuleSet::from_sources(&[("head.rules", "drop[keep=1] context page-head\n".to_string())]).expect("rules");
    let nav = "Home\nNews\nSport\nA headline\n";
    let para = "Biegun said that if the Russian\nleadership continues down this\npath, it risks turning the\n";
    let cases = [
        (format!("{nav}{para}"), format!("A headline\n{para}")),
        // Not an article line: a sentence, a short line, a list item, a gap before the lowercase
        // line, a short lowercase line. Nothing begins the article; nothing is dropped.
        (format!("{nav}Talks went on for another week.\nleadership continues down this\n"), String::new()),
        (format!("{nav}Biegun said that\nleadership continues down this\n"), String::new()),
        (format!("{nav}- Biegun said that if the Russian\n- leadership continues down this\n"), String::new()),
        (format!("{nav}Biegun said that if the Russian\n\nleadership continues down this\n"), String::new()),
        (format!("{nav}Biegun said that if the Russian\nleadership goes on\n"), String::new()),
    ];
    for (i, (doc, want)) in cases.iter().enumerate() {
        check_all_paths(&rules, doc.as_bytes(), &format!("wrapped head {i}"));
        let out = String::from_utf8(run_engine(&rules, doc.as_bytes(), 4096, usize::MAX, usize::MAX >> 1)).expect("utf-8");
        assert_eq!(&out, if want.is_empty() { doc } else { want }, "case {i}");
    }
}

/// `page-head` begins the article at a long line that ends in a colon (a sentence introducing a
/// list: 20 words or more), even with no other context rule to make it count words that far; a
/// shorter one, a form's or a menu's label, does not begin it. On every path.
#[test]
fn page_head_begins_at_a_long_sentence_that_introduces_a_list() {
    let rules = RuleSet::from_sources(&[("head.rules", "drop[keep=1] context page-head\n".to_string())]).expect("rules");
    let nav = "Home\nNews\nSport\nA headline\n";
    let intro = "In this fourth part of the series we set up a local name server for the home network and the cluster, with these parts:\n";
    let list = "- an internal domain for the cluster\n- blocking ads for the whole network\n";
    let end = "Each part has its own section below, and the last one ties them together.\n";
    // Twelve words before the colon: a label, not prose; the article begins at the sentence.
    let label = "Fill in the form below and we will get back to you within a day:\n";
    let cases = [
        (format!("{nav}{intro}{list}{end}"), format!("A headline\n{intro}{list}{end}")),
        (format!("{nav}{label}{list}{end}"), format!("- blocking ads for the whole network\n{end}")),
    ];
    check_cases(&rules, &cases, "colon intro");
}

/// `page-head` with `teaser-words`: a menu run (after chrome) that comes after the article's
/// first line before that many words of prose shows the line to be a teaser; on every path.
#[test]
fn a_menu_soon_after_the_first_line_shows_a_teaser() {
    let rules = RuleSet::from_sources(&[(
        "teaser.rules",
        "drop line Share this:\ndrop[keep=1, teaser-words=38, article-lines=2, article-words=50] context page-head\ndrop[max-words=3, min-run=3, chrome-before=1, long-run=5] context menu-run\n"
            .to_string(),
    )])
    .expect("rules");
    let a = ARTICLE; // 19 words
    let nav = "Home\nNews\nSport\nWorld\nA headline\n";
    let menu = "Section 1\nSection 2\nSection 3\n";
    let (w1, w2) = ("and the leadership said that the talks would go on", "for another week at the least in the capital city");
    let long_words = "Representatives acknowledged yesterday that negotiations continued throughout Wednesday afternoon despite considerable disagreements.";
    // 10 words in less than 64 bytes.
    let p = "Talks went on for another week, the senior diplomat said.";
    let cases = [
        // 19 words of prose, then a menu: the first line was a teaser. Without it, the headline
        // kept above it joins the menu run.
        (format!("{nav}{a}\n{menu}{a}\n{a}\n"), format!("{a}\n{a}\n")),
        // The same with blank and wordless lines between: they do not break the run.
        (format!("{nav}{a}\n\nSection 1\n--\nSection 2\n\nSection 3\n{a}\n"), format!("--\n\n{a}\n")),
        // 38 words first (`teaser-words`, counted in full): an article with a menu in it.
        (format!("{nav}{a}\n{a}\n{menu}{a}\n"), format!("A headline\n{a}\n{a}\n{a}\n")),
        // Wide lines right after a wide line count as prose (a hard-wrapped paragraph): 19 + 10
        // + 10 words; after a blank line the first of them does not (19 + 10), but then the
        // second is the lead's second prose line before any short line: a short article, and
        // the menu under it (a list, or the page's footer) does not make it a teaser.
        (format!("{nav}{a}\n{w1}\n{w2}\n{menu}{a}\n"), format!("A headline\n{a}\n{w1}\n{w2}\n{a}\n")),
        (format!("{nav}{a}\n\n{w1}\n{w2}\n{menu}{a}\n"), format!("A headline\n{a}\n\n{w1}\n{w2}\n{a}\n")),
        // One prose line, then a short one, then prose: the second prose line comes too late to
        // open the lead, and the menu shows the first line to be a teaser.
        (format!("{nav}{a}\nSection 0\n{p}\n{menu}{a}\n"), format!("{a}\n")),
        // After a teaser, the next line that could begin the article (not short; prose or wide)
        // begins a new lead: teasers one after another; a line that could not stays.
        (format!("{nav}{a}\n{menu}{a}\n{menu}{a}\n{a}\n"), format!("{a}\n{a}\n")),
        (format!("{nav}{a}\n{menu}Four words, no more.\n{a}\n{menu}{a}\n{a}\n"), format!("Four words, no more.\n{a}\n{a}\n")),
        // The new lead's line is measured in full: prose of long words.
        (format!("{nav}{a}\n{menu}{long_words}\n{menu}{a}\n{a}\n"), format!("{a}\n{a}\n")),
        // An over-long line (on the paths with a line cap) ends the search for a new lead.
        (format!("{nav}{p}\n{menu}{a}\n{menu}{p}\n{p}\n{p}\n{p}\n"), format!("{p}\n{p}\n{p}\n{p}\n")),
        // A line that is not short ends a run: two short lines, then one after it, are none.
        (
            format!("{nav}{a}\nSection 1\nSection 2\nA line of several words\nSection 3\n{a}\n{a}\n"),
            format!("A headline\n{a}\nSection 1\nSection 2\nA line of several words\nSection 3\n{a}\n{a}\n"),
        ),
        // A list the article introduces with a colon.
        (format!("{nav}{a}\nThe sections:\n{menu}{a}\n"), format!("A headline\n{a}\nThe sections:\n{menu}{a}\n")),
        // No chrome before the run: it is no menu (shorter than `long-run`), and a long one is
        // not a teaser's sign either.
        (format!("{a}\n{menu}{a}\n{a}\n"), format!("{a}\n{menu}{a}\n{a}\n")),
        (format!("{a}\n{menu}Section 4\nSection 5\n{a}\n"), format!("{a}\n{a}\n")),
        // A line dropped by a phrase rule is chrome too: the first line was a teaser.
        (format!("{a}\nShare this:\n{menu}{a}\n"), format!("{a}\n")),
        (format!("{a}\n{a}\nShare this:\n{menu}{a}\n"), format!("{a}\n{a}\n{a}\n")),
        // A line a phrase rule dropped in the run counts as one of its short lines: two short
        // lines and it are a menu, and the first line was a teaser.
        (format!("{nav}{a}\nSection 1\nShare this:\nSection 2\n{a}\n{a}\n"), format!("{a}\n{a}\n")),
        // So it does right before the run's first short line; not with a worded line that is not
        // short between them.
        (format!("{nav}{a}\nShare this:\nSection 1\nSection 2\nA line of several words\n{a}\n{a}\n"), format!("A line of several words\n{a}\n{a}\n")),
        (
            format!("{nav}{a}\nShare this:\nA line of several words\nSection 1\nSection 2\n{a}\n{a}\n"),
            format!("A headline\n{a}\nA line of several words\nSection 1\nSection 2\n{a}\n{a}\n"),
        ),
    ];
    check_cases(&rules, &cases, "teaser");
    // The lead holds MAX_HEAD_LINES lines and MAX_HEAD_BYTES bytes from the first line: a run
    // whose third short line would be past either comes too late, and the first line stays.
    use chaff::engine::context::{MAX_HEAD_BYTES, MAX_HEAD_LINES};
    let gap = |blank: String| format!("{nav}{a}\n{blank}{menu}{a}\n");
    // The third short line is the lead's line n + 4.
    let lines = |n: usize| gap("\n".repeat(n));
    // With it, the lead holds a.len() + n + 27 bytes, line endings left out.
    let bytes = |n: usize| gap(format!("{}\n", " ".repeat(n)));
    let fixed = a.len() + 27;
    for (doc, teaser) in [
        (lines(MAX_HEAD_LINES - 4), true),
        (lines(MAX_HEAD_LINES - 3), false),
        (bytes(MAX_HEAD_BYTES - fixed), true),
        (bytes(MAX_HEAD_BYTES - fixed + 1), false),
    ] {
        let want = reference::clean(&rules, doc.as_bytes(), usize::MAX >> 1);
        for (capacity, read) in [(7, 3), (64 * 1024, usize::MAX)] {
            let got = run_engine(&rules, doc.as_bytes(), capacity, read, usize::MAX >> 1);
            assert_bytes_eq(&want, &got, "a teaser at the lead's bounds");
        }
        let kept = String::from_utf8(want).expect("utf-8").matches(a).count();
        assert_eq!(kept, if teaser { 1 } else { 2 }, "{} bytes", doc.len());
    }
}

/// `page-head` keeps the `keep` worded lines just above the article's first line; a line a rule
/// dropped there takes one of their places (a byline between the title and the article), so a
/// phrase rule that finds chrome there never brings back a line of the menu above it.
#[test]
fn a_line_dropped_just_above_the_article_takes_a_kept_place() {
    let rules = RuleSet::from_sources(&[("head.rules", "drop line Share this:\ndrop[keep=2] context page-head\n".to_string())])
        .expect("rules");
    let a = ARTICLE;
    let cases = [
        (format!("Home\nNews\nA headline\nA standfirst\n{a}\n"), format!("A headline\nA standfirst\n{a}\n")),
        (format!("Home\nNews\nA headline\nShare this:\n{a}\n"), format!("A headline\n{a}\n")),
        (format!("Home\nNews\nShare this:\nA headline\nA standfirst\n{a}\n"), format!("A headline\nA standfirst\n{a}\n")),
        (format!("Home\nNews\nA headline\nShare this:\nShare this:\n{a}\n"), format!("{a}\n")),
    ];
    check_cases(&rules, &cases, "kept places");
}

/// `page-tail`: the lines a rule dropped after an article line, two or more in a row, count among
/// the held lines that let the next article line stand alone (`lone-after`), as the worded lines
/// held do; those `menu-run` dropped do not.
#[test]
fn lines_dropped_after_an_article_line_let_the_next_one_stand_alone() {
    let text = std::fs::read_to_string(fixture("rules/all-kinds.rules")).expect("fixture");
    let rules = RuleSet::from_sources(&[("tail.rules", format!("{text}drop[confirm=2, lone-after=3, page-chrome=2] context page-tail\n"))])
        .expect("rules");
    let a = ARTICLE;
    let held = "A headline about story 1\n";
    let cases = [
        // One held line and two dropped: the second article line stands alone, and with no
        // other to confirm it, it is the page's tail.
        (format!("{a}\n{held}Share this:\nShare this:\n{a}\n"), format!("{a}\n")),
        (format!("{a}\nShare this:\nShare this:\nShare this:\n{a}\n"), format!("{a}\n")),
        // Two in all are too few: the line goes on the article.
        (format!("Share this:\n{a}\n{held}Share this:\n{a}\n"), format!("{a}\n{held}{a}\n")),
        // Only runs of two or more count (a block of chrome, not a photo credit in an article):
        // two held lines and two dropped lines apart are too few.
        (format!("{a}\n{held}Share this:\n{held}Share this:\n{a}\n"), format!("{a}\n{held}{held}{a}\n")),
        (format!("{a}\n{held}Share this:\n\nShare this:\n{held}{a}\n"), format!("{a}\n")),
        // Only those after the last article line count.
        (format!("{a}\nShare this:\nShare this:\n{a}\n{held}{a}\n"), format!("{a}\n{a}\n{held}{a}\n")),
        // And only those a rule found: a run `menu-run` dropped is a guess from the lines'
        // shape (an article's own list, in clean text), and does not count again.
        (format!("{a}\nSection 1\nSection 2\nSection 3\n{a}\n"), format!("{a}\n{a}\n")),
    ];
    check_cases(&rules, &cases, "drops in the tail");
    // An over-long line (on the paths with a cap of 64 bytes, the article lines) ends a run.
    let short_article = "He said the talks went on for a week and then we all left.";
    let doc = format!("{a}\nShare this:\n{a}\nShare this:\n{held}{short_article}\n");
    check_all_paths(&rules, doc.as_bytes(), "a run of drops across an over-long line");
}

/// Two lines of 8 or more words in a row begin the article (a hard-wrapped paragraph), but not
/// when they are in title case: a list of headlines. On every path, and what each becomes.
#[test]
fn headlines_in_title_case_do_not_begin_the_article() {
    let rules = RuleSet::from_sources(&[("head.rules", "drop[keep=1] context page-head\n".to_string())]).expect("rules");
    let a = ARTICLE;
    let (t1, t2) = ("How to Choose the Right Agency for Your Growing Business", "Seven Questions About Talks that go on and on");
    let (w1, w2) = ("and the leadership said that the talks would go on", "for another week at the least in the capital city");
    // Three in four capitalized: not title case.
    let t3 = "Seven Questions About talks on and on and on";
    let u1 = "The leadership said that the talks would go on and on";
    let cases = [
        (format!("Home\nNews\n{t1}\n{t2}\n{a}\n"), format!("{t2}\n{a}\n")),
        (format!("Home\nNews\n{w1}\n{w2}\n{a}\n"), format!("News\n{w1}\n{w2}\n{a}\n")),
        (format!("Home\nNews\n{t3}\n{w2}\n{a}\n"), format!("News\n{t3}\n{w2}\n{a}\n")),
        // A headline then a paragraph: the paragraph's first line begins the article.
        (format!("Home\nNews\n{t1}\n{u1}\n{w2}\n{a}\n"), format!("{t1}\n{u1}\n{w2}\n{a}\n")),
    ];
    check_cases(&rules, &cases, "title");
}

/// `page-head` with `teaser-short`: short lines among lines that describe them (a menu whose
/// entries each have a line under them) show the first line to be a teaser too, if enough of
/// them come before `teaser-words` words of prose; labels and numbered lines do not count. On
/// every path, and what each document becomes.
#[test]
fn short_lines_among_descriptions_show_a_teaser() {
    let rules = RuleSet::from_sources(&[(
        "entries.rules",
        "drop[keep=1, teaser-words=38, teaser-short=3, article-lines=2, article-words=50] context page-head\ndrop[max-words=3, min-run=3, chrome-before=1, long-run=5] context menu-run\n"
            .to_string(),
    )])
    .expect("rules");
    let a = ARTICLE; // 19 words
    let nav = "Home\nNews\nSport\nWorld\nA headline\n";
    // Neither short nor prose nor wide: 7 words, no sentence ending.
    let d = "A line of several words about it";
    let entries = |e: [&str; 3]| format!("{}\n{d}\n{}\n{d}\n{}\n{d}\n", e[0], e[1], e[2]);
    let plain = entries(["Section one", "Section two", "Section three"]);
    let cases = [
        // The third short line comes before 38 words of prose: the first line was a teaser, and
        // the lines from it to that short line are dropped. The headline and the third entry
        // stay: two short lines are no run.
        (format!("{nav}{a}\n{plain}{a}\n{a}\n"), format!("A headline\nSection three\n{d}\n{a}\n{a}\n")),
        // Labels and numbered headings are not counted: an article's own listing.
        (format!("{nav}{a}\n{}{a}\n", entries(["Price: $30", "Price: $40", "Price: $50"])), format!("A headline\n{a}\n{}{a}\n", entries(["Price: $30", "Price: $40", "Price: $50"]))),
        (format!("{nav}{a}\n{}{a}\n", entries(["1. Bench", "2. Rope", "3. Mat"])), format!("A headline\n{a}\n{}{a}\n", entries(["1. Bench", "2. Rope", "3. Mat"]))),
        (format!("{nav}{a}\n{}{a}\n", entries(["Section one", "Price: $40", "Section three"])), format!("A headline\n{a}\n{}{a}\n", entries(["Section one", "Price: $40", "Section three"]))),
        // 38 words of prose before the third: an article.
        (format!("{nav}{a}\nSection one\n{d}\n{a}\nSection two\n{d}\nSection three\n{a}\n"), format!("A headline\n{a}\nSection one\n{d}\n{a}\nSection two\n{d}\nSection three\n{a}\n")),
        // No page chrome before: not a teaser.
        (format!("{a}\n{plain}{a}\n"), format!("{a}\n{plain}{a}\n")),
        // A colon before the third short line's run guards it; the next short line counts.
        (
            format!("{nav}{a}\nSection one\n{d}\nSection two\n{d}:\nSection three\n{d}\nSection four\n{a}\n{a}\n"),
            format!("A headline\nSection four\n{a}\n{a}\n"),
        ),
    ];
    check_cases(&rules, &cases, "entries");
    // With room for more prose in the lead: 50 words of prose open an article, and the short
    // lines after them are its own (a list, or the page's footer under it); 40 may still be a
    // teaser's.
    let roomy = RuleSet::from_sources(&[(
        "entries.rules",
        "drop[keep=1, teaser-words=80, teaser-short=3, article-lines=2, article-words=50] context page-head\ndrop[max-words=3, min-run=3, chrome-before=1, long-run=5] context menu-run\n"
            .to_string(),
    )])
    .expect("rules");
    let p = "Talks went on for another week, the senior diplomat said.";
    let cases = [
        (format!("{nav}{p}\n{p}\n{p}\n{p}\n{p}\n{plain}{a}\n"), format!("A headline\n{p}\n{p}\n{p}\n{p}\n{p}\n{plain}{a}\n")),
        (format!("{nav}{p}\n{p}\n{p}\n{p}\n{plain}{a}\n"), format!("A headline\nSection three\n{d}\n{a}\n")),
    ];
    check_cases(&roomy, &cases, "entries after prose");
}

/// `menu-run` with `chrome-before` and `long-run`: a run counts after a dropped line, or when
/// long, on every path, and what each document becomes.
#[test]
fn gated_menu_runs_need_chrome_before_them_or_length() {
    let rules = RuleSet::from_sources(&[(
        "gated.rules",
        "drop line Share this:\ncut line Leave a Reply\ndrop[max-words=3, min-run=3, chrome-before=1, long-run=5] context menu-run\n"
            .to_string(),
    )])
    .expect("rules");
    let a = ARTICLE;
    let menu = |n: usize| (1..=n).map(|k| format!("Section {k}\n")).collect::<String>();
    let (m3, m4, m5) = (menu(3), menu(4), menu(5));
    let cases = [
        // No chrome yet: four short lines are a list of the article, five are a menu.
        (format!("{a}\n{m4}{a}\n"), format!("{a}\n{m4}{a}\n")),
        (format!("{a}\n{m5}{a}\n"), format!("{a}\n{a}\n")),
        // After a dropped line, three are a menu; a line dropped inside the run comes too late
        // to be chrome before it.
        (format!("Share this:\n{a}\n{m3}{a}\n"), format!("{a}\n{a}\n")),
        (format!("{a}\nSection 1\nShare this:\nSection 2\nSection 3\n{a}\n"), format!("{a}\n{m3}{a}\n")),
        // But it counts as one of the run's short lines (a phrase rule found chrome in it): two
        // short lines and it after chrome, four and it without.
        (format!("Share this:\n{a}\nSection 1\nShare this:\nSection 2\n{a}\n"), format!("{a}\n{a}\n")),
        (format!("{a}\nSection 1\nShare this:\n{}{a}\n", menu(3)), format!("{a}\n{a}\n")),
        // Right before the run's first short line too; not with a line that is not short between.
        (format!("Share this:\n{a}\nShare this:\nSection 1\nSection 2\n{a}\n"), format!("{a}\n{a}\n")),
        (
            format!("Share this:\n{a}\nShare this:\nA line of several words\nSection 1\nSection 2\n{a}\n"),
            format!("{a}\nA line of several words\nSection 1\nSection 2\n{a}\n"),
        ),
        // So does a cut too near the top to cut, which drops only its own line.
        (format!("Share this:\n{a}\nSection 1\nLeave a Reply\nSection 2\n"), format!("{a}\n")),
        // A run that counted is chrome for the runs after it.
        (format!("{a}\n{m5}{a}\n{m3}"), format!("{a}\n{a}\n")),
    ];
    // The lines a run drops count as chrome, those it drops as it goes on too.
    let many = RuleSet::from_sources(&[(
        "many.rules",
        "drop[max-words=3, min-run=3, chrome-before=6, long-run=5] context menu-run\n".to_string(),
    )])
    .expect("rules");
    let doc = format!("{a}\n{}{a}\n{m3}{a}\n", menu(6));
    check_all_paths(&many, doc.as_bytes(), "a run after a long one");
    let out = String::from_utf8(run_engine(&many, doc.as_bytes(), 4096, usize::MAX, usize::MAX >> 1)).expect("utf-8");
    assert_eq!(out, format!("{a}\n{a}\n{a}\n"));
    for (i, (doc, want)) in cases.iter().enumerate() {
        check_all_paths(&rules, doc.as_bytes(), &format!("gated menu run {i}"));
        let out = String::from_utf8(run_engine(&rules, doc.as_bytes(), 4096, usize::MAX, usize::MAX >> 1)).expect("utf-8");
        assert_eq!(out, *want, "case {i}");
    }
}

/// A run of short lines that has not reached `min-run` holds the lines from its first one, up
/// to MAX_RUN_LINES lines and MAX_RUN_BYTES bytes: a line past either ends it, kept.
#[test]
fn a_pending_menu_run_holds_a_bounded_window() {
    use chaff::engine::context::{MAX_RUN_BYTES, MAX_RUN_LINES};
    let rules = RuleSet::from_sources(&[("menu.rules", "drop[max-words=3, min-run=3] context menu-run\n".to_string())])
        .expect("rules");
    let a = ARTICLE;
    let blanks = |n: usize| "\n".repeat(n);
    // Two short lines and blank lines: with the third short line, the lines from the first are
    // MAX_RUN_LINES at most (a run, dropped), or one more (two runs, kept).
    let within = format!("Home\nNews{}Sport\n{a}\n", blanks(MAX_RUN_LINES - 2));
    let past = format!("Home\nNews{}Sport\n{a}\n", blanks(MAX_RUN_LINES - 1));
    // The same in bytes, with blank lines of spaces: the lines from "Home" to "Sport" are
    // MAX_RUN_BYTES, or one more, line endings left out.
    let wide = |n: usize| format!("{}\n", " ".repeat(n));
    let half = MAX_RUN_BYTES / 2;
    let bytes_within = format!("Home\nNews\n{}{}Sport\n{a}\n", wide(half - 6), wide(half - 7));
    let bytes_past = format!("Home\nNews\n{}{}Sport\n{a}\n", wide(half - 6), wide(half - 6));
    // What an ended run held does not count towards the next one.
    let after_run = format!("Home\n{}{a}\nHome\nNews\n{}Sport\n{a}\n", wide(half), wide(half));
    let after_menu = format!("Home\n{}News\nSport\n{a}\nHome\nNews\n{}Sport\n{a}\n", wide(half), wide(half));
    let cases = [(&within, false), (&past, true), (&bytes_within, false), (&bytes_past, true), (&after_run, false), (&after_menu, false)];
    for (doc, kept) in cases {
        let want = reference::clean(&rules, doc.as_bytes(), usize::MAX >> 1);
        for (capacity, read) in [(7, 3), (64 * 1024, usize::MAX)] {
            let got = run_engine(&rules, doc.as_bytes(), capacity, read, usize::MAX >> 1);
            assert_bytes_eq(&want, &got, &format!("bounded run (capacity {capacity}, reads of {read})"));
        }
        assert_eq!(want == doc.as_bytes(), kept, "{} bytes, {} lines", doc.len(), doc.lines().count());
    }
}

/// One engine, several documents: each document is cleaned as if it came first.
#[test]
fn a_reused_engine_cleans_each_document_afresh() {
    let rules = RuleSet::from_sources(&[("t.rules", "cut line STOP\ndrop contains zebra\n")]).expect("rules");
    let mut engine = Engine::new(&rules, Options::default());
    let mut clean = |doc: &str| {
        let mut sink = CleanSink::new(Vec::new());
        engine.run(&mut doc.as_bytes(), "-", &mut sink).expect("in-memory I/O cannot fail");
        String::from_utf8(sink.into_inner()).expect("utf-8")
    };
    // The last line of the first document is skipped in a cut; the second document's only line,
    // without a terminator, must still be searched for the anchor word.
    let first = format!("{ARTICLE}\n{ARTICLE}\n{ARTICLE}\n{ARTICLE}\n{ARTICLE}\nSTOP\nmore\n");
    assert!(!clean(&first).contains("more"));
    assert_eq!(clean("the zebra line"), "");
    assert_eq!(clean("a line\nthe zebra line"), "a line\n");
}

/// An over-long line leaves no trace on how the next line is matched.
#[test]
fn an_unterminated_line_after_an_over_long_one_is_matched() {
    let rules = RuleSet::from_sources(&[("t.rules", "drop contains zebra\n")]).expect("rules");
    let input = format!("{}\nthe zebra line", "x".repeat(5000));
    for capacity in [64, 4096, 64 * 1024] {
        let got = run_engine(&rules, input.as_bytes(), capacity, usize::MAX, 1000);
        assert_eq!(got, format!("{}\n", "x".repeat(5000)).into_bytes(), "capacity {capacity}");
    }
}

/// Anchor words of rules with `max-chars` are looked for only in lines short enough; the limit
/// is exact, and white space does not count towards it.
#[test]
fn bounded_anchor_rules_match_up_to_their_limit() {
    let src = "drop[max-chars=20] contains zebra\ndrop[max-chars=200] contains giraffe\ndrop contains okapi\n";
    let rules = RuleSet::from_sources(&[("t.rules", src)]).expect("rules");
    let twenty = "a zebra at 20 chars.";
    assert_eq!(twenty.chars().count(), 20);
    let input = format!(
        "{twenty}\n{twenty}!\n  {}  \n{} giraffe\n{} giraffe\n{} okapi\n",
        twenty.replace(' ', "        "),
        "x".repeat(192),
        "x".repeat(193),
        "y".repeat(5000),
    );
    let out = String::from_utf8(run_engine(&rules, input.as_bytes(), 4096, usize::MAX, usize::MAX >> 1)).expect("utf-8");
    let kept: Vec<&str> = out.lines().collect();
    assert_eq!(kept.len(), 2, "{out}");
    assert!(kept[0].ends_with("20 chars.!"), "{out}");
    assert!(kept[1].starts_with(&"x".repeat(193)), "{out}");
    check_all_paths(&rules, input.as_bytes(), "bounded anchors");
}

/// A reader that hands out `data`, then fails.
struct FailsAfter<'a> {
    data: &'a [u8],
}

impl Read for FailsAfter<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.data.is_empty() {
            return Err(std::io::Error::other("the disk went away"));
        }
        let k = buf.len().min(self.data.len()).min(1000);
        buf[..k].copy_from_slice(&self.data[..k]);
        self.data = &self.data[k..];
        Ok(k)
    }
}

/// A read error ends the document where it came: what was read is cleaned as the whole
/// document would be (the lines held for the context rules included), then the error is
/// returned, and the engine cleans the next document afresh.
#[test]
fn a_read_error_ends_the_document_with_what_it_gave() {
    let rules = RuleSet::embedded().expect("shipped rules");
    let mut engine = Engine::new(&rules, Options::default());
    for entry in std::fs::read_dir(fixture("seeds/input")).expect("seeds") {
        let doc = std::fs::read(entry.expect("entry").path()).expect("seed");
        for cut in [1, 200, doc.len() / 3, doc.len() / 2, doc.len() - 1] {
            let mut whole = CleanSink::new(Vec::new());
            engine.run(&mut &doc[..cut], "-", &mut whole).expect("in memory");
            let mut failed = CleanSink::new(Vec::new());
            let result = engine.run(&mut FailsAfter { data: &doc[..cut] }, "-", &mut failed);
            assert_eq!(result.expect_err("the read error").to_string(), "the disk went away");
            assert_bytes_eq(&whole.into_inner(), &failed.into_inner(), &format!("cut at {cut}"));
        }
        let mut again = CleanSink::new(Vec::new());
        engine.run(&mut &doc[..], "-", &mut again).expect("in memory");
        let mut fresh = CleanSink::new(Vec::new());
        Engine::new(&rules, Options::default()).run(&mut &doc[..], "-", &mut fresh).expect("in memory");
        assert_bytes_eq(&fresh.into_inner(), &again.into_inner(), "the next document");
    }
}
