//! The engine regex rules run on: whether a normalized line matches, nothing more.
//!
//! `regex::bytes::Regex` (the regex crate's meta engine) builds two Thompson NFAs for every
//! regex, the second reversed, so that its lazy DFA can find where a match starts. A rule asks
//! only *whether* a line matches, which a forward lazy DFA answers alone: [`LineRegex`] builds
//! the forward NFA, a lazy DFA over it, and the bounded backtracker (or, on lines too long for
//! it, the PikeVM) over the same NFA for the lines the lazy DFA gives up on (a Unicode `\b`
//! next to a non-ASCII byte, or a cache cleared too often). Compiling a regex, paid on first use
//! while cleaning, costs about half as much, and the language is the same: the regex crate's
//! syntax and limits, bytes rather than only UTF-8.

use regex_automata::hybrid::dfa::{Cache as DfaCache, DFA};
use regex_automata::nfa::thompson::backtrack::{BoundedBacktracker, Cache as BacktrackCache};
use regex_automata::nfa::thompson::pikevm::{Cache as PikeCache, PikeVM};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::prefilter::Prefilter;
use regex_automata::util::syntax;
use regex_automata::{Input, MatchKind};
use regex_syntax::hir::Look;

/// As `regex::bytes::RegexBuilder`'s default `size_limit`.
const NFA_SIZE_LIMIT: usize = 10 << 20;
/// As `regex::bytes::RegexBuilder`'s default `dfa_size_limit`.
const DFA_CACHE_CAPACITY: usize = 2 << 20;

thread_local! {
    /// One NFA compiler per thread, used for every regex: a compiler's first build allocates
    /// tables of some hundreds of kilobytes that later builds reuse.
    static COMPILER: thompson::Compiler = {
        let mut compiler = thompson::Compiler::new();
        compiler.configure(thompson::Config::new().nfa_size_limit(Some(NFA_SIZE_LIMIT)).utf8(false).which_captures(WhichCaptures::None));
        compiler
    };
}

/// A compiled regex rule (see the module documentation).
#[derive(Debug)]
pub(crate) struct LineRegex {
    /// The shortest match, and the longest when a match is the whole line: texts of other
    /// lengths are answered without a search.
    lengths: (usize, Option<usize>),
    /// For a regex that must match the whole line, the bytes a match can hold, when that leaves
    /// out some letter: a line with another byte is answered without touching the automata.
    bytes: Option<Box<[bool; 256]>>,
    /// How many states its NFA has (see [`nfa_states`]).
    states: usize,
    /// `None` when the NFA is too large for the lazy DFA's cache: the other engines do it all.
    dfa: Option<DFA>,
    /// For the lines the lazy DFA gives up on, when they are short enough for it (most).
    backtrack: BoundedBacktracker,
    pikevm: PikeVM,
}

/// A [`LineRegex`]'s mutable state for one thread.
#[derive(Debug)]
pub(crate) struct LineRegexCache {
    dfa: Option<DfaCache>,
    /// Made on the first line the lazy DFA gives up on.
    backtrack: Option<BacktrackCache>,
    /// Made on the first line the lazy DFA gives up on that is too long for the backtracker.
    pikevm: Option<PikeCache>,
}

impl LineRegex {
    /// Compiles `pattern` as the regex crate would (it refuses the same patterns); `None` when
    /// it is refused.
    pub(crate) fn new(pattern: &str) -> Option<LineRegex> {
        let syntax = syntax::Config::new().utf8(false);
        let hir = syntax::parse_with(pattern, &syntax).ok()?;
        let nfa = COMPILER.with(|compiler| compiler.build_from_hir(&hir).ok())?;
        let states = nfa.states().len();
        let props = hir.properties();
        let at_start = props.look_set_prefix().contains(Look::Start);
        let whole_line = at_start && props.look_set_suffix().contains(Look::End);
        let lengths = (props.minimum_len().unwrap_or(usize::MAX), if whole_line { props.maximum_len() } else { None });
        let bytes = whole_line
            .then(|| {
                let mut set = Box::new([false; 256]);
                match_bytes(&hir, &mut set);
                set
            })
            .filter(|set| (b'a'..=b'z').any(|b| !set[usize::from(b)]));
        // As the meta engine configures its lazy DFA: a search not anchored at the start skips
        // ahead to the regex's leading literals, and the DFA gives up (another engine answers)
        // rather than rebuild its states over and over.
        let pre = if at_start { None } else { Prefilter::from_hir_prefix(MatchKind::LeftmostFirst, &hir) };
        let dfa = DFA::builder()
            .configure(
                DFA::config()
                    .specialize_start_states(pre.is_some())
                    .prefilter(pre)
                    .match_kind(MatchKind::LeftmostFirst)
                    .unicode_word_boundary(true)
                    .cache_capacity(DFA_CACHE_CAPACITY)
                    .minimum_cache_clear_count(Some(3))
                    .minimum_bytes_per_state(Some(10)),
            )
            .build_from_nfa(nfa.clone())
            .ok();
        let backtrack = BoundedBacktracker::builder().build_from_nfa(nfa.clone()).ok()?;
        let pikevm = PikeVM::builder().configure(PikeVM::config().match_kind(MatchKind::LeftmostFirst)).build_from_nfa(nfa).ok()?;
        Some(LineRegex { lengths, bytes, states, dfa, backtrack, pikevm })
    }

