//! Finding anchor words in whole blocks of lines at once (see `Compiled::anchor_finder`): packed
//! (SIMD) searchers over rare windows of the words, each hit checked against the words that hold
//! it, with an automaton to fall back on.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

/// Finds the anchor words of a block of lines (see `Scratch::scan_anchors`): the long anchors
/// and the floating bounded ones.
#[derive(Debug)]
pub(crate) enum BlockFinder {
    /// Run over an ASCII-lowercased copy of the block: packed (SIMD) searchers for windows of
    /// up to [`PACKED_WINDOW`] bytes that the words hold, several times faster than any automaton, and
    /// a substring searcher for each of the few words that are shorter. Each window found is
    /// checked against the words that hold it, so every word is found where it occurs, with
    /// the rules it gates.
    Packed(Box<PackedFinder>),
    /// The words themselves, ASCII case-insensitively, where the packed searchers are not
    /// available (too many windows or short words, or no SIMD on this CPU): it tells only which
    /// lines hold a word, and those lines are searched again on their own.
    Automaton(AhoCorasick),
}

/// The packed searchers of [`BlockFinder::Packed`].
#[derive(Debug)]
pub(crate) struct PackedFinder {
    /// Windows of the ASCII words.
    pub ascii: Option<Windows>,
    /// Windows of the words with other characters: run only around the bytes that begin a
    /// character beyond Latin-1 punctuation, when every such word holds one (see
    /// [`PackedFinder::other_gated`]).
    pub other: Option<Windows>,
    /// Whether every word behind `other` holds a byte of 0xC3 and above other than 0xE2 (the
    /// first byte of typographic quotes and dashes, common in any text): then `other` is run
    /// only around such bytes (see [`PackedFinder::other_spans`]).
    pub other_gated: bool,
    /// The length of the longest word behind `other`.
    pub other_longest: usize,
    /// Words shorter than a window: (searcher, word id).
    pub short: Vec<(memchr::memmem::Finder<'static>, u32)>,
    /// Word id → (the word, ASCII-lowercased; the rules it gates).
    pub words: Vec<(Vec<u8>, Vec<u32>)>,
    /// The length of the longest word.
    pub longest: usize,
}

/// The most bytes of a block [`PackedFinder::find`] lowercases at a time.
const FIND_PIECE: usize = 256 << 10;

/// A packed searcher for windows of words, and where each window sits in which word.
#[derive(Debug)]
pub(crate) struct Windows {
    pub searcher: aho_corasick::packed::Searcher,
    /// The windows, by pattern id.
    pub windows: Vec<Vec<u8>>,
    /// Pattern id → (word id, offset of the window in the word).
    pub in_words: Vec<Vec<(u32, usize)>>,
}

impl PackedFinder {
    /// Finds every word in `raw` (whole lines) into `out`: (start offset, word id), in order.
    /// `lower` is scratch space for an ASCII-lowercased copy, made [`FIND_PIECE`] bytes at a
    /// time (overlapping by a word's length), so that it stays small whatever the lines' length.
    pub fn find(&self, raw: &[u8], lower: &mut Vec<u8>, out: &mut Vec<(usize, u32)>) {
        out.clear();
        let overlap = self.longest.saturating_sub(1);
        let mut start = 0;
        loop {
            let end = if overlap < FIND_PIECE / 2 { raw.len().min(start + FIND_PIECE) } else { raw.len() };
            self.find_piece(&raw[start..end], start, lower, out);
            if end == raw.len() {
                break;
            }
            start = end - overlap;
        }
        out.sort_unstable();
        // A word in the overlap of two pieces is found in both.
        out.dedup();
    }

