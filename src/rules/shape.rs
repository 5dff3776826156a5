//! What a regex rule can match: worked out from the regex alone, so that the engine runs it
//! only on lines that could match (see `compile::Compiled`).
//!
//! This module depends on nothing but `regex-syntax`: the build script includes it too, to work
//! out the shapes of the shipped regexes once, when chaff is built (start-up then only looks them
//! up).

use regex_syntax::hir::Look;
use regex_syntax::hir::literal::{ExtractKind, Extractor};

/// Regexes whose longest match is at most this many bytes count as bounded (four bytes for each
/// of the at most 4,096 characters `max-chars` allows).
pub const MAX_BOUNDED_REGEX: usize = 4 * 4096;

/// What the compiler learns about a regex rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegexShape {
    /// Anchored at both ends with a bounded match length: it can only match short lines.
    pub max_len: Option<usize>,
    /// Anchored at the start and every match begins with one of these normalized ASCII
    /// literals: it needs to run only on lines that start with one of them.
    pub prefixes: Option<Vec<Vec<u8>>>,
    /// With `prefixes`: a match may also start with a non-ASCII character.
    pub nonascii_start: bool,
    /// With `nonascii_start`: the first two bytes a match that starts with a non-ASCII character
    /// can have (they tell a Cyrillic or Greek letter, a block of CJK), when they are few.
    pub first_pairs: Option<Vec<[u8; 2]>>,
    /// Every match contains one of these ASCII words: it needs to run only on lines whose raw
    /// bytes contain one of them.
    pub anchors: Option<Vec<Vec<u8>>>,
    /// Anchored at the start, and every match begins with one of these normalized literals,
    /// however short (a digit) — set whatever gate the regex gets, so that an anchor word of
    /// the regex need only be looked for in lines that begin with one of them.
    pub leads: Option<Vec<Vec<u8>>>,
    /// Anchored at the end, and every match ends with one of these normalized tokens (without
    /// white space or quotes, so a raw line's trimmed end shows them up to ASCII case): it needs
    /// to run only on lines that end with one of them.
    pub suffixes: Option<Vec<Vec<u8>>>,
    /// Anchored at the start: the bytes a matching (normalized) line can start with, as a bit
    /// set (see [`in_byte_set`]).
    pub first: Option<[u64; 4]>,
    /// Every match holds a non-ASCII character that normalization keeps (a letter of another
    /// script) and that begins with one of these bytes (a bit set, see [`in_byte_set`]): lines
    /// without one need not be tried.
    pub non_ascii: Option<[u64; 4]>,
}

/// Why a regex cannot be a rule. Offsets are byte offsets into the phrase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShapeError {
    /// regex-syntax rejects it.
    Invalid { start: usize, end: usize, message: String },
    /// It mentions a line break (`\n`, `\r` and their `\x` forms), which no line holds.
    LineBreak { start: usize, end: usize },
}

/// A [`RegexShape`] as static data: the shapes of the shipped regexes are worked out by the build
/// script and compiled into the binary.
#[derive(Debug)]
pub struct StaticShape {
    pub max_len: Option<usize>,
    pub prefixes: Option<&'static [&'static [u8]]>,
    pub nonascii_start: bool,
    pub first_pairs: Option<&'static [[u8; 2]]>,
    pub leads: Option<&'static [&'static [u8]]>,
    pub anchors: Option<&'static [&'static [u8]]>,
    pub suffixes: Option<&'static [&'static [u8]]>,
    pub first: Option<[u64; 4]>,
    pub non_ascii: Option<[u64; 4]>,
}

impl StaticShape {
    /// The shape it stands for.
    pub fn to_shape(&self) -> RegexShape {
        let words = |w: &[&[u8]]| w.iter().map(|l| l.to_vec()).collect();
        RegexShape {
            max_len: self.max_len,
            prefixes: self.prefixes.map(words),
            nonascii_start: self.nonascii_start,
            first_pairs: self.first_pairs.map(<[[u8; 2]]>::to_vec),
            leads: self.leads.map(words),
            anchors: self.anchors.map(words),
            suffixes: self.suffixes.map(words),
            first: self.first,
            non_ascii: self.non_ascii,
        }
    }
}

/// Whether byte `b` is in the bit set `bits` (bit `b % 64` of word `b / 64`).
pub fn in_byte_set(bits: &[u64; 4], b: u8) -> bool {
    bits[usize::from(b / 64)] >> (b % 64) & 1 == 1
}

/// The bit set of the bytes marked in `set`.
pub fn byte_set(set: &[bool; 256]) -> [u64; 4] {
    let mut bits = [0u64; 4];
    for (b, _) in set.iter().enumerate().filter(|(_, on)| **on) {
        bits[b / 64] |= 1 << (b % 64);
    }
    bits
}

