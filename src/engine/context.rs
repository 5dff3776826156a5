//! Context rules: judging a line by its shape and its neighbours, in a bounded window.
//!
//! This stage sits between the decider (phrase rules, cut, thread) and the blank-line layout. It
//! only ever turns kept lines into dropped ones:
//!
//! - `page-head`: the lines before the article — its first *prose* line (at least 10 words,
//!   ending like a sentence), or the first of a run of *wide* lines in a row (8 or more words
//!   each, no list marker, not in title case) once one of them ends like a sentence or one
//!   after the first goes on in lowercase (a hard-wrapped paragraph, not a list of headlines;
//!   before that, a line that begins otherwise after one that ends no sentence begins the run
//!   anew, as the next headline of a list would), or
//!   the first of two lines in a row of a paragraph
//!   wrapped narrower ([`TAIL_WIDE_BYTES`] bytes each, the first ending no sentence, the second
//!   starting in lowercase) — are page chrome (menus, breadcrumbs, banners), except the
//!   `keep` worded lines just before it (a title, a standfirst), among which a line another
//!   rule dropped there takes a place (a byline between the title and the article); lines
//!   without a word there go wherever they stand. The head is held until that prose line arrives; if
//!   none comes within [`MAX_HEAD_LINES`] lines or [`MAX_HEAD_BYTES`] bytes, or the document
//!   ends first, nothing is dropped. With `teaser-words`, the lines from the start are held too
//!   (within the same bounds) until that many words of prose (prose lines, and wide lines right
//!   after a wide line: a hard-wrapped paragraph): a run of short lines that `menu-run` counts
//!   after page chrome before then shows the start to be a teaser, and the lines from it to the
//!   run are dropped; the next prose or wide kept line is checked the same way. With
//!   `teaser-short`, so does a run's short line that makes that many from the start on, labels
//!   and numbered lines not counted (a menu whose entries each have a line under them).
//! - `menu-run`: a run of at least `min-run` consecutive *short* lines (at most `max-words` words,
//!   at most 12 characters a word, not ending like a sentence, a clause or a quotation) is a menu
//!   or a link list and is dropped, unless the line before the run ends with `:` (a list the
//!   article introduces). Blank lines and lines dropped by other rules do not break a run, and a
//!   line dropped by another rule than `page-head` (chrome a rule found; a teaser `page-head`
//!   dropped may be prose) counts as one of its short lines, inside the run or right before its
//!   first short line. With `chrome-before`, a run counts only if that many lines of the document
//!   before it were dropped (page chrome is established), or if it has `long-run` short lines. A
//!   run is held until it has the short lines it needs, from its first line up to [`MAX_RUN_LINES`]
//!   lines and [`MAX_RUN_BYTES`] bytes; a line past either ends it, kept.
//! - `page-tail`: the kept lines after the article's last line, to the document's end, are page
//!   chrome (related posts, footers, comment forms), if the lines from the first of them hold at
//!   most `tail-bytes` bytes. An *article line* is worded, does not end in an ellipsis (an excerpt
//!   cut short), and has `long-bytes` bytes (trimmed), or ends like a sentence and has
//!   `prose-words` words, or follows a kept worded line of [`TAIL_WIDE_BYTES`] bytes without a list
//!   marker (the last line of a hard-wrapped paragraph), or follows an article line with only blank
//!   lines between; a line that starts with a lowercase letter right after such a wide line that
//!   does not end a sentence is one too (a hard-wrapped sentence goes on). The lines after each
//!   article line are held until the next one, which keeps them; a tail that outgrows the bound is
//!   kept. With `confirm`, an article line after `lone-after` held worded lines (lines dropped
//!   since the last article line by other rules than `page-head` and `menu-run`, two or more in a
//!   row, counted among them; fewer than 30% of the worded ones list items or code, and no colon
//!   before them, unless `chrome-before` lines were dropped before it) stands alone, like a teaser
//!   among links: it is held too, and ends the tail only if another article line follows within
//!   `confirm` worded lines.

use std::collections::VecDeque;
use std::io;

use super::state::Decision;
use crate::output::{HeadStart, HeadWhy, Sink, TeaserWhy};
use crate::rules::compile::{ContextRules, MenuRun, PageHead, PageTail};

/// A line with at least this many words that ends like a sentence is *prose*.
pub const PROSE_WORDS: usize = 10;
/// Words of a prose line that ends in a colon: a sentence that introduces a list ("I will share
/// how I set up several things, including:"), long enough not to be a form's or a menu's label.
pub const COLON_PROSE_WORDS: usize = 20;
/// A line with at least this many words is *wide*: wide lines in a row are a hard-wrapped
/// paragraph, where the article begins as surely as at a prose line, once one of them ends like
/// a sentence or goes on in lowercase (headlines in sentence case do neither).
pub const WIDE_WORDS: usize = 8;
/// Lines `page-head` can hold while waiting for the first prose line.
pub const MAX_HEAD_LINES: usize = 1000;
/// Bytes `page-head` can hold while waiting for the first prose line.
pub const MAX_HEAD_BYTES: usize = 1 << 20;

/// Lines a pending `menu-run` run may hold (its short lines and the blank or dropped lines
/// between them): the largest `min-run` and `long-run`. A line past it ends the run, kept.
pub const MAX_RUN_LINES: usize = 1000;
/// Bytes a pending `menu-run` run may hold; a line past it ends the run, kept.
pub const MAX_RUN_BYTES: usize = 1 << 20;

/// The most bytes `page-tail` may hold: the largest `tail-bytes`.
pub const MAX_TAIL_BYTES: usize = 1 << 20;
/// For `page-tail`, a sentence after a kept worded line of at least this many bytes, trimmed (no
/// list marker), ends a hard-wrapped paragraph, and is an article line whatever its length; so
/// is a line starting with a lowercase letter after such a line that ends no sentence.
pub const TAIL_WIDE_BYTES: usize = 30;

/// What the context rules need to know about a line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shape {
    /// Words: runs of letters, digits and non-ASCII characters other than spaces and
    /// punctuation; in scripts written without spaces, a word for every few
    /// characters of a run (two of Chinese or Japanese, four of Thai).
    pub words: usize,
    /// Characters, trimmed.
    pub chars: usize,
    /// Bytes, trimmed.
    pub bytes: usize,
    /// Ends like a sentence: `.`, `!`, `?` (or `。！？`), before any closing quotes or brackets.
    pub sentence_end: bool,
    /// Ends with any of `. ! ? : ; " ' ) % …` or their typographic forms.
    pub punct_end: bool,
    /// Ends with `:`.
    pub colon_end: bool,
    /// Ends with an ellipsis, `…` or `...` (before closing quotes and brackets, or in square
    /// brackets): a truncated excerpt.
    pub ellipsis: bool,
    /// A table row: starts and ends with `|`, or holds a tab between its cells (text
    /// extractors write tables either way; a menu does neither). Looked for only where the line
    /// may be short, the only test that reads it.
    pub table_row: bool,
    /// Starts with a lowercase ASCII letter (in a hard-wrapped paragraph, a sentence going on).
    pub lower_start: bool,
    /// Starts with a list marker: `-`, `*`, `+`, `o`, `–` and a space, or `•`, `·`, `▪`, `◦`,
    /// `‣`, `●`.
    pub bullet: bool,
    /// A list item or a line of code: bulleted, or starting with a number and `.` or `)` and a
    /// space, or ending with one of `{ } [ ] ( ) ; , =`.
    pub item: bool,
}

impl Shape {
    /// At least [`PROSE_WORDS`] words and a sentence ending, or at least [`COLON_PROSE_WORDS`]
    /// and a colon at the end (a sentence that introduces a list).
    pub fn is_prose(&self) -> bool {
        self.words >= PROSE_WORDS && (self.sentence_end || (self.colon_end && self.words >= COLON_PROSE_WORDS))
    }

    /// A line of a hard-wrapped paragraph, maybe: [`WIDE_WORDS`] words or more, no list marker
    /// (a list of headlines is not a paragraph).
    pub fn is_wide(&self) -> bool {
        self.words >= WIDE_WORDS && !self.bullet
    }

    /// A menu-like line: 1 to `max_words` words, not ending in punctuation, not a table row.
    pub fn is_short(&self, max_words: usize) -> bool {
        self.words >= 1
            && self.words <= max_words
            && self.chars <= max_words.saturating_mul(12)
            && !self.punct_end
            && !self.table_row
    }
}

/// Measures a line (terminator included or not).
pub fn shape_of(line: &[u8]) -> Shape {
    shape_capped(line, usize::MAX, usize::MAX)
}

/// Measures a line, but stops counting once more than `words` words and more than `chars`
/// characters have been seen: the counts are then lower bounds, enough to compare with the
/// thresholds that chose the caps.
pub fn shape_capped(line: &[u8], words: usize, chars: usize) -> Shape {
    measure(line, words, chars, false)
}

/// Measures a line like [`shape_capped`] if it ends like a sentence; a line that does not is
/// not prose, and gives `None` without being counted.
pub fn sentence_shape(line: &[u8], words: usize) -> Option<Shape> {
    let text = trim(line);
    let end = ending(text);
    end.0.then(|| measure_trimmed(text, words, 0, false, end))
}

/// Measures a line like [`shape_capped`]; with `either`, stops as soon as the line is known to
/// hold a word and either count has passed its cap (enough to tell whether it is short).
fn measure(line: &[u8], word_cap: usize, char_cap: usize, either: bool) -> Shape {
    let text = trim(line);
    measure_trimmed(text, word_cap, char_cap, either, ending(text))
}

