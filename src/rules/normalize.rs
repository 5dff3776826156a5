//! The normalization that lets rules look through the formatting noise of scraped text.
//!
//! Rules never compare raw bytes. Both a rule's phrase (once, when it is compiled) and a line
//! (each time it is matched) are mapped to a *normalized* form:
//!
//! * ASCII letters are lowercased (other scripts are left as they are);
//! * white space — ASCII space, tab, CR, vertical tab, form feed, U+00A0 no-break space, U+1680,
//!   U+2000..=U+200B (the typographic spaces and the zero-width space), U+202F, U+205F, U+3000
//!   and U+FEFF — is trimmed at both ends and every run of it becomes one ASCII space;
//! * curly and low single quotes and primes (`‘ ’ ‚ ‛ ′`) become `'`, curly, low and angle double
//!   quotes (`“ ” „ ‟ ″ « »`) become `"`;
//! * every other byte, including invalid UTF-8, passes through unchanged.
//!
//! The output is only ever used for matching: kept lines are written back as they came.

/// Appends the normalized form of `line` to `out`, stopping once `out` would grow past `limit`
/// bytes.
///
/// Returns `true` when the whole line was normalized and `false` when it stopped at the limit; in
/// that case `out` holds an exact prefix (of more than `limit` bytes' worth of input) of the
/// normalized line, with at least `limit` bytes, so a caller can still test prefixes of up to
/// `limit` bytes. A line terminator (`\n`, `\r\n`) is white space like any other.
pub fn normalize_into(line: &[u8], out: &mut Vec<u8>, limit: usize) -> bool {
    let start = out.len();
    normalize_more(line, out, start, limit, &mut Resume::default())
}

/// Where a normalization that stopped at its limit goes on (see [`normalize_more`]); the
/// default starts at the beginning of a line.
#[derive(Clone, Copy, Debug, Default)]
pub struct Resume {
    /// The next input byte.
    at: usize,
    /// White space was read and its separating space is not written yet.
    pending_space: bool,
}

/// Normalizes `line` from `resume` on, appending to `out`, whose bytes from `start` on are what
/// the line has given so far, and stops once those would grow past `limit` bytes; `resume` then
/// says where a later call goes on. Returns like [`normalize_into`], whose output a line
/// normalized in several calls, with growing limits, equals.
pub fn normalize_more(line: &[u8], out: &mut Vec<u8>, start: usize, limit: usize, resume: &mut Resume) -> bool {
    // Never more than the line's length, nor (much) more than the limit.
    let room = limit.saturating_add(9).saturating_sub(out.len() - start);
    out.reserve((line.len() - resume.at.min(line.len())).min(room));
    let Resume { at: mut i, mut pending_space } = *resume;
    while i < line.len() {
        // Eight plain ASCII bytes at a time, while they fit under the limit.
        if let Some(chunk) = line.get(i..i + 8).and_then(|c| <[u8; 8]>::try_from(c).ok()) {
            if (out.len() - start).saturating_add(8) <= limit {
                if let Some((lower, n)) = plain_ascii8(u64::from_le_bytes(chunk), pending_space || out.len() == start) {
                    // (A space first after a pending one never comes this way.)
                    if pending_space && out.len() > start {
                        out.push(b' ');
                    }
                    out.extend_from_slice(&lower[..n]);
                    pending_space = n < 8;
                    i += 8;
                    continue;
                }
            }
        }
        let b = line[i];
        let t = ASCII[b as usize];
        if t > SPACE {
            // Visible ASCII: the common case.
            if pending_space {
                pending_space = false;
                if out.len() > start {
                    out.push(b' ');
                }
            }
            if out.len() - start > limit {
                *resume = Resume { at: i, pending_space };
                return false;
            }
            out.push(t);
            i += 1;
            continue;
        }
        if t == SPACE {
            pending_space = true;
            i += 1;
            continue;
        }
        if two_byte_letter(line, i) {
            // A run of two-byte characters other than U+0080–U+00BF (Latin letters with marks,
            // Greek, Cyrillic, Hebrew, Arabic…): none is a space or a quote, so they are copied
            // as they are, while they fit under the limit.
            if !push_sep(out, start, &mut pending_space, limit) {
                *resume = Resume { at: i, pending_space };
                return false;
            }
            let mut j = i + 2;
            while two_byte_letter(line, j) && out.len() - start + (j - i) <= limit {
                j += 2;
            }
            out.extend_from_slice(&line[i..j]);
            i = j;
            continue;
        }
        let (class, len) = classify_multibyte(&line[i..]);
        if let Class::Space = class {
            pending_space = true;
            i += len;
            continue;
        }
        if !push_sep(out, start, &mut pending_space, limit) {
            *resume = Resume { at: i, pending_space };
            return false;
        }
        match class {
            Class::Single => out.push(b'\''),
            Class::Double => out.push(b'"'),
            _ => out.extend_from_slice(&line[i..i + len]),
        }
        i += len;
    }
    *resume = Resume { at: i, pending_space };
    out.len() - start <= limit
}

