//! Errors in rule files, reported like a compiler reports them.

use std::fmt;
use std::path::{Path, PathBuf};

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

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(
            f,
            "{}:{}:{}: {}: {}",
            self.path.display(),
            self.line,
            self.col,
            level,
            self.message
        )?;
        let num = self.line.to_string();
        let pad = " ".repeat(num.len());
        if self.source_line.is_empty() {
            // A finding about a whole file (no rules in it): no line to show.
            if let Some(hint) = &self.hint {
                write!(f, "{pad} = help: {hint}")?;
            }
            return Ok(());
        }
        writeln!(f, "{pad} |")?;
        // Control characters (a stray CR, the NULs of a UTF-16 file) are shown as their
        // pictures (`␍`, `␀`), one character each, so the caret still lines up.
        let shown: String = self
            .source_line
            .chars()
            .map(|c| match c {
                '\t' => c,
                '\0'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or(c),
                '\u{7f}' => '\u{2421}',
                _ => c,
            })
            .collect();
        writeln!(f, "{num} | {shown}")?;
        // Tabs before the caret are kept as tabs so the caret lines up in a terminal.
        let lead: String = self
            .source_line
            .chars()
            .take(self.col.saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        write!(f, "{pad} | {lead}{}", "^".repeat(self.width.max(1)))?;
        if let Some(hint) = &self.hint {
            write!(f, "\n{pad} = help: {hint}")?;
        }
        Ok(())
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