/// [`measure`] of a trimmed line whose [`ending`] is known.
fn measure_trimmed(text: &[u8], word_cap: usize, char_cap: usize, either: bool, end: (bool, bool, bool, bool)) -> Shape {
    let mut s = Shape::default();
    // 1 inside a word, else 0: words are counted without a branch on every byte.
    let mut in_word = 0usize;
    // Characters so far in a run of a script written without spaces.
    let mut dense = 0usize;
    // Whether the last one to seven bytes were tried as one padded chunk.
    let mut tail_tried = false;
    let mut i = 0;
    let stop = |s: &Shape| {
        let (w, c) = (s.words > word_cap, s.chars > char_cap);
        (w && c) || (either && (w || (c && s.words > 0)))
    };
    while i < text.len() {
        // Thirty-two ASCII bytes at a time (most of a line of prose), the caps asked once: the
        // counts may then pass them by more, which tells the same.
        if let Some(block) = text.get(i..i + 32).and_then(|b| <&[u8; 32]>::try_from(b).ok()) {
            let xs: [u64; 4] = std::array::from_fn(|k| u64::from_le_bytes(std::array::from_fn(|j| block[8 * k + j])));
            if (xs[0] | xs[1] | xs[2] | xs[3]) & HI == 0 {
                // Each byte of `lanes` counts the word starts at its place in the four chunks.
                let mut lanes = 0u64;
                for x in xs {
                    let word = word_bytes(x);
                    lanes += word_starts(word, in_word);
                    in_word = (word >> 63) as usize;
                }
                s.words += lane_sum(lanes);
                dense = 0;
                s.chars += 32;
                i += 32;
                if stop(&s) {
                    break;
                }
                continue;
            }
        }
        // Eight ASCII bytes at a time: a mask of word bytes, and its word starts counted.
        if let Some(chunk) = text.get(i..i + 8).and_then(|c| <[u8; 8]>::try_from(c).ok()) {
            let x = u64::from_le_bytes(chunk);
            if x & HI == 0 {
                let word = word_bytes(x);
                s.words += lane_sum(word_starts(word, in_word));
                in_word = (word >> 63) as usize;
                dense = 0;
                s.chars += 8;
                i += 8;
                if stop(&s) {
                    break;
                }
                continue;
            }
        } else if !tail_tried {
            // The last one to seven bytes, once, padded with zero bytes (no word's): if they are
            // ASCII, they are counted as a chunk.
            tail_tried = true;
            let n = text.len() - i;
            let x = chunk8(text, i);
            if x & HI == 0 {
                s.words += lane_sum(word_starts(word_bytes(x), in_word));
                s.chars += n;
                break;
            }
        }
        let b = text[i];
        let (word, len) = if b < 0x80 {
            // ASCII, the common case.
            (usize::from(WORD_BYTE[b as usize]), 1)
        } else {
            let next = text.get(i + 1).copied().unwrap_or(0);
            if let Some(per) = dense_script(b, next) {
                // A word begins with every `per` characters of the run.
                s.words += usize::from(dense % per == 0);
                dense += 1;
                in_word = 0;
                s.chars += 1;
                i += char_len(b);
                if stop(&s) {
                    break;
                }
                continue;
            }
            (usize::from(!separates(b, next)), char_len(b))
        };
        s.words += word & (in_word ^ 1);
        in_word = word;
        dense = 0;
        s.chars += 1;
        i += len;
        if stop(&s) {
            break;
        }
    }
    s.bytes = text.len();
    s.lower_start = text.first().is_some_and(u8::is_ascii_lowercase);
    // Only a line that may be short needs the look for a tab: where `char_cap` is finite it is
    // 12 characters a word of `max-words` (see `Context::shape`), so a line of more characters
    // or words is not short, and other lines are read again only if they are that short.
    let may_be_short = !end.2 && s.chars <= char_cap && s.words.saturating_mul(12) <= char_cap;
    s.table_row = (text.first() == Some(&b'|') && text.last() == Some(&b'|'))
        || (may_be_short && has_tab(text));
    s.bullet = starts_with_bullet(text);
    s.item = item(text, s.bullet);
    (s.sentence_end, s.colon_end, s.punct_end, s.ellipsis) = end;
    s
}

/// Whether a kept line counts as wide for `page-tail`: worded, [`TAIL_WIDE_BYTES`] bytes
/// trimmed, no list marker.
fn tail_wide(shape: &Shape) -> bool {
    shape.words > 0 && shape.bytes >= TAIL_WIDE_BYTES && !shape.bullet
}

/// The length [`measure`] gives the character that byte `b` begins (an invalid byte is one).
#[inline]
fn char_len(b: u8) -> usize {
    match b {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    }
}

/// Whether the non-ASCII character that begins with bytes `b`, `next` separates words: no-break
/// space, Latin-1 punctuation (« » ·), General Punctuation (quotes, dashes, bullets, …) and CJK
/// punctuation do.
#[inline]
fn separates(b: u8, next: u8) -> bool {
    matches!((b, next), (0xC2, 0x80..=0xBF) | (0xE2, 0x80..=0x81) | (0xE3, 0x80)) || (b == 0xEF && matches!(next, 0xBC | 0xBD))
}

/// For a character of a script written without spaces between words, whose lead bytes are `b`,
/// `next`: how many of its characters make a word. Chinese and Japanese words are one to two
/// characters long, so two (CJK ideographs, kana and the other letters of U+3040–U+4DBF and
/// U+F900–U+FAFF, ideographs beyond the BMP); Thai, Lao, Khmer and Myanmar words several,
/// with their vowel and tone marks, so four. Counted so, a sentence of theirs has about as many
/// words as one of English, and page rules judge it alike.
#[inline]
fn dense_script(b: u8, next: u8) -> Option<usize> {
    match (b, next) {
        (0xE3, 0x81..) | (0xE4..=0xE9, _) | (0xEF, 0xA4..=0xAB) | (0xF0, 0xA0..=0xB3) => Some(2),
        (0xE0, 0xB8..=0xBB) | (0xE1, 0x80..=0x81 | 0x9E..=0x9F) => Some(4),
        _ => None,
    }
}

/// Whether the (trimmed) `text` holds a word character, as [`measure`] tells them: it stops at
/// the first one, where a line of another script has it.
fn has_word(text: &[u8]) -> bool {
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        if b < 0x80 {
            if WORD_BYTE[b as usize] {
                return true;
            }
            i += 1;
        } else if separates(b, text.get(i + 1).copied().unwrap_or(0)) {
            i += char_len(b);
        } else {
            return true;
        }
    }
    false
}

/// Whether the (trimmed) line starts with a list marker (see [`Shape::bullet`]).
#[inline]
fn starts_with_bullet(text: &[u8]) -> bool {
    match text {
        [b'-' | b'*' | b'+' | b'o', b' ', ..] => true,
        // – and a space, •, ‣
        [0xE2, 0x80, 0x93, b' ', ..] | [0xE2, 0x80, 0xA2, ..] | [0xE2, 0x80, 0xA3, ..] => true,
        // ▪, ◦, ●
        [0xE2, 0x96, 0xAA, ..] | [0xE2, 0x97, 0xA6 | 0x8F, ..] => true,
        // ·
        [0xC2, 0xB7, ..] => true,
        _ => false,
    }
}

/// Whether the (trimmed) line is a list item or a line of code (see [`Shape::item`]).
#[inline]
fn item(text: &[u8], bullet: bool) -> bool {
    // Most lines begin with no digit: the count of digits is left for those that do.
    let numbered = || {
        let digits = text.iter().take_while(|b| b.is_ascii_digit()).count();
        matches!(text.get(digits..digits + 2), Some([b'.' | b')', b' ']))
    };
    bullet
        || matches!(text.last(), Some(b'{' | b'}' | b'[' | b']' | b'(' | b')' | b';' | b',' | b'='))
        || (text.first().is_some_and(u8::is_ascii_digit) && numbered())
}

/// Whether a line is a label or a numbered heading rather than a menu's entry, for
/// `teaser-short`: it holds a colon (`Price: $30`, or the full-width `：`) or begins with a digit
/// (`2. Jump rope`).
fn is_label(line: &[u8]) -> bool {
    let text = trim(line);
    text.first().is_some_and(u8::is_ascii_digit)
        || memchr::memchr(b':', text).is_some()
        || memchr::memmem::find(text, "\u{FF1A}".as_bytes()).is_some()
}

/// Whether a line is written in title case, like a headline or a link's title ("How to Choose
/// the Right Agency for Your Business"), and so is no line of a paragraph: it does not begin
/// with a lowercase ASCII letter, and of its words of four or more ASCII letters (a word here is
/// a run of ASCII letters) there are at least [`TITLE_WORDS`], and at least four in five begin
/// with a capital. Asked of wide lines in the head and the lead, and in the tail only of a line
/// that another would count through (see `Context::prev_title`), so that the second look at
/// their bytes stays cheap.
fn title_like(line: &[u8]) -> bool {
    let line = trim(line);
    if line.first().is_some_and(u8::is_ascii_lowercase) {
        return false;
    }
    // Words of four or more letters, and of them those that begin in lowercase. A line stops
    // being a title when the lowercase ones outnumber a fifth of all it could still have (a
    // word and the byte before it take five bytes): prose is settled after a few words. Eight
    // bytes at a time, from one word's start or end to the next.
    let (mut words, mut lower) = (0usize, 0usize);
    // Where the current word began, and whether in lowercase.
    let (mut start, mut first_lower) = (0usize, false);
    let mut prev_alpha = 0u64;
    let mut at = 0;
    while at < line.len() {
        let alpha = letter_bytes(chunk8(line, at));
        // A byte after a letter, and a letter after none (bytes past the end count as none).
        let after = (alpha << 8) | (prev_alpha >> 56);
        let mut events = (alpha & !after) | (!alpha & HI & after);
        while events != 0 {
            let bit = events.trailing_zeros();
            let i = at + bit as usize / 8;
            if alpha >> bit & 1 == 1 {
                (start, first_lower) = (i, line[i].is_ascii_lowercase());
            } else if i - start >= 4 {
                words += 1;
                if first_lower {
                    lower += 1;
                    if lower * 5 > words + (line.len() - i) / 5 {
                        return false;
                    }
                }
            }
            events &= events - 1;
        }
        prev_alpha = alpha & (HI << 56);
        at += 8;
    }
    // A word that runs to the last byte, in a line of a multiple of eight bytes.
    if prev_alpha != 0 && line.len() - start >= 4 {
        words += 1;
        lower += usize::from(first_lower);
    }
    words >= TITLE_WORDS && lower * 5 <= words
}

/// Whether a (short) text holds a tab: eight bytes at a time, cheaper than a search call on a
/// line of a few words.
fn has_tab(text: &[u8]) -> bool {
    (0..text.len()).step_by(8).any(|at| {
        let x = chunk8(text, at) ^ (LO * u64::from(b'\t'));
        // A zero byte of `x` is a tab of the text (the padding past its end is zero, not a tab).
        (x.wrapping_sub(LO) & !x & HI) != 0
    })
}

