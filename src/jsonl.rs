//! JSON Lines input: one JSON object per line, each holding one document in a string field
//! (`text` by default), the layout of most web-text dumps.
//!
//! A record is cleaned in place: the field's string is decoded, run through the engine as one
//! document, and, when the engine dropped something, the new string is spliced over the old one.
//! Every other byte of the line (other fields, their order, spacing, escapes, the line ending) is
//! written back as it came, and a record with nothing to drop is written back byte for byte.
//!
//! A line that is not such a record (invalid JSON, not an object, no such field, a field that is
//! not a string) is written back unchanged and reported as a [`RecordError`]: no data is lost.

use std::borrow::Cow;
use std::fmt;
use std::io::{self, Write};
use std::ops::Range;

use memchr::memchr;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::engine::{Engine, Options};
use crate::rules::RuleSet;
use crate::output::{CleanSink, StatsSink};

/// Why a line was written back unchanged instead of cleaned.
#[derive(Debug)]
pub enum RecordError {
    /// Not valid JSON (or not valid UTF-8), with the parser's 1-based column.
    Json {
        /// Column (1-based, in bytes) where the parser stopped.
        column: usize,
        /// The parser's message, without its position.
        message: String,
    },
    /// Valid JSON, but not an object.
    NotObject,
    /// An object without the field.
    NoField,
    /// The field holds something other than a string (`null`, a number, an array...).
    NotString {
        /// 1-based column of the value.
        column: usize,
    },
    /// The object has the field (or, on a JSON Pointer's way, one of its keys) more than once,
    /// so which one holds the document is unclear.
    Repeated {
        /// The key on a JSON Pointer's way that repeats; `None` when it is the field's own.
        on_the_way: Option<String>,
    },
    /// The line is longer than the cap on a record's size (`--max-line-bytes`).
    TooLong,
}

impl RecordError {
    /// 1-based column the error points at (1 when it concerns the whole record).
    pub fn column(&self) -> usize {
        match self {
            RecordError::Json { column, .. } | RecordError::NotString { column } => *column,
            _ => 1,
        }
    }

    /// The same error in a line that has `by` more bytes before the place it points at.
    fn shifted(self, by: usize) -> Self {
        match self {
            RecordError::Json { column, message } => RecordError::Json { column: column + by, message },
            RecordError::NotString { column } => RecordError::NotString { column: column + by },
            other => other,
        }
    }

    /// The message, naming `field`.
    pub fn describe(&self, field: &str) -> String {
        match self {
            RecordError::Json { message, .. } => format!("invalid JSON: {message}"),
            RecordError::NotObject => "not a JSON object".to_string(),
            RecordError::NoField => format!("no `{field}` field"),
            RecordError::NotString { .. } => format!("the `{field}` field is not a string"),
            RecordError::Repeated { on_the_way: None } => format!("the `{field}` field appears more than once"),
            RecordError::Repeated { on_the_way: Some(key) } => {
                format!("the key `{key}` on the way to `{field}` appears more than once")
            }
            RecordError::TooLong => "a record longer than --max-line-bytes".to_string(),
        }
    }
}

/// Where a record keeps its document: the byte range of the field's JSON string in the line
/// (quotes included). `field` is a key of the record, or, when it begins with `/`, a JSON
/// Pointer (RFC 6901) to a string nested in it: `/meta/body` is the `body` key of the object
/// under `meta`, `/pages/0/text` the `text` of the first element of the array `pages` (`~1`
/// stands for a `/` in a key, `~0` for a `~`).
pub fn locate(line: &[u8], field: &str) -> Result<Range<usize>, RecordError> {
    let mut de = serde_json::Deserializer::from_slice(line);
    let path = match field.strip_prefix('/') {
        Some(pointer) => FieldPath::Pointer(pointer),
        None => FieldPath::Key(field),
    };
    let found = de.deserialize_map(FindField { path }).map_err(|e| {
        // A value of another type than an object (`[1, 2]`, `"text"`, `5`) is valid JSON, but no
        // record; a line that is not valid JSON at all is reported as such, where it fails.
        let first = line.iter().find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
        if e.classify() != serde_json::error::Category::Data || first == Some(&b'{') {
            return json_error(e);
        }
        match serde_json::from_slice::<de::IgnoredAny>(line) {
            Ok(_) => RecordError::NotObject,
            Err(e) => json_error(e),
        }
    })?;
    de.end().map_err(json_error)?;
    let raw = match found {
        Found::One(raw) => raw,
        Found::Missing => return Err(RecordError::NoField),
        Found::Repeated(on_the_way) => return Err(RecordError::Repeated { on_the_way }),
    };
    // The raw value is borrowed from `line`, so its address gives its offset.
    let start = (raw.get().as_ptr() as usize).wrapping_sub(line.as_ptr() as usize);
    let span = start..start + raw.get().len();
    if line.get(span.clone()).map(|v| v.first() == Some(&b'"')) != Some(true) {
        return Err(RecordError::NotString { column: start + 1 });
    }
    Ok(span)
}