/// The span of the first line break (`\n`, `\r` however written: `\x0a`, `\u{D}`…) the regex
/// matches as a character of its own, or of the first class that holds line breaks and nothing
/// else (`[\r\n]`): a rule sees one line at a time, without its ending, so there the regex never
/// matches. A class that leaves line breaks out (`[^\n]`) or holds more (`[\n ]`), an escaped
/// backslash before an `n` (`\\n`) and a comment under `(?x)` are not that.
fn line_break(phrase: &str) -> Option<(usize, usize)> {
    use regex_syntax::ast::{Ast, Visitor};
    struct First<'a>(Option<(usize, usize)>, &'a str);
    impl Visitor for First<'_> {
        type Output = Option<(usize, usize)>;
        type Err = ();
        fn finish(self) -> Result<Self::Output, ()> {
            Ok(self.0)
        }
        fn visit_pre(&mut self, ast: &Ast) -> Result<(), ()> {
            let span = match ast {
                Ast::Literal(lit) if matches!(lit.c, '\n' | '\r') => lit.span,
                Ast::ClassBracketed(class) if only_line_breaks(&self.1[class.span.start.offset..class.span.end.offset]) => class.span,
                _ => return Ok(()),
            };
            if self.0.is_none() {
                self.0 = Some((span.start.offset, span.end.offset));
            }
            Ok(())
        }
    }
    /// Whether a bracketed class, parsed on its own, holds line breaks and nothing else.
    fn only_line_breaks(class: &str) -> bool {
        use regex_syntax::hir::{Class, HirKind};
        let breaks = |lo: u32, hi: u32| hi - lo < 4 && (lo..=hi).all(|c| c == 0x0A || c == 0x0D);
        match regex_syntax::parse(class).map(|hir| hir.into_kind()) {
            Ok(HirKind::Class(Class::Unicode(c))) => !c.ranges().is_empty() && c.iter().all(|r| breaks(r.start().into(), r.end().into())),
            Ok(HirKind::Class(Class::Bytes(c))) => !c.ranges().is_empty() && c.iter().all(|r| breaks(r.start().into(), r.end().into())),
            Ok(HirKind::Literal(l)) => matches!(&*l.0, b"\n" | b"\r"),
            _ => false,
        }
    }
    let ast = regex_syntax::ast::parse::Parser::new().parse(phrase).ok()?;
    regex_syntax::ast::visit(&ast, First(None, phrase)).ok().flatten()
}

