//! Errors in rule files, reported like a compiler reports them.

use std::fmt;
use std::path::{Path, PathBuf};

use unicode_width::UnicodeWidthStr;

/// How serious a finding in a rule file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The rule file cannot be used.
    Error,
    /// The rule file works, but something in it is probably not what its author meant.
    Warning,
}

/// One problem in a rule file, with the place it was found.
///
/// `Display` renders it as `path:line:col: error: message`, then the source line with a caret
/// under the offending span, then a `help:` line when there is a hint. Lines and columns are
/// 1-based and columns count characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError {
    /// The rule file.
    pub path: PathBuf,
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// Length of the offending span, in characters (at least 1 when shown).
    pub width: usize,
    /// The source line, without its terminator.
    pub source_line: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it, if there is something useful to say.
    pub hint: Option<String>,
    /// Error or warning.
    pub severity: Severity,
}

impl RuleError {
    pub(crate) fn new(path: &Path, line: usize, source_line: &str, col: usize, width: usize) -> Self {
        RuleError {
            path: path.to_path_buf(),
            line,
            col,
            width,
            source_line: source_line.to_string(),
            message: String::new(),
            hint: None,
            severity: Severity::Error,
        }
    }

    pub(crate) fn msg(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Turns the finding into a warning.
    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }
}

/// Characters of a source line shown under a finding, at most.
const SHOWN_CHARS: usize = 160;
/// Of them, at most this many before the column of a longer line.
const SHOWN_BEFORE: usize = 60;

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        // The message and the hint quote the rule file, and the path is a name from the file
        // system: a control character in them is shown, not sent to the terminal.
        writeln!(
            f,
            "{}:{}:{}: {}: {}",
            printable(&self.path.display().to_string()),
            self.line,
            self.col,
            level,
            printable(&self.message)
        )?;
        let num = self.line.to_string();
        let pad = " ".repeat(num.len());
        if self.source_line.is_empty() {
            // A finding about a whole file (no rules in it): no line to show.
            if let Some(hint) = &self.hint {
                write!(f, "{pad} = help: {}", printable(hint))?;
            }
            return Ok(());
        }
        writeln!(f, "{pad} |")?;
        // A line longer than SHOWN_CHARS is shown as a piece around the column, `…` marking
        // what is left out either side (a rule line of megabytes is not copied whole).
        let chars = self.source_line.chars().count();
        let col = self.col.saturating_sub(1).min(chars);
        let from = if chars > SHOWN_CHARS { col.saturating_sub(SHOWN_BEFORE).min(chars - SHOWN_CHARS) } else { 0 };
        let to = (from + SHOWN_CHARS).min(chars);
        let (open, close) = (if from > 0 { "…" } else { "" }, if to < chars { "…" } else { "" });
        // Control characters (a stray CR, the NULs of a UTF-16 file) are shown as their
        // pictures (`␍`, `␀`), one column each.
        let shown: String = self.source_line.chars().skip(from).take(to - from).map(shown_char).collect();
        writeln!(f, "{num} | {open}{shown}{close}")?;
        // The caret goes under the span as a terminal shows the line: tabs before it are kept as
        // tabs, a wide character (CJK, most emoji, an emoji sequence joined by ZWJ) takes two
        // columns, a zero-width one (a combining accent, a zero-width space) none.
        let before: String = shown.chars().take(col.saturating_sub(from)).collect();
        let lead = before.split('\t').map(|piece| " ".repeat(piece.width())).collect::<Vec<_>>().join("\t");
        let open = if from > 0 { " " } else { "" };
        let span = self.width.max(1).min((to + 1).saturating_sub(col.max(from)).max(1));
        // Under a tab in the span, carets reach the tab stop it reaches (every 8 columns from
        // the start of the terminal's line).
        let under: String = shown.chars().skip(col.saturating_sub(from)).take(span).collect();
        let start = advance(pad.len() + 3 + open.len(), &before);
        let carets = advance(start, &under) - start;
        write!(f, "{pad} | {open}{lead}{}", "^".repeat(carets.max(1)))?;
        if let Some(hint) = &self.hint {
            write!(f, "\n{pad} = help: {}", printable(hint))?;
        }
        Ok(())
    }
}