    /// Finds every word in `raw`, which starts at `offset`.
    fn find_piece(&self, raw: &[u8], offset: usize, lower: &mut Vec<u8>, out: &mut Vec<(usize, u32)>) {
        lower.clear();
        lower.extend(raw.iter().map(u8::to_ascii_lowercase));
        let lower = lower.as_slice();
        let mut found = |windows: &Windows, span: std::ops::Range<usize>| {
            // Restarted one byte after each window found, so that overlapping windows are all
            // seen.
            let mut from = span.start;
            while let Some(m) = windows.searcher.find_in(lower, aho_corasick::Span::from(from..span.end)) {
                for &(word, k) in &windows.in_words[m.pattern().as_usize()] {
                    let w = &self.words[word as usize].0;
                    let start = m.start().wrapping_sub(k);
                    if m.start() >= k && lower.get(start..start + w.len()) == Some(w.as_slice()) {
                        out.push((offset + start, word));
                    }
                }
                from = m.start() + 1;
            }
        };
        if let Some(ascii) = &self.ascii {
            found(ascii, 0..lower.len());
        }
        if let Some(other) = &self.other {
            if self.other_gated {
                // Most text in a Latin script holds such bytes only here and there (a name
                // with an accent): the spans around them are all that can hold such a word.
                self.other_spans(raw, |span| found(other, span));
            } else {
                found(other, 0..lower.len());
            }
        }
        for (finder, word) in &self.short {
            out.extend(finder.find_iter(lower).map(|at| (offset + at, *word)));
        }
    }

    /// Every window searched for, with the words that hold it, ASCII windows first (for
    /// `chaff check --gates`).
    pub fn windows(&self) -> Vec<(&[u8], Vec<&[u8]>)> {
        let mut out = Vec::new();
        for set in [&self.ascii, &self.other].into_iter().flatten() {
            for (window, places) in set.windows.iter().zip(&set.in_words) {
                let mut holders: Vec<&[u8]> = places.iter().map(|&(w, _)| self.words[w as usize].0.as_slice()).collect();
                holders.dedup();
                out.push((window.as_slice(), holders));
            }
        }
        out
    }

    /// The words shorter than a window, each searched for on its own.
    pub fn short_words(&self) -> impl Iterator<Item = &[u8]> {
        self.short.iter().map(|&(_, w)| self.words[w as usize].0.as_slice())
    }