    /// Whether `raw`, a line as it came, may match once normalized: `false` only when it is
    /// shorter than any match (normalizing never lengthens a line), or when it holds a visible
    /// ASCII byte that, lowercased as normalization leaves it, no match holds (see `bytes`).
    /// White space and bytes from 0x80 up are not asked: normalization turns some of them into a
    /// space or a quote. Most lines that open a regex are settled here, before they are
    /// normalized.
    pub(crate) fn may_match_raw(&self, raw: &[u8]) -> bool {
        if raw.len() < self.lengths.0 {
            return false;
        }
        let Some(set) = &self.bytes else { return true };
        !raw.iter().any(|&b| b > b' ' && b < 0x7F && !set[usize::from(b.to_ascii_lowercase())])
    }

    /// How many states its NFA has, as [`nfa_states`] counts them.
    pub(crate) fn nfa_states(&self) -> usize {
        self.states
    }

    /// A cache for [`LineRegex::is_match`], one per thread.
    pub(crate) fn create_cache(&self) -> LineRegexCache {
        LineRegexCache { dfa: self.dfa.as_ref().map(DFA::create_cache), backtrack: None, pikevm: None }
    }

    /// Whether the regex matches anywhere in `text`.
    pub(crate) fn is_match(&self, cache: &mut LineRegexCache, text: &[u8]) -> bool {
        if text.len() < self.lengths.0 || self.lengths.1.is_some_and(|max| text.len() > max) {
            return false;
        }
        if self.bytes.as_ref().is_some_and(|set| text.iter().any(|&b| !set[usize::from(b)])) {
            return false;
        }
        let input = Input::new(text).earliest(true);
        if let (Some(dfa), Some(dfa_cache)) = (&self.dfa, &mut cache.dfa) {
            if let Ok(found) = dfa.try_search_fwd(dfa_cache, &input) {
                return found.is_some();
            }
        }
        if text.len() <= self.backtrack.max_haystack_len() {
            let backtrack_cache = cache.backtrack.get_or_insert_with(|| self.backtrack.create_cache());
            if let Ok(found) = self.backtrack.try_is_match(backtrack_cache, input.clone()) {
                return found;
            }
        }
        let pikevm_cache = cache.pikevm.get_or_insert_with(|| self.pikevm.create_cache());
        self.pikevm.is_match(pikevm_cache, input)
    }
}

/// How many states the Thompson NFA of `pattern` has, compiled as [`LineRegex::new`] compiles
/// it; `None` when it does not compile. Compiling takes time in proportion, and so does each
/// state the lazy DFA builds from them.
pub(crate) fn nfa_states(pattern: &str) -> Option<usize> {
    let hir = syntax::parse_with(pattern, &syntax::Config::new().utf8(false)).ok()?;
    COMPILER.with(|compiler| compiler.build_from_hir(&hir).ok()).map(|nfa| nfa.states().len())
}

/// Marks in `set` every byte a match of `hir` can hold: the bytes of its literals and of its
/// classes' ASCII ranges, and every byte from 0x80 up where a class reaches beyond ASCII.
fn match_bytes(hir: &regex_syntax::hir::Hir, set: &mut [bool; 256]) {
    use regex_syntax::hir::{Class, HirKind};
    let mut mark = |lo: u32, hi: u32| {
        for b in lo..=hi.min(0xFF) {
            set[b as usize] = true;
        }
    };
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(l) => l.0.iter().for_each(|&b| mark(u32::from(b), u32::from(b))),
        HirKind::Class(Class::Bytes(c)) => c.iter().for_each(|r| mark(u32::from(r.start()), u32::from(r.end()))),
        HirKind::Class(Class::Unicode(c)) => c.iter().for_each(|r| {
            mark(u32::from(r.start()), u32::from(r.end()).min(0x7F));
            if u32::from(r.end()) >= 0x80 {
                mark(0x80, 0xFF);
            }
        }),
        HirKind::Repetition(r) => match_bytes(&r.sub, set),
        HirKind::Capture(c) => match_bytes(&c.sub, set),
        HirKind::Concat(v) | HirKind::Alternation(v) => v.iter().for_each(|h| match_bytes(h, set)),
    }
}