/// Decodes a JSON string literal (quotes included) found by [`locate`]: borrowed when it holds
/// no escapes.
pub fn decode(literal: &[u8]) -> Result<Cow<'_, str>, RecordError> {
    let inner = &literal[1..literal.len().saturating_sub(1).max(1)];
    if memchr(b'\\', inner).is_none() {
        // The parser has checked it: UTF-8, no control characters.
        return std::str::from_utf8(inner).map(Cow::Borrowed).map_err(|e| RecordError::Json {
            column: e.valid_up_to() + 2,
            message: "invalid UTF-8".to_string(),
        });
    }
    serde_json::from_slice::<String>(literal).map(Cow::Owned).map_err(json_error)
}

/// Writes `text` as a JSON string literal. `ascii_only` escapes every non-ASCII character as
/// `\uXXXX` (the style of a record whose string had no raw non-ASCII bytes, such as Python's
/// `json.dumps` default writes), and DEL too unless `raw_del`.
///
/// # Errors
/// Write errors.
pub fn encode<W: Write>(out: &mut W, text: &str, ascii_only: bool, raw_del: bool) -> io::Result<()> {
    let result = if ascii_only {
        let mut ser = serde_json::Serializer::with_formatter(&mut *out, AsciiEscapes { del: !raw_del });
        serde::Serialize::serialize(text, &mut ser)
    } else {
        serde_json::to_writer(&mut *out, text)
    };
    result.map_err(io::Error::other)
}

/// Cleans blocks of whole JSON Lines with one engine.
pub struct Cleaner<'r> {
    engine: Engine<'r>,
    field: &'r str,
    max_record: usize,
    /// The engine's sink: the cleaned document of the record at hand, with counts.
    pub sink: StatsSink<CleanSink<Vec<u8>>>,
}

/// One line that was not a record, and why.
#[derive(Debug)]
pub struct BadLine {
    /// 1-based line number in its input.
    pub line_no: u64,
    /// What was wrong.
    pub error: RecordError,
}

impl<'r> Cleaner<'r> {
    /// A cleaner of the documents in `field`, with the engine's rules and options (a record
    /// longer than `opts.max_line_bytes` is not parsed).
    pub fn new(rules: &'r RuleSet, opts: Options, field: &'r str) -> Self {
        Cleaner { engine: Engine::new(rules, opts), field, max_record: opts.max_line_bytes, sink: StatsSink::new(CleanSink::new(Vec::new()), rules.rules().len()) }
    }

    /// Cleans every line of `block` (whole lines; the last may lack its `\n`), the first being
    /// line `first_line` of its input. Blank lines pass through. Returns the lines that were not
    /// records; they are written back unchanged.
    pub fn clean_block(&mut self, block: &[u8], first_line: u64, name: &str, out: &mut Vec<u8>) -> Vec<BadLine> {
        let mut bad = Vec::new();
        let mut at = 0;
        let mut line_no = first_line;
        while at < block.len() {
            let end = memchr(b'\n', &block[at..]).map_or(block.len(), |i| at + i + 1);
            let line = &block[at..end];
            if let Err(error) = self.clean_record(line, name, out) {
                out.extend_from_slice(line);
                bad.push(BadLine { line_no, error });
            }
            at = end;
            line_no += 1;
        }
        bad
    }