    /// Calls `f` with the spans of `raw` that can hold a word behind `other` when every such
    /// word holds a byte of 0xC3 and above other than 0xE2 (`other_gated`): the bytes up to a
    /// word's length on either side of each such byte, spans that meet joined into one, in
    /// order.
    fn other_spans(&self, raw: &[u8], mut f: impl FnMut(std::ops::Range<usize>)) {
        let reach = self.other_longest.max(1);
        let mut span: Option<std::ops::Range<usize>> = None;
        let mut at = 0;
        while let Some(p) = next_gate_byte(raw, at) {
            let (start, mut end) = ((p + 1).saturating_sub(reach), (p + reach).min(raw.len()));
            // The span reaches past the last such byte of the bytes it took in, as long as
            // there is one: text in another script is one span, found a span's length at a time.
            let mut seen = p + 1;
            while let Some(q) = raw[seen..end].iter().rposition(|&b| gate_byte(b)) {
                (seen, end) = (end, (seen + q + reach).min(raw.len()));
            }
            span = match span {
                Some(s) if start <= s.end => Some(s.start..end),
                Some(s) => {
                    f(s);
                    Some(start..end)
                }
                None => Some(start..end),
            };
            at = end;
        }
        if let Some(s) = span {
            f(s);
        }
    }
}

/// Whether `b` is 0xC3 or above and not 0xE2: the first byte of a character beyond Latin-1
/// punctuation and the typographic quotes and dashes (see `PackedFinder::other_gated`).
fn gate_byte(b: u8) -> bool {
    b >= 0xC3 && b != 0xE2
}

/// The position of the first byte of 0xC3 and above other than 0xE2 in `raw` from `at` on (see
/// `PackedFinder::other_gated`): thirty-two bytes at a time while they are ASCII, then eight,
/// the bytes sought marked without a branch on each.
fn next_gate_byte(raw: &[u8], mut at: usize) -> Option<usize> {
    const HI: u64 = 0x8080_8080_8080_8080;
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let word = |b: &[u8]| b.get(..8).and_then(|c| <[u8; 8]>::try_from(c).ok()).map_or(0, u64::from_le_bytes);
    // Of the bytes with the high bit, those whose low seven bits are 0x43 or more (0xC3 and
    // above), less those equal to 0xE2.
    let sought = |x: u64| {
        let at_least = ((x & LOW7) + 0x3D3D_3D3D_3D3D_3D3D) & x & HI;
        let e2 = x ^ 0xE2E2_E2E2_E2E2_E2E2;
        let is_e2 = !(((e2 & LOW7) + LOW7) | e2) & HI;
        at_least & !is_e2
    };
    loop {
        if let Some(b) = raw.get(at..at + 32) {
            let xs = [word(b), word(&b[8..]), word(&b[16..]), word(&b[24..])];
            // ASCII, or other bytes none of which is sought (typographic quotes and dashes in
            // English text).
            if (xs[0] | xs[1] | xs[2] | xs[3]) & HI == 0 || (sought(xs[0]) | sought(xs[1]) | sought(xs[2]) | sought(xs[3])) == 0 {
                at += 32;
                continue;
            }
        }
        let Some(b) = raw.get(at..at + 8) else { break };
        let found = sought(word(b));
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    raw[at..].iter().position(|&b| gate_byte(b)).map(|k| at + k)
}

/// How many bytes of each anchor word the packed block search looks for: five, where four (the
/// most the packed searcher sifts by) made a pass over the development corpus's pages 1.4% more
/// instructions (windows such as `serv` and `live` begin many words of prose); a word of four
/// bytes is its own window.
const PACKED_WINDOW: usize = 5;
/// Words shorter than this have no window.
pub(crate) const SHORTEST_WINDOW: usize = 4;
/// The windows of a word: [`PACKED_WINDOW`] bytes, or all of a shorter word.
fn windows_of(word: &[u8]) -> std::slice::Windows<'_, u8> {
    word.windows(word.len().clamp(1, PACKED_WINDOW))
}
/// At most this many anchor words shorter than [`SHORTEST_WINDOW`] are searched for one by one.
pub(crate) const SHORT_WORDS: usize = 4;
/// aho-corasick's packed searcher takes its slim form (eight buckets of patterns) for up to this
/// many patterns, and its fat form (sixteen buckets) for more.
const SLIM_PATTERNS: usize = 32;
/// Sets of more windows than this, up to [`SLIM_PATTERNS`], are padded into the fat form (see
/// [`pad_windows`]).
const PAD_ABOVE: usize = 16;

impl BlockFinder {
    pub(crate) fn build(words: &[(Vec<u8>, Vec<u32>)]) -> Result<Option<BlockFinder>, String> {
        if words.is_empty() {
            return Ok(None);
        }
        let lower: Vec<(Vec<u8>, Vec<u32>)> = words.iter().map(|(w, t)| (w.to_ascii_lowercase(), t.clone())).collect();
        let ids = |keep: &dyn Fn(&[u8]) -> bool| -> Vec<u32> {
            (0..lower.len() as u32).filter(|&i| keep(&lower[i as usize].0)).collect()
        };
        let short = ids(&|w| w.len() < SHORTEST_WINDOW);
        let ascii = ids(&|w| w.len() >= SHORTEST_WINDOW && w.is_ascii());
        let other = ids(&|w| w.len() >= SHORTEST_WINDOW && !w.is_ascii());
        let packed = |set: &[u32], pad: bool| -> Result<Option<Windows>, ()> {
            let set_words: Vec<&Vec<u8>> = set.iter().map(|&i| &lower[i as usize].0).collect();
            let mut windows = cover_windows(&set_words);
            if windows.is_empty() {
                return Ok(None);
            }
            if pad {
                pad_windows(&mut windows, &set_words);
            }
            let mut config = aho_corasick::packed::Config::new();
            let searcher = config.heuristic_pattern_limits(windows.len() > SLIM_PATTERNS).builder().extend(&windows).build().ok_or(())?;
            // Every place each window sits in each word: a word is checked wherever one of its
            // windows turns up.
            let in_words = windows
                .iter()
                .map(|win| {
                    set.iter()
                        .flat_map(|&i| {
                            let w = &lower[i as usize].0;
                            w.windows(win.len()).enumerate().filter(|(_, x)| x == win).map(move |(k, _)| (i, k))
                        })
                        .collect()
                })
                .collect();
            Ok(Some(Windows { searcher, windows, in_words }))
        };
        if short.len() <= SHORT_WORDS {
            if let (Ok(ascii), Ok(other_windows)) = (packed(&ascii, true), packed(&other, false)) {
                let short = short.iter().map(|&i| (memchr::memmem::Finder::new(&lower[i as usize].0).into_owned(), i)).collect();
                let other_gated = other.iter().all(|&i| lower[i as usize].0.iter().any(|&b| gate_byte(b)));
                let longest = lower.iter().map(|w| w.0.len()).max().unwrap_or(0);
                let other_longest = other.iter().map(|&i| lower[i as usize].0.len()).max().unwrap_or(0);
                let finder = PackedFinder { ascii, other: other_windows, other_gated, other_longest, short, words: lower, longest };
                return Ok(Some(BlockFinder::Packed(Box::new(finder))));
            }
        }
        AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .kind(Some(AhoCorasickKind::DFA))
            .ascii_case_insensitive(true)
            .build(words.iter().map(|w| &w.0))
            .map(|ac| Some(BlockFinder::Automaton(ac)))
            .map_err(|e| e.to_string())
    }
}

/// Windows (see [`windows_of`]) such that each of `words` holds one: chosen greedily, the
/// window held by the most words not yet covered first, among those whose first three bytes are
/// not common in text (the packed searcher sifts by a pattern's first bytes; rare ones keep it
/// fast), so that related words (`reservados`, `riservati`) share one.
fn cover_windows(words: &[&Vec<u8>]) -> Vec<Vec<u8>> {
    cover_windows_counted(words, count_windows)
}

/// Whether a (short) word holds a window: a plain scan, cheaper here than building a searcher.
fn holds(word: &[u8], window: &[u8]) -> bool {
    word.windows(window.len()).any(|x| x == window)
}

/// How many of the words `left` hold each of their windows (a word counts a window once): one
/// pass over the windows instead of a scan of every word for each.
fn count_windows<'w>(left: &[&'w [u8]], counts: &mut HashMap<&'w [u8], usize>) {
    let mut distinct: Vec<&[u8]> = Vec::new();
    for w in left {
        distinct.clear();
        distinct.extend(windows_of(w));
        distinct.sort_unstable();
        distinct.dedup();
        for &win in &distinct {
            *counts.entry(win).or_insert(0) += 1;
        }
    }
}

