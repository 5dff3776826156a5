use std::io::{self, Write};

use super::{LineEvent, Sink};

/// Writes the cleaned document: every line the engine marks as written, byte for byte. (Counts
/// are kept by [`StatsSink`](super::StatsSink), which wraps it when they are wanted.)
pub struct CleanSink<W: Write> {
    out: W,
}

impl<W: Write> CleanSink<W> {
    /// Wraps a writer (buffer it: the sink writes line by line).
    pub fn new(out: W) -> Self {
        CleanSink { out }
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
        }
        Ok(())
    }
}