/// Works out which lines the regex `phrase` can match at all (the same for every rule with this
/// phrase). It is parsed case-insensitively, as rules run.
///
/// # Errors
/// The regex does not parse, or it mentions a line break.
pub fn analyse(phrase: &str) -> Result<RegexShape, ShapeError> {
    let mut parser = regex_syntax::ParserBuilder::new().case_insensitive(true).build();
    let hir = match parser.parse(phrase) {
        Ok(hir) => hir,
        Err(e) => {
            let (start, end, message) = match &e {
                regex_syntax::Error::Parse(e) => (e.span().start.offset, e.span().end.offset, e.kind().to_string()),
                regex_syntax::Error::Translate(e) => (e.span().start.offset, e.span().end.offset, e.kind().to_string()),
                _ => (0, phrase.len(), e.to_string()),
            };
            return Err(ShapeError::Invalid { start, end: end.max(start), message });
        }
    };
    if let Some((start, end)) = line_break(phrase) {
        return Err(ShapeError::LineBreak { start, end });
    }
    let props = hir.properties();
    let starts = props.look_set_prefix().contains(Look::Start);
    let ends = props.look_set_suffix().contains(Look::End);
    let anchored = starts && ends;
    let max_len = match props.maximum_len() {
        Some(n) if anchored && n <= MAX_BOUNDED_REGEX => Some(n),
        _ => None,
    };
    // Literal gates come from a copy of the regex as it meets normalized text: ASCII letters
    // lowercased (normalized lines have no ASCII capitals, and the regex is case-insensitive),
    // characters that have case in other scripts, and the non-ASCII part of every class, turned
    // into one marker byte. Extracted literals are cut at the first marker. That keeps them an
    // exact gate (every match starts, or ends, with one of them) while `\d` or `[a-z]` expand to
    // a handful of literals and caseless scripts (CJK, Hangul, Thai) keep their text.
    let marked = match regex_syntax::ParserBuilder::new().build().parse(phrase) {
        Ok(plain) => mark_non_ascii(&plain),
        Err(_) => regex_syntax::hir::Hir::fail(),
    };
    // Literals of at most `len` bytes (the extractor's default is 100).
    let extract_upto = |kind: ExtractKind, len: usize| -> Option<Vec<Vec<u8>>> {
        let seq = Extractor::new().kind(kind).limit_class(16).limit_total(512).limit_literal_len(len).extract(&marked);
        let lits: Vec<Vec<u8>> = seq.literals()?.iter().map(|l| l.as_bytes().to_vec()).collect();
        (!lits.is_empty() && lits.len() <= 256).then_some(lits)
    };
    let extract = |kind: ExtractKind| extract_upto(kind, 100);
    // The gate reads at most `PREFIX_MAX` bytes of a line: longer prefixes only multiply the
    // literals (dates: `(updated )?(jan|january|...) [0-9]{1,2}`), so they are cut, at the most
    // bytes of 24, 16 or 12 that leave at most 64 literals, else at eight. Hundreds of long
    // literals made the gate automaton a fifth of start-up, and opened on hardly fewer lines.
    let leading = || {
        [(PREFIX_MAX, 64), (16, 64), (12, 64), (8, 256)]
            .into_iter()
            .find_map(|(len, most)| extract_upto(ExtractKind::Prefix, len).filter(|lits| lits.len() <= most))
    };
    let mut nonascii_start = false;
    // Leading literals cut at the first marker: `prefixes`, the gate, and `leads`. A short
    // literal cut at a marker (`m` of `một`, `l` of `lästid`) goes on with every byte that can
    // begin a non-ASCII character, so that it stays distinctive (a character that normalized
    // text still holds begins with one; those it makes ASCII, quotes and spaces, are in the
    // class's ASCII part). A literal that begins with a marker (any non-ASCII start) leaves no
    // leads, and the prefixes flagged with `nonascii_start`.
    let mut prefixes: Option<Vec<Vec<u8>>> = None;
    if let Some(lits) = leading().filter(|_| starts) {
        let mut gate = Some(Vec::new());
        for l in &lits {
            let cut = l.iter().position(|&b| b == MARK).unwrap_or(l.len());
            match (cut, gate.as_mut()) {
                (0, _) if l.first() == Some(&MARK) => nonascii_start = true,
                (0, _) => gate = None,
                (_, Some(set)) if cut <= 2 && cut < l.len() => set.extend((0xC2..=0xF4).map(|b| [&l[..cut], &[b]].concat())),
                (_, Some(set)) => set.push(l[..cut].to_vec()),
                (_, None) => {}
            }
        }
        if let Some(set) = gate.as_mut() {
            set.sort();
            set.dedup();
        }
        prefixes = gate;
    }
    // The same, kept whatever gate the regex gets below, unless it may begin with any
    // non-ASCII character.
    let leads = prefixes.clone().filter(|_| !nonascii_start);
    let word = |l: &[u8]| -> Option<Vec<u8>> {
        // The longest run of letters: a substring of every line the literal occurs in.
        // Letters only (digits and punctuation vary between the literals of one regex, `0 min`,
        // `1 min.`, and would multiply the anchors); bytes of caseless scripts count as letters.
        l.split(|&b| b == MARK || (b.is_ascii() && !b.is_ascii_alphabetic()))
            .max_by_key(|w| w.len())
            .filter(|w| w.len() >= 2)
            .map(<[u8]>::to_vec)
    };
    // Leading literals are the cheaper gate, unless they are so short (a quote, a digit) or so
    // vague (any non-ASCII start) that they open on ordinary lines and a distinctive word exists.
    let weak = |p: &Vec<Vec<u8>>| nonascii_start || p.iter().any(|l| l.len() < 3);
    // Next comes a distinctive ending (`says:`): looking at a line's last bytes costs next to
    // nothing, where an anchor word has to be searched for through the whole line.
    let suffixes = match &prefixes {
        Some(p) if !weak(p) => None,
        // Where a letter of another script that has case cuts the endings short (`viết:` ends
        // in `t:`, `сказав:` in `:`), they are taken from the regex as it matches, with that
        // letter in each of its cases: a few more endings, each long enough to tell.
        _ if ends => extract(ExtractKind::Suffix).and_then(|lits| endings(&lits)).or_else(|| {
            let seq = Extractor::new().kind(ExtractKind::Suffix).limit_class(16).limit_total(512).limit_literal_len(CASED_SUFFIX_LEN).extract(&hir);
            let lits: Vec<Vec<u8>> = seq.literals()?.iter().map(|l| l.as_bytes().to_ascii_lowercase()).collect();
            endings(&lits).filter(|tokens| tokens.len() <= CASED_SUFFIXES_MAX)
        }),
        _ => None,
    };
    // Anchor words are extracted only when they may be used (extraction is most of start-up).
    let anchors = match &prefixes {
        _ if suffixes.is_some() => None,
        Some(p) if !weak(p) => None,
        _ => [ExtractKind::Prefix, ExtractKind::Suffix]
            .into_iter()
            .filter_map(|k| extract(k).and_then(|lits| lits.iter().map(|l| word(l)).collect::<Option<Vec<_>>>()))
            .chain(required_words(&marked))
            .max_by_key(|ws| ws.iter().map(Vec::len).min().unwrap_or(0)),
    };
    let strong_words = anchors.as_ref().is_some_and(|ws| ws.iter().all(|w| w.len() >= 3));
    let (prefixes, nonascii_start) = match prefixes {
        Some(p) if weak(&p) && (strong_words || suffixes.is_some()) => (None, false),
        other => (other, nonascii_start),
    };
    let anchors = if prefixes.is_some() { None } else { anchors };
    // Normalized text has no ASCII capitals: leave them out of the first bytes.
    let first = if starts {
        first_bytes(&hir).map(|mut f| {
            f[usize::from(b'A')..=usize::from(b'Z')].fill(false);
            byte_set(&f)
        })
    } else {
        None
    };
    let non_ascii = required_non_ascii(&hir).map(|set| byte_set(&set));
    let first_pairs = if nonascii_start { non_ascii_starts(&hir) } else { None };
    Ok(RegexShape { max_len, prefixes, nonascii_start, first_pairs, leads, anchors, suffixes, first, non_ascii })
}