/// [`cover_windows`], with `count` filling in how many of the words left hold each window,
/// anew after each choice.
fn cover_windows_counted<'w>(words: &[&'w Vec<u8>], count: impl Fn(&[&'w [u8]], &mut HashMap<&'w [u8], usize>)) -> Vec<Vec<u8>> {
    let mut left: Vec<&[u8]> = words.iter().map(|w| w.as_slice()).collect();
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut counts: HashMap<&[u8], usize> = HashMap::new();
    while let Some(&word) = left.first() {
        counts.clear();
        count(&left, &mut counts);
        let mut best: Option<(usize, u32, &[u8])> = None;
        for candidate in left.iter().flat_map(|w| windows_of(w)) {
            let cost = trigram_commonness(&candidate[..3]);
            let covers = counts.get(candidate).copied().unwrap_or(0);
            // A common window is taken only for a word that has nothing better.
            let covers = if cost >= FREQUENT_TRIGRAM { 0 } else { covers };
            if best.as_ref().is_none_or(|b| (covers, std::cmp::Reverse(cost)) > (b.0, std::cmp::Reverse(b.1))) {
                best = Some((covers, cost, candidate));
            }
        }
        let chosen = match best {
            Some((covers, _, w)) if covers > 0 => w.to_vec(),
            // Every window of every word left is common: take the first word's rarest.
            _ => windows_of(word).min_by_key(|w| trigram_commonness(&w[..3])).unwrap_or(word).to_vec(),
        };
        left.retain(|w| !holds(w, &chosen));
        out.push(chosen);
    }
    out.sort();
    out.dedup();
    out
}