    /// Cleans one line holding one record (terminator included) into `out`; on an error nothing
    /// is written.
    fn clean_record(&mut self, line: &[u8], name: &str, out: &mut Vec<u8>) -> Result<(), RecordError> {
        let Some((span, text)) = record(line, self.field, self.max_record)? else {
            out.extend_from_slice(line);
            return Ok(());
        };
        let literal = &line[span.clone()];
        let cleaned = self.sink.get_mut().get_mut();
        cleaned.clear();
        let mut reader = text.as_bytes();
        // Reading from memory and writing to memory cannot fail.
        let doc = self.engine.run(&mut reader, name, &mut self.sink).unwrap_or_default();
        self.sink.stats.lines_in += doc.lines_in;
        self.sink.stats.bytes_in += doc.bytes_in;
        let cleaned = self.sink.get_mut().get_mut();
        // The engine only ever leaves lines out, so an output as long as the input is the input.
        if cleaned.len() == text.len() {
            out.extend_from_slice(line);
            return Ok(());
        }
        // Lines of UTF-8 text split at `\n` are UTF-8.
        let Ok(cleaned) = std::str::from_utf8(cleaned) else {
            out.extend_from_slice(line);
            return Ok(());
        };
        out.extend_from_slice(&line[..span.start]);
        // Writing to a Vec cannot fail.
        // The string's style: non-ASCII escaped where it held no raw non-ASCII byte, and DEL
        // too (Python's default) unless it held a raw one (writers that escape from U+0080 on).
        let _ = encode(out, cleaned, literal.is_ascii(), literal.contains(&0x7f));
        out.extend_from_slice(&line[span.end..]);
        Ok(())
    }
}

/// A record's document: the byte range of its JSON string in the line, and the string decoded.
pub type Document<'l> = (Range<usize>, Cow<'l, str>);

/// A line of JSON Lines input (terminator included), as `--jsonl` takes it: `None` for a blank
/// line, which passes as it is; else the document of the record it holds ([`document`]).
///
/// # Errors
/// A line longer than `max_record` bytes (counted before its `\n` or `\r\n`, as
/// `--max-line-bytes` counts a line of text), or why it holds no record.
pub fn record<'l>(line: &'l [u8], field: &str, max_record: usize) -> Result<Option<Document<'l>>, RecordError> {
    // JSON's own white space: anything else on a line is no record, and is reported.
    if line.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')) {
        return Ok(None);
    }
    if crate::engine::content_len(line) > max_record {
        return Err(RecordError::TooLong);
    }
    document(line, field).map(Some)
}

/// The document of a line holding one record (terminator included or not): the byte range of
/// its JSON string in the line, and the string decoded. The parser sees the record without its
/// `\n` (a `\r` before it is JSON white space), and without a byte order mark before it (the
/// start of a file saved by some editors); the range counts them.
///
/// # Errors
/// Why the line is not such a record, its column counted in the whole line.
pub fn document<'l>(line: &'l [u8], field: &str) -> Result<Document<'l>, RecordError> {
    let body = line.strip_suffix(b"\n").unwrap_or(line);
    let bom = if body.starts_with(BOM) { BOM.len() } else { 0 };
    let span = locate(&body[bom..], field).map_err(|e| e.shifted(bom))?;
    let span = span.start + bom..span.end + bom;
    let text = decode(&line[span.clone()]).map_err(|e| e.shifted(span.start))?;
    Ok((span, text))
}

/// The UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

fn json_error(e: serde_json::Error) -> RecordError {
    // serde_json appends " at line L column C" to its messages; the column is reported apart.
    let full = e.to_string();
    let message = match full.rfind(" at line ") {
        Some(i) => full[..i].to_string(),
        None => full,
    };
    // serde_json says this of invalid UTF-8 and of lone surrogate escapes alike.
    let message = match message.as_str() {
        "invalid unicode code point" => "invalid UTF-8, or a `\\u` escape of half a surrogate pair".to_string(),
        // Of `\u12"` and of a lone high surrogate `\ud800` alike.
        "unexpected end of hex escape" => "a `\\u` escape cut short, or half a surrogate pair (`\\ud800`) without the other half".to_string(),
        _ => message,
    };
    RecordError::Json { column: e.column().max(1), message }
}

