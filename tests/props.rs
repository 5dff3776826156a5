//! Properties on generated documents: the output is a subsequence of the input's lines, kept
//! lines are unchanged, cleaning twice equals cleaning once, and the streaming engine agrees
//! with the reference.

use proptest::prelude::*;

use crate::engine_ref::{run_engine, test_rules};
use crate::reference;

const POOL: &[&str] = &[
    "The senior diplomat said the talks would go on for another week at least.",
    "Protesters rejected the result, citing irregularities, and demanded a new vote.",
    "Short heading",
    "",
    " ",
    "\t",
    "\u{a0}",
    "\u{3000}\u{200b}",
    "\u{c}",
    "Share this:",
    "  SHARE   this:",
    "Leave a Reply",
    "Related Articles:",
    "related articles",
    "leave a reply",
    "You are commenting using your Twitter account. Log Out /  Change )",
    "Copyright 2020 Example. All rights reserved.",
    "Photo: AP",
    "12 comments",
    "Subscribe now to read more",
    "  • A commenter",
    "    A comment on the article.",
    "    Liked by 3 people",
    "Liked by 1 person",
    "Back to top",
    // Rules with `after-words`: none before 13 words of prose, a drop from 13, a footer from 20.
    "About the writer",
    "About the team",
    "    Report this comment",
    "   Reply",
    "- a list item",
    "* A listed headline about the talks that went on for another week",
    "\u{201c}Quoted\u{201d} chrome",
    "bad \u{fffd} utf8",
    "nul \u{0} byte",
    "-------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------",
    "Ingredients:",
    "A long line of text that has many words but does not end like a sentence at all in any way whatsoever",
    "A teaser of another story on the site, cut off after a dozen words or so\u{2026}",
    "The excerpt of a related post that the site cut short in the middle [...]",
    // Gated by their ending, white space after it included.
    "* Jane Doe SAYS: \u{a0}",
    "1. Jane Doe says:\t\u{2003}",
    "\u{2022} Jean dit :",
    "Jane Doe/Shutterstock",
    "Powered by Blogger.",
    // Anchor words looked for only in lines that begin like their rules, or found by the block
    // search.
    "One reply to \u{201c}The talks\u{201d}",
    "3 Responses to \"The talks\"",
    "M\u{1ed9}t b\u{ec}nh lu\u{1ead}n cho \u{201c}B\u{e0}i vi\u{1ebf}t\u{201d}",
    "\u{201c}Ba\u{15f}l\u{131}k\u{201d} i\u{e7}in bir cevap",
    "Updated Jan. 5, 2021, 10:31 a.m. ET",
    "Required fields are marked *",
    "Share on Facebook (Opens in new window)",
    "The crowd at the gates (AP Photo/John Doe)",
    "The service was reserved for members; REQUIRED reading for the market.",
    // A paragraph wrapped narrow: 30 bytes or more, fewer than 8 words, no sentence ending.
    "Biegun said that if the Russian leadership",
    "continues down this path, it risks",
    "Talks went on for another week.",
    // Short lines that `teaser-short` does not count: labels and numbered headings.
    "Price: $30",
    "2. Jump rope",
    "\u{a0}Price\u{ff1a} 30",
    // A table row whose cells a tab separates: never a menu line.
    "Connecticut\t91.0",
    // Wide, but in title case: a headline, no paragraph's line.
    "How to Choose the Right Agency for Your Growing Business",
    "Seven Questions About the Talks That Went On Another Week",
    // At the bounds: four in five of the words of four or more letters capitalized, or exactly
    // four such words; and below them, three in four.
    "Seven Questions About Talks that go on and on",
    "Four Long Words Here and so on it is",
    "Seven Questions About talks on and on and on",
    // A longer headline, and one that begins in lowercase (no title, whatever its words).
    "How to Choose the Right Agency for Your Growing Business in the Capital",
    "via Reuters Photos About Talks That Went On",
    "and the leadership said that the talks would go on",
    // Title case in its first five long words, whatever comes after them.
    "Seven Questions About Talks That went on and on without any result",
];