#[cfg(test)]
mod tests {
    use super::LineRegex;

    /// Asserts that `pattern` matches exactly the texts the regex crate says it matches.
    fn agrees(pattern: &str, texts: &[&str]) {
        let want = regex::bytes::Regex::new(pattern).expect("the regex crate compiles it");
        let re = LineRegex::new(pattern).expect("compiles");
        let mut cache = re.create_cache();
        for text in texts {
            assert_eq!(re.is_match(&mut cache, text.as_bytes()), want.is_match(text.as_bytes()), "{pattern} on {text:?}");
        }
    }

    #[test]
    fn matches_as_the_regex_crate_does() {
        let texts = ["", "a", "ab", "abc", "abcd", "photo: ap", "12 comments", "posted by anna", "zdjęcie: jan", "🙂 99", "a 1 b", "cafés", "café s", "x\u{a0}y"];
        for pattern in [
            r"(?i)^photo: \S+$",
            r"(?i)^[0-9]{1,7}(?: [0-9]{1,7})+$",
            r"(?i)comments?$",
            r"(?i)^(?:posted )?by [a-z]+",
            r"(?i)^(?:foto|zdjęcie) ?: ?\S.*$",
            r"(?i)s$",
            r"^$",
            r".",
            r"(?i)^ab?$",
            r"(?i)^(?:ab|abc)$",
            r"(?i)^(?:ab|abc)",
            r"(?i)photo: \S+|^a$",
            r"[^\s\S]",
        ] {
            agrees(pattern, &texts);
        }
    }

    /// Raw lines built from pieces that normalization changes (case, white space, curly quotes,
    /// no-break spaces) and pieces the patterns below hold or miss.
    const RAW_PIECES: &[&str] = &["12", " ", "\t", "  ", "Photo", ": ", "AP", "comments", "x", "\u{201c}", "\u{a0}", "é", "-", "\r\n", "\n"];

    proptest::proptest! {
        #[test]
        fn a_raw_line_turned_away_never_matches_once_normalized(parts in proptest::collection::vec(proptest::sample::select(RAW_PIECES), 0..12)) {
            let raw = parts.concat();
            let norm = crate::rules::normalize::normalize(raw.as_bytes());
            for pattern in [r"(?i)^photo: \S+$", r"(?i)^[0-9]{1,7}(?: [0-9]{1,7})+$", r"(?i)^[0-9]+ comments$", r#"(?i)^["' ]+$"#, r"(?i)^(?:ap|x)-?[0-9]*$"] {
                let re = LineRegex::new(pattern).expect("compiles");
                let mut cache = re.create_cache();
                if !re.may_match_raw(raw.as_bytes()) {
                    proptest::prop_assert!(!re.is_match(&mut cache, &norm), "{pattern} on {raw:?}");
                }
            }
        }
    }

    #[test]
    fn a_raw_line_with_a_byte_no_match_holds_is_turned_away_before_it_is_normalized() {
        let re = LineRegex::new(r"(?i)^[0-9]{1,7}(?: [0-9]{1,7})+$").expect("compiles");
        // A letter: no match holds one.
        assert!(!re.may_match_raw(b"2024 was a good year\n"));
        assert!(!re.may_match_raw(b"1"), "shorter than any match");
        // White space, a no-break space and digits: normalization decides.
        assert!(re.may_match_raw("12\t 34\u{a0}56\r\n".as_bytes()));
        // Uppercase letters are asked as normalization leaves them: lowercased.
        let photo = LineRegex::new(r"(?i)^photo: (?:ap|afp)$").expect("compiles");
        assert!(photo.may_match_raw(b"PHOTO: AP\n"));
        assert!(!photo.may_match_raw(b"PHOTO: AP 2\n"));
    }

    #[test]
    fn a_word_boundary_beside_a_non_ascii_letter_is_decided_as_the_regex_crate_does() {
        // The lazy DFA gives up at a non-ASCII byte next to a Unicode `\b`; the PikeVM answers.
        // Lines too long for the backtracker go to the PikeVM.
        let long = format!("{} here é", "é".repeat(200_000));
        let longer = format!("{long}x");
        let texts = ["subscribe here", "résumé here", "here é", "éhere", "héré", "here", "ahere", "here\u{301}", &long, &longer];
        for pattern in [r"(?i)\bhere\b", r"(?i)\bré", r"(?i)é\b", r"(?i)\B", r"(?i)\b", r"(?i)\bhere é$"] {
            agrees(pattern, &texts);
        }
    }