enum Found<'de> {
    Missing,
    One(&'de RawValue),
    /// A key seen twice at one level: on the pointer's way (that key), or the last (`None`).
    Repeated(Option<String>),
}

/// The way to the document in a record: a key, or the rest of a JSON Pointer (its components
/// separated by `/`, escaped as RFC 6901 escapes them).
#[derive(Clone, Copy)]
enum FieldPath<'f> {
    Key(&'f str),
    Pointer(&'f str),
}

impl<'f> FieldPath<'f> {
    /// The key to look for at this level, as written, and the path below it, if any.
    fn split(self) -> (FieldPath<'f>, Option<FieldPath<'f>>) {
        match self {
            FieldPath::Key(_) => (self, None),
            FieldPath::Pointer(p) => match p.split_once('/') {
                Some((head, rest)) => (FieldPath::Pointer(head), Some(FieldPath::Pointer(rest))),
                None => (self, None),
            },
        }
    }

    /// The key this path names at its level, as a record writes it.
    fn key(self) -> String {
        match self {
            FieldPath::Key(k) => k.to_string(),
            FieldPath::Pointer(p) => p.replace("~1", "/").replace("~0", "~"),
        }
    }

    /// Whether `key` is the key this path names at its level (a pointer's component unescaped:
    /// `~1` is `/`, `~0` is `~`).
    fn is(self, key: &str) -> bool {
        match self {
            FieldPath::Key(k) => k == key,
            FieldPath::Pointer(p) if !p.contains('~') => p == key,
            FieldPath::Pointer(p) => p.replace("~1", "/").replace("~0", "~") == key,
        }
    }
}

/// A JSON Pointer's component as an array index: digits, without a leading zero but for `0`.
fn array_index(component: &str) -> Option<usize> {
    let digits = !component.is_empty() && component.bytes().all(|b| b.is_ascii_digit());
    if digits && (component == "0" || !component.starts_with('0')) { component.parse().ok() } else { None }
}

/// Walks an object's keys, keeping the raw value at `path` and skipping every other value.
struct FindField<'f> {
    path: FieldPath<'f>,
}

/// The value under a key on the way down a pointer: an object or an array is searched on; any
/// other value holds no such field.
struct Below<'f> {
    path: FieldPath<'f>,
}

impl<'de> DeserializeSeed<'de> for Below<'_> {
    type Value = Found<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Found<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Below<'_> {
    type Value = Found<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Found<'de>, A::Error> {
        FindField { path: self.path }.visit_map(map)
    }

    /// An array is searched on at the element a pointer's number names (`/pages/0/text`).
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Found<'de>, A::Error> {
        let (here, below) = self.path.split();
        let index = match here {
            FieldPath::Pointer(p) => array_index(p),
            FieldPath::Key(_) => None,
        };
        let mut found = Found::Missing;
        let mut k = 0usize;
        loop {
            if Some(k) == index {
                let got = match below {
                    None => seq.next_element::<&'de RawValue>()?.map(Found::One),
                    Some(path) => seq.next_element_seed(Below { path })?,
                };
                match got {
                    Some(got) => found = got,
                    None => break,
                }
            } else if seq.next_element::<IgnoredAny>()?.is_none() {
                break;
            }
            k += 1;
        }
        Ok(found)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Found<'de>, E> {
        Ok(Found::Missing)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Found<'de>, E> {
        Ok(Found::Missing)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Found<'de>, E> {
        Ok(Found::Missing)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Found<'de>, E> {
        Ok(Found::Missing)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Found<'de>, E> {
        Ok(Found::Missing)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Found<'de>, E> {
        Ok(Found::Missing)
    }
}