/// The eight bytes of `line` from `at` as a little-endian word, zero bytes past its end.
#[inline]
fn chunk8(line: &[u8], at: usize) -> u64 {
    match line.get(at..at + 8).and_then(|c| <[u8; 8]>::try_from(c).ok()) {
        Some(c) => u64::from_le_bytes(c),
        // The last eight bytes of the line, shifted down past those before `at`: no copy.
        None if line.len() >= 8 && at < line.len() => {
            let last = line.len() - 8;
            <[u8; 8]>::try_from(&line[last..]).map_or(0, u64::from_le_bytes) >> (8 * (at - last))
        }
        None => {
            let mut c = [0u8; 8];
            let rest = line.get(at..).unwrap_or_default();
            c[..rest.len().min(8)].copy_from_slice(&rest[..rest.len().min(8)]);
            u64::from_le_bytes(c)
        }
    }
}

/// The high bit of each byte of `x` that is an ASCII letter.
#[inline]
fn letter_bytes(x: u64) -> u64 {
    // Folded to lowercase (other bytes move too, never into `a`..=`z`), high bits cleared.
    let folded = (x | (LO * 0x20)) & !HI;
    at_least(folded, b'a') & !at_least(folded, b'z' + 1) & !x & HI
}

/// Words of four or more letters a line needs to be in title case (see `title_like`).
pub const TITLE_WORDS: usize = 4;


/// The last character of `text`: its last byte, or the bytes of the multi-byte UTF-8 sequence
/// that ends it (an invalid tail gives its last byte).
#[inline]
fn last_char(text: &[u8]) -> &[u8] {
    match text {
        [.., b] if *b < 0x80 => &text[text.len() - 1..],
        [.., 0xC2..=0xDF, 0x80..=0xBF] => &text[text.len() - 2..],
        [.., 0xE0..=0xEF, 0x80..=0xBF, 0x80..=0xBF] => &text[text.len() - 3..],
        [.., 0xF0..=0xF7, 0x80..=0xBF, 0x80..=0xBF, 0x80..=0xBF] => &text[text.len() - 4..],
        [.., _] => &text[text.len() - 1..],
        [] => text,
    }
}

/// How the (trimmed) line ends: like a sentence (before any closing quotes and brackets), with
/// a colon, with any punctuation, with an ellipsis (see [`Shape`]).
#[inline]
fn ending(text: &[u8]) -> (bool, bool, bool, bool) {
    // Most lines end in an ASCII byte that is not a closing quote or bracket: it alone decides.
    if let Some(&b) = text.last().filter(|&&b| b < 0x80 && !matches!(b, b'"' | b'\'' | b')' | b']')) {
        let sentence_end = matches!(b, b'.' | b'!' | b'?');
        let ellipsis = b == b'.' && text.ends_with(b"...");
        return (sentence_end, b == b':', sentence_end || matches!(b, b':' | b';' | b'%'), ellipsis);
    }
    // " ' ) ” ’ »
    let closing = |c: &[u8]| matches!(c, b"\"" | b"'" | b")" | [0xE2, 0x80, 0x9D] | [0xE2, 0x80, 0x99] | [0xC2, 0xBB]);
    let last = last_char(text);
    let mut end = text;
    let mut c = last;
    // Closing quotes and brackets before the real last character.
    while closing(c) && end.len() > c.len() {
        end = &end[..end.len() - c.len()];
        c = last_char(end);
    }
    // . ! ? 。 ！ ？ …
    let sentence_end = matches!(
        c,
        b"." | b"!" | b"?" | [0xE3, 0x80, 0x82] | [0xEF, 0xBC, 0x81] | [0xEF, 0xBC, 0x9F] | [0xE2, 0x80, 0xA6]
    );
    // : ：
    let colon_end = matches!(last, b":" | [0xEF, 0xBC, 0x9A]);
    let punct_end = sentence_end || colon_end || matches!(last, b";" | b"%") || closing(last);
    // … or ..., maybe in square brackets: [...]
    let dots = end.strip_suffix(b"]").unwrap_or(end);
    let ellipsis = dots.ends_with("\u{2026}".as_bytes()) || dots.ends_with(b"...");
    (sentence_end, colon_end, punct_end, ellipsis)
}

/// The high bit of each byte.
const HI: u64 = 0x8080_8080_8080_8080;

/// Of eight ASCII bytes (little-endian, all below 0x80), the high bit of each that is part of a
/// word: a letter, a digit or `_` (see [`WORD_BYTE`]).
#[inline]
fn word_bytes(x: u64) -> u64 {
    let underscore = !(((x ^ (LO * u64::from(b'_'))) + LO * 0x7F) & HI) & HI;
    (at_least(x, b'0') & !at_least(x, b'9' + 1)) | letter_bytes(x) | underscore
}

/// Each byte `0x01`.
const LO: u64 = 0x0101_0101_0101_0101;

/// Of eight bytes all below 0x80, the high bit of each that is at least `n`: adding `0x80 - n`
/// sets it exactly then, and never carries into the next byte.
#[inline]
fn at_least(x: u64, n: u8) -> u64 {
    (x + LO * u64::from(0x80 - n)) & HI
}

/// The word starts of a mask of word bytes (see [`word_bytes`]), one per byte at bit 0: a word
/// byte that follows none, the first one following the last chunk's last byte when `in_word`.
#[inline]
fn word_starts(word: u64, in_word: usize) -> u64 {
    (word & !((word << 8) | (in_word << 7) as u64)) >> 7
}

/// The sum of the bytes of `lanes`, each small: a multiplication sums them in the top byte (no
/// `popcnt` on baseline x86-64).
#[inline]
fn lane_sum(lanes: u64) -> usize {
    (lanes.wrapping_mul(LO) >> 56) as usize
}

/// ASCII bytes that are part of a word: letters, digits, `_`.
static WORD_BYTE: [bool; 128] = {
    let mut t = [false; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = (b as u8).is_ascii_alphanumeric() || b == b'_' as usize;
        b += 1;
    }
    t
};

/// `line` without the white space around it: spaces, tabs, no-break spaces, `\r` and `\n`.
fn trim(line: &[u8]) -> &[u8] {
    // Most lines begin with a visible ASCII byte and end with one and a line break.
    let visible = |b: u8| b > b' ' && b < 0x7F;
    match line {
        [first, .., last, b'\n'] if visible(*first) && visible(*last) => return &line[..line.len() - 1],
        [first, .., last] if visible(*first) && visible(*last) => return line,
        _ => {}
    }
    let mut a = 0;
    let mut b = line.len();
    loop {
        if a < b && matches!(line[a], b' ' | b'\t' | b'\r' | b'\n') {
            a += 1;
        } else if a + 1 < b && line[a] == 0xC2 && line[a + 1] == 0xA0 {
            a += 2;
        } else {
            break;
        }
    }
    loop {
        if b > a && matches!(line[b - 1], b' ' | b'\t' | b'\r' | b'\n') {
            b -= 1;
        } else if b >= a + 2 && line[b - 2] == 0xC2 && line[b - 1] == 0xA0 {
            b -= 2;
        } else {
            break;
        }
    }
    &line[a..b]
}

/// A line held by the context stage.
pub(crate) struct Held {
    pub line_no: u64,
    pub bytes: Vec<u8>,
    pub decision: Decision,
    pub shape: Shape,
}

/// Where lines go when they are decided (the layout stage).
pub(crate) trait Out {
    /// A held line, whose buffer the stage may reuse.
    fn out(&mut self, held: Held, sink: &mut dyn Sink) -> io::Result<()>;
    /// A line that was not held in a [`Held`].
    fn out_line(&mut self, line_no: u64, bytes: &[u8], decision: Decision, sink: &mut dyn Sink) -> io::Result<()>;
    /// Takes back the buffer of a [`Held`] whose line went on by [`Out::out_line`].
    fn recycle(&mut self, bytes: Vec<u8>);
}

/// A line held by `page-tail`: its bytes are `tail_bytes[end of the one before..end]`.
struct TailLine {
    line_no: u64,
    end: usize,
    decision: Decision,
}

/// `page-head` with `teaser-words`: the lines from the article's first line on, held until
/// `teaser-words` words of prose (prose lines, and wide lines right after a wide line), the
/// first run of short lines that `menu-run` counts after page chrome (`min-run` short lines
/// after `chrome-before` dropped lines: then the first line was a teaser), with `teaser-short`
/// the short line in such a run that makes that many in all (not counting labels and numbered
/// lines: a teaser too), an over-long line, the end, or the head's bounds.
struct Lead {
    held: VecDeque<Held>,
    bytes: usize,
    /// Words of the prose lines held, and of wide lines right after a wide line.
    prose: usize,
    /// The current run of short lines: where it begins in `held`, and its short lines.
    run: Option<usize>,
    short: usize,
    /// The current run follows a line ending in a colon; enough lines came dropped before it.
    guarded: bool,
    after_chrome: bool,
    /// The last worded kept line that was not short ends with a colon.
    colon: bool,
    /// Lines that came dropped before the next one.
    dropped: usize,
    /// The line before was wide.
    wide: bool,
    /// Short lines held that count for `teaser-short`.
    entries: usize,
    /// Prose lines (and wide lines right after a wide line) held before the first short line,
    /// and their words: with `article-lines` of them, or `article-words`, the lead is an
    /// article's.
    opening: usize,
    opening_words: usize,
    /// A short line was held.
    seen_short: bool,
    /// Lines [`Context::found_chrome`] dropped since the last worded kept line: a run that
    /// begins now counts them, as `menu-run` does.
    drops_before: usize,
}