fn doc() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec((0..POOL.len(), any::<bool>(), 0u8..4), 0..60),
        any::<bool>(),
    )
        .prop_map(|(lines, final_newline)| {
            let mut out = Vec::new();
            let n = lines.len();
            for (i, (k, crlf, junk)) in lines.into_iter().enumerate() {
                out.extend_from_slice(POOL[k].as_bytes());
                if junk == 3 {
                    out.extend_from_slice(b"\xff\xc3");
                }
                if i + 1 < n || final_newline {
                    out.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
                }
            }
            out
        })
}

/// Pieces of lines around the shipped rules' gates: anchor words whole, cut, in other cases and
/// next to each other (the block search checks windows of them), endings with white space after
/// them, narrow beginnings, and the bytes around them.
const GATE_PIECES: &[&str] = &[
    "All rights reserved.", "RESERVED", "reser", "ved", "observed", "riservati", "Reservados", "servati",
    "Required fields are marked *", "requir", "(Opens in new window)", "window)", "fen\u{ea}tre)",
    "Subscribe here to receive", "subscri", "photo", "(AP Photo/Jo Doe)", "/Shutterstock", " says:", "dit :", " dit", ":", "says",
    "* ", "1. ", "12 ", "One ", "M\u{1ed9}t ", "\u{2022} ", "\u{201c}T\u{201d}", " i\u{e7}in bir cevap", "Jan. 5, 2021, 10:31 a.m.",
    " comments", " Comment", "Liked by 3 people", "12 comments", "1,024 Comments", "One reply to \u{201c}T\u{201d}",
    "3 Responses to \"The talks\"", "M\u{1ed9}t b\u{ec}nh lu\u{1ead}n cho \u{201c}T\u{201d}", "5 min read", "Powered by Blogger", "* Do Not Sell My Personal Information", "\u{2022}Share on Facebook", " ", "  ", "\t", "\u{a0}", "\u{2003}",
    "text", "The talks went on.", "\u{41e}\u{431}\u{44f}\u{437}\u{430}\u{442}\u{435}\u{43b}\u{44c}\u{43d}\u{44b}\u{435}", "\u{4e00}", "\u{ff}",
];

fn gate_doc() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec((prop::collection::vec(prop::sample::select(GATE_PIECES), 1..5), any::<bool>()), 0..40).prop_map(
        |lines| {
            let mut out = Vec::new();
            for (pieces, crlf) in lines {
                out.extend_from_slice(pieces.concat().as_bytes());
                out.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
            }
            out
        },
    )
}

/// The shipped rules, compiled once for all cases.
fn shipped() -> &'static chaff::RuleSet {
    static RULES: std::sync::OnceLock<chaff::RuleSet> = std::sync::OnceLock::new();
    RULES.get_or_init(|| chaff::RuleSet::embedded().expect("shipped rules"))
}

/// The fixture rules without their context rules.
fn phrase_rules_only() -> chaff::RuleSet {
    let text = std::fs::read_to_string(crate::util::fixture("rules/all-kinds.rules")).expect("fixture");
    let phrases: String = text.lines().filter(|l| !l.contains(" context ")).map(|l| format!("{l}\n")).collect();
    chaff::RuleSet::from_sources(&[("phrases.rules", phrases)]).expect("phrase rules")
}