impl<'de> Visitor<'de> for FindField<'_> {
    type Value = Found<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Found<'de>, A::Error> {
        // `None` until the key is seen; a key seen twice makes the document's place unclear.
        let mut found = None;
        let (here, below) = self.path.split();
        while let Some(is_field) = map.next_key_seed(KeyIs(here))? {
            if !is_field || found.is_some() {
                map.next_value::<IgnoredAny>()?;
                if is_field {
                    found = Some(Found::Repeated(below.map(|_| here.key())));
                }
                continue;
            }
            found = Some(match below {
                None => Found::One(map.next_value::<&'de RawValue>()?),
                Some(path) => map.next_value_seed(Below { path })?,
            });
        }
        Ok(found.unwrap_or(Found::Missing))
    }
}

/// Deserializes a key into whether it is the wanted one, without allocating.
struct KeyIs<'f>(FieldPath<'f>);

impl<'de> DeserializeSeed<'de> for KeyIs<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyIs<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<bool, E> {
        Ok(self.0.is(key))
    }
}

/// serde_json's compact format with every non-ASCII character escaped as `\uXXXX` (UTF-16, so
/// characters beyond the BMP become surrogate pairs), in lower-case hex, and with `del` DEL too,
/// as Python's `json.dumps` escapes every character outside space to `~`.
struct AsciiEscapes {
    del: bool,
}