/// Pads a set of [`PAD_ABOVE`] to [`SLIM_PATTERNS`] windows with further windows of the same words,
/// the rarest first, to one more than [`SLIM_PATTERNS`]. On chaff's workload the slim searcher with
/// 17 to 32 windows ran up to 2.4 times as slowly as the fat one with 33 (it sorts the windows into
/// half as many buckets, so more places look like one), and which form the searcher took hung on
/// how many rules a rule set happened to have: leaving out a pack made cleaning 10% slower. A
/// padded window is one more place a word is found by; the words found stay the same.
fn pad_windows(windows: &mut Vec<Vec<u8>>, words: &[&Vec<u8>]) {
    if windows.len() <= PAD_ABOVE || windows.len() > SLIM_PATTERNS {
        return;
    }
    let mut more: Vec<&[u8]> = words.iter().flat_map(|w| windows_of(w)).collect();
    more.sort_by_key(|w| (trigram_commonness(&w[..3]), *w));
    more.dedup();
    for w in more {
        if windows.len() > SLIM_PATTERNS {
            break;
        }
        if !windows.iter().any(|x| x.as_slice() == w) {
            windows.push(w.to_vec());
        }
    }
}

/// The commonness of a frequent English trigram (see [`trigram_commonness`]).
const FREQUENT_TRIGRAM: u32 = 1000;

/// How common three (lowercased) bytes are in text: the most frequent English trigrams score
/// highest, others by how common their bytes are (per mille of English prose: letters by their
/// frequency, the space most of all, other bytes rare).
fn trigram_commonness(t: &[u8]) -> u32 {
    const FREQUENT: [&[u8; 3]; 48] = [
        b"the", b"and", b"ing", b"ion", b"tio", b"ent", b"ati", b"for", b"her", b"ter", b"hat", b"tha", b"ere",
        b"ate", b"his", b"con", b"res", b"ver", b"all", b"ons", b"nce", b"men", b"ith", b"ted", b"ers", b"pro",
        b"thi", b"wit", b"are", b"ess", b"not", b"ive", b"was", b"ect", b"rea", b"com", b"eve", b"per", b"int",
        b"est", b"sta", b"cti", b"ica", b"ist", b"ear", b"ain", b"one", b"our",
    ];
    const LETTERS: [u32; 26] = [
        65, 12, 22, 34, 102, 18, 16, 49, 56, 1, 6, 33, 20, 57, 60, 15, 1, 50, 51, 73, 23, 8, 19, 1, 16, 1,
    ];
    let byte = |b: u8| match b {
        b'a'..=b'z' => LETTERS[usize::from(b - b'a')],
        b' ' => 180,
        b'.' | b',' => 10,
        b'0'..=b'9' | b'\'' | b'"' | b'-' => 3,
        0x80.. => 5,
        _ => 1,
    };
    let frequent = if FREQUENT.iter().any(|f| f.as_slice() == t) { FREQUENT_TRIGRAM } else { 0 };
    frequent + t.iter().map(|&b| byte(b)).sum::<u32>()
}

#[cfg(test)]
mod tests {
    use super::{BlockFinder, PACKED_WINDOW, SHORTEST_WINDOW, cover_windows, cover_windows_counted, holds, next_gate_byte, windows_of};