/// The context stage of one document.
pub(crate) struct Context {
    rules: ContextRules,
    head_pending: bool,
    head: VecDeque<Held>,
    head_bytes: usize,
    run: VecDeque<Held>,
    /// Bytes of the lines in `run`.
    run_bytes: usize,
    run_short: usize,
    run_dropping: bool,
    run_guarded: bool,
    /// With `chrome-before`: enough lines were dropped before the run's first line.
    run_after_chrome: bool,
    last_colon: bool,
    /// Lines of the document dropped so far (as `menu-run` sees them: a line held in a run is
    /// counted after dropped lines that come while it waits).
    dropped: usize,
    /// Lines of the document dropped before the line `page-tail` takes now, in the document's
    /// order.
    tail_chrome: usize,
    /// Of them, those dropped by rules other than `page-head` (see `PageTail::page_drops`).
    tail_found: usize,
    /// Of the lines `dropped` counts, those that came to `menu-run` dropped (by phrase rules,
    /// cuts or `page-head`): what the lead starts from, when the head's lines have gone through
    /// `menu-run`.
    came_dropped: usize,
    /// Lines [`Context::found_chrome`] dropped since the last worded kept line: a run of short
    /// lines that begins now counts them.
    drops_before: usize,
    /// `page-head`'s `teaser-words`: the lines from the article's first line, held while a run
    /// of short lines may still show that line to be a teaser (see [`Lead`]).
    lead: Option<Lead>,
    /// A lead's queue once emptied, kept for the next lead (its room is allocated once).
    spare_held: VecDeque<Held>,
    /// After a teaser: the next line that could begin the article begins a new lead.
    rearm: bool,
    /// In the head: the last worded kept line held, and whether it was wide.
    last_worded: Option<(usize, bool)>,
    /// In the head: the first line of the run of wide lines that `last_worded` ends, and
    /// whether the run reads as a paragraph yet.
    wide_run: Option<(usize, bool)>,
    /// In the head: the last worded kept line ended like a sentence (or an excerpt).
    prev_run_end: bool,
    /// In the head: the line before, if it was a worded kept line of [`TAIL_WIDE_BYTES`] bytes
    /// without a list marker that ends no sentence.
    head_open: Option<usize>,
    /// In the head, with `confirm`: a short prose line waiting for the line that confirms it
    /// as the article's first, and the worded lines seen since.
    candidate: Option<(usize, usize)>,
    /// The first short prose line seen: where the article begins if none is confirmed.
    fallback: Option<usize>,
    /// `page-tail`: the lines held since the first kept line after the last article line, their
    /// bytes one after the other in `tail_bytes`.
    tail: Vec<TailLine>,
    tail_bytes: Vec<u8>,
    /// The bytes of line endings in `tail_bytes` (the bound counts the lines without them).
    tail_endings: usize,
    /// The last article line, while the lines after it may still be the page's tail.
    tail_after: Option<u64>,
    /// Worded kept lines held, and how many of them are list items or code.
    tail_worded: usize,
    tail_items: usize,
    /// Lines that [`Context::found_chrome`] dropped since the last article line, two or more in
    /// a row (blank lines aside): a block of chrome, not a photo credit inside an article.
    tail_drops: usize,
    /// Such lines in a row so far.
    tail_drop_run: usize,
    /// The held lines follow a colon (the last article line, or the first of them, ends in one).
    tail_colon: bool,
    /// A lone article line is held, and this many worded lines came after it.
    tail_lone: Option<usize>,
    /// Lone article lines held.
    tail_lone_lines: usize,
    /// The line before was a kept wide line (in title case or not: see `prev_title`).
    prev_wide: bool,
    /// Whether that line is in title case (a headline, which begins no paragraph), if known;
    /// if not, `prev_line` holds its trimmed bytes, so that it is only asked when it matters.
    prev_title: Option<bool>,
    prev_line: Vec<u8>,
    /// The last line that was not blank was an article line.
    prev_article: bool,
    /// The line before was a kept wide line that does not end like a sentence: a hard-wrapped
    /// paragraph goes on.
    prev_open: bool,
    /// `page-tail` with `footer` rules: dropped lines in the current run (blank lines between
    /// them aside), and the first line in it that marks the page's footer (rule, line number).
    foot_run: usize,
    foot_mark: Option<(u32, u64)>,
    /// The page's footer was found (its rule and line): the article is over, and every kept
    /// line from here to the end (or the next over-long line) is dropped.
    footer: Option<(u32, u64)>,
}

impl Context {
    pub fn new(rules: ContextRules) -> Self {
        Context {
            rules,
            head_pending: rules.head.is_some(),
            head: VecDeque::new(),
            head_bytes: 0,
            run: VecDeque::new(),
            run_bytes: 0,
            run_short: 0,
            run_dropping: false,
            run_guarded: false,
            run_after_chrome: false,
            last_colon: false,
            dropped: 0,
            tail_chrome: 0,
            tail_found: 0,
            came_dropped: 0,
            drops_before: 0,
            lead: None,
            spare_held: VecDeque::new(),
            rearm: false,
            last_worded: None,
            wide_run: None,
            prev_run_end: false,
            head_open: None,
            candidate: None,
            fallback: None,
            tail: Vec::new(),
            tail_bytes: Vec::new(),
            tail_endings: 0,
            tail_after: None,
            tail_worded: 0,
            tail_drops: 0,
            tail_drop_run: 0,
            tail_items: 0,
            tail_colon: false,
            tail_lone: None,
            tail_lone_lines: 0,
            prev_wide: false,
            prev_title: Some(false),
            prev_line: Vec::new(),
            prev_article: false,
            prev_open: false,
            foot_run: 0,
            foot_mark: None,
            footer: None,
        }
    }

    pub fn active(&self) -> bool {
        self.rules.any()
    }

    /// Whether `page-head` and `menu-run` let a line go on: past the head, with no run pending,
    /// and not a line that could start or extend a run. The caller then feeds it with
    /// [`Context::take`] instead of [`Context::push`], which copies only what `page-tail` holds.
    pub fn passes(&self, decision: Decision, shape: &Shape) -> bool {
        let short = |max_words| decision == Decision::Keep && shape.words > 0 && shape.is_short(max_words);
        !self.head_pending && self.lead.is_none() && !self.rearm && self.run.is_empty() && !self.rules.menu.is_some_and(|m| short(m.max_words))
    }

    /// What `menu-run` does with a line that cannot start or extend a run: a worded kept line
    /// ends any run.
    fn menu_passed(&mut self, decision: Decision, shape: &Shape) {
        if decision.rule().is_some() {
            self.dropped = self.dropped.saturating_add(1);
            if self.found_chrome(decision) {
                self.drops_before = self.drops_before.saturating_add(1);
            }
        } else if decision == Decision::Keep && shape.words > 0 {
            self.drops_before = 0;
            self.run_short = 0;
            self.run_dropping = false;
            self.run_guarded = false;
            self.last_colon = shape.colon_end;
        }
    }

    /// Whether a rule other than `page-head` and `menu-run` dropped the line: chrome a rule
    /// found, not guessed from a line's shape.
    fn found_chrome(&self, decision: Decision) -> bool {
        decision.rule().is_some_and(|r| self.rules.head.is_none_or(|h| h.rule != r) && self.rules.menu.is_none_or(|m| m.rule != r))
    }

    /// Whether a kept line is an article line for `page-tail`.
    fn article_line(&mut self, t: PageTail, shape: &Shape) -> bool {
        if shape.words == 0 || shape.ellipsis {
            return false;
        }
        if shape.bytes >= t.long_bytes || (shape.sentence_end && (shape.words >= t.prose_words || self.prev_article)) {
            return true;
        }
        // Only through the line before, if that was wide and is no headline.
        ((self.prev_open && shape.lower_start) || (shape.sentence_end && self.prev_wide)) && !self.prev_title()
    }

    /// Whether the line before is in title case, asked once.
    fn prev_title(&mut self) -> bool {
        *self.prev_title.get_or_insert_with(|| title_like(&self.prev_line))
    }

    /// Measures a kept line, counting only as far as the rules in use need. `known` is a shape
    /// of the same line already measured with [`shape_capped`] up to the given number of words
    /// (and no characters): it serves when that is as far as the rules look, since a line that
    /// stopped the count has more words than any short line.
    pub fn shape(&self, line: &[u8], known: Option<(Shape, usize)>) -> Shape {
        self.shape_trimmed(trim(line), known)
    }

    /// [`Context::shape`] of a trimmed line.
    fn shape_trimmed(&self, text: &[u8], known: Option<(Shape, usize)>) -> Shape {
        let max_words = self.rules.menu.map_or(0, |m| m.max_words);
        let char_cap = max_words.saturating_mul(12);
        let tail_words = self.rules.tail.map_or(0, |t| t.prose_words);
        let needed = if self.lead.is_some() || self.rearm {
            max_words.max(PROSE_WORDS).max(COLON_PROSE_WORDS).max(self.teaser_words())
        } else if self.head_pending {
            self.head_words(max_words)
        } else {
            max_words.max(tail_words)
        };
        if let Some((shape, _)) = known.filter(|k| k.1 >= needed) {
            return shape;
        }
        let end = ending(text);
        if self.lead.is_some() || self.rearm {
            return measure_trimmed(text, needed, char_cap, false, end);
        }
        if !self.head_pending {
            if end.0 && self.rules.tail.is_some() {
                // A sentence: `page-tail` needs its words up to `prose-words`; counting stops
                // there, where the line is an article line and not short.
                return measure_trimmed(text, max_words.max(tail_words.saturating_sub(1)), usize::MAX, true, end);
            }
            // Only `menu-run` looks further: whether the line is short, and worded. A trimmed
            // line of more than `4 * char_cap` bytes, or one whose first `char_cap + 1` bytes
            // are ASCII, has more than `char_cap` characters: with a word character in it, it
            // is worded and not short.
            let long = text.len() > char_cap.saturating_mul(4) || text.get(..=char_cap).is_some_and(<[u8]>::is_ascii);
            if long && has_word(text) {
                let (sentence_end, colon_end, punct_end, ellipsis) = end;
                let bullet = starts_with_bullet(text);
                return Shape {
                    words: max_words.saturating_add(1),
                    chars: char_cap.saturating_add(1),
                    sentence_end,
                    colon_end,
                    punct_end,
                    ellipsis,
                    bullet,
                    item: item(text, bullet),
                    lower_start: text.first().is_some_and(u8::is_ascii_lowercase),
                    bytes: text.len(),
                    ..Shape::default()
                };
            }
            return measure_trimmed(text, max_words, char_cap, true, end);
        }
        measure_trimmed(text, self.head_words(max_words), char_cap, false, end)
    }

    /// How far the words of a line in the head are counted.
    fn head_words(&self, max_words: usize) -> usize {
        let lead = self.rules.head.map_or(0, |h| if h.confirm > 0 { h.lead_words } else { 0 });
        let tail = self.rules.tail.map_or(0, |t| t.prose_words);
        max_words.max(PROSE_WORDS).max(COLON_PROSE_WORDS).max(WIDE_WORDS).max(lead).max(tail).max(self.teaser_words())
    }