impl serde_json::ser::Formatter for AsciiEscapes {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, fragment: &str) -> io::Result<()> {
        let mut rest = fragment;
        while let Some(i) = rest.bytes().position(|b| !b.is_ascii() || (self.del && b == 0x7f)) {
            w.write_all(&rest.as_bytes()[..i])?;
            let c = rest[i..].chars().next().unwrap_or(char::REPLACEMENT_CHARACTER);
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                write!(w, "\\u{u:04x}")?;
            }
            rest = &rest[i + c.len_utf8()..];
        }
        w.write_all(rest.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_field_is_found_among_others_whatever_their_kind() {
        let line = br#"{"id": 7, "meta": {"text": "inner"}, "list": [1, "text"], "text": "a\nb", "x": null}"#;
        let span = locate(line, "text").unwrap();
        assert_eq!(&line[span.clone()], br#""a\nb""#);
        assert_eq!(decode(&line[span]).unwrap(), "a\nb");
    }

    #[test]
    fn escaped_keys_match_their_decoded_name() {
        let line = br#"{"te\u0078t": "doc"}"#;
        assert_eq!(&line[locate(line, "text").unwrap()], br#""doc""#);
    }

    #[test]
    fn what_is_not_a_record_says_why() {
        assert!(matches!(locate(b"[1, 2]", "text"), Err(RecordError::NotObject)));
        assert!(matches!(locate(b" 5 ", "text"), Err(RecordError::NotObject)));
        // Not JSON at all is invalid JSON, at the place it fails.
        assert!(matches!(locate(b"[1, 2", "text"), Err(RecordError::Json { column: 5, .. })));
        assert!(matches!(locate(br#""text": "a"}"#, "text"), Err(RecordError::Json { column: 7, .. })));
        assert!(matches!(locate(br#"{"body": "x"}"#, "text"), Err(RecordError::NoField)));
        assert!(matches!(locate(br#"{"text": null}"#, "text"), Err(RecordError::NotString { column: 10 })));
        assert!(matches!(locate(br#"{"text": "a", "text": "b"}"#, "text"), Err(RecordError::Repeated { .. })));
        assert!(matches!(locate(br#"{"text": "a"} {}"#, "text"), Err(RecordError::Json { column: 15, .. })));
        let Err(RecordError::Json { message, column }) = locate(b"{\"text\": \"caf\xe9\"}", "text") else {
            panic!("invalid UTF-8 is an error")
        };
        assert!(message.contains("UTF-8"), "{message}");
        assert_eq!(column, 14);
    }

    #[test]
    fn a_pointer_finds_a_string_in_nested_objects() {
        let line = br#"{"text": "top", "meta": {"lang": "en", "doc": {"body": "deep", "n": [1, {"body": 2}]}}}"#;
        let span = locate(line, "/meta/doc/body").unwrap();
        assert_eq!(&line[span], br#""deep""#);
        // A key with a dot is a key: only a leading `/` makes a pointer.
        let dotted = br#"{"meta.doc": "x", "meta": {"doc": "y"}}"#;
        assert_eq!(&dotted[locate(dotted, "meta.doc").unwrap()], br#""x""#);
        assert_eq!(&dotted[locate(dotted, "/meta/doc").unwrap()], br#""y""#);
        // `~1` and `~0` stand for `/` and `~` in a key, and `/` alone names the empty key.
        let odd = br#"{"a/b": {"c~d": "z"}, "": "e"}"#;
        assert_eq!(&odd[locate(odd, "/a~1b/c~0d").unwrap()], br#""z""#);
        assert_eq!(&odd[locate(odd, "/").unwrap()], br#""e""#);
        // Arrays by the number of an element, nested or last.
        let arrays = br#"{"pages": [{"text": "p0"}, 7, {"text": "p2", "more": ["m0", "m1"]}]}"#;
        assert_eq!(&arrays[locate(arrays, "/pages/0/text").unwrap()], br#""p0""#);
        assert_eq!(&arrays[locate(arrays, "/pages/2/text").unwrap()], br#""p2""#);
        assert_eq!(&arrays[locate(arrays, "/pages/2/more/1").unwrap()], br#""m1""#);
        assert!(matches!(locate(arrays, "/pages/1/text"), Err(RecordError::NoField)));
    }

    #[test]
    fn a_pointer_that_leads_nowhere_says_why() {
        for (line, why) in [
            (&br#"{"meta": [{"body": "x"}]}"#[..], "an array is searched by number only"),
            (br#"{"meta": "body"}"#, "a string has no keys"),
            (br#"{"meta": null, "body": "x"}"#, "null has no keys"),
            (br#"{"meta": {"other": "x"}}"#, "no such key below"),
        ] {
            assert!(matches!(locate(line, "/meta/body"), Err(RecordError::NoField)), "{why}");
        }
        assert!(matches!(locate(br#"{"meta": {"body": 3}}"#, "/meta/body"), Err(RecordError::NotString { column: 19 })));
        // Past the end, a number with a leading zero, and RFC 6901's `-` (past the end) find
        // nothing.
        for pointer in ["/meta/1/body", "/meta/01/body", "/meta/-/body"] {
            assert!(matches!(locate(br#"{"meta": [{"body": "x"}]}"#, pointer), Err(RecordError::NoField)), "{pointer}");
        }
        // A key on the way seen twice leaves the document's place unclear, even if only one
        // of them holds it.
        for line in [&br#"{"meta": {"body": "a"}, "meta": {"body": "b"}}"#[..], br#"{"meta": {"body": "a"}, "meta": 1}"#] {
            let Err(e @ RecordError::Repeated { .. }) = locate(line, "/meta/body") else { panic!("repeated") };
            assert_eq!(e.describe("/meta/body"), "the key `meta` on the way to `/meta/body` appears more than once");
        }
        for (line, pointer) in [(&br#"{"a": {"b": "x", "b": "y"}}"#[..], "/a/b"), (br#"{"a": {"a": "x", "a": "y"}}"#, "/a/a")] {
            let Err(e @ RecordError::Repeated { .. }) = locate(line, pointer) else { panic!("repeated") };
            assert_eq!(e.describe(pointer), format!("the `{pointer}` field appears more than once"));
        }
        // Broken JSON below the key is still broken JSON.
        assert!(matches!(locate(br#"{"meta": {"body": "a",}}"#, "/meta/body"), Err(RecordError::Json { .. })));
    }

    #[test]
    fn ascii_only_strings_keep_their_style() {
        let mut out = Vec::new();
        encode(&mut out, "caf\u{e9} \u{1f600} \"q\"\n\u{7f}\u{1}", true, false).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), r#""caf\u00e9 \ud83d\ude00 \"q\"\n\u007f\u0001""#);
        let mut out = Vec::new();
        encode(&mut out, "caf\u{e9}\t", false, false).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "\"caf\u{e9}\\t\"");
    }
}