/// The first two bytes of every match of `hir` (case-insensitive, anchored at the start) that
/// begins with a non-ASCII character, if they are few enough to list. Starts with an ASCII
/// character are left out: the leading-text gate has them.
fn non_ascii_starts(hir: &regex_syntax::hir::Hir) -> Option<Vec<[u8; 2]>> {
    let seq = Extractor::new().kind(ExtractKind::Prefix).limit_class(64).limit_total(256).limit_literal_len(2).extract(hir);
    let mut pairs = Vec::new();
    for lit in seq.literals()? {
        match lit.as_bytes() {
            [a, ..] if *a < 0x80 => {}
            [a, b, ..] => pairs.push([*a, *b]),
            _ => return None,
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    (!pairs.is_empty()).then_some(pairs)
}

/// The longest end of a suffix literal (see [`mark_non_ascii`]) that a raw line shows as it is,
/// up to ASCII case and with each run of white space read as one space: the bytes after its last
/// marker or quote (normalization makes quotes out of other characters), or `at_space` after its
/// last space, at most [`SUFFIX_MAX`] of them. `None` when nothing is left.
fn suffix_token(lit: &[u8], at_space: bool) -> Option<Vec<u8>> {
    let cut = |b: u8| b == MARK || b < b' ' || (at_space && b == b' ') || b == b'\'' || b == b'"';
    let start = lit.iter().rposition(|&b| cut(b)).map_or(0, |p| p + 1);
    let token = &lit[start.max(lit.len().saturating_sub(SUFFIX_MAX))..];
    (!token.is_empty()).then(|| token.to_vec())
}

/// The most leading bytes of a line the leading-text gate looks at.
pub const PREFIX_MAX: usize = 24;

/// The endings of a line that every match of a regex has, from its suffix literals `lits`: each
/// cut by [`suffix_token`], every one at least three bytes long, or `None`.
fn endings(lits: &[Vec<u8>]) -> Option<Vec<Vec<u8>>> {
    let tokens = |at_space: bool| {
        let mut tokens = lits.iter().map(|l| suffix_token(l, at_space)).collect::<Option<Vec<_>>>()?;
        tokens.sort();
        tokens.dedup();
        tokens.iter().all(|t| t.len() >= 3).then_some(tokens)
    };
    // Endings cut at their last space are fewer where the words before it vary (`5 min read`,
    // `12 mins read`: all `read`); whole ones serve where the last word is short (`dit :`).
    match (tokens(true), tokens(false)) {
        (Some(cut), Some(whole)) => Some(if cut.len() <= whole.len() { cut } else { whole }),
        (cut, whole) => cut.or(whole),
    }
}

/// The most bytes of a regex's ending read with its letters in every case: two or three
/// characters of most scripts, so that their cases multiply to a few endings.
const CASED_SUFFIX_LEN: usize = 8;
/// At most this many endings in every case make a gate; a regex with more is gated otherwise.
const CASED_SUFFIXES_MAX: usize = 64;

/// The longest suffix token kept (see [`suffix_token`]).
pub const SUFFIX_MAX: usize = 24;

/// The first bytes (UTF-8 lead bytes) of non-ASCII characters, one of which every match of `hir`
/// holds — characters other than those normalization turns into ASCII (spaces, quotes); `None`
/// when some match may hold none. Conservative: a concatenation takes the part with the fewest
/// bytes, an alternation the union of its branches'.
fn required_non_ascii(hir: &regex_syntax::hir::Hir) -> Option<[bool; 256]> {
    use regex_syntax::hir::{Class, HirKind};
    // Exactly the characters `normalize` turns into ASCII spaces and quotes.
    let normalizes_to_ascii = |c: char| {
        matches!(c, '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200b}' | '\u{202f}' | '\u{205f}' | '\u{3000}' | '\u{feff}')
            || matches!(c, '\u{2018}'..='\u{201f}' | '\u{2032}' | '\u{2033}' | '\u{ab}' | '\u{bb}')
    };
    let lead = |c: char| c.encode_utf8(&mut [0; 4]).as_bytes()[0];
    let count = |set: &[bool; 256]| set.iter().filter(|&&on| on).count();
    match hir.kind() {
        HirKind::Literal(lit) => {
            let c = std::str::from_utf8(&lit.0).ok()?.chars().find(|&c| !c.is_ascii() && !normalizes_to_ascii(c))?;
            let mut set = [false; 256];
            set[usize::from(lead(c))] = true;
            Some(set)
        }
        HirKind::Class(Class::Unicode(c)) if !c.ranges().is_empty() => {
            let mut set = [false; 256];
            for r in c.ranges() {
                if r.start().is_ascii() || (r.start()..=r.end()).any(normalizes_to_ascii) {
                    return None;
                }
                // Lead bytes grow with the code point.
                set[usize::from(lead(r.start()))..=usize::from(lead(r.end()))].fill(true);
            }
            Some(set)
        }
        HirKind::Class(_) | HirKind::Empty | HirKind::Look(_) => None,
        HirKind::Repetition(r) if r.min > 0 => required_non_ascii(&r.sub),
        HirKind::Repetition(_) => None,
        HirKind::Capture(c) => required_non_ascii(&c.sub),
        HirKind::Concat(v) => v.iter().filter_map(required_non_ascii).min_by_key(count),
        HirKind::Alternation(v) => v.iter().try_fold([false; 256], |mut all, branch| {
            for (to, on) in all.iter_mut().zip(required_non_ascii(branch)?) {
                *to |= on;
            }
            Some(all)
        }),
    }
}

/// Words one of which every match of `marked` (see [`mark_non_ascii`]) contains, found by
/// structure where literal extraction gives up (`[0-9]+ reacties? op`): an alternation needs a
/// word from each branch, a concatenation or a repetition of at least one can use any part's.
/// A word is the longest run of letters of a literal (ASCII letters and bytes of caseless
/// scripts), at least two bytes long. `None` when some match needs none.
fn required_words(marked: &regex_syntax::hir::Hir) -> Option<Vec<Vec<u8>>> {
    use regex_syntax::hir::HirKind;
    let shortest = |ws: &Vec<Vec<u8>>| ws.iter().map(Vec::len).min().unwrap_or(0);
    match marked.kind() {
        HirKind::Literal(lit) => lit
            .0
            .split(|&b| b == MARK || (b.is_ascii() && !b.is_ascii_alphabetic()))
            .max_by_key(|w| w.len())
            .filter(|w| w.len() >= 2)
            .map(|w| vec![w.to_vec()]),
        HirKind::Capture(c) => required_words(&c.sub),
        HirKind::Repetition(r) if r.min > 0 => required_words(&r.sub),
        // The part with the longest shortest word, then the fewest words.
        HirKind::Concat(parts) => parts
            .iter()
            .filter_map(required_words)
            .max_by_key(|ws| (shortest(ws), std::cmp::Reverse(ws.len()))),
        HirKind::Alternation(branches) => {
            let mut all: Vec<Vec<u8>> = Vec::new();
            for b in branches {
                all.extend(required_words(b)?);
            }
            all.sort();
            all.dedup();
            // A word that holds another is redundant: lines with it hold the shorter one.
            let kept: Vec<Vec<u8>> = all
                .iter()
                .filter(|w| !all.iter().any(|o| o.len() < w.len() && w.windows(o.len()).any(|x| x == o.as_slice())))
                .cloned()
                .collect();
            (kept.len() <= 64).then_some(kept)
        }
        _ => None,
    }
}

/// Stands for "some non-ASCII character" in [`mark_non_ascii`].
const MARK: u8 = 0xFF;

/// A copy of `hir` (parsed case-sensitively) over bytes as it meets normalized text: ASCII
/// lowercased, non-ASCII characters that have case, and non-ASCII class members, as the single
/// byte [`MARK`].
fn mark_non_ascii(hir: &regex_syntax::hir::Hir) -> regex_syntax::hir::Hir {
    use regex_syntax::hir::{Class, ClassBytes, ClassBytesRange, Hir, HirKind, Repetition};
    let class = |ascii: Vec<(u8, u8)>, other: bool| {
        let mut ranges: Vec<ClassBytesRange> = ascii.into_iter().map(|(a, b)| ClassBytesRange::new(a, b)).collect();
        if other {
            ranges.push(ClassBytesRange::new(MARK, MARK));
        }
        Hir::class(Class::Bytes(ClassBytes::new(ranges)))
    };
    match hir.kind() {
        HirKind::Empty => Hir::empty(),
        HirKind::Look(l) => Hir::look(*l),
        HirKind::Literal(lit) => {
            let mut v = Vec::with_capacity(lit.0.len());
            for chunk in lit.0.utf8_chunks() {
                for c in chunk.valid().chars() {
                    let caseless = c.is_ascii() || (c.to_lowercase().eq([c]) && c.to_uppercase().eq([c]));
                    if caseless {
                        let mut buf = [0u8; 4];
                        v.extend_from_slice(c.to_ascii_lowercase().encode_utf8(&mut buf).as_bytes());
                    } else {
                        v.push(MARK);
                    }
                }
                if !chunk.invalid().is_empty() {
                    v.push(MARK);
                }
            }
            Hir::literal(v)
        }
        HirKind::Class(Class::Unicode(c)) => {
            let mut ascii: Vec<(u8, u8)> = Vec::new();
            for r in c.ranges().iter().filter(|r| r.start().is_ascii()) {
                let (a, b) = (r.start() as u8, r.end().min('\u{7f}') as u8);
                ascii.push((a, b));
                // Capitals in the class stand for their lowercase forms.
                let (lo, hi) = (a.max(b'A'), b.min(b'Z'));
                if lo <= hi {
                    ascii.push((lo.to_ascii_lowercase(), hi.to_ascii_lowercase()));
                }
            }
            class(ascii, c.ranges().iter().any(|r| !r.end().is_ascii()))
        }
        HirKind::Class(Class::Bytes(c)) => {
            let ascii = c.ranges().iter().filter(|r| r.start() < 0x80).map(|r| (r.start(), r.end().min(0x7F))).collect();
            class(ascii, c.ranges().iter().any(|r| r.end() >= 0x80))
        }
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            min: r.min,
            max: r.max,
            greedy: r.greedy,
            sub: Box::new(mark_non_ascii(&r.sub)),
        }),
        HirKind::Capture(c) => mark_non_ascii(&c.sub),
        HirKind::Concat(v) => Hir::concat(v.iter().map(mark_non_ascii).collect()),
        HirKind::Alternation(v) => Hir::alternation(v.iter().map(mark_non_ascii).collect()),
    }
}