/// Eight input bytes (little-endian) that normalize to themselves but for ASCII case: visible
/// ASCII, and single spaces between visible characters. Returns them lowercased and how many to
/// write: 7 when the last one is a space (its separator is owed to what follows). `None` when
/// the bytes need the byte-by-byte path: a non-ASCII byte, white space other than a single
/// space, a control byte, or a space first when `space_before` (a space was just read, or
/// nothing was written yet).
#[inline]
fn plain_ascii8(x: u64, space_before: bool) -> Option<([u8; 8], usize)> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    if x & HI != 0 {
        return None;
    }
    // Every byte is below 0x80, so adding up to 0x7F to each never carries into the next: the
    // high bit of each sum tells whether the byte reached the bound.
    let at_least = |n: u8| (x + LO * u64::from(0x80 - n)) & HI;
    let below_visible = !at_least(0x21) & HI;
    let spaces = !(((x ^ (LO * 0x20)) + LO * 0x7F) & HI) & HI;
    if below_visible != spaces || spaces & (spaces << 8) != 0 || (space_before && spaces & 0x80 != 0) {
        return None;
    }
    let upper = at_least(b'A') & !at_least(b'Z' + 1);
    let lower = (x | (upper >> 2)).to_le_bytes();
    Some((lower, if spaces >> 56 != 0 { 7 } else { 8 }))
}

/// The first bytes of `line`'s normalized form when they are its own bytes, ASCII-lowercased:
/// the line begins with visible ASCII, and its first sixteen bytes hold only visible ASCII and
/// single spaces between. Returns those bytes and how many of them are exact (at most 16, 0 when
/// the line begins otherwise or is shorter than eight bytes): the head of most lines of prose,
/// read without normalizing the line.
#[inline]
pub fn plain_head(line: &[u8]) -> ([u8; 16], usize) {
    let mut head = [0u8; 16];
    let chunk = |at: usize| line.get(at..at + 8).and_then(|c| <[u8; 8]>::try_from(c).ok()).map(u64::from_le_bytes);
    // Nothing was written before the first chunk: a space first is trimmed, not copied.
    let Some((first, n)) = chunk(0).and_then(|x| plain_ascii8(x, true)) else { return (head, 0) };
    head[..8].copy_from_slice(&first);
    // A last space (`n == 7`) is written only if a visible byte follows it: the next chunk may
    // then not begin with another space.
    match chunk(8).and_then(|x| plain_ascii8(x, n < 8)) {
        Some((second, m)) => {
            head[8..].copy_from_slice(&second);
            (head, 8 + m)
        }
        None => (head, n),
    }
}

/// `line` without the white space that normalization trims from its end (see the module
/// documentation), the line terminator included. Reading backwards agrees with reading forwards:
/// every white space character this strips starts with a byte that cannot continue another
/// character.
pub fn trim_end_white(line: &[u8]) -> &[u8] {
    // Most lines end with a visible ASCII byte and a line break.
    match line {
        [.., last, b'\n'] if *last > b' ' && *last < 0x7F => return &line[..line.len() - 1],
        [.., last] if *last > b' ' && *last < 0x7F => return line,
        _ => {}
    }
    let mut end = line.len();
    while let Some(n) = white_at_end(&line[..end]) {
        end -= n;
    }
    &line[..end]
}

