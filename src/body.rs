//! A message body as the session writes it: a list of segments, some held
//! in memory, some supplied by the driver while the message is written (a
//! stream attachment), with base64 applied on the way out. Nothing is
//! encoded ahead of time, so an attachment is never held twice and a
//! streamed one is never held whole.

use std::collections::VecDeque;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// Raw bytes per base64 line: 57 bytes make 76 characters (RFC 2045).
const LINE_BYTES: usize = 57;

/// How a segment's bytes become message bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transfer {
    /// Written as they are.
    AsIs,
    /// Base64 in lines of 76 characters, each ended by CRLF.
    Base64,
}

/// One piece of a body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// Bytes in memory.
    Bytes { data: Vec<u8>, transfer: Transfer },
    /// Bytes the driver supplies while the message is written
    /// ([`crate::Client::supply`]), always base64-encoded; `slot` numbers
    /// the message's streams from 0. `size`, when the driver knows it
    /// (a file), makes the message's size known for SIZE and progress.
    Stream { slot: usize, size: Option<u64> },
}

/// What the body is made of, as far as the SMTP extensions care.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BodyKind {
    /// Bytes above 127 (needs 8BITMIME).
    pub eight_bit: bool,
    /// NUL or a line over 998 octets (needs BINARYMIME and BDAT).
    pub binary: bool,
}

/// A whole message: header block and body, as segments.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Body {
    segments: Vec<Segment>,
}

impl Body {
    /// A body of bytes written as they are (a composed or raw message).
    pub fn from_bytes(data: Vec<u8>) -> Body {
        Body { segments: vec![Segment::Bytes { data, transfer: Transfer::AsIs }] }
    }

    pub fn from_segments(segments: Vec<Segment>) -> Body {
        Body { segments }
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Puts `bytes` (e.g. a DKIM-Signature header) before everything else.
    pub fn prepend(&mut self, bytes: Vec<u8>) {
        self.segments.insert(0, Segment::Bytes { data: bytes, transfer: Transfer::AsIs });
    }

    /// The size on the wire before dot-stuffing, when no stream makes it unknown.
    pub fn size(&self) -> Option<u64> {
        self.segments.iter().try_fold(0u64, |sum, segment| match segment {
            Segment::Bytes { data, transfer: Transfer::AsIs } => Some(sum + data.len() as u64),
            Segment::Bytes { data, transfer: Transfer::Base64 } => Some(sum + base64_size(data.len() as u64)),
            Segment::Stream { size, .. } => size.map(|n| sum + base64_size(n)),
        })
    }

    /// How many stream slots the body has.
    pub fn streams(&self) -> usize {
        self.segments.iter().filter(|s| matches!(s, Segment::Stream { .. })).count()
    }

    /// Scans the bytes written as they are (base64 output is 7-bit).
    pub fn kind(&self) -> BodyKind {
        let mut kind = BodyKind::default();
        let mut line = 0usize;
        for segment in &self.segments {
            match segment {
                Segment::Bytes { data, transfer: Transfer::AsIs } => {
                    for &b in data {
                        match b {
                            b'\r' | b'\n' => line = 0,
                            0 => kind.binary = true,
                            _ => {
                                line += 1;
                                kind.binary |= line > 998;
                                kind.eight_bit |= b >= 0x80;
                            }
                        }
                    }
                }
                _ => line = 0,
            }
        }
        kind
    }
}

/// The encoded size of `n` bytes in base64 lines.
pub fn base64_size(n: u64) -> u64 {
    let chars = n.div_ceil(3) * 4;
    chars + 2 * chars.div_ceil(76)
}

/// Base64 in 76-character lines over input that arrives in pieces.
#[derive(Debug, Default)]
pub struct Base64Lines {
    carry: Vec<u8>,
}

impl Base64Lines {
    /// Encodes every whole line's worth of `input` (plus what was carried).
    pub fn encode(&mut self, mut input: &[u8], out: &mut Vec<u8>) {
        if !self.carry.is_empty() {
            let take = (LINE_BYTES - self.carry.len()).min(input.len());
            self.carry.extend_from_slice(&input[..take]);
            input = &input[take..];
            if self.carry.len() < LINE_BYTES {
                return;
            }
            encode_line(&self.carry, out);
            self.carry.clear();
        }
        let mut lines = input.chunks_exact(LINE_BYTES);
        for line in &mut lines {
            encode_line(line, out);
        }
        self.carry.extend_from_slice(lines.remainder());
    }

    /// Encodes what is left (the last, short line).
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if !self.carry.is_empty() {
            encode_line(&self.carry, out);
            self.carry.clear();
        }
    }
}

fn encode_line(bytes: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + bytes.len().div_ceil(3) * 4, 0);
    let written = STANDARD.encode_slice(bytes, &mut out[start..]).unwrap_or(0);
    out.truncate(start + written);
    out.extend_from_slice(b"\r\n");
}

/// What [`BodyCursor::read`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Read {
    /// Some bytes were appended.
    Wrote,
    /// Waiting for the driver to supply the stream in this slot.
    NeedStream(usize),
    /// The whole body has been read.
    Done,
}

/// Walks a [`Body`], producing its bytes a chunk at a time.
#[derive(Debug, Default)]
pub struct BodyCursor {
    segment: usize,
    offset: usize,
    base64: Base64Lines,
    supplied: VecDeque<Vec<u8>>,
    stream_ended: bool,
    /// Raw bytes of the current stream taken so far (for progress).
    pub produced: u64,
}

impl BodyCursor {
    pub fn new() -> BodyCursor {
        BodyCursor::default()
    }