    /// `teaser-words`, if the lead is in use (it needs `menu-run`), else 0. The lead's lines are
    /// measured up to it: a prose line's words then count exactly, or settle the lead alone.
    fn teaser_words(&self) -> usize {
        match (self.rules.head, self.rules.menu) {
            (Some(h), Some(_)) => h.teaser_words,
            _ => 0,
        }
    }

    /// Forgets the document, keeping the allocations of its windows.
    pub fn reset(&mut self) {
        let mut head = std::mem::take(&mut self.head);
        let mut run = std::mem::take(&mut self.run);
        let mut tail = std::mem::take(&mut self.tail);
        let mut tail_bytes = std::mem::take(&mut self.tail_bytes);
        let mut prev_line = std::mem::take(&mut self.prev_line);
        let mut spare_held = self.lead.take().map_or_else(|| std::mem::take(&mut self.spare_held), |lead| lead.held);
        spare_held.clear();
        head.clear();
        run.clear();
        tail.clear();
        tail_bytes.clear();
        prev_line.clear();
        *self = Context { head, run, tail, tail_bytes, prev_line, spare_held, ..Context::new(self.rules) };
    }

    /// Feeds one decided line.
    pub fn push(&mut self, h: Held, out: &mut dyn Out, sink: &mut dyn Sink) -> io::Result<()> {
        if !self.head_pending {
            return self.after_head(h, out, sink);
        }
        let worded = h.decision == Decision::Keep && h.shape.words > 0;
        // A headline in title case is not a line of a paragraph, however many words it has.
        let wide = worded && h.shape.is_wide() && !title_like(&h.bytes);
        let prose = worded && h.shape.is_prose();
        self.head_bytes += super::content_len(&h.bytes);
        self.head.push_back(h);
        let at = self.head.len() - 1;
        // Where the article begins: wide lines in a row (a hard-wrapped paragraph) begin it at
        // the first of them; else a prose line begins it; else a line of TAIL_WIDE_BYTES
        // bytes that starts in lowercase right after one that ends no sentence (a paragraph
        // wrapped too narrow for wide lines) begins it at that line.
        let shape = &self.head[at].shape;
        let open = self.head_open.filter(|_| worded && shape.lower_start && tail_wide(shape));
        let ends = shape.sentence_end || shape.ellipsis;
        // Wide lines in a row are a paragraph's once one goes on in lowercase or one of them
        // ends like a sentence; a list of headlines in sentence case does neither. The
        // paragraph begins at the first of them that may not be a headline (see below).
        let run = match (wide, self.last_worded, self.wide_run) {
            // After a line that ends no sentence, a line that does not go on in lowercase may
            // be the next headline of a list: the paragraph would begin there.
            (true, Some((_, true)), Some((_, false))) if !shape.lower_start && !self.prev_run_end => Some((at, ends)),
            (true, Some((_, true)), Some((first, ended))) => Some((first, ended || ends || shape.lower_start)),
            _ => None,
        };
        let mut start = match run {
            Some((first, true)) if first != at || !prose => Some((first, HeadWhy::Wide)),
            _ if prose => Some((at, HeadWhy::Prose)),
            _ => open.map(|prev| (prev, HeadWhy::Wrapped)),
        };
        self.head_open = (worded && tail_wide(shape) && !shape.sentence_end).then_some(at);
        if worded {
            self.wide_run = if wide { Some(run.unwrap_or((at, ends))) } else { None };
            self.prev_run_end = ends;
            self.last_worded = Some((at, wide));
            start = self.confirmed(start, at);
        }
        if let Some(start) = start {
            self.resolve_head(Some(start), false, out, sink)
        } else if self.head.len() > MAX_HEAD_LINES || self.head_bytes > MAX_HEAD_BYTES {
            let start = self.fallback.map(|f| (f, HeadWhy::Unconfirmed));
            self.resolve_head(start, false, out, sink)
        } else {
            Ok(())
        }
    }

    /// With `confirm`, holds back a start at a short prose line (a site's tagline, a teaser in
    /// a menu) until a prose line or a line of [`WIDE_WORDS`] words follows it within `confirm`
    /// worded lines. `at` is the worded line just held, `start` where it would begin the article.
    fn confirmed(&mut self, start: Option<(usize, HeadWhy)>, at: usize) -> Option<(usize, HeadWhy)> {
        let Some(head) = self.rules.head.filter(|h| h.confirm > 0) else {
            return start;
        };
        let h = &self.head[at];
        if let Some((first, seen)) = self.candidate {
            if h.shape.is_prose() || h.shape.words >= WIDE_WORDS {
                return Some((first, HeadWhy::Confirmed(h.line_no)));
            }
            self.candidate = (seen + 1 < head.confirm).then_some((first, seen + 1));
            return None;
        }
        if start.is_some_and(|s| s.0 == at) && h.shape.words < head.lead_words {
            self.candidate = Some((at, 0));
            self.fallback.get_or_insert(at);
            return None;
        }
        start
    }

    /// Ends the head. With `start`, the article begins at that held line, and the worded kept
    /// lines before it but the last `keep` are dropped; without, nothing is dropped. A
    /// `sentinel` last line stands for an article line that is not held (an over-long line).
    fn resolve_head(
        &mut self,
        start: Option<(usize, HeadWhy)>,
        sentinel: bool,
        out: &mut dyn Out,
        sink: &mut dyn Sink,
    ) -> io::Result<()> {
        self.head_pending = false;
        if let Some(PageHead { rule, keep, .. }) = self.rules.head {
            sink.page_head(rule, start.map(|(i, why)| HeadStart { line_no: self.head[i].line_no, why }))?;
            if let Some((start, _)) = start {
                // Of the worded lines above the start, the `keep` just above it stay (a title,
                // a standfirst); every line without a word there goes (a lone `*` or `|`).
                let mut spared = 0;
                for h in self.head.iter_mut().take(start).rev() {
                    if h.decision != Decision::Keep {
                        // A line a rule dropped takes its place among them.
                        spared += usize::from(h.decision.rule().is_some());
                        continue;
                    }
                    if h.shape.words > 0 && spared < keep {
                        spared += 1;
                    } else {
                        h.decision = Decision::Drop { rule };
                    }
                }
            }
        }
        if sentinel {
            self.head.pop_back();
        }
        let lead_at = start.filter(|_| self.teaser_words() > 0).map(|(first, _)| first);
        let mut at = 0;
        while let Some(h) = self.head.pop_front() {
            if Some(at) == lead_at {
                self.lead = Some(self.new_lead());
            }
            at += 1;
            self.after_head(h, out, sink)?;
        }
        self.head_bytes = 0;
        Ok(())
    }

    /// A lead that begins now.
    fn new_lead(&mut self) -> Lead {
        Lead {
            held: std::mem::take(&mut self.spare_held),
            bytes: 0,
            prose: 0,
            run: None,
            short: 0,
            guarded: false,
            after_chrome: false,
            colon: false,
            dropped: self.came_dropped,
            wide: false,
            entries: 0,
            opening: 0,
            seen_short: false,
            drops_before: 0,
            opening_words: 0,
        }
    }

    /// A line past the head: into the lead while there is one, else to `menu-run`. After a
    /// teaser, a kept line that is prose or wide begins a new lead.
    fn after_head(&mut self, h: Held, out: &mut dyn Out, sink: &mut dyn Sink) -> io::Result<()> {
        if self.rearm {
            let s = &h.shape;
            if h.decision != Decision::Keep || !(s.is_prose() || s.is_wide()) {
                return self.menu(h, out, sink);
            }
            self.rearm = false;
            self.lead = Some(self.new_lead());
        }
        let found = self.found_chrome(h.decision);
        let (Some(lead), Some(head), Some(menu)) = (self.lead.as_mut(), self.rules.head, self.rules.menu) else {
            return self.menu(h, out, sink);
        };
        let len = super::content_len(&h.bytes);
        if lead.held.len() >= MAX_HEAD_LINES || lead.bytes + len > MAX_HEAD_BYTES {
            self.release_lead(out, sink)?;
            return self.menu(h, out, sink);
        }
        let worded = h.decision == Decision::Keep && h.shape.words > 0;
        // A line another rule dropped in a run counts as one of its short lines.
        let short = (worded && h.shape.is_short(menu.max_words)) || (lead.run.is_some() && found);
        if h.decision.rule().is_some() {
            lead.dropped += 1;
        }
        if found && lead.run.is_none() {
            lead.drops_before = lead.drops_before.saturating_add(1);
        }
        // A wide line right after a wide line is a hard-wrapped paragraph's: prose too.
        let wide = worded && h.shape.is_wide() && !title_like(&h.bytes);
        let wrapped = wide && lead.wide;
        lead.wide = wide;
        let (mut done, mut teaser) = (false, false);
        if short {
            if lead.run.is_none() {
                lead.run = Some(lead.held.len());
                lead.short = std::mem::take(&mut lead.drops_before);
                lead.guarded = lead.colon;
                lead.after_chrome = lead.dropped >= menu.chrome_before;
            }
            lead.short += 1;
            lead.seen_short = true;
            if worded && !is_label(&h.bytes) {
                lead.entries += 1;
            }
            let why = if lead.opening_words >= head.article_words {
                None
            } else if lead.short >= menu.min_run && lead.opening < head.article_lines {
                Some(TeaserWhy::MenuRun)
            } else if head.teaser_short > 0 && lead.entries >= head.teaser_short {
                Some(TeaserWhy::ShortLines(h.line_no))
            } else {
                None
            };
            if let Some(why) = why.filter(|_| lead.after_chrome && !lead.guarded) {
                // A menu so soon: the article's first line was a teaser.
                let run = lead.run.unwrap_or(0);
                let first = lead.held.front().map_or(h.line_no, |f| f.line_no);
                let run_line = lead.held.get(run).map_or(h.line_no, |r| r.line_no);
                for l in lead.held.iter_mut().take(run) {
                    if l.decision == Decision::Keep && l.shape.words > 0 {
                        l.decision = Decision::Drop { rule: head.rule };
                    }
                }
                if run > 0 {
                    sink.page_teaser(head.rule, first, run_line, why)?;
                }
                (done, teaser) = (true, true);
            }
        } else if worded {
            lead.run = None;
            lead.drops_before = 0;
            lead.colon = h.shape.colon_end;
            if h.shape.is_prose() || wrapped {
                lead.prose += h.shape.words;
                if !lead.seen_short {
                    lead.opening += 1;
                    lead.opening_words += h.shape.words;
                }
                done = lead.prose >= head.teaser_words;
            }
        }
        lead.bytes += len;
        lead.held.push_back(h);
        if done {
            self.release_lead(out, sink)?;
            self.rearm = teaser;
        }
        Ok(())
    }

