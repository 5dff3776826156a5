use std::io::{self, Write};

use super::{LineEvent, Sink};

/// Writes the cleaned document: every line the engine marks as written, byte for byte.
pub struct CleanSink<W: Write> {
    out: W,
    lines_out: u64,
    bytes_out: u64,
}

impl<W: Write> CleanSink<W> {
    /// Wraps a writer (buffer it: the sink writes line by line).
    pub fn new(out: W) -> Self {
        CleanSink { out, lines_out: 0, bytes_out: 0 }
    }

    /// Lines written so far.
    pub fn lines_out(&self) -> u64 {
        self.lines_out
    }

    /// Bytes written so far.
    pub fn bytes_out(&self) -> u64 {
        self.bytes_out
    }

    /// The writer back.
    pub fn into_inner(self) -> W {
        self.out
    }

    /// The writer.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }
}

impl<W: Write> Sink for CleanSink<W> {
    fn line(&mut self, ev: &LineEvent<'_>) -> io::Result<()> {
        if ev.written {
            for _ in 0..ev.count {
                self.out.write_all(ev.bytes)?;
            }
            if !ev.continuation {
                self.lines_out += ev.count;
            }
            self.bytes_out += ev.bytes.len() as u64 * ev.count;
        }
        Ok(())
    }
}
