//! A reusable line buffer: read in blocks, hand out whole lines, keep the unread tail.

use std::io::{self, Read};

/// The default initial buffer size.
pub const DEFAULT_CAPACITY: usize = 64 * 1024;

/// One reusable `Vec<u8>` with read and fill cursors. Lines are found by the caller with memchr
/// in [`LineBuffer::unread`]; when no complete line is left, [`LineBuffer::fill`] moves the
/// partial line to the front (growing the buffer up to a cap when the line fills it) and reads.
#[derive(Debug)]
pub struct LineBuffer {
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    eof: bool,
    initial: usize,
}

/// What [`LineBuffer::fill`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Fill {
    /// More bytes are available.
    Read,
    /// The input ended; whatever is unread is the last line (without terminator).
    Eof,
    /// The unread partial line is `cap` bytes long and has no terminator yet: the caller must
    /// consume it as a piece of an over-long line before filling again.
    Full,
}

impl LineBuffer {
    /// A buffer that starts at `capacity` bytes (at least 1).
    pub fn new(capacity: usize) -> Self {
        let initial = capacity.max(1);
        LineBuffer { buf: vec![0; initial], pos: 0, end: 0, eof: false, initial }
    }

    /// Forgets the content (for the next document), shrinking back if a long line grew it.
    pub fn reset(&mut self) {
        self.pos = 0;
        self.end = 0;
        self.eof = false;
        if self.buf.len() > 4 * self.initial.max(DEFAULT_CAPACITY) {
            self.buf = vec![0; self.initial];
        }
    }

    /// The bytes read but not consumed yet.
    pub fn unread(&self) -> &[u8] {
        &self.buf[self.pos..self.end]
    }

    /// Marks `n` bytes of [`LineBuffer::unread`] as consumed.
    pub fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.end);
    }

    /// Reads more bytes. `cap` bounds the buffer: a partial line of `cap` bytes gives
    /// [`Fill::Full`] instead of growing further.
    ///
    /// # Errors
    /// Read errors (`Interrupted` is retried).
    pub fn fill<R: Read + ?Sized>(&mut self, reader: &mut R, cap: usize) -> io::Result<Fill> {
        if self.eof {
            return Ok(Fill::Eof);
        }
        let cap = cap.max(1);
        // Roll the unread tail to the front.
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.end == self.buf.len() {
            if self.end >= cap {
                return Ok(Fill::Full);
            }
            let grown = (self.buf.len() * 2).clamp(1, cap);
            self.buf.resize(grown, 0);
        }
        loop {
            match reader.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(Fill::Eof);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(Fill::Read);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }
}