    /// Ends the lead: its lines go on to `menu-run` as they are now decided.
    fn release_lead(&mut self, out: &mut dyn Out, sink: &mut dyn Sink) -> io::Result<()> {
        if let Some(mut lead) = self.lead.take() {
            while let Some(h) = lead.held.pop_front() {
                self.menu(h, out, sink)?;
            }
            self.spare_held = lead.held;
        }
        Ok(())
    }

    fn menu(&mut self, h: Held, out: &mut dyn Out, sink: &mut dyn Sink) -> io::Result<()> {
        let Some(MenuRun { rule, max_words, min_run, chrome_before, long_run }) = self.rules.menu else {
            return self.tail(h, out, sink);
        };
        let len = super::content_len(&h.bytes);
        if !self.run.is_empty() && (self.run.len() >= MAX_RUN_LINES || self.run_bytes + len > MAX_RUN_BYTES) {
            // A pending run may not hold more: it ends, kept, and this line comes after it.
            self.end_run(out, sink)?;
        }
        let worded_kept = h.decision == Decision::Keep && h.shape.words > 0;
        if !worded_kept {
            // Transparent: blank lines, dropped lines, lines without words.
            if h.decision.rule().is_some() {
                self.dropped = self.dropped.saturating_add(1);
                self.came_dropped = self.came_dropped.saturating_add(1);
            }
            // A line another rule dropped counts as one of the run's short lines, or of the run
            // that begins next (but not one `page-head` dropped: a teaser may be prose).
            let found = self.found_chrome(h.decision);
            if self.run.is_empty() {
                if found {
                    self.drops_before = self.drops_before.saturating_add(1);
                }
                return self.tail(h, out, sink);
            }
            self.run_bytes += len;
            self.run.push_back(h);
            return if found { self.count_short(rule, min_run, long_run, out, sink) } else { Ok(()) };
        }
        if !h.shape.is_short(max_words) {
            self.drops_before = 0;
            self.end_run(out, sink)?;
            self.last_colon = h.shape.colon_end;
            return self.tail(h, out, sink);
        }
        if self.run_dropping {
            self.dropped = self.dropped.saturating_add(1);
            return self.tail(Held { decision: Decision::Drop { rule }, ..h }, out, sink);
        }
        if self.run_short == 0 && !self.run_guarded {
            self.run_guarded = self.last_colon;
            self.run_after_chrome = self.dropped >= chrome_before;
            if !self.run_guarded {
                self.run_short = std::mem::take(&mut self.drops_before);
            }
        }
        if self.run_guarded {
            return self.tail(h, out, sink);
        }
        self.run_bytes += len;
        self.run.push_back(h);
        self.count_short(rule, min_run, long_run, out, sink)
    }

    /// Counts one more short line in the run (the last line held): with the short lines it
    /// needs, the run is a menu, and its worded kept lines are dropped.
    fn count_short(&mut self, rule: u32, min_run: usize, long_run: usize, out: &mut dyn Out, sink: &mut dyn Sink) -> io::Result<()> {
        self.run_short += 1;
        if self.run_short < if self.run_after_chrome { min_run } else { long_run } {
            return Ok(());
        }
        self.run_dropping = true;
        self.run_bytes = 0;
        if let Some(first) = self.run.front() {
            sink.menu_run(rule, first.line_no, self.run_short, self.run_after_chrome)?;
        }
        while let Some(mut r) = self.run.pop_front() {
            if r.decision == Decision::Keep && r.shape.words > 0 {
                r.decision = Decision::Drop { rule };
                self.dropped = self.dropped.saturating_add(1);
            }
            self.tail(r, out, sink)?;
        }
        Ok(())
    }

    /// `page-tail`: holds the lines after an article line until the next one, or the end.
    fn tail(&mut self, h: Held, out: &mut dyn Out, sink: &mut dyn Sink) -> io::Result<()> {
        if self.rules.tail.is_none() {
            return out.out(h, sink);
        }
        let result = self.tail_line(h.line_no, &h.bytes, h.decision, &h.shape, out, sink);
        out.recycle(h.bytes);
        result
    }

    /// Feeds a line that [`Context::passes`]: `menu-run` lets it through, `page-tail` may hold it.
    pub fn take(
        &mut self,
        line_no: u64,
        bytes: &[u8],
        decision: Decision,
        shape: &Shape,
        out: &mut dyn Out,
        sink: &mut dyn Sink,
    ) -> io::Result<()> {
        self.menu_passed(decision, shape);
        self.tail_line(line_no, bytes, decision, shape, out, sink)
    }

    /// `page-tail` for one line: an article line releases the held lines and goes on; after
    /// one, other lines are held.
    fn tail_line(
        &mut self,
        line_no: u64,
        bytes: &[u8],
        decision: Decision,
        shape: &Shape,
        out: &mut dyn Out,
        sink: &mut dyn Sink,
    ) -> io::Result<()> {
        let Some(t) = self.rules.tail else {
            return out.out_line(line_no, bytes, decision, sink);
        };
        // A dropped line is no article line: counting it now counts the lines before any.
        if let Some(r) = decision.rule() {
            self.tail_chrome = self.tail_chrome.saturating_add(1);
            if self.found_chrome(decision) {
                self.tail_drop_run = self.tail_drop_run.saturating_add(1);
                if self.tail_after.is_some() && self.tail_drop_run >= 2 {
                    self.tail_drops = self.tail_drops.saturating_add(if self.tail_drop_run == 2 { 2 } else { 1 });
                }
            } else {
                self.tail_drop_run = 0;
            }
            if self.rules.head.is_none_or(|h| h.rule != r) {
                self.tail_found = self.tail_found.saturating_add(1);
            }
        } else if decision != Decision::Blank {
            self.tail_drop_run = 0;
        }
        if let Some((rule, from)) = self.footer {
            let decision = if decision == Decision::Keep { Decision::AfterFooter { rule, from } } else { decision };
            return out.out_line(line_no, bytes, decision, sink);
        }
        if decision.rule().is_some() {
            self.foot_run += 1;
            if let Decision::Footer { rule, armed: true } = decision {
                self.foot_mark.get_or_insert((rule, line_no));
            }
        } else if decision == Decision::Keep {
            if let Some((rule, from)) = self.foot_mark.filter(|_| self.foot_run >= t.footer_run) {
                // The page's footer: the article ended before it. What was held after its last
                // line is the page's tail, as at the end; every kept line from here on goes.
                self.end_tail(t, out, sink)?;
                self.tail_after = None;
                self.footer = Some((rule, from));
                return out.out_line(line_no, bytes, Decision::AfterFooter { rule, from }, sink);
            }
            self.foot_run = 0;
            self.foot_mark = None;
        }
        let kept = decision == Decision::Keep;
        let worded = kept && shape.words > 0;
        let article = kept && self.article_line(t, shape);
        self.prev_wide = kept && tail_wide(shape);
        self.prev_open = self.prev_wide && !shape.sentence_end;
        // A headline in title case is not the first part of a hard-wrapped paragraph (a line of
        // `long-bytes` is not asked: no headline is that long).
        self.prev_title = if self.prev_wide && !shape.lower_start && shape.bytes < t.long_bytes {
            self.prev_line.clear();
            self.prev_line.extend_from_slice(trim(bytes));
            None
        } else {
            Some(false)
        };
        if decision != Decision::Blank {
            self.prev_article = article;
        }
        if article {
            // After a run of held lines that is not a list (or any run, once `chrome-before`
            // lines were dropped), on a page that had `page-chrome` dropped, an article line
            // stands alone until another one confirms it; one that comes while it waits
            // confirms it.
            let lone = t.confirm > 0
                && self.tail_lone.is_none()
                && self.tail_after.is_some()
                && self.tail_worded + self.tail_drops >= t.lone_after
                && self.page_chrome(t)
                && (((self.tail_items == 0 || self.tail_items * 10 < self.tail_worded * 3) && !self.tail_colon) || self.tail_chrome >= t.chrome_before);
            if !lone {
                self.release_tail(out, sink)?;
                self.tail_after = Some(line_no);
                self.tail_colon = shape.colon_end;
                return out.out_line(line_no, bytes, decision, sink);
            }
            self.tail_lone = Some(0);
            self.tail_lone_lines += 1;
        } else if let Some(seen) = self.tail_lone.filter(|_| worded) {
            self.tail_lone = (seen + 1 < t.confirm).then_some(seen + 1);
        }
        if self.tail_after.is_none() || (self.tail.is_empty() && !kept) {
            return out.out_line(line_no, bytes, decision, sink);
        }
        let len = super::content_len(bytes);
        if self.tail_bytes.len() - self.tail_endings + len > t.tail_bytes {
            // Too much for a page's tail: kept, and so is the rest up to the next article line.
            // The line that overflows it is not copied.
            self.release_tail(out, sink)?;
            self.tail_after = None;
            return out.out_line(line_no, bytes, decision, sink);
        }
        if worded {
            self.tail_colon |= self.tail_worded == 0 && shape.colon_end;
            self.tail_worded += 1;
            self.tail_items += usize::from(shape.item);
        }
        self.tail_bytes.extend_from_slice(bytes);
        self.tail_endings += bytes.len() - len;
        self.tail.push(TailLine { line_no, end: self.tail_bytes.len(), decision });
        Ok(())
    }

    /// Whether the page had chrome enough dropped before the line `page-tail` takes now for its
    /// tail to be dropped, or for an article line to stand alone (`page-chrome` lines by other
    /// rules than `page-head`, or `page-drops` in all).
    fn page_chrome(&self, t: PageTail) -> bool {
        self.tail_found >= t.page_chrome || self.tail_chrome >= t.page_drops
    }

