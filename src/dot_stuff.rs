//! The DATA body encoder (RFC 5321 §4.5.2): normalises every line end to
//! CRLF (bare CR and bare LF included), doubles a "." that starts a line, and
//! ends with exactly one CRLF "." CRLF. It works on chunks, keeping only two
//! bits of state between them, so a body is never held twice.

#[derive(Debug)]
pub struct DotStuffer {
    at_line_start: bool,
    pending_cr: bool,
    /// False for BDAT: line ends only, no dots, no terminating ".".
    dots: bool,
}

impl DotStuffer {
    /// For DATA.
    pub fn new() -> DotStuffer {
        DotStuffer { at_line_start: true, pending_cr: false, dots: true }
    }

    /// For BDAT: only normalises line ends (and ends with a CRLF).
    pub fn line_ends_only() -> DotStuffer {
        DotStuffer { dots: false, ..DotStuffer::new() }
    }

    /// Encodes one chunk of the body, appending to `out`. Runs of plain
    /// bytes are copied whole; only line ends and leading dots are looked at.
    pub fn encode(&mut self, input: &[u8], out: &mut Vec<u8>) {
        out.reserve(input.len() + input.len() / 32 + 4);
        let mut rest = input;
        while let Some(&first) = rest.first() {
            if self.pending_cr {
                self.pending_cr = false;
                out.extend_from_slice(b"\r\n");
                self.at_line_start = true;
                if first == b'\n' {
                    rest = &rest[1..];
                    continue;
                }
            }
            match first {
                b'\r' => {
                    self.pending_cr = true;
                    rest = &rest[1..];
                }
                b'\n' => {
                    out.extend_from_slice(b"\r\n");
                    self.at_line_start = true;
                    rest = &rest[1..];
                }
                _ => {
                    let run = rest.iter().position(|&b| b == b'\r' || b == b'\n').unwrap_or(rest.len());
                    if self.dots && self.at_line_start && first == b'.' {
                        out.push(b'.');
                    }
                    out.extend_from_slice(&rest[..run]);
                    self.at_line_start = false;
                    rest = &rest[run..];
                }
            }
        }
    }

    /// Ends the body: a final CRLF when the last line lacks one, then ".\r\n".
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if self.pending_cr || !self.at_line_start {
            out.extend_from_slice(b"\r\n");
        }
        self.pending_cr = false;
        self.at_line_start = true;
        if self.dots {
            out.extend_from_slice(b".\r\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stuff(chunks: &[&[u8]]) -> Vec<u8> {
        let mut s = DotStuffer::new();
        let mut out = Vec::new();
        for c in chunks {
            s.encode(c, &mut out);
        }
        s.finish(&mut out);
        out
    }

    #[test]
    fn normalises_and_stuffs() {
        assert_eq!(stuff(&[b""]), b".\r\n");
        assert_eq!(stuff(&[b"a"]), b"a\r\n.\r\n");
        assert_eq!(stuff(&[b"a\r\n"]), b"a\r\n.\r\n");
        assert_eq!(stuff(&[b".\n..x\r.y\r\n"]), b"..\r\n...x\r\n..y\r\n.\r\n");
        assert_eq!(stuff(&[b"a\r", b"\nb\r"]), b"a\r\nb\r\n.\r\n");
        assert_eq!(stuff(&[b"a\r", b".b"]), b"a\r\n..b\r\n.\r\n");
        assert_eq!(stuff(&[b"x\n", b".", b"\n"]), b"x\r\n..\r\n.\r\n");
    }

    /// The rule written out plainly: split into lines at CRLF, CR or LF,
    /// double a leading dot, end every line with CRLF, then ".".
    fn reference(input: &[u8]) -> Vec<u8> {
        let text = input.iter().map(|&b| b as char).collect::<String>().replace("\r\n", "\n").replace('\r', "\n");
        let mut out = Vec::new();
        let body = text.strip_suffix('\n').unwrap_or(&text);
        if !text.is_empty() {
            for line in body.split('\n') {
                if line.starts_with('.') {
                    out.push(b'.');
                }
                out.extend(line.chars().map(|c| c as u8));
                out.extend_from_slice(b"\r\n");
            }
        }
        out.extend_from_slice(b".\r\n");
        out
    }

    proptest::proptest! {
        #[test]
        fn matches_the_plain_rule_however_chunked(
            input in proptest::collection::vec(proptest::sample::select(b"a.\r\n \xff".to_vec()), 0..200),
            cuts in proptest::collection::vec(0usize..200, 0..8),
        ) {
            let mut points: Vec<usize> = cuts.into_iter().map(|c| c.min(input.len())).collect();
            points.sort_unstable();
            let mut chunks = Vec::new();
            let mut start = 0;
            for p in points.into_iter().chain([input.len()]) {
                chunks.push(&input[start..p]);
                start = p;
            }
            proptest::prop_assert_eq!(stuff(&chunks), reference(&input));
        }
    }
}
