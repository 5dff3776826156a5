use std::io;

use super::{LineEvent, Sink};
use crate::engine::Decision;

/// One recorded line: number, decision, whether it was written, its bytes.
pub type Recorded = (u64, Decision, bool, Vec<u8>);

/// Records every event (ordered), for tests and for tools that inspect decisions.
#[derive(Debug, Default)]
pub struct RecordSink {
    /// The events so far, one entry per input line (runs of blank lines are expanded).
    pub lines: Vec<Recorded>,
}

impl Sink for RecordSink {
    fn ordered(&self) -> bool {
        true
    }

    fn line(&mut self, ev: &LineEvent<'_>) -> io::Result<()> {
        if ev.continuation {
            // Later pieces of one over-long line extend its entry.
            if let Some(last) = self.lines.last_mut() {
                last.3.extend_from_slice(ev.bytes);
                return Ok(());
            }
        }
        for k in 0..ev.count {
            self.lines.push((ev.line_no + k, ev.decision, ev.written, ev.bytes.to_vec()));
        }
        Ok(())
    }
}

impl RecordSink {
    /// The bytes the cleaner writes: the written lines, concatenated.
    pub fn written(&self) -> Vec<u8> {
        self.lines.iter().filter(|l| l.2).flat_map(|l| l.3.iter().copied()).collect()
    }
}