fn lines(b: &[u8]) -> Vec<&[u8]> {
    b.split_inclusive(|&c| c == b'\n').collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn output_is_a_subsequence_of_unchanged_input_lines(input in doc()) {
        let rules = test_rules();
        let out = run_engine(&rules, &input, 64, usize::MAX, usize::MAX >> 1);
        let ins = lines(&input);
        let mut it = ins.iter();
        for l in lines(&out) {
            prop_assert!(it.any(|i| *i == l), "output line {:?} is not an input line in order", String::from_utf8_lossy(l));
        }
    }

    /// Phrase rules are idempotent. Context rules are not always: cleaning removes lines that
    /// stood between others, so a second pass can find a different page head.
    #[test]
    fn cleaning_twice_equals_cleaning_once(input in doc()) {
        let rules = phrase_rules_only();
        let once = run_engine(&rules, &input, 64, usize::MAX, usize::MAX >> 1);
        let twice = run_engine(&rules, &once, 64, usize::MAX, usize::MAX >> 1);
        prop_assert_eq!(once, twice);
    }

    #[test]
    fn engine_equals_reference(input in doc(), capacity in prop::sample::select(vec![1usize, 7, 65536]), read in 1usize..20) {
        let rules = test_rules();
        let want = reference::clean(&rules, &input, usize::MAX >> 1);
        let got = run_engine(&rules, &input, capacity, read, usize::MAX >> 1);
        prop_assert_eq!(String::from_utf8_lossy(&want), String::from_utf8_lossy(&got));
        prop_assert_eq!(want, got);
    }

    /// The same with menu runs of up to 12 words: more than the prose count of a cut's
    /// `after-words` measures (10 at least), so the context stage measures such lines itself.
    #[test]
    fn engine_equals_reference_with_wide_menus(input in doc(), capacity in prop::sample::select(vec![7usize, 65536])) {
        let text = std::fs::read_to_string(crate::util::fixture("rules/all-kinds.rules")).expect("fixture");
        let text = text.replace("drop[max-words=3, min-run=3] context menu-run", "drop[max-words=12, min-run=2] context menu-run");
        let rules = chaff::RuleSet::from_sources(&[("wide.rules", text)]).expect("rules");
        let want = reference::clean(&rules, &input, usize::MAX >> 1);
        let got = run_engine(&rules, &input, capacity, usize::MAX, usize::MAX >> 1);
        prop_assert_eq!(String::from_utf8_lossy(&want), String::from_utf8_lossy(&got));
    }

    /// The same with menu runs that count only after chrome (`chrome-before`), or when long
    /// (`long-run`): the pool's phrase lines and cuts drop lines before and inside runs.
    #[test]
    fn engine_equals_reference_with_gated_menus(
        input in doc(),
        capacity in prop::sample::select(vec![7usize, 65536]),
        chrome_before in 1usize..4,
        long_run in 3usize..6,
    ) {
        let text = std::fs::read_to_string(crate::util::fixture("rules/all-kinds.rules")).expect("fixture");
        let text = text.replace(
            "drop[max-words=3, min-run=3] context menu-run",
            &format!("drop[max-words=3, min-run=3, chrome-before={chrome_before}, long-run={long_run}] context menu-run"),
        );
        let rules = chaff::RuleSet::from_sources(&[("gated.rules", text)]).expect("rules");
        prop_assert!(rules.context().menu.is_some_and(|m| m.chrome_before == chrome_before && m.long_run == long_run));
        let want = reference::clean(&rules, &input, usize::MAX >> 1);
        let got = run_engine(&rules, &input, capacity, usize::MAX, usize::MAX >> 1);
        prop_assert_eq!(String::from_utf8_lossy(&want), String::from_utf8_lossy(&got));
    }

    /// The same with `teaser-words`: a menu run soon after the article's first line shows it to
    /// be a teaser; with and without `chrome-before`, with `teaser-short` (0 is off), and with
    /// the prose lines and words that show an article instead (`article-lines`,
    /// `article-words`; the pieces' sentences have 13 words).
    #[test]
    fn engine_equals_reference_with_teasers(
        input in doc(),
        capacity in prop::sample::select(vec![7usize, 65536]),
        teaser in prop::sample::select(vec![13usize, 30]),
        chrome_before in 0usize..3,
        teaser_short in 0usize..4,
        article_lines in prop::sample::select(vec![1usize, 2, 1000]),
        article_words in prop::sample::select(vec![13usize, 26, 1000]),
    ) {
        let text = std::fs::read_to_string(crate::util::fixture("rules/all-kinds.rules")).expect("fixture");
        let text = text
            .replace(
                "drop[keep=1] context page-head",
                &format!(
                    "drop[keep=1, teaser-words={teaser}, teaser-short={teaser_short}, article-lines={article_lines}, article-words={article_words}] context page-head"
                ),
            )
            .replace(
                "drop[max-words=3, min-run=3] context menu-run",
                &format!("drop[max-words=3, min-run=3, chrome-before={chrome_before}, long-run=4] context menu-run"),
            );
        let rules = chaff::RuleSet::from_sources(&[("teaser.rules", text)]).expect("rules");
        prop_assert!(rules.context().head.is_some_and(|h| h.teaser_words == teaser && h.teaser_short == teaser_short));
        let want = reference::clean(&rules, &input, usize::MAX >> 1);
        let got = run_engine(&rules, &input, capacity, usize::MAX, usize::MAX >> 1);
        prop_assert_eq!(String::from_utf8_lossy(&want), String::from_utf8_lossy(&got));
    }

    /// The same with `page-head` waiting for its start to be confirmed: the pieces hold prose
    /// lines of 11 and 14 words: one below `lead-words`, one at it.
    #[test]
    fn engine_equals_reference_with_confirmed_heads(input in doc(), capacity in prop::sample::select(vec![7usize, 65536])) {
        let text = std::fs::read_to_string(crate::util::fixture("rules/all-kinds.rules")).expect("fixture");
        let text = text.replace("drop[keep=1] context page-head", "drop[keep=1, confirm=2, lead-words=14] context page-head");
        let rules = chaff::RuleSet::from_sources(&[("confirm.rules", text)]).expect("rules");
        prop_assert!(rules.context().head.is_some_and(|h| h.confirm == 2));
        let want = reference::clean(&rules, &input, usize::MAX >> 1);
        let got = run_engine(&rules, &input, capacity, usize::MAX, usize::MAX >> 1);
        prop_assert_eq!(String::from_utf8_lossy(&want), String::from_utf8_lossy(&got));
    }

    /// The same with `page-tail`: the pool's sentences (13 words) are article lines, and so is
    /// its long line (101 bytes) with `long-bytes=100`; a short sentence after a line of 50
    /// bytes is one. With `tail-bytes=120` the tail is often too long to drop; with `confirm=2`,
    /// an article line after three held lines waits for another; with `page-chrome`, only on a
    /// page that had that many lines dropped by rules other than `page-head` (or `page-drops` in
    /// all; `page-head` drops its head and, with `teaser-words`, teasers); with the pool's footer
    /// line ("Back to top") marking the page's footer after 0, 13 or 40 words of prose, in runs
    /// of 1 to 3 dropped lines.
    #[test]
    fn engine_equals_reference_with_page_tails(
        input in doc(),
        capacity in prop::sample::select(vec![7usize, 65536]),
        tail_bytes in prop::sample::select(vec![120usize, 8192]),
        confirm in prop::sample::select(vec![0usize, 2]),
        chrome_before in prop::sample::select(vec![", chrome-before=0", ", chrome-before=2", ""]),
        page_chrome in 0usize..4,
        page_drops in prop::sample::select(vec!["", ", page-drops=2", ", page-drops=5"]),
        head in prop::sample::select(vec!["drop[keep=1] context page-head", "drop[keep=1, teaser-words=13] context page-head"]),
        footer_words in prop::sample::select(vec![0usize, 13, 40]),
        footer_run in 1usize..4,
    ) {
        let text = std::fs::read_to_string(crate::util::fixture("rules/all-kinds.rules")).expect("fixture");
        let text = text.replace("drop[keep=1] context page-head", head);
        let text = format!(
            "{text}drop[prose-words=12, long-bytes=100, tail-bytes={tail_bytes}, confirm={confirm}, lone-after=3{chrome_before}, page-chrome={page_chrome}{page_drops}, footer-words={footer_words}, footer-run={footer_run}] context page-tail\n"
        );
        let rules = chaff::RuleSet::from_sources(&[("tail.rules", text)]).expect("rules");
        prop_assert!(rules.context().tail.is_some_and(|t| t.long_bytes == 100 && t.tail_bytes == tail_bytes && t.confirm == confirm && t.footer_run == footer_run));
        let want = reference::clean(&rules, &input, usize::MAX >> 1);
        let got = run_engine(&rules, &input, capacity, usize::MAX, usize::MAX >> 1);
        prop_assert_eq!(String::from_utf8_lossy(&want), String::from_utf8_lossy(&got));
    }

    /// The same document with `\r\n` or `\n` line endings is cleaned the same: the byte counts
    /// the engine decides by (a cut's guard, the context rules' bounds, `tail-bytes=120`, the
    /// line cap) leave the endings out, whatever the buffer's size.
    #[test]
    fn line_endings_do_not_change_what_is_kept(
        input in doc(),
        tail_bytes in prop::sample::select(vec![120usize, 8192]),
        cap in prop::sample::select(vec![20usize, 60, usize::MAX >> 1]),
        capacity in prop::sample::select(vec![7usize, 65536]),
    ) {
        let text = std::fs::read_to_string(crate::util::fixture("rules/all-kinds.rules")).expect("fixture");
        let text = format!("{text}drop[prose-words=12, long-bytes=100, tail-bytes={tail_bytes}, lone-after=3] context page-tail\n");
        let rules = chaff::RuleSet::from_sources(&[("tail.rules", text)]).expect("rules");
        let lf: Vec<u8> = String::from_utf8_lossy(&input).replace("\r\n", "\n").into_bytes();
        let crlf: Vec<u8> = String::from_utf8_lossy(&lf).replace('\n', "\r\n").into_bytes();
        let from_lf = run_engine(&rules, &lf, capacity, usize::MAX, cap);
        let from_crlf = run_engine(&rules, &crlf, capacity, usize::MAX, cap);
        prop_assert_eq!(String::from_utf8_lossy(&from_lf).replace('\n', "\r\n"), String::from_utf8_lossy(&from_crlf));
        let shipped_lf = run_engine(shipped(), &lf, capacity, usize::MAX, cap);
        let shipped_crlf = run_engine(shipped(), &crlf, capacity, usize::MAX, cap);
        prop_assert_eq!(String::from_utf8_lossy(&shipped_lf).replace('\n', "\r\n"), String::from_utf8_lossy(&shipped_crlf));
    }

    #[test]
    fn nothing_to_drop_means_byte_identical(input in doc()) {
        let rules = chaff::RuleSet::from_sources(&[("none.rules", "drop line zzz-never-present\n")]).expect("rules");
        prop_assert_eq!(run_engine(&rules, &input, 7, 5, usize::MAX >> 1), input);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// The ordered path (every line reported in order, as `explain` needs) writes exactly what
    /// the unordered path (`clean`) writes.
    #[test]
    fn ordered_sinks_see_what_clean_writes(input in doc(), capacity in prop::sample::select(vec![1usize, 7, 65536])) {
        let rules = test_rules();
        let mut rec = chaff::output::RecordSink::default();
        let mut engine = chaff::Engine::new(&rules, chaff::Options { buffer_capacity: capacity, ..chaff::Options::default() });
        let mut reader = &input[..];
        engine.run(&mut reader, "-", &mut rec).expect("in memory");
        prop_assert_eq!(rec.written(), run_engine(&rules, &input, capacity, usize::MAX, usize::MAX >> 1));
        // Every input line is reported exactly once, in order.
        let nums: Vec<u64> = rec.lines.iter().map(|l| l.0).collect();
        prop_assert_eq!(nums, (1..=lines(&input).len() as u64).collect::<Vec<_>>());
        let all: Vec<u8> = rec.lines.iter().flat_map(|l| l.3.iter().copied()).collect();
        prop_assert_eq!(all, input);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

    /// What `explain` renders as kept (`+`) or written blank (` `) is, line for line, what
    /// `clean` writes.
    #[test]
    fn explain_shows_exactly_what_clean_writes(input in doc()) {
        let rules = test_rules();
        let mut sink = chaff::output::ExplainSink::new(Vec::new(), &rules, false, false, false);
        let mut engine = chaff::Engine::new(&rules, chaff::Options::default());
        let mut reader = &input[..];
        engine.run(&mut reader, "-", &mut sink).expect("in memory");
        let shown = String::from_utf8(sink.into_inner()).expect("explain writes UTF-8");
        let kept = crate::util::explain_written(&shown);
        let clean = run_engine(&rules, &input, 64 * 1024, usize::MAX, usize::MAX >> 1);
        let want: Vec<String> = lines(&clean).into_iter().map(chaff::output::escape_line).collect();
        prop_assert_eq!(kept, want);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Any rule file text gives a rule set or errors, never a panic.
    #[test]
    fn rule_files_never_panic(lines in prop::collection::vec(
        prop::sample::select(vec![
            "drop", "cut", "thread", "drop[", "drop[id=x]", "drop[max-chars=3]", "drop[keep=2]", "drop[max-words=0, min-run=1]",
            " line ", " prefix ", " contains ", " regex ", " context ", "menu-run", "page-head", "(", ")", "[a-", "\\\\", "\\\\d+", "^", "$",
            "{2,1}", "(?P<x>", "é", "\u{a0}", "\"", "#", "pack p", "about", "    drop: ", "    keep: ", "\t", "*", "+?", "\\\\n",
        ]),
        0..40,
    )) {
        let text: String = lines.concat().replace("pack p", "\npack p").replace("    drop: ", "\n    drop: ").replace("drop", "\ndrop");
        let _ = chaff::RuleSet::from_sources(&[("fuzz.rules", text.as_str())]);
    }

    /// The shipped rules' gates (leading text, endings, anchor words found by block or by line)
    /// open for every line a rule matches: the engine agrees with the reference, which tries
    /// every rule on every line.
    #[test]
    fn shipped_gates_miss_nothing(input in gate_doc(), capacity in prop::sample::select(vec![7usize, 65536])) {
        let rules = shipped();
        let want = reference::clean(rules, &input, usize::MAX >> 1);
        let got = run_engine(rules, &input, capacity, usize::MAX, usize::MAX >> 1);
        prop_assert_eq!(String::from_utf8_lossy(&want), String::from_utf8_lossy(&got));
    }

    /// Any bytes through the shipped rules: no panic, and kept lines are input lines.
    #[test]
    fn arbitrary_bytes_never_panic(input in prop::collection::vec(any::<u8>(), 0..2000), cap in 1usize..64) {
        let rules = shipped();
        let out = run_engine(rules, &input, 7, 13, cap);
        let ins = lines(&input);
        let mut it = ins.iter();
        for l in lines(&out) {
            prop_assert!(it.any(|i| *i == l));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Normalizing never adds characters (the matcher settles `max-chars` on the raw count when
    /// it is within the bound).
    #[test]
    fn normalizing_never_adds_characters(
        parts in prop::collection::vec(prop_oneof![
            prop::sample::select(vec![
                "a", "B", " ", "\t", "\r", "\n", "\u{a0}", "\u{3000}", "\u{2019}", "\u{201c}", "\u{ab}", "\u{e9}",
                "\u{4e00}", "\u{200b}", "\u{feff}", "\u{1680}", "\u{2028}",
            ]).prop_map(|s| s.as_bytes().to_vec()),
            // Any byte: invalid and truncated UTF-8 too.
            any::<u8>().prop_map(|b| vec![b]),
        ], 0..40),
    ) {
        use chaff::rules::normalize::{char_count, normalize};
        let line = parts.concat();
        prop_assert!(char_count(&normalize(&line)) <= char_count(&line), "{:?}", line);
    }
}

/// JSON Lines records: objects nested up to three deep under the keys chaff looks for and
/// others (escaped keys, repeated keys, arrays, numbers), written compact or spaced, and now and
/// then broken by a byte cut off or put in.
fn json_record() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec!["\"text\"", "\"meta\"", "\"body\"", "\"a/b\"", "\"te\\u0078t\"", "\"x\""]);
    let leaf = prop::sample::select(vec![
        "\"Share this:\\nKeep.\"", "\"caf\\u00e9\"", "\"caf\u{e9}\"", "1", "null", "true", "[1, \"text\"]", "\"\"",
    ])
    .prop_map(str::to_string);
    let value = leaf.prop_recursive(3, 24, 4, move |inner| {
        prop::collection::vec((key.clone(), inner), 0..4).prop_map(|fields| {
            let body: Vec<String> = fields.into_iter().map(|(k, v)| format!("{k}: {v}")).collect();
            format!("{{{}}}", body.join(", "))
        })
    });
    (value, prop::sample::select(vec![0usize, 1, 2, 3]), any::<prop::sample::Index>()).prop_map(|(v, how, at)| {
        let v = if v.starts_with('{') { v } else { format!("{{\"text\": {v}}}") };
        let at = at.index(v.len() + 1);
        match how {
            // Broken: a byte cut off, or a quote put in (on a character boundary).
            1 if v.is_char_boundary(at) && at < v.len() => format!("{}{}", &v[..at], &v[at..].chars().skip(1).collect::<String>()),
            2 if v.is_char_boundary(at) => format!("{}\"{}", &v[..at], &v[at..]),
            _ => v,
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    /// Finding the document in a record never panics, whatever the line and the field (a key or
    /// a JSON Pointer), and agrees with serde_json's own pointer lookup: the same string where
    /// it finds one, "not a string" or "no field" where it finds another value or none, and
    /// "invalid JSON" where it cannot parse the line. serde_json keeps the last of a repeated
    /// key, which chaff reports instead: a repeated key may stand for any of these.
    #[test]
    fn jsonl_fields_are_found_where_serde_json_finds_them(
        line in json_record(),
        field in prop::sample::select(vec!["text", "/text", "/meta/body", "/meta/text", "/meta/meta/x", "/a~1b", "/", "meta.body", "/x/1", "/meta/x/0", "/text/1"]),
    ) {
        use chaff::jsonl::RecordError;
        let located = chaff::jsonl::locate(line.as_bytes(), field);
        if matches!(located, Err(RecordError::Repeated { .. })) {
            return Ok(());
        }
        let Ok(parsed) = serde_json::from_str::<serde_json::Value>(&line) else {
            prop_assert!(matches!(located, Err(RecordError::Json { .. })), "{:?} for {}", located, line);
            return Ok(());
        };
        let pointer = if field.starts_with('/') { field.to_string() } else { format!("/{}", field.replace('~', "~0").replace('/', "~1")) };
        match parsed.pointer(&pointer) {
            Some(serde_json::Value::String(want)) => {
                let span = located.map_err(|e| TestCaseError::fail(format!("{e:?} for {line}")))?;
                let literal = &line.as_bytes()[span];
                let got = chaff::jsonl::decode(literal).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                prop_assert_eq!(got.as_ref(), want.as_str());
            }
            Some(_) => prop_assert!(matches!(located, Err(RecordError::NotString { .. })), "{:?} for {}", located, line),
            None => prop_assert!(matches!(located, Err(RecordError::NoField)), "{:?} for {}", located, line),
        }
    }
}
