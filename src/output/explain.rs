use std::io::{self, Write};

use super::{HeadStart, HeadWhy, LineEvent, Sink, TeaserWhy};
use crate::engine::matcher::all_hits;
use crate::engine::{Decision, Scratch};
use crate::rules::RuleSet;

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const DIM: &str = "\x1b[2m";
const CYAN: &str = "\x1b[36m";
const RESET: &str = "\x1b[0m";

/// Annotates the input: one line per input line, `LINE MARK TEXT`, with the rule and action for
/// every dropped line. Marks: `+` kept, `-` dropped, ` ` blank line written, `.` blank line left
/// out by the blank-line policy. Or, made with [`ExplainSink::json`], the same as JSON Lines:
/// one object per input line, and one per note on a context rule, a cut or a footer, and per
/// document's summary (docs/RULES.md, "Tools").
pub struct ExplainSink<'r, W: Write> {
    out: W,
    rules: &'r RuleSet,
    color: bool,
    json: bool,
    /// The document's name, for the JSON objects.
    name: String,
    dropped_only: bool,
    show_names: bool,
    last_line: u64,
    /// The cut in this document: its line, its rule, and the blank lines after it.
    cut: Option<(u64, u32, u64)>,
    /// The page's footer, once a kept line was dropped after it: its line, its rule, the first
    /// line dropped after it and how many.
    footer: Option<(u64, u32, u64, u64)>,
    dropped: u64,
    total: u64,
    /// For kept lines that a rule with `after-words` matches.
    scratch: Scratch,
    hits: Vec<u32>,
}

impl<'r, W: Write> ExplainSink<'r, W> {
    /// A sink writing to `out`. `show_names` prints a header per document.
    pub fn new(out: W, rules: &'r RuleSet, color: bool, dropped_only: bool, show_names: bool) -> Self {
        ExplainSink {
            out,
            rules,
            color,
            json: false,
            name: String::new(),
            dropped_only,
            show_names,
            last_line: 0,
            cut: None,
            footer: None,
            dropped: 0,
            total: 0,
            scratch: Scratch::default(),
            hits: Vec::new(),
        }
    }

    /// A sink writing JSON Lines to `out`: an object for every line (`file`, `line`,
    /// `decision`, `written`, `rule`, `location`, `note`, `text`), for each note on the
    /// document (`event`: `page-head`, `page-teaser`, `menu-run`, `page-tail`,
    /// `page-tail-kept`, `cut`, `footer`, with `rule`, `location` and `message`), and a
    /// `summary` with the counts at each document's end.
    pub fn json(out: W, rules: &'r RuleSet, dropped_only: bool) -> Self {
        ExplainSink { json: true, ..Self::new(out, rules, false, dropped_only, false) }
    }

    /// Writes a note on the document: as a line of its own in text (`message` whole), or as
    /// an object of kind `event`.
    fn event(&mut self, event: &str, rule: Option<u32>, message: &str) -> io::Result<()> {
        if self.json {
            let r = rule.map(|i| self.rules.rule(i));
            let obj = serde_json::json!({
                "file": self.name,
                "event": event,
                "rule": r.map(|r| &r.id),
                "location": r.map(|r| r.location()),
                "message": message,
            });
            return writeln!(self.out, "{obj}");
        }
        let (c, r) = (self.paint(CYAN), self.paint(RESET));
        writeln!(self.out, "{c}       {message}{r}")
    }

    /// The writer back.
    pub fn into_inner(self) -> W {
        self.out
    }

    /// The writer.
    pub fn get_ref(&self) -> &W {
        &self.out
    }

    /// The writer, to flush it.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }

    fn paint(&self, code: &'static str) -> &'static str {
        if self.color { code } else { "" }
    }

    fn rule_ref(&self, rule: u32) -> String {
        let r = self.rules.rule(rule);
        format!("{} {}", r.id, crate::rules::error::printable(&r.location()))
    }

    fn note(&self, d: Decision) -> String {
        match d {
            Decision::Keep | Decision::Blank => String::new(),
            Decision::Drop { rule } => format!("drop {}", self.rule_ref(rule)),
            Decision::GuardedCut { rule } => match self.rules.rule(rule).after_words {
                Some(n) => format!(
                    "cut {}: guarded, before {n} words of prose (after-words), drops this line only",
                    self.rule_ref(rule)
                ),
                None => format!("cut {}: guarded, too near the top to cut, drops this line only", self.rule_ref(rule)),
            },
            Decision::Cut { rule } => format!("cut {}: drops the rest of the document", self.rule_ref(rule)),
            Decision::AfterCut { from, .. } => format!("cut from line {from}"),
            Decision::Thread { rule, anchor } => format!("thread {}: comment thread, anchor line {anchor}", self.rule_ref(rule)),
            Decision::Footer { rule, armed: true } => format!("footer {}: marks the page's footer", self.rule_ref(rule)),
            Decision::Footer { rule, armed: false } => {
                let r = self.rules.context().tail.map_or_else(
                    || "no page-tail in use".to_string(),
                    |t| format!("before {} words of prose (footer-words)", t.footer_words),
                );
                format!("footer {}: {r}, drops this line only", self.rule_ref(rule))
            }
            Decision::AfterFooter { from, .. } => format!("after the page's footer at line {from}"),
        }
    }

    /// For a kept line: the rules that match it all have `after-words`, and fewer words of
    /// prose came before it (a line a rule matches is otherwise dropped).
    fn passed_over(&mut self, bytes: &[u8]) -> String {
        all_hits(self.rules, bytes, &mut self.scratch, &mut self.hits);
        let rules = self.rules;
        let notes: Vec<String> = self
            .hits
            .iter()
            .filter_map(|&r| {
                let n = rules.rule(r).after_words?;
                Some(format!("{} {}: before {n} words of prose (after-words), does not match yet", rules.rule(r).action.keyword(), self.rule_ref(r)))
            })
            .collect();
        notes.join("; ")
    }

    fn end_footer(&mut self) -> io::Result<()> {
        if let Some((from, rule, first, n)) = self.footer.take() {
            let message = format!(
                "footer at line {from} by {} ended the article: {} after it dropped, from line {first} on",
                self.rule_ref(rule),
                crate::cmd::counted(n, "kept line"),
            );
            self.event("footer", Some(rule), &message)?;
        }
        Ok(())
    }

    fn end_cut(&mut self) -> io::Result<()> {
        if let Some((from, rule, blank)) = self.cut.take() {
            let n = self.last_line - from + 1;
            // Blank lines are not counted as dropped (see `finish`): say how many are here.
            let blank = if blank > 0 { format!(", {blank} of them blank") } else { String::new() };
            let message = format!(
                "cut at line {from} by {} took lines {from}-{} ({}{blank})",
                self.rule_ref(rule),
                self.last_line,
                crate::cmd::counted(n, "line")
            );
            self.event("cut", Some(rule), &message)?;
        }
        Ok(())
    }
}

/// The first 200 bytes of an over-long line's first piece, not cutting a character in two.
fn partial_shown(bytes: &[u8]) -> &[u8] {
    let shown = &bytes[..bytes.len().min(200)];
    match std::str::from_utf8(shown) {
        Err(e) if e.error_len().is_none() => &shown[..e.valid_up_to()],
        _ => shown,
    }
}

/// What a line's decision is called in JSON.
fn decision_name(d: Decision) -> &'static str {
    match d {
        Decision::Keep => "keep",
        Decision::Blank => "blank",
        Decision::Drop { .. } => "drop",
        Decision::GuardedCut { .. } => "guarded-cut",
        Decision::Cut { .. } => "cut",
        Decision::AfterCut { .. } => "after-cut",
        Decision::Footer { .. } => "footer",
        Decision::AfterFooter { .. } => "after-footer",
        Decision::Thread { .. } => "thread",
    }
}

impl<W: Write> ExplainSink<'_, W> {
    /// The note shown after a line: why it was dropped, or for a kept line the rules that
    /// match it but wait for prose (empty if none).
    fn line_note(&mut self, ev: &LineEvent<'_>) -> String {
        if ev.decision == Decision::Keep && !ev.partial { self.passed_over(ev.bytes) } else { self.note(ev.decision) }
    }

    /// One line as a JSON object. Its text is without its terminator, invalid UTF-8 replaced
    /// by U+FFFD; of a line over the length cap, the first 200 bytes (`over_cap`).
    fn json_line(&mut self, ev: &LineEvent<'_>, line_no: u64) -> io::Result<()> {
        let note = self.line_note(ev);
        let bytes = if ev.partial { partial_shown(ev.bytes) } else { ev.bytes };
        let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
        let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        let rule = ev.decision.rule().map(|i| self.rules.rule(i));
        let mut obj = serde_json::json!({
            "file": self.name,
            "line": line_no,
            "decision": decision_name(ev.decision),
            "written": ev.written,
            "rule": rule.map(|r| &r.id),
            "location": rule.map(|r| r.location()),
            "note": (!note.is_empty()).then_some(note),
            "text": String::from_utf8_lossy(bytes),
        });
        if ev.partial {
            obj["over_cap"] = serde_json::Value::Bool(true);
        }
        writeln!(self.out, "{obj}")
    }
}