    proptest::proptest! {
        #[test]
        fn gate_bytes_are_found_as_defined(
            bytes in proptest::collection::vec(proptest::sample::select(vec![b'a', b' ', 0x7F, 0x80, 0xA0, 0xC2, 0xC3, 0xD0, 0xE1, 0xE2, 0xE3, 0xF0, 0xFF]), 0..100),
            at in 0usize..100,
        ) {
            let at = at.min(bytes.len());
            let naive = bytes[at..].iter().position(|&b| b >= 0xC3 && b != 0xE2).map(|k| at + k);
            proptest::prop_assert_eq!(next_gate_byte(&bytes, at), naive);
        }

        /// Text as it mostly is: ASCII with typographic quotes and dashes (0xE2 …), and a byte
        /// sought here and there, at any place in a chunk of 32 or 8 bytes.
        #[test]
        fn gate_bytes_are_found_in_text_with_typographic_punctuation(
            bytes in proptest::collection::vec(proptest::sample::select(vec![b'a', b'a', b'a', b' ', 0xE2, 0x80, 0x99, 0x9C, 0xC2]), 0..200),
            sought in proptest::collection::vec((0usize..200, proptest::sample::select(vec![0xC3u8, 0xD0, 0xE3, 0xFF])), 0..3),
            at in 0usize..200,
        ) {
            let mut bytes = bytes;
            for (place, b) in sought {
                if let Some(x) = bytes.get_mut(place) {
                    *x = b;
                }
            }
            let at = at.min(bytes.len());
            let naive = bytes[at..].iter().position(|&b| b >= 0xC3 && b != 0xE2).map(|k| at + k);
            proptest::prop_assert_eq!(next_gate_byte(&bytes, at), naive);
        }
    }

    const OTHER_WORDS: [&str; 4] = ["tous droits réservés", "(открывается в новом окне)", "必填项已用*标注", "reserved"];

    fn other_words() -> Vec<(Vec<u8>, Vec<u32>)> {
        OTHER_WORDS.iter().enumerate().map(|(i, w)| (w.as_bytes().to_vec(), vec![i as u32])).collect()
    }

    /// Every place each word occurs in the ASCII-lowercased `block`, in order.
    fn naive_find(words: &[(Vec<u8>, Vec<u32>)], block: &[u8]) -> Vec<(usize, u32)> {
        let lower = block.to_ascii_lowercase();
        let mut want: Vec<(usize, u32)> = Vec::new();
        for (i, (w, _)) in words.iter().enumerate() {
            want.extend(lower.windows(w.len()).enumerate().filter(|(_, x)| x == w).map(|(at, _)| (at, i as u32)));
        }
        want.sort_unstable();
        want
    }