/// The length in bytes of the white space character `text` ends with, if it ends with one (see
/// [`trim_end_white`]).
#[inline]
pub fn white_at_end(text: &[u8]) -> Option<usize> {
    match text {
        [.., b' ' | b'\t' | b'\r' | b'\n' | 0x0B | 0x0C] => Some(1),
        [.., 0xC2, 0xA0] => Some(2),
        [.., 0xE1, 0x9A, 0x80]
        | [.., 0xE2, 0x80, 0x80..=0x8B | 0xAF]
        | [.., 0xE2, 0x81, 0x9F]
        | [.., 0xE3, 0x80, 0x80]
        | [.., 0xEF, 0xBB, 0xBF] => Some(3),
        _ => None,
    }
}

/// Marks non-ASCII bytes in [`ASCII`].
const MULTI: u8 = 0;
/// Marks ASCII white space in [`ASCII`].
const SPACE: u8 = 1;
/// For each byte: [`MULTI`], [`SPACE`], or the normalized (lowercased) ASCII byte. Bytes 0 and 1
/// would collide with the markers, so they take the slow path (which passes them through).
static ASCII: [u8; 256] = {
    let mut t = [MULTI; 256];
    let mut b = 0;
    while b < 128 {
        t[b] = (b as u8).to_ascii_lowercase();
        b += 1;
    }
    t[0] = MULTI;
    t[1] = MULTI;
    t[b' ' as usize] = SPACE;
    t[b'\t' as usize] = SPACE;
    t[b'\r' as usize] = SPACE;
    t[b'\n' as usize] = SPACE;
    t[0x0B] = SPACE;
    t[0x0C] = SPACE;
    t
};

/// Normalizes a whole string into a fresh vector (used for phrases, off the hot path).
pub fn normalize(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    normalize_into(text, &mut out, usize::MAX);
    out
}

/// Whether a valid two-byte character with a lead byte from 0xC3 on begins at `line[i]`.
#[inline]
fn two_byte_letter(line: &[u8], i: usize) -> bool {
    matches!(line.get(i..i + 2), Some(&[0xC3..=0xDF, 0x80..=0xBF]))
}

/// Emits the separating space owed before the next visible character, and reports whether the
/// output is still within `limit`.
#[inline]
fn push_sep(out: &mut Vec<u8>, start: usize, pending_space: &mut bool, limit: usize) -> bool {
    if *pending_space {
        *pending_space = false;
        if out.len() > start {
            out.push(b' ');
        }
    }
    out.len() - start <= limit
}

enum Class {
    Space,
    Single,
    Double,
    Other,
}

/// Classifies the (possibly invalid) UTF-8 sequence at the start of `s`, which starts with a
/// byte >= 0x80, and returns how many bytes it spans. Invalid bytes are `Other` of length 1.
#[inline]
fn classify_multibyte(s: &[u8]) -> (Class, usize) {
    let Some((c, len)) = decode(s) else {
        return (Class::Other, 1);
    };
    let class = match c {
        0x00A0 | 0x1680 | 0x2000..=0x200B | 0x202F | 0x205F | 0x3000 | 0xFEFF => Class::Space,
        0x2018 | 0x2019 | 0x201A | 0x201B | 0x2032 => Class::Single,
        0x201C | 0x201D | 0x201E | 0x201F | 0x2033 | 0x00AB | 0x00BB => Class::Double,
        _ => Class::Other,
    };
    (class, len)
}