    #[test]
    fn bytes_that_are_not_utf_8_are_matched_as_bytes() {
        let want = regex::bytes::Regex::new(r"(?i)^a.b$").expect("compiles");
        let re = LineRegex::new(r"(?i)^a.b$").expect("compiles");
        let mut cache = re.create_cache();
        for text in [&b"a\xffb"[..], b"a\xc3\xa9b", b"ab", b"a\xff\xffb"] {
            assert_eq!(re.is_match(&mut cache, text), want.is_match(text), "{text:?}");
        }
    }

    #[test]
    fn refuses_what_the_regex_crate_refuses() {
        for pattern in [r"(", r"a{5000}{5000}", r"\p{NotAProperty}"] {
            assert!(regex::bytes::Regex::new(pattern).is_err(), "{pattern}");
            assert!(LineRegex::new(pattern).is_none(), "{pattern}");
        }
    }

    #[test]
    fn every_shipped_regex_answers_as_the_regex_crate_on_the_prose_sample_and_the_examples() {
        use crate::rules::normalize::normalize;
        use crate::rules::{Mode, RuleSet};
        let set = RuleSet::embedded().expect("the shipped rules compile");
        let mut lines: Vec<Vec<u8>> = crate::rules::lint::PROSE_SAMPLE.1.lines().map(|l| normalize(l.as_bytes())).collect();
        lines.extend(set.rules().iter().flat_map(|r| &r.examples).map(|e| normalize(e.text.as_bytes())));
        let mut regexes = 0;
        let mut matched = 0;
        for rule in set.rules().iter().filter(|r| r.mode == Mode::Regex) {
            let pattern = format!("(?i){}", rule.phrase);
            let want = regex::bytes::Regex::new(&pattern).expect("the regex crate compiles it");
            let re = LineRegex::new(&pattern).expect("compiles");
            let mut cache = re.create_cache();
            for line in &lines {
                let got = re.is_match(&mut cache, line);
                assert_eq!(got, want.is_match(line), "{} on {:?}", rule.id, String::from_utf8_lossy(line));
                matched += usize::from(got);
            }
            regexes += 1;
        }
        // The comparison means something: many regexes, and matches as well as misses.
        assert!(regexes > 300 && matched > 300, "{regexes} regexes, {matched} matches");
    }

    /// Pieces of haystacks: ASCII words and digits, spaces, punctuation, letters and marks of
    /// other scripts (next to which a Unicode `\b` makes the lazy DFA give up), and bytes that
    /// are not UTF-8.
    const PIECES: &[&[u8]] = &[
        b"photo", b"by ", b"a", b"12", b"0", b" ", b"  ", b":", b".", b"-", b"|", b"'", b"here", b"x",
        "é".as_bytes(), "ß".as_bytes(), "жук".as_bytes(), "中".as_bytes(), "\u{301}".as_bytes(), "’".as_bytes(),
        "\u{a0}".as_bytes(), b"\xff", b"\xc3", b"\xe2\x80", b"/", b"t", b"z", b"pm", b"updated ", b"2024-",
    ];

    /// Patterns that take each engine's path: anchored and not, bounded lengths, Unicode
    /// classes and word boundaries, case-insensitive letters with non-ASCII case partners (k, s).
    const PATTERNS: &[&str] = &[
        r"(?i)^photo: \S+$",
        r"(?i)\bhere\b",
        r"(?i)\Bre",
        r"(?i)^[0-9]{1,3}(?: [0-9]{1,3})+$",
        r"(?i)(?:by|é) [a-zß]+",
        r"(?i)[^.!?]{2,8}$",
        r"(?i)^.{0,5}$",
        r"(?i)\w+\b:",
        r"(?i)жук|中",
        r"(?i)^(?:a|x)\.?\s*[0-9]",
        r"(?i)ks?\b",
        // Whole-line regexes that leave letters out: the bytes a match can hold answer first.
        r"(?i)^(?:updated:? )?[0-9]{1,2}[./][0-9]{1,2}[./][0-9]{2,4},? [0-9]{1,2}:[0-9]{2}(?: ?[ap]\.?m\.?)?$",
        r"(?i)^(?:photo|é) [0-9]+ / [0-9]+$",
        r"(?i)^[0-9-]+t[0-9:]+z?$",
    ];

    proptest::proptest! {
        #[test]
        fn any_line_gets_the_regex_crates_answer(
            parts in proptest::collection::vec(proptest::sample::select(PIECES), 0..24),
            which in 0..PATTERNS.len(),
        ) {
            let text = parts.concat();
            let want = regex::bytes::Regex::new(PATTERNS[which]).expect("the regex crate compiles it");
            let re = LineRegex::new(PATTERNS[which]).expect("compiles");
            let mut cache = re.create_cache();
            proptest::prop_assert_eq!(re.is_match(&mut cache, &text), want.is_match(&text), "{} on {:?}", PATTERNS[which], String::from_utf8_lossy(&text));
        }
    }
}