    proptest::proptest! {
        #[test]
        fn words_are_found_wherever_they_stand_among_other_scripts(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "tous droits réservés", "(открывается в новом окне)", "必填项已用*标注", "Reserved", " ", "\n", "“", "—", "é",
                "naïve café ", "просто текст ", "中文字 ", "plain ascii words and more of them ", "x",
            ]), 0..60),
        ) {
            let words = other_words();
            let Ok(Some(BlockFinder::Packed(f))) = BlockFinder::build(&words) else { panic!("a packed finder") };
            let block = parts.concat().into_bytes();
            let (mut scratch, mut found) = (Vec::new(), Vec::new());
            f.find(&block, &mut scratch, &mut found);
            proptest::prop_assert_eq!(found, naive_find(&words, &block));
        }
    }

    #[test]
    fn words_of_other_scripts_are_found_only_around_their_bytes_yet_all_of_them() {
        let words = other_words();
        let Ok(Some(BlockFinder::Packed(f))) = BlockFinder::build(&words) else { panic!("a packed finder") };
        assert!(f.other_gated, "every word of another script holds a byte beyond Latin-1 punctuation");
        // Words at the very start and end, side by side, far apart, beside curly quotes and
        // accents that hold none.
        let mut block = Vec::new();
        block.extend_from_slice("tous droits réservés “quoted” text, café\n".as_bytes());
        block.extend(std::iter::repeat_n(b'x', 5000));
        block.extend_from_slice("(открывается в новом окне)必填项已用*标注 naïve — all rights reserved\n".as_bytes());
        block.extend(std::iter::repeat_n(b' ', 300));
        block.extend_from_slice("Tous droits réservés".as_bytes());
        let want = naive_find(&words, &block);
        let (mut scratch, mut found) = (Vec::new(), Vec::new());
        f.find(&block, &mut scratch, &mut found);
        assert_eq!(found, want);
        assert_eq!(want.len(), 5);
    }

    /// `cover_windows` with each window's cover counted by its definition: every word left
    /// scanned for it.
    fn cover_windows_by_scanning(words: &[&Vec<u8>]) -> Vec<Vec<u8>> {
        cover_windows_counted(words, |left, counts| {
            for win in left.iter().flat_map(|w| windows_of(w)) {
                counts.insert(win, left.iter().filter(|w| holds(w, win)).count());
            }
        })
    }

    proptest::proptest! {
        #[test]
        fn counting_covers_chooses_what_scanning_does(
            words in proptest::collection::vec(proptest::collection::vec(proptest::sample::select(b"aeinrst the".to_vec()), 8..20), 1..40),
        ) {
            let refs: Vec<&Vec<u8>> = words.iter().collect();
            proptest::prop_assert_eq!(cover_windows(&refs), cover_windows_by_scanning(&refs));
        }
    }

    #[test]
    fn counting_covers_chooses_what_scanning_does_for_the_shipped_words() {
        let set = crate::RuleSet::embedded().expect("shipped rules");
        let words: Vec<Vec<u8>> = set.rules().iter().filter(|r| r.mode == crate::rules::Mode::Contains).map(|r| r.norm.clone()).filter(|w| w.len() >= SHORTEST_WINDOW).collect();
        let refs: Vec<&Vec<u8>> = words.iter().collect();
        assert!(refs.len() > 50);
        assert_eq!(cover_windows(&refs), cover_windows_by_scanning(&refs));
    }

    #[test]
    fn a_middling_set_of_windows_is_padded_past_the_slim_searcher() {
        let words: Vec<Vec<u8>> = [
            "alpha", "bravo", "charlie", "delta", "echoes", "foxtrot", "golfer", "hotel", "india", "juliet", "kilos",
            "limas", "miked", "november", "oscar", "papas", "quebec", "romeo", "sierra", "tango",
        ]
        .iter()
        // Doubled, so that each word holds windows enough to pad with.
        .map(|w| w.repeat(2).into_bytes())
        .collect();
        let refs: Vec<&Vec<u8>> = words.iter().collect();
        let mut windows = cover_windows(&refs);
        let covered = windows.clone();
        assert!(windows.len() > super::PAD_ABOVE && windows.len() <= super::SLIM_PATTERNS, "{}", windows.len());
        super::pad_windows(&mut windows, &refs);
        assert_eq!(windows.len(), super::SLIM_PATTERNS + 1);
        // The cover stays, and every window added is one of a word's.
        assert!(covered.iter().all(|w| windows.contains(w)));
        assert!(windows.iter().all(|x| words.iter().any(|w| windows_of(w).any(|y| y == x.as_slice()))));
        // Small sets and large ones are left alone.
        let mut few = covered[..3].to_vec();
        super::pad_windows(&mut few, &refs);
        assert_eq!(few.len(), 3);
    }

    #[test]
    fn every_word_holds_a_window_and_related_words_share_one() {
        let words: Vec<Vec<u8>> =
            ["reserved", "reservados", "riservati", "subscribe", "the material", "window)", "svar"].iter().map(|w| w.as_bytes().to_vec()).collect();
        let refs: Vec<&Vec<u8>> = words.iter().collect();
        let windows = cover_windows(&refs);
        for w in &words {
            assert!(windows.iter().any(|x| w.windows(x.len()).any(|y| y == x.as_slice())), "{}", String::from_utf8_lossy(w));
        }
        // A word of four bytes is its own window.
        assert!(windows.iter().all(|w| w.len() == PACKED_WINDOW || w == b"svar"), "{windows:?}");
        assert!(windows.iter().any(|w| w == b"svar") && SHORTEST_WINDOW == 4);
        // `reservados` and `riservati` share one.
        assert!(windows.iter().any(|x| [&words[1], &words[2]].iter().all(|w| w.windows(x.len()).any(|y| y == x.as_slice()))), "{windows:?}");
        assert!(windows.len() <= 6, "{windows:?}");
        // A frequent trigram does not begin a window when the word has another.
        assert!(!windows.iter().any(|w| w.starts_with(b"the")), "{windows:?}");
    }
}