/// Decodes one UTF-8 scalar value at the start of `s` (which starts with a non-ASCII byte).
#[inline]
fn decode(s: &[u8]) -> Option<(u32, usize)> {
    let b0 = *s.first()? as u32;
    let (len, init) = match b0 {
        0xC2..=0xDF => (2, b0 & 0x1F),
        0xE0..=0xEF => (3, b0 & 0x0F),
        0xF0..=0xF4 => (4, b0 & 0x07),
        _ => return None,
    };
    let tail = s.get(1..len)?;
    let mut c = init;
    for &b in tail {
        if b & 0xC0 != 0x80 {
            return None;
        }
        c = (c << 6) | (b as u32 & 0x3F);
    }
    // Reject overlong forms and surrogates so that only valid UTF-8 is ever classified.
    let ok = match len {
        3 => c >= 0x800 && !(0xD800..=0xDFFF).contains(&c),
        4 => (0x10000..=0x10FFFF).contains(&c),
        _ => true,
    };
    ok.then_some((c, len))
}

/// Returns `Some(offset)` if the normalized form of `line` is certainly at least `n` bytes long,
/// judging from its first `offset` raw bytes; `None` if that cannot be told this cheaply.
///
/// It counts bytes that always survive normalization as at least one byte: visible ASCII, and
/// the lead bytes of characters that are neither white space nor quotes. It is a lower bound,
/// exact enough to tell that an article paragraph is long after a few hundred bytes.
pub fn normalized_len_at_least(line: &[u8], n: usize) -> Option<usize> {
    if line.len() < n {
        return None;
    }
    let mut count = 0usize;
    for (k, chunk) in line.chunks(64).enumerate() {
        count += count_bytes(chunk, survives);
        if count >= n {
            return Some((k + 1) * 64);
        }
    }
    None
}

/// Whether a raw byte stands for at least one normalized byte (see [`normalized_len_at_least`]).
#[inline]
fn survives(b: u8) -> bool {
    // Lead bytes C2 (U+00A0), E1 (U+1680), E2 (U+2000.., quotes), E3 (U+3000) and EF (U+FEFF)
    // can start white space or a quote, so they are not counted.
    matches!(b, 0x21..=0x7F | 0xC3..=0xE0 | 0xE4..=0xEE | 0xF0..=0xF4)
}

/// Number of characters in normalized text (bytes that are not UTF-8 continuation bytes).
pub fn char_count(norm: &[u8]) -> usize {
    count_bytes(norm, |b| b & 0xC0 != 0x80)
}