/// A line as `explain` shows it: without its terminator, control characters as `\r` or
/// `\u{..}`, invalid UTF-8 as `\xFF`.
pub fn escape_line(bytes: &[u8]) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_escaped(&mut out, bytes);
    String::from_utf8_lossy(&out).into_owned()
}

/// Writes `bytes` without its line terminator, escaping control characters and invalid UTF-8.
fn write_escaped(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\t' => out.write_all(b"\t")?,
                '\r' => out.write_all(b"\\r")?,
                c if c.is_control() => write!(out, "\\u{{{:x}}}", c as u32)?,
                c => write!(out, "{c}")?,
            }
        }
        for b in chunk.invalid() {
            write!(out, "\\x{b:02X}")?;
        }
    }
    Ok(())
}

impl<W: Write> Sink for ExplainSink<'_, W> {
    fn ordered(&self) -> bool {
        true
    }

    fn begin(&mut self, name: &str) -> io::Result<()> {
        self.last_line = 0;
        self.cut = None;
        self.footer = None;
        self.dropped = 0;
        self.total = 0;
        name.clone_into(&mut self.name);
        if self.show_names && !self.json {
            writeln!(self.out, "==> {} <==", crate::rules::error::printable(name))?;
        }
        Ok(())
    }

    fn line(&mut self, ev: &LineEvent<'_>) -> io::Result<()> {
        if ev.continuation {
            // Later pieces of an over-long line: already shown.
            return Ok(());
        }
        for k in 0..ev.count {
            let line_no = ev.line_no + k;
            self.last_line = line_no;
            self.total += 1;
            let dropped = ev.decision.is_dropped();
            if dropped {
                self.dropped += 1;
            }
            if let Decision::Cut { rule } = ev.decision {
                self.cut = Some((line_no, rule, 0));
            }
            if let (Some(cut), Decision::Blank) = (&mut self.cut, ev.decision) {
                cut.2 += 1;
            }
            if let Decision::AfterFooter { rule, from } = ev.decision {
                self.footer.get_or_insert((from, rule, line_no, 0)).3 += 1;
            }
            if self.dropped_only && !dropped {
                continue;
            }
            if self.json {
                self.json_line(ev, line_no)?;
                continue;
            }
            let (mark, color) = match ev.decision {
                Decision::Keep => ('+', self.paint(GREEN)),
                Decision::Blank if ev.written => (' ', ""),
                Decision::Blank => ('.', self.paint(DIM)),
                _ => ('-', self.paint(RED)),
            };
            let reset = if color.is_empty() { "" } else { self.paint(RESET) };
            write!(self.out, "{line_no:>6} {color}{mark} ")?;
            if ev.partial {
                let shown = partial_shown(ev.bytes);
                write_escaped(&mut self.out, shown)?;
                write!(self.out, "…{reset}  [line over the length cap, its first {} bytes shown: kept unmatched]", shown.len())?;
            } else {
                write_escaped(&mut self.out, ev.bytes)?;
                write!(self.out, "{reset}")?;
            }
            let note = self.line_note(ev);
            if !note.is_empty() {
                write!(self.out, "  {}[{note}]{}", self.paint(CYAN), self.paint(RESET))?;
            }
            writeln!(self.out)?;
        }
        Ok(())
    }

    fn page_head(&mut self, rule: u32, start: Option<HeadStart>) -> io::Result<()> {
        let what = match start {
            None => "no article line (prose, or lines of 8 or more words in a row that read as a paragraph) in the document or its first 1,000 lines or 1 MiB: nothing dropped".to_string(),
            Some(HeadStart { line_no, why }) => {
                let because = match why {
                    HeadWhy::Prose => "a prose line".to_string(),
                    HeadWhy::Wide => "the first of lines of 8 or more words in a row, one of them ending a sentence or going on in lowercase".to_string(),
                    HeadWhy::Wrapped => "the first of two lines of a wrapped paragraph: 30 bytes or more each, the second going on in lowercase".to_string(),
                    HeadWhy::Confirmed(by) => format!("a short prose line, confirmed by line {by}"),
                    HeadWhy::Unconfirmed => "the first short prose line; none was confirmed".to_string(),
                    HeadWhy::Long => "a line over the length cap".to_string(),
                };
                let keep = self.rules.context().head.map_or(0, |h| h.keep);
                let except = match keep {
                    0 => String::new(),
                    n => format!(", except up to {} just above it", crate::cmd::counted(n as u64, "worded line")),
                };
                if line_no == 1 {
                    format!("the article begins at line 1 ({because}): nothing stands above it")
                } else {
                    format!("the article begins at line {line_no} ({because}); the lines above it are dropped{except}")
                }
            }
        };
        let message = format!("{}: {what}", self.rule_ref(rule));
        self.event("page-head", Some(rule), &message)
    }

    fn page_teaser(&mut self, rule: u32, first: u64, run: u64, why: TeaserWhy) -> io::Result<()> {
        let head = self.rules.context().head;
        let words = head.map_or(0, |h| h.teaser_words);
        let what = match why {
            TeaserWhy::MenuRun => format!("a menu-like run begins at line {run}, before {words} words of prose; the lines from {first} to the run are dropped"),
            TeaserWhy::ShortLines(at) => {
                let short = head.map_or(0, |h| h.teaser_short);
                format!("{short} short lines came by line {at}, before {words} words of prose (a menu with a line under each entry); the lines from {first} to line {run} are dropped")
            }
        };
        let message = format!("{}: line {first} was a teaser, not the article: {what}", self.rule_ref(rule));
        self.event("page-teaser", Some(rule), &message)
    }

    fn menu_run(&mut self, rule: u32, first: u64, short: usize, after_chrome: bool) -> io::Result<()> {
        let Some(menu) = self.rules.context().menu else { return Ok(()) };
        let needs = if after_chrome {
            format!("the {} a run needs after page chrome ({} or more lines dropped before it)", menu.min_run, menu.chrome_before)
        } else {
            format!("the {} a run needs where no page chrome came before it", menu.long_run)
        };
        let message = format!(
            "{}: a menu from line {first}: {short} short lines (1 to {} words, no sentence ending; lines other rules dropped count too), {needs}; its worded lines are dropped until a longer line ends it",
            self.rule_ref(rule),
            menu.max_words
        );
        self.event("menu-run", Some(rule), &message)
    }

    fn page_tail(&mut self, rule: u32, last: u64, lone: usize) -> io::Result<()> {
        let tail = self.rules.context().tail.map_or(0, |t| t.tail_bytes);
        let alone = match lone {
            0 => String::new(),
            1 => " (with an article line among them that stood alone: nothing confirmed it)".to_string(),
            n => format!(" (with {n} article lines among them that stood alone: nothing confirmed them)"),
        };
        let message = format!(
            "{}: the article ends at line {last}; the lines after it hold at most {tail} bytes and are dropped{alone}",
            self.rule_ref(rule)
        );
        self.event("page-tail", Some(rule), &message)
    }

    fn page_tail_kept(&mut self, rule: u32, last: u64, found: usize, all: usize) -> io::Result<()> {
        let lines = match found {
            0 => "no line".to_string(),
            n => crate::cmd::counted(n as u64, "line"),
        };
        let were = if found <= 1 { "was" } else { "were" };
        let head = match all.saturating_sub(found) {
            0 => String::new(),
            n => format!(" besides {} of its head", crate::cmd::counted(n as u64, "line")),
        };
        let message = format!(
            "{}: the article ends at line {last}, but the lines after it are kept: {lines} of the page {were} dropped{head}, too little chrome to tell a page's tail from clean text's last lines",
            self.rule_ref(rule)
        );
        self.event("page-tail-kept", Some(rule), &message)
    }

    fn finish(&mut self) -> io::Result<()> {
        self.end_cut()?;
        self.end_footer()?;
        if self.json {
            let obj = serde_json::json!({ "file": self.name, "event": "summary", "lines": self.total, "dropped": self.dropped });
            writeln!(self.out, "{obj}")?;
        } else {
            writeln!(self.out, "{}       {} of {} lines dropped{}", self.paint(DIM), self.dropped, self.total, self.paint(RESET))?;
        }
        self.out.flush()
    }
}