    /// The slot the cursor is reading now, if it is a stream.
    pub fn current_stream(&self, body: &Body) -> Option<usize> {
        match body.segments.get(self.segment) {
            Some(Segment::Stream { slot, .. }) => Some(*slot),
            _ => None,
        }
    }

    /// Takes a chunk of the stream in the current slot.
    pub fn supply(&mut self, chunk: Vec<u8>) {
        if !chunk.is_empty() {
            self.supplied.push_back(chunk);
        }
    }

    /// The stream in the current slot has ended.
    pub fn end_stream(&mut self) {
        self.stream_ended = true;
    }

    /// True when the current stream has nothing buffered and has not ended.
    pub fn starved(&self) -> bool {
        self.supplied.is_empty() && !self.stream_ended
    }

    /// Appends about `max` bytes (base64 lines are never cut) of the body.
    pub fn read(&mut self, body: &Body, max: usize, out: &mut Vec<u8>) -> Read {
        let start = out.len();
        loop {
            if out.len() - start >= max {
                return Read::Wrote;
            }
            let Some(segment) = body.segments.get(self.segment) else {
                return if out.len() > start { Read::Wrote } else { Read::Done };
            };
            let room = max - (out.len() - start);
            match segment {
                Segment::Bytes { data, transfer } => {
                    let raw_room = match transfer {
                        Transfer::AsIs => room,
                        Transfer::Base64 => (room / 78 * LINE_BYTES).max(LINE_BYTES),
                    };
                    let end = (self.offset + raw_room).min(data.len());
                    match transfer {
                        Transfer::AsIs => out.extend_from_slice(&data[self.offset..end]),
                        Transfer::Base64 => self.base64.encode(&data[self.offset..end], out),
                    }
                    self.offset = end;
                    if end == data.len() {
                        self.base64.finish(out);
                        self.next_segment();
                    }
                }
                Segment::Stream { slot, .. } => match self.supplied.pop_front() {
                    Some(chunk) => {
                        self.produced += chunk.len() as u64;
                        self.base64.encode(&chunk, out);
                    }
                    None if self.stream_ended => {
                        self.base64.finish(out);
                        self.next_segment();
                    }
                    None => {
                        return if out.len() > start { Read::Wrote } else { Read::NeedStream(*slot) };
                    }
                },
            }
        }
    }

    fn next_segment(&mut self) {
        self.segment += 1;
        self.offset = 0;
        self.stream_ended = false;
        self.supplied.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(body: &Body, max: usize) -> Vec<u8> {
        let mut cursor = BodyCursor::new();
        let mut out = Vec::new();
        while cursor.read(body, max, &mut out) == Read::Wrote {}
        out
    }

    #[test]
    fn base64_lines_match_one_shot_encoding_however_split() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
        let expected: String = data.chunks(LINE_BYTES).map(|c| STANDARD.encode(c) + "\r\n").collect();
        for piece in [1, 2, 56, 57, 58, 500, 1000] {
            let mut enc = Base64Lines::default();
            let mut out = Vec::new();
            for chunk in data.chunks(piece) {
                enc.encode(chunk, &mut out);
            }
            enc.finish(&mut out);
            assert_eq!(String::from_utf8(out).unwrap(), expected, "pieces of {piece}");
        }
        assert_eq!(base64_size(data.len() as u64), expected.len() as u64);
    }

    #[test]
    fn cursor_reads_segments_and_waits_for_streams() {
        let body = Body::from_segments(vec![
            Segment::Bytes { data: b"head\r\n".to_vec(), transfer: Transfer::AsIs },
            Segment::Bytes { data: vec![0xff; 100], transfer: Transfer::Base64 },
            Segment::Stream { slot: 0, size: None },
            Segment::Bytes { data: b"tail\r\n".to_vec(), transfer: Transfer::AsIs },
        ]);
        assert_eq!(body.size(), None);
        assert_eq!(body.streams(), 1);
        let mut cursor = BodyCursor::new();
        let mut out = Vec::new();
        assert_eq!(cursor.read(&body, 1 << 20, &mut out), Read::Wrote);
        assert_eq!(cursor.read(&body, 1 << 20, &mut out), Read::NeedStream(0));
        cursor.supply(b"abc".to_vec());
        // Three bytes are less than a base64 line: carried, nothing written yet.
        assert_eq!(cursor.read(&body, 1 << 20, &mut out), Read::NeedStream(0));
        cursor.end_stream();
        assert_eq!(cursor.read(&body, 1 << 20, &mut out), Read::Wrote);
        assert_eq!(cursor.read(&body, 1 << 20, &mut out), Read::Done);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, format!("head\r\n{}\r\n{}\r\nYWJj\r\ntail\r\n", STANDARD.encode([0xff; 57]), STANDARD.encode([0xff; 43])));
    }

    #[test]
    fn sizes_and_kinds() {
        let body = Body::from_segments(vec![
            Segment::Bytes { data: b"caf\xc3\xa9\r\n".to_vec(), transfer: Transfer::AsIs },
            Segment::Bytes { data: vec![0; 10], transfer: Transfer::Base64 },
        ]);
        assert_eq!(body.size(), Some(read_all(&body, 7).len() as u64));
        assert_eq!(body.kind(), BodyKind { eight_bit: true, binary: false });
        assert!(Body::from_bytes(vec![b'a'; 999]).kind().binary);
        assert!(Body::from_bytes(b"a\0b".to_vec()).kind().binary);
        assert!(!Body::from_bytes(vec![b'a'; 998]).kind().binary);
    }
}