/// How many bytes of `bytes` satisfy `pred`, summed in byte lanes 255 bytes at a time: a
/// byte-wide sum vectorizes well, a count in `usize` does not.
#[inline]
pub(crate) fn count_bytes(bytes: &[u8], pred: impl Fn(u8) -> bool + Copy) -> usize {
    bytes.chunks(255).map(|c| usize::from(c.iter().fold(0u8, |n, &b| n + u8::from(pred(b))))).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! norm {
        ($name:ident, $input:expr, $want:expr) => {
            #[test]
            fn $name() {
                assert_eq!(String::from_utf8_lossy(&normalize($input.as_bytes())), $want);
            }
        };
    }

    norm!(ascii_case, "Leave A REPLY", "leave a reply");
    norm!(trims_and_collapses, " \t Log Out /  Change )\r\n", "log out / change )");
    norm!(nbsp_runs, "Log\u{a0}Out\u{a0}/\u{a0} Change\u{a0})", "log out / change )");
    norm!(curly_quotes, "“It’s” ‘x’ „y“ «z»", "\"it's\" 'x' \"y\" \"z\"");
    norm!(non_ascii_case_kept, "ÄRGER Über", "Ärger Über");
    norm!(zero_width_space, "Share\u{200b}this", "share this");
    norm!(empty, "", "");
    norm!(control_bytes_are_visible, "a\u{0}\u{1}\u{2} b", "a\u{0}\u{1}\u{2} b");
    norm!(only_space, " \u{a0}\t ", "");

    /// Normalization as documented, one character at a time (valid UTF-8 only).
    fn naive(text: &str) -> String {
        let mut out = String::new();
        let mut space = false;
        for c in text.chars() {
            let white = matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{b}' | '\u{c}' | '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200b}' | '\u{202f}' | '\u{205f}' | '\u{3000}' | '\u{feff}');
            if white {
                space = true;
                continue;
            }
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(match c {
                '\u{2018}'..='\u{201b}' | '\u{2032}' => '\'',
                '\u{201c}'..='\u{201f}' | '\u{2033}' | '\u{ab}' | '\u{bb}' => '"',
                c => c.to_ascii_lowercase(),
            });
        }
        out
    }

    const PIECES: &[&str] = &[
        "Word", "ABCDEFGHIJ", "xyz", " ", "  ", "\t", "\r\n", "\u{a0}", "\u{3000}", "@[`{", "Z", "a", "0123456789",
        "\u{2019}", "\u{201c}", "\u{ab}", "\u{e9}", "\u{c4}", "\u{4e00}", "\u{1}", "\u{7f}", "~!",
        "\u{441}\u{43b}\u{43e}\u{432}\u{43e}", "\u{3b1}\u{3b2}", "\u{5d0}", "\u{b7}",
    ];

    proptest::proptest! {
        #[test]
        fn normalization_matches_its_definition_whatever_the_limit(
            parts in proptest::collection::vec(proptest::sample::select(PIECES), 0..30),
            limit in proptest::sample::select(vec![0usize, 1, 7, 8, 9, 24, 100]),
        ) {
            let line = parts.concat();
            let want = naive(&line);
            let whole_line = normalize(line.as_bytes());
            proptest::prop_assert_eq!(whole_line.as_slice(), want.as_bytes());
            let mut out = b"xx".to_vec();
            let whole = normalize_into(line.as_bytes(), &mut out, limit);
            let got = &out[2..];
            proptest::prop_assert!(want.as_bytes().starts_with(got));
            proptest::prop_assert!(got.len() >= limit.min(want.len()));
            if whole {
                proptest::prop_assert_eq!(got, want.as_bytes());
            }
            // Resumed with growing limits, it ends where one call does.
            let mut out = b"xx".to_vec();
            let mut resume = Resume::default();
            for step in [limit, limit + 3, limit + 9, usize::MAX] {
                let done = normalize_more(line.as_bytes(), &mut out, 2, step, &mut resume);
                proptest::prop_assert!(want.as_bytes().starts_with(&out[2..]));
                proptest::prop_assert!(done || out.len() - 2 > step);
                if done {
                    break;
                }
            }
            proptest::prop_assert_eq!(&out[2..], want.as_bytes());
        }
    }

    proptest::proptest! {
        #[test]
        fn a_plain_head_is_a_prefix_of_the_normalized_line(
            parts in proptest::collection::vec(proptest::sample::select(PIECES), 0..12),
        ) {
            let line = parts.concat();
            let (head, n) = plain_head(line.as_bytes());
            proptest::prop_assert!(n <= 16);
            proptest::prop_assert!(normalize(line.as_bytes()).starts_with(&head[..n]), "{:?}: {:?}", line, &head[..n]);
        }
    }

    #[test]
    fn plain_heads() {
        let head = |s: &str| {
            let (h, n) = plain_head(s.as_bytes());
            String::from_utf8(h[..n].to_vec()).unwrap()
        };
        assert_eq!(head("The Quick brown fox jumps over it."), "the quick brown", "a last space is owed");
        assert_eq!(head("Log Out / Change"), "log out / change");
        assert_eq!(head("Leave a Reply\n"), "leave a", "a space before white space is trimmed");
        assert_eq!(head("Leave a Reply Cancel"), "leave a reply ca");
        assert_eq!(head("Leave a  Reply Cancel"), "leave a");
        assert_eq!(head("Leave a Rep\u{e9}ly"), "leave a");
        assert_eq!(head("Leave  a reply"), "");
        assert_eq!(head(" Leave a reply"), "", "white space first is trimmed");
        assert_eq!(head("Leave\ta reply"), "");
        assert_eq!(head("Short"), "");
        assert_eq!(head("Comments (4)"), "comments");
    }

    #[test]
    fn eight_plain_bytes_at_a_time() {
        let plain = |s: &[u8; 8], before| plain_ascii8(u64::from_le_bytes(*s), before).map(|(l, n)| l[..n].to_vec());
        assert_eq!(plain(b"Hello Wo", false), Some(b"hello wo".to_vec()));
        assert_eq!(plain(b"AZaz@[`{", false), Some(b"azaz@[`{".to_vec()));
        assert_eq!(plain(b"Log Out ", false), Some(b"log out".to_vec()), "a last space is owed");
        assert_eq!(plain(b" Log Out", false), Some(b" log out".to_vec()));
        assert_eq!(plain(b" Log Out", true), None, "a space after a space, or at the start");
        assert_eq!(plain(b"Log  Out", false), None);
        assert_eq!(plain(b"Log\tOut.", false), None);
        assert_eq!(plain(b"caf\xc3\xa9 ok", false), None);
        assert_eq!(plain(b"a\x00bcdefg", false), None);
        assert_eq!(plain(b"a\x7fbcdefg", false), Some(b"a\x7fbcdefg".to_vec()));
    }

    proptest::proptest! {
        #[test]
        fn trimming_the_end_removes_exactly_the_white_space_normalization_drops(
            parts in proptest::collection::vec(proptest::sample::select(END_PIECES), 0..12),
        ) {
            let line = parts.concat();
            let trimmed = trim_end_white(&line);
            proptest::prop_assert!(line.starts_with(trimmed));
            proptest::prop_assert_eq!(normalize(trimmed), normalize(&line));
            // Nothing white is left at the end: a visible byte after it follows directly.
            let mut more = trimmed.to_vec();
            more.push(b'x');
            let mut want = normalize(trimmed);
            want.push(b'x');
            proptest::prop_assert_eq!(normalize(&more), want);
        }
    }

    /// Pieces of line ends: white space of every kind, and bytes that look like parts of it.
    const END_PIECES: &[&[u8]] = &[
        b"word", b" ", b"\t", b"\r\n", b"\x0b", "\u{a0}".as_bytes(), "\u{1680}".as_bytes(), "\u{2003}".as_bytes(),
        "\u{200b}".as_bytes(), "\u{202f}".as_bytes(), "\u{205f}".as_bytes(), "\u{3000}".as_bytes(),
        "\u{feff}".as_bytes(), "\u{2019}".as_bytes(), "\u{e9}".as_bytes(), b"\xe2", b"\x80", b"\xa0", b"\xc2",
        b"\xbb\xbf", b"\xff",
    ];

    #[test]
    fn invalid_utf8_passes_through() {
        assert_eq!(normalize(b"A\xff\xc2B\xe2\x80"), b"a\xff\xc2b\xe2\x80");
    }

    #[test]
    fn lower_bound_never_exceeds_the_normalized_length() {
        let lines: &[&str] = &[
            "plain ascii words here",
            "  spaced   out\t\ttext  ",
            "“curly” ‘quotes’ «and» „low“",
            "Log\u{a0}Out\u{a0}/\u{a0} Change\u{a0})",
            "русский текст и 中文 и ελληνικά",
            "\u{2003}\u{3000}\u{feff}\u{200b}",
        ];
        for line in lines {
            let real = normalize(line.as_bytes()).len();
            for n in 0..real + 5 {
                if normalized_len_at_least(line.as_bytes(), n).is_some() {
                    assert!(real >= n, "{line:?}: said at least {n}, is {real}");
                }
            }
        }
        let long = "word ".repeat(200);
        assert!(normalized_len_at_least(long.as_bytes(), 300).is_some());
    }

    #[test]
    fn limit_gives_exact_prefix() {
        let line = "Hello   World, this is a long line".as_bytes();
        let full = normalize(line);
        for limit in 0..full.len() + 2 {
            let mut out = Vec::new();
            let complete = normalize_into(line, &mut out, limit);
            assert_eq!(complete, full.len() <= limit, "limit {limit}");
            assert!(full.starts_with(&out));
            if !complete {
                assert!(out.len() > limit);
            }
        }
    }
}