    /// Passes the held tail on, as it was decided or, with `drop`, dropped by that rule.
    fn release_tail_as(&mut self, drop: Option<u32>, out: &mut dyn Out, sink: &mut dyn Sink) -> io::Result<()> {
        let mut start = 0;
        for l in &self.tail {
            let decision = match drop {
                Some(rule) if l.decision == Decision::Keep => Decision::Drop { rule },
                _ => l.decision,
            };
            out.out_line(l.line_no, &self.tail_bytes[start..l.end], decision, sink)?;
            start = l.end;
        }
        self.tail.clear();
        self.tail_bytes.clear();
        self.tail_endings = 0;
        self.tail_worded = 0;
        self.tail_drops = 0;
        self.tail_items = 0;
        self.tail_lone = None;
        self.tail_lone_lines = 0;
        Ok(())
    }

    /// Passes the held tail on as it was decided.
    fn release_tail(&mut self, out: &mut dyn Out, sink: &mut dyn Sink) -> io::Result<()> {
        self.release_tail_as(None, out, sink)
    }

    /// The end (or the page's footer): what was held after the last article line is the page's
    /// tail, on a page that had chrome dropped (see `page_chrome`); text with less is clean, and
    /// keeps its last lines.
    fn end_tail(&mut self, t: PageTail, out: &mut dyn Out, sink: &mut dyn Sink) -> io::Result<()> {
        let Some(last) = self.tail_after.filter(|_| !self.tail.is_empty()) else {
            return Ok(());
        };
        if self.page_chrome(t) {
            sink.page_tail(t.rule, last, self.tail_lone_lines)?;
            self.release_tail_as(Some(t.rule), out, sink)?;
        } else {
            sink.page_tail_kept(t.rule, last, self.tail_found, self.tail_chrome)?;
            self.release_tail(out, sink)?;
        }
        self.tail_after = None;
        Ok(())
    }

    /// A non-short worded line (or the end) ends the run: held lines are kept.
    fn end_run(&mut self, out: &mut dyn Out, sink: &mut dyn Sink) -> io::Result<()> {
        while let Some(r) = self.run.pop_front() {
            self.tail(r, out, sink)?;
        }
        self.run_bytes = 0;
        self.run_short = 0;
        self.run_dropping = false;
        self.run_guarded = false;
        Ok(())
    }

    /// Ends the document, or precedes an over-long kept line (`long`, its line number), which
    /// counts as prose.
    pub fn flush(&mut self, long: Option<u64>, out: &mut dyn Out, sink: &mut dyn Sink) -> io::Result<()> {
        if self.head_pending {
            // An over-long line confirms a waiting start; at the end, the first short prose
            // line begins the article if no start was confirmed.
            let start = if let Some(line_no) = long {
                self.head.push_back(Held { line_no, bytes: Vec::new(), decision: Decision::Blank, shape: Shape::default() });
                Some(match self.candidate {
                    Some((c, _)) => (c, HeadWhy::Confirmed(line_no)),
                    None => (self.head.len() - 1, HeadWhy::Long),
                })
            } else {
                self.fallback.map(|f| (f, HeadWhy::Unconfirmed))
            };
            self.resolve_head(start, long.is_some(), out, sink)?;
        }
        self.release_lead(out, sink)?;
        self.rearm = false;
        self.end_run(out, sink)?;
        self.last_colon = false;
        self.tail_drop_run = 0;
        self.drops_before = 0;
        if let Some(line_no) = long {
            // The over-long line is an article line.
            self.release_tail(out, sink)?;
            self.tail_after = self.rules.tail.map(|_| line_no);
            self.tail_colon = false;
        } else if let Some(t) = self.rules.tail {
            self.end_tail(t, out, sink)?;
        }
        self.foot_run = 0;
        self.foot_mark = None;
        self.footer = None;
        self.prev_wide = false;
        self.prev_open = false;
        self.prev_title = Some(false);
        self.prev_article = long.is_some();
        Ok(())
    }
}
#[cfg(test)]
mod tests {
    #[test]
    fn items_are_numbered_bulleted_or_end_like_code() {
        for (text, want) in [
            ("1. Preheat the oven", true),
            ("12) Stir", true),
            ("3.5 million people", false),
            ("2024 was a year", false),
            ("7", false),
            ("x = 1;", true),
            ("see the list (below)", true),
            ("Plain words", false),
            ("", false),
        ] {
            assert_eq!(super::item(text.as_bytes(), false), want, "{text:?}");
        }
        assert!(super::item(b"Plain words", true), "a bulleted line is an item");
    }