/// The terminal column after `text` when it starts at column `at` (tab stops every 8).
fn advance(at: usize, text: &str) -> usize {
    let mut column = at;
    for (i, piece) in text.split('\t').enumerate() {
        if i > 0 {
            column = (column / 8 + 1) * 8;
        }
        column += piece.width();
    }
    column
}

/// Text as a terminal should get it: each character as [`shown_char`] shows it (tabs kept).
pub(crate) fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().all(|c| shown_char(c) == c) { text.into() } else { text.chars().map(shown_char).collect::<String>().into() }
}

/// How a source line's character is shown under a finding: control characters as their pictures.
fn shown_char(c: char) -> char {
    match c {
        '\t' => c,
        '\0'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or(c),
        '\u{7f}' => '\u{2421}',
        // C1 controls have no pictures, and a terminal may act on them (U+009B begins a
        // control sequence).
        '\u{80}'..='\u{9f}' => '\u{fffd}',
        _ => c,
    }
}

/// Every error found in a set of rule files; loading fails with this when any error was found.
#[derive(Debug)]
pub struct RuleErrors(pub Vec<RuleError>);

impl fmt::Display for RuleErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        let n = self.0.iter().filter(|e| e.severity == Severity::Error).count();
        write!(f, "\n\nerror: {} error{} in rule files", n, if n == 1 { "" } else { "s" })
    }
}

impl std::error::Error for RuleErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    /// A long line is shown as a piece around the column, and the caret still points at it.
    #[test]
    fn long_lines_are_shown_around_the_column() {
        let line = format!("drop regex {}(bad {}", "a".repeat(300), "b".repeat(300));
        let e = RuleError::new(Path::new("x.rules"), 2, &line, 312, 1).msg("invalid regex: unclosed group");
        let text = e.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[2], format!("2 | …{}(bad {}…", "a".repeat(60), "b".repeat(95)));
        let caret = lines[3].find('^').expect("a caret");
        let paren = lines[2].chars().position(|c| c == '(').expect("the group");
        assert_eq!(caret, paren);
        // A short line is shown whole, the span under it.
        let e = RuleError::new(Path::new("x.rules"), 1, "cut lin Leave a Reply", 5, 3);
        assert_eq!(e.to_string().lines().nth(3), Some("  |     ^^^"));
    }

    /// The caret lines up under wide characters (two columns each) and after zero-width ones.
    #[test]
    fn carets_count_terminal_columns() {
        // `lin` after four CJK characters: 8 columns, then the space.
        let e = RuleError::new(Path::new("x.rules"), 1, "東京会議 lin 今日", 6, 3);
        assert_eq!(e.to_string().lines().nth(3), Some("  |          ^^^"));
        // A wide span gets two carets a character.
        let e = RuleError::new(Path::new("x.rules"), 1, "drop line 今日は", 11, 3);
        assert_eq!(e.to_string().lines().nth(3), Some("  |           ^^^^^^"));
        // A combining accent and a zero-width space take no column.
        let e = RuleError::new(Path::new("x.rules"), 1, "e\u{301}\u{200b} lin", 5, 3);
        assert_eq!(e.to_string().lines().nth(3), Some("  |   ^^^"));
        // A control character is shown as its picture, one column; a C1 control as U+FFFD.
        let e = RuleError::new(Path::new("x.rules"), 1, "\u{1} lin", 3, 3);
        assert_eq!(e.to_string().lines().nth(3), Some("  |   ^^^"));
        let e = RuleError::new(Path::new("x.rules"), 1, "\u{9b}2J lin", 5, 3);
        assert_eq!(e.to_string().lines().nth(2), Some("1 | \u{fffd}2J lin"));
        assert_eq!(e.to_string().lines().nth(3), Some("  |     ^^^"));
        // An emoji with its presentation selector, and a family joined by ZWJ: two columns each.
        let e = RuleError::new(Path::new("x.rules"), 1, "\u{2764}\u{fe0f} \u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467} (", 10, 1);
        assert_eq!(e.to_string().lines().nth(3), Some("  |       ^"));
        // A tab in the span: carets to the tab stop it reaches (the line starts at column 4,
        // `[id=a` takes columns 8 to 12, the tab reaches 16).
        let e = RuleError::new(Path::new("x.rules"), 1, "drop[id=a\tb]", 5, 6);
        assert_eq!(e.to_string().lines().nth(3), Some("  |     ^^^^^^^^"));
    }
}