/// A conservative set of the bytes a match of `hir` can start with: a superset of the true set,
/// or `None` when the match can be empty (then any line may match).
pub fn first_bytes(hir: &regex_syntax::hir::Hir) -> Option<[bool; 256]> {
    let mut set = [false; 256];
    first_into(hir, &mut set).then_some(set)
}

/// Adds the possible first bytes of `hir` to `set`; returns `true` if `hir` cannot match the
/// empty string (so what follows it cannot contribute first bytes).
fn first_into(hir: &regex_syntax::hir::Hir, set: &mut [bool; 256]) -> bool {
    use regex_syntax::hir::{Class, HirKind};
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => false,
        HirKind::Literal(lit) => match lit.0.first() {
            Some(&b) => {
                set[b as usize] = true;
                true
            }
            None => false,
        },
        HirKind::Class(Class::Bytes(c)) => {
            for r in c.ranges() {
                for b in r.start()..=r.end() {
                    set[b as usize] = true;
                }
            }
            !c.ranges().is_empty()
        }
        HirKind::Class(Class::Unicode(c)) => {
            for r in c.ranges() {
                // Lead bytes of every character in the range: those of its ends and all between.
                let mut buf = [0u8; 4];
                let lo = r.start().encode_utf8(&mut buf).as_bytes()[0];
                let hi = r.end().encode_utf8(&mut buf).as_bytes()[0];
                for b in lo..=hi {
                    set[b as usize] = true;
                }
            }
            !c.ranges().is_empty()
        }
        HirKind::Repetition(rep) => first_into(&rep.sub, set) && rep.min > 0,
        HirKind::Capture(cap) => first_into(&cap.sub, set),
        HirKind::Concat(items) => items.iter().any(|h| first_into(h, set)),
        HirKind::Alternation(alts) => {
            let mut all = true;
            for h in alts {
                all &= first_into(h, set);
            }
            all
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{ShapeError, analyse, in_byte_set};

    #[test]
    fn only_a_line_break_matched_as_a_character_is_refused() {
        let refused = |regex: &str| match analyse(regex) {
            Err(ShapeError::LineBreak { start, end }) => Some(regex[start..end].to_string()),
            _ => None,
        };
        for (regex, at) in [(r"^a\nb$", r"\n"), (r"a\x0Ab", r"\x0A"), (r"a\u{D}", r"\u{D}"), (r"(?:x|\r)$", r"\r"), (r"(?x) a \n b", r"\n"), (r"^a[\n]b$", r"[\n]"), (r"[\r\n]+x", r"[\r\n]"), (r"a[\x0A]", r"[\x0A]"), (r"^a[\n&&\n]b", r"[\n&&\n]"), (r"a[^\x00-\x09\x0B-\x{10FFFF}]", r"[^\x00-\x09\x0B-\x{10FFFF}]")] {
            assert_eq!(refused(regex).as_deref(), Some(at), "{regex}");
        }
        // An escaped backslash before an n, classes (negated or not), a comment under `(?x)`.
        for regex in [r"^see c:\\new\\file$", r"^photo: [^\n]+$", r"[^\r\n]{2,}", r"[\n ]x", r"(?x)^a b # \n here", r"\s+"] {
            assert_eq!(refused(regex), None, "{regex}");
            assert!(analyse(regex).is_ok(), "{regex}");
        }
    }

    fn words(regex: &str) -> Option<Vec<String>> {
        let shape = analyse(regex).expect("the regex parses");
        shape.anchors.map(|ws| ws.iter().map(|w| String::from_utf8_lossy(w).into_owned()).collect())
    }

    #[test]
    fn a_word_every_branch_needs_gates_a_regex_whose_prefixes_are_digits() {
        // Literal extraction stops at `[0-9]+`; the structure still says every match holds
        // "reactie" (which "reacties" contains).
        let regex = r#"^(?:Eén reactie op " ?.+? ?"|[0-9]+(?:[.,][0-9]{3})* reacties op " ?.+? ?")$"#;
        assert_eq!(words(regex), Some(vec!["reactie".to_string()]));
        assert_eq!(analyse(regex).unwrap().prefixes, None, "the weak digit prefixes give way to the word");
        // The longest word of a concatenation.
        assert_eq!(words(r"^[0-9]+ min(?:ute)?s? read\b"), Some(vec!["read".to_string()]));
        // Anchored at the end, the same regex is gated by its ending instead.
        assert_eq!(words(r"^[0-9]+ min(?:ute)?s? read$"), None);
    }

    fn strings(lits: Option<Vec<Vec<u8>>>) -> Option<Vec<String>> {
        lits.map(|ls| ls.iter().map(|l| String::from_utf8_lossy(l).into_owned()).collect())
    }

    #[test]
    fn leading_literals_are_cut_shorter_rather_than_many() {
        // Months and days make 240 prefixes of 12 bytes or more ("posted apr 0"); a gate of
        // fewer, shorter ones is built faster and opens on the same lines but a few.
        let prefixes = strings(analyse(r"^(?:updated|posted) (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec) [0-9]{1,2}").unwrap().prefixes).expect("gated by its leading text");
        assert!(prefixes.len() <= 64 && prefixes.iter().all(|p| p.len() <= 12), "{prefixes:?}");
        for line in ["posted jan 5", "updated dec 31", "posted may 1"] {
            assert!(prefixes.iter().any(|p| line.starts_with(p.as_str())), "{line} opens no gate: {prefixes:?}");
        }
        // A few long literals stay whole.
        let prefixes = strings(analyse(r"^(?:leave a reply|leave a comment) to (?:this|the) post").unwrap().prefixes);
        assert_eq!(
            prefixes,
            Some(vec!["leave a comment to the p", "leave a comment to this ", "leave a reply to the pos", "leave a reply to this po"].into_iter().map(String::from).collect())
        );
    }

    #[test]
    fn the_non_ascii_letters_a_regex_needs_are_known_by_their_first_bytes() {
        let leads = |re: &str| analyse(re).unwrap().non_ascii.map(|bits| (0..=255u8).filter(|&b| in_byte_set(&bits, b)).collect::<Vec<u8>>());
        // Cyrillic: к and К both begin with D0, the fewest bytes of any letter of the word.
        assert_eq!(leads(r"^.+ сказав:$"), Some(vec![0xD0]));
        assert_eq!(leads(r"^.+ с$"), Some(vec![0xD0, 0xD1, 0xE1]), "с, С and the wide es, U+1C83");
        assert_eq!(leads(r"^(?:[*+•·-]|[0-9]{1,4}\.) .+? viết:$"), Some(vec![0xE1]));
        assert_eq!(leads(r"(?:café|naïve) bar"), Some(vec![0xC3]));
        // A match without one: no requirement.
        assert_eq!(leads(r"(?:café|cafe) bar"), None);
        assert_eq!(leads(r"^(?:“|\u{a0})?says:$"), None, "curly quotes and spaces normalize to ASCII");
        assert_eq!(leads(r"^[^a-z]+$"), None);
    }

    #[test]
    fn a_regex_that_starts_with_a_cased_letter_of_another_script_is_known_by_its_first_two_bytes() {
        let shape = analyse(r#"^(?:Одна відповідь до " ?.+? ?"|[0-9]+ відповідей до " ?.+? ?")$"#).unwrap();
        assert!(shape.nonascii_start);
        // О, о and the narrow о of old texts (U+1C82) that case folding joins to them; the
        // digits are the leading-text gate's.
        assert_eq!(shape.first_pairs, Some(vec![[0xD0, 0x9E], [0xD0, 0xBE], [0xE1, 0xB2]]));
        let shape = analyse(r"^Μία απάντηση στο .+$").unwrap();
        assert_eq!(shape.first_pairs, Some(vec![[0xC2, 0xB5], [0xCE, 0x9C], [0xCE, 0xBC]]), "µ (micro sign), Μ and μ");
        // An ASCII start needs none.
        assert_eq!(analyse(r"^liked by [0-9]+ people$").unwrap().first_pairs, None);
    }

    #[test]
    fn a_distinctive_ending_gates_a_regex_anchored_at_the_end() {
        let shape = analyse(r"^(?:[*+•·-]|[0-9]{1,4}\.) .+? says:$").unwrap();
        assert_eq!(strings(shape.suffixes.clone()), Some(vec!["says:".to_string()]));
        assert_eq!((shape.prefixes, shape.anchors), (None, None), "the ending is the only gate");
        // The token stops at a character with case beyond ASCII (the raw line may hold it in
        // another case), and at a space when that makes fewer endings.
        let shape = analyse(r"^.+ (?:Powered by Blogger|Propulsé par Blogger)\.?$").unwrap();
        assert_eq!(strings(shape.suffixes), Some(vec!["blogger".into(), "blogger.".into()]));
        // French typography's space before the colon stays in the ending: a run of white space
        // in the line reads as one space.
        assert_eq!(strings(analyse(r"^(?:[*+•·-]|[0-9]{1,4}\.) .+? dit :$").unwrap().suffixes), Some(vec![" dit :".to_string()]));
        // Where that leaves too short an ending, the regex's ending is read with each such
        // letter in all its cases (ASCII ones lowercased, as lines are read): `ı` has one, `ế`
        // two, and `k` also matches the Kelvin sign (three bytes, of which the ending keeps the
        // last two).
        let endings = analyse(r"^.+ için yorumlar kapalı$").unwrap().suffixes.unwrap();
        assert_eq!(endings, ["kapalı".as_bytes(), &"\u{212a}apalı".as_bytes()[1..]]);
        let endings = strings(analyse(r"^(?:[*+•·-]|[0-9]{1,4}\.) .+? viết:$").unwrap().suffixes).unwrap();
        assert_eq!(endings, ["viẾt:", "viết:"]);
        let shape = analyse(r"^(?:[*+•·-]|[0-9]{1,4}\.) .+? сказав:$").unwrap();
        assert!(shape.prefixes.is_none(), "the ending replaces the list markers as the gate");
        let endings = shape.suffixes.unwrap();
        for ending in ["сказав:", "СКАЗАВ:", "сКаЗаВ:"] {
            assert!(endings.iter().any(|e| ending.as_bytes().ends_with(e)), "{ending}");
        }
        assert!(endings.len() <= super::CASED_SUFFIXES_MAX);
        // Too short an ending, or none, leaves the other gates.
        assert_eq!(analyse(r"\((?:AP|AFP) Photo/[^)]{2,60}\)$").unwrap().suffixes, None);
        assert_eq!(analyse(r"^[0-9]+ comments? on .+ says").unwrap().suffixes, None);
        // Strong leading literals stay the gate.
        assert_eq!(analyse(r"^posted by .+ says:$").unwrap().suffixes, None);
    }

    #[test]
    fn leads_are_kept_whatever_gate_the_regex_gets() {
        let shape = analyse(r"^[0-9]+ (?:comments?|reacties) op .+$").unwrap();
        assert!(shape.anchors.is_some());
        let leads = strings(shape.leads).unwrap();
        assert_eq!(leads, (0..10).map(|d| d.to_string()).collect::<Vec<_>>());
        // A literal cut at a cased character goes on with every byte that begins one.
        let leads = analyse(r"^Một bình luận cho .+$").unwrap().leads.unwrap();
        assert_eq!(leads.len(), 0xF4 - 0xC2 + 1);
        assert!(leads.iter().all(|l| l.len() == 2 && l[0] == b'm' && l[1] >= 0xC2));
        // So does the gate's: `g` alone would open the rule on every line beginning with a `g`.
        let captions = r"^(?:foto|fotos|bild|bildquelle|imagen|immagine|imagem|beeld|zdjęcie|фото|источник фото|fotoğraf|görsel|crédit photo|crédits photo) ?: ?\S.*$";
        let gate = analyse(captions).unwrap().prefixes.unwrap();
        assert!(gate.contains(&b"foto".to_vec()) && !gate.contains(&b"g".to_vec()), "{gate:?}");
        assert!(!gate.contains(&b"cr".to_vec()) && gate.contains(&b"cr\xc3".to_vec()), "{gate:?}");
        assert!(gate.contains(&vec![b'g', 0xC3]), "{gate:?}");
        // A regex that may begin with any non-ASCII character has none.
        assert_eq!(analyse(r"^(?:Één|[0-9]+) reactie$").unwrap().leads, None);
        // Long alternatives are cut to the gate's length rather than given up.
        let dates = r"^(?:(?:updated|posted)(?: on)?:? )?(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|may|june?)\.? [0-9]{1,2}, [0-9]{4}";
        assert!(analyse(dates).unwrap().prefixes.is_some());
    }

    #[test]
    fn no_word_when_a_branch_has_none() {
        assert_eq!(words(r"^(?:[0-9]+|[a-z]+ comments)$"), None);
        // Optional parts do not count.
        assert_eq!(words(r"^[0-9]+(?: comments)?$"), None);
    }
}