    #[test]
    fn tabs_are_found_wherever_they_are() {
        for len in 0..20 {
            for at in 0..=len {
                let mut text = vec![b'a'; len];
                assert!(!super::has_tab(&text), "{text:?}");
                if at < len {
                    text[at] = b'\t';
                    assert!(super::has_tab(&text), "{text:?}");
                    text[at] = 0x89;
                    assert!(!super::has_tab(&text), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn chunks_of_eight_bytes_are_padded_with_zeros() {
        let line = b"0123456789abcdefXYZ";
        for len in 0..=line.len() {
            for at in 0..=len + 2 {
                let mut want = [0u8; 8];
                for (k, w) in want.iter_mut().enumerate() {
                    *w = line[..len].get(at + k).copied().unwrap_or(0);
                }
                assert_eq!(super::chunk8(&line[..len], at), u64::from_le_bytes(want), "len {len}, at {at}");
            }
        }
    }

    /// `title_like`, with its early way out, against its definition counted in full, on every
    /// line of up to six words drawn from a set that covers the cases: words of 3 and 4 letters,
    /// capitalized or not, digits, separators, and a lowercase or indented start.
    #[test]
    fn title_like_is_its_definition() {
        let pieces: [&[u8]; 7] = [b"Four", b"four", b"Cat", b"cats", b"Seventeen", b"12", b"Word-Play"];
        let by_definition = |line: &[u8]| {
            let text = trim(line);
            let words: Vec<&[u8]> = text.split(|b| !b.is_ascii_alphabetic()).filter(|w| w.len() >= 4).collect();
            let lower = words.iter().filter(|w| w[0].is_ascii_lowercase()).count();
            !text.first().is_some_and(u8::is_ascii_lowercase) && words.len() >= TITLE_WORDS && lower * 5 <= words.len()
        };
        let mut line = Vec::new();
        let mut checked = 0;
        for n in 1..=6u32 {
            for k in 0..pieces.len().pow(n) {
                for lead in [&b""[..], b" "] {
                    line.clear();
                    line.extend_from_slice(lead);
                    let mut at = k;
                    for w in 0..n {
                        if w > 0 {
                            line.push(b' ');
                        }
                        line.extend_from_slice(pieces[at % pieces.len()]);
                        at /= pieces.len();
                    }
                    assert_eq!(title_like(&line), by_definition(&line), "{}", String::from_utf8_lossy(&line));
                    checked += 1;
                }
            }
        }
        assert!(checked > 100_000);
    }

    use super::*;

    #[test]
    fn shapes() {
        let s = shape_of("The talks would go on for another week at least, he said.\n".as_bytes());
        assert_eq!((s.words, s.sentence_end, s.is_prose()), (12, true, true));
        let s = shape_of("  Contact us  \r\n".as_bytes());
        assert_eq!((s.words, s.is_short(6), s.is_prose()), (2, true, false));
        let s = shape_of("“I’m here,” she said.”".as_bytes());
        assert!(s.sentence_end && s.punct_end);
        assert!(shape_of(b"Ingredients:").colon_end);
        assert!(!shape_of(b"| a | b |").is_short(6));
        // Cells separated by a tab; white space around the line is no cell.
        assert!(!shape_of(b"Connecticut\t91.0").is_short(6));
        assert!(shape_of(b"\tConnecticut 91.0\t").is_short(6));
        assert!(!shape_of(b"50%").is_short(6));
        // Ten characters of Japanese, a word for each two.
        assert_eq!(shape_of("東京で会議が開かれた。".as_bytes()).words, 5);
        assert_eq!(shape_of("iPhone手机、2024年".as_bytes()).words, 4);
        assert!(!shape_of("東京で会議が開かれた".repeat(10).as_bytes()).is_short(6), "long caseless text is not short");
        assert_eq!(shape_of("a — b · c".as_bytes()).words, 3);
        let item = shape_of(b"- Two U.S. troops killed in helicopter crash in Afghanistan");
        assert!(item.bullet && item.words >= WIDE_WORDS && !item.is_wide(), "a listed headline is not a paragraph line");
        assert!(shape_of(b"One line of a paragraph that was wrapped at seventy-two columns").is_wide());
        assert!(!shape_of(b"o-rings and other parts").bullet);
    }

    /// Words and characters counted one character at a time, as the definition says.
    fn naive_counts(line: &[u8]) -> (usize, usize) {
        let text = std::str::from_utf8(trim(line)).expect("valid UTF-8");
        let (mut words, mut in_word, mut dense) = (0, false, 0);
        for c in text.chars() {
            let per = match c {
                '\u{3040}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{20000}'..='\u{3ffff}' => 2,
                '\u{0e00}'..='\u{0eff}' | '\u{1000}'..='\u{107f}' | '\u{1780}'..='\u{17ff}' => 4,
                _ => 0,
            };
            if per > 0 {
                words += usize::from(dense % per == 0);
                dense += 1;
                in_word = false;
                continue;
            }
            dense = 0;
            let sep = c.is_ascii() && !(c.is_ascii_alphanumeric() || c == '_')
                || matches!(c, '\u{80}'..='\u{bf}' | '\u{2000}'..='\u{207f}' | '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ff7f}');
            words += usize::from(!sep && !in_word);
            in_word = !sep;
        }
        (words, text.chars().count())
    }

    /// Mostly ASCII, so that runs of eight ASCII bytes start and end anywhere.
    const PIECES: &[&str] = &[
        "word", " ", "a1_b", "--", ", ", "x", "\t", "|", "word ", "ab ", "the ", " x", "7", ".",
        "caf\u{e9}", "\u{a0}", "\u{201c}", "\u{4e00}\u{4e8c}", "\u{3001}", "\u{ff0c}", "\u{441}\u{43b}\u{43e}\u{432}\u{43e} ",
        "\u{2014}", "\u{3072}\u{3089}\u{304c}\u{306a}", "\u{0e20}\u{0e32}\u{0e29}\u{0e32}", "\u{9f8d}", "\u{20b9f}",
    ];

    proptest::proptest! {
        #[test]
        fn words_and_characters_are_counted_exactly(parts in proptest::collection::vec(proptest::sample::select(PIECES), 0..40)) {
            let line = parts.concat();
            let s = shape_of(line.as_bytes());
            proptest::prop_assert_eq!((s.words, s.chars), naive_counts(line.as_bytes()), "{:?}", line);
        }
    }

    /// `title_like` as defined, counted in full.
    fn title_by_definition(line: &[u8]) -> bool {
        let text = trim(line);
        let words: Vec<&[u8]> = text.split(|b| !b.is_ascii_alphabetic()).filter(|w| w.len() >= 4).collect();
        let lower = words.iter().filter(|w| w[0].is_ascii_lowercase()).count();
        !text.first().is_some_and(u8::is_ascii_lowercase) && words.len() >= TITLE_WORDS && lower * 5 <= words.len()
    }

    const TITLE_PIECES: &[&str] = &[
        "Four", "four", "Cat", "Seventeen", "12", " ", "-", "caf\u{e9}", "\u{c9}t\u{e9}", "Stra\u{df}e", "@[`{", "ABCDEFGH", "abcdefg", "\u{4e00}",
    ];

    proptest::proptest! {
        #[test]
        fn title_like_is_its_definition_on_any_line(parts in proptest::collection::vec(proptest::sample::select(TITLE_PIECES), 0..40)) {
            let line = parts.concat();
            proptest::prop_assert_eq!(title_like(line.as_bytes()), title_by_definition(line.as_bytes()), "{:?}", line);
        }
    }

    proptest::proptest! {
        #[test]
        fn trim_takes_off_exactly_the_white_space_around_a_line(
            parts in proptest::collection::vec(proptest::sample::select(&["a", " ", "\t", "\r", "\n", "\u{a0}", "\u{c2}", "~", "\u{7f}", "é", "x y"][..]), 0..12),
        ) {
            let line = parts.concat();
            fn white(t: &str) -> Option<&str> {
                ["\u{a0}", " ", "\t", "\r", "\n"].iter().find_map(|w| t.strip_prefix(w))
            }
            fn white_end(t: &str) -> Option<&str> {
                ["\u{a0}", " ", "\t", "\r", "\n"].iter().find_map(|w| t.strip_suffix(w))
            }
            let mut want = line.as_str();
            while let Some(rest) = white(want) {
                want = rest;
            }
            while let Some(rest) = white_end(want) {
                want = rest;
            }
            proptest::prop_assert_eq!(trim(line.as_bytes()), want.as_bytes(), "{:?}", line);
        }
    }

    /// What `menu-run` reads of a line past the head (short, worded, ending in a colon) is what
    /// the full measure says, whatever shortcut [`Context::shape`] takes.
    fn menu_view(s: &Shape) -> (bool, bool, bool) {
        (s.is_short(6), s.words > 0, s.colon_end)
    }

    proptest::proptest! {
        #[test]
        fn shapes_past_the_head_agree_with_the_full_measure(
            parts in proptest::collection::vec(proptest::sample::select(PIECES), 0..60),
            pad in proptest::sample::select(vec![0usize, 3, 70, 300]),
            colon in proptest::bool::ANY,
        ) {
            let ctx = Context::new(ContextRules { menu: Some(MenuRun { rule: 0, max_words: 6, min_run: 5, chrome_before: 0, long_run: 5 }), head: None, tail: None });
            let line = format!("{}{}{}\n", " ".repeat(pad), parts.concat(), if colon { ":" } else { "" });
            let want = shape_of(line.as_bytes());
            proptest::prop_assert_eq!(menu_view(&ctx.shape(line.as_bytes(), None)), menu_view(&want), "{:?}", line);
        }
    }

    #[test]
    fn a_line_of_many_bytes_past_the_head_is_short_by_its_characters() {
        let ctx = Context::new(ContextRules { menu: Some(MenuRun { rule: 0, max_words: 6, min_run: 5, chrome_before: 0, long_run: 5 }), head: None, tail: None });
        let cases = [
            (format!("{}Contact us\n", " ".repeat(300)), true),
            ("x".repeat(72), true),
            ("x".repeat(73), false),
            ("\u{e9}".repeat(72), true),
            ("\u{e9}".repeat(73), false),
            ("\u{441}".repeat(72), true),
            ("\u{441}".repeat(73), false),
            (format!("{} \u{441}", "\u{2014}".repeat(90)), false),
            (format!("{}ab", "-".repeat(200)), false),
        ];
        for (line, short) in cases {
            assert_eq!(ctx.shape(line.as_bytes(), None).is_short(6), short, "{line:?}");
            assert_eq!(shape_of(line.as_bytes()).is_short(6), short, "{line:?}");
        }
        // Long, but without a word: it does not end a run.
        for line in ["\u{2014}".repeat(100), "\u{201c}\u{a0}".repeat(60)] {
            assert_eq!(ctx.shape(line.as_bytes(), None).words, 0, "{line:?}");
        }
    }

    #[test]
    fn word_bytes_eight_at_a_time_agree_with_the_table() {
        for b in 0u8..0x80 {
            for k in 0..8 {
                let mut chunk = *b"  x._ 9Z";
                chunk[k] = b;
                let got = word_bytes(u64::from_le_bytes(chunk));
                for (i, &c) in chunk.iter().enumerate() {
                    assert_eq!(got >> (8 * i + 7) & 1 == 1, WORD_BYTE[c as usize], "byte {c:#x} at {i}");
                }
            }
        }
    }

    #[test]
    fn words_ending_at_an_eight_byte_boundary_or_before_it() {
        for line in ["abcdefgh ij", "abcdefg hij", "abcdefg, hij klmnopq rs", "\u{e9}abcdefg hij"] {
            assert_eq!(shape_of(line.as_bytes()).words, naive_counts(line.as_bytes()).0, "{line:?}");
        }
    }

    /// The ends of lines as the definition of `Shape` gives them, suffix by suffix.
    fn naive_ending(text: &[u8]) -> (bool, bool, bool, bool) {
        let mut end = text;
        loop {
            let stripped = ["\"", "'", ")", "\u{201d}", "\u{2019}", "\u{bb}"].iter().find_map(|q| end.strip_suffix(q.as_bytes()));
            match stripped {
                Some(rest) if !rest.is_empty() => end = rest,
                _ => break,
            }
        }
        let ends = |t: &[u8], set: &[&str]| set.iter().any(|e| t.ends_with(e.as_bytes()));
        let sentence = ends(end, &[".", "!", "?", "\u{3002}", "\u{ff01}", "\u{ff1f}", "\u{2026}"]);
        let colon = ends(text, &[":", "\u{ff1a}"]);
        let punct = sentence || colon || ends(text, &[";", "\"", "'", ")", "%", "\u{201d}", "\u{2019}", "\u{bb}"]);
        let ellipsis = ends(end, &["...", "\u{2026}", "...]", "\u{2026}]"]);
        (sentence, colon, punct, ellipsis)
    }

    /// Line ends: punctuation, quotes and brackets of both kinds, letters, and stray bytes.
    const END_PIECES: &[&[u8]] = &[
        b"word", b".", b"!", b"?", b":", b";", b"%", b"\"", b"'", b")", b"...", b"]", b"[", "\u{201d}".as_bytes(), "\u{2019}".as_bytes(),
        "\u{bb}".as_bytes(), "\u{3002}".as_bytes(), "\u{ff01}".as_bytes(), "\u{ff1f}".as_bytes(), "\u{2026}".as_bytes(),
        "\u{ff1a}".as_bytes(), "\u{e9}".as_bytes(), "\u{4e00}".as_bytes(), "\u{1f600}".as_bytes(), b"\x80", b"\x9d",
        b"\xe2\x80", b"\xbb", b"\xff", b" ",
    ];

    proptest::proptest! {
        #[test]
        fn line_ends_are_read_as_defined(parts in proptest::collection::vec(proptest::sample::select(END_PIECES), 0..8)) {
            let text = parts.concat();
            proptest::prop_assert_eq!(ending(&text), naive_ending(&text), "{:?}", String::from_utf8_lossy(&text));
        }
    }

    #[test]
    fn bullets_are_read_as_defined() {
        let naive = |t: &[u8]| {
            ["- ", "* ", "+ ", "o ", "\u{2013} ", "\u{2022}", "\u{b7}", "\u{25aa}", "\u{25e6}", "\u{2023}", "\u{25cf}"]
                .iter()
                .any(|m| t.starts_with(m.as_bytes()))
        };
        let starts = ["- ", "* ", "+ ", "o ", "\u{2013} ", "\u{2022}", "\u{b7}", "\u{25aa}", "\u{25e6}", "\u{2023}", "\u{25cf}",
            "-", "o", "ox", "\u{2013}", "\u{2014} ", "\u{2024}", "\u{25ab}", "\u{c2}", "x ", ""];
        for a in starts {
            for b in ["", " ", "x", "\u{2022}"] {
                let t = format!("{a}{b}");
                assert_eq!(starts_with_bullet(t.as_bytes()), naive(t.as_bytes()), "{t:?}");
            }
        }
    }

    #[test]
    fn measuring_for_shortness_stops_early_but_sees_words() {
        // Past every cap before the first word: still worded.
        let late = format!("{} x", "- ".repeat(60));
        assert!(measure(late.as_bytes(), 6, 72, true).words > 0);
        assert!(measure(b"(see above)", 0, 0, true).words > 0);
        // Stops soon after the seventh word, which is enough to say the line is not short.
        let s = measure(b"one two three four five six seven eight nine ten eleven twelve thirteen", 6, 72, true);
        assert!((7..13).contains(&s.words), "{}", s.words);
        assert!(!s.is_short(6));
        for line in ["Home | News | Sport", "Contact us", "A long line of prose that goes on, and on.", "- Item one", ""] {
            let (fast, full) = (measure(line.as_bytes(), 6, 72, true), shape_of(line.as_bytes()));
            assert_eq!((fast.is_short(6), fast.words > 0, fast.colon_end), (full.is_short(6), full.words > 0, full.colon_end), "{line}");
        }
    }
}
