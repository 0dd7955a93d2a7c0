//! SMTP replies (RFC 5321 §4.2) and an incremental parser for them.
//!
//! The parser takes bytes as they arrive, accepts CRLF or bare LF line ends,
//! joins multi-line replies (`250-...` continuations), and reads the enhanced
//! status code (RFC 2034/3463) at the start of the text when present. A
//! malformed line, a continuation with another code, or a line longer than
//! [`MAX_LINE`] is an error at once, never a wait for more data.

use std::fmt;

/// The longest reply line accepted: RFC 5321 allows 512 octets; this leaves
/// generous slack for servers that exceed it.
pub const MAX_LINE: usize = 4096;

/// The most lines one reply may have (a server sending endless continuations
/// is hostile).
pub const MAX_LINES: usize = 256;

/// An enhanced status code such as `5.7.8`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnhancedCode {
    pub class: u8,
    pub subject: u16,
    pub detail: u16,
}

impl fmt::Display for EnhancedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// One complete reply: a three-digit code and one or more lines of text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    code: u16,
    enhanced: Option<EnhancedCode>,
    lines: Vec<String>,
}

impl Reply {
    /// Builds a reply (useful for tests and mock servers).
    pub fn new(code: u16, lines: Vec<String>) -> Reply {
        let enhanced = lines.first().and_then(|l| parse_enhanced(l, code));
        Reply { code, enhanced, lines }
    }

    pub fn code(&self) -> u16 {
        self.code
    }

    pub fn enhanced_code(&self) -> Option<EnhancedCode> {
        self.enhanced
    }

    /// The text lines, without the code.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// The text, lines joined with `\n`.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    /// `code text` of the first line, for messages.
    pub fn summary(&self) -> String {
        match self.lines.first() {
            Some(l) if !l.is_empty() => format!("{} {}", self.code, l),
            _ => self.code.to_string(),
        }
    }

    /// 2xx.
    pub fn is_positive(&self) -> bool {
        (200..300).contains(&self.code)
    }

    /// 3xx.
    pub fn is_intermediate(&self) -> bool {
        (300..400).contains(&self.code)
    }

    /// 4xx.
    pub fn is_transient(&self) -> bool {
        (400..500).contains(&self.code)
    }

    /// True when the reply's enhanced code equals `class.subject.detail`.
    pub fn has_enhanced(&self, class: u8, subject: u16, detail: u16) -> bool {
        self.enhanced == Some(EnhancedCode { class, subject, detail })
    }
}

/// A reply line the parser could not accept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MalformedReply(pub String);

/// Incremental reply parser: feed bytes, take complete replies.
#[derive(Default)]
pub struct ReplyParser {
    buffer: Vec<u8>,
    /// Lines of a multi-line reply read so far: code and text.
    partial: Vec<(u16, String)>,
}

impl ReplyParser {
    pub fn new() -> ReplyParser {
        ReplyParser::default()
    }

    /// Appends received bytes.
    pub fn feed(&mut self, data: &[u8]) {
        self.buffer.extend_from_slice(data);
    }

    /// True when bytes are buffered that do not yet form a complete reply
    /// (or form replies not yet taken).
    pub fn has_buffered(&self) -> bool {
        !self.buffer.is_empty() || !self.partial.is_empty()
    }

    /// The next complete reply, `Ok(None)` when more bytes are needed.
    pub fn next_reply(&mut self) -> Result<Option<Reply>, MalformedReply> {
        loop {
            let Some(end) = self.buffer.iter().position(|&b| b == b'\n') else {
                if self.buffer.len() > MAX_LINE {
                    return Err(MalformedReply(format!("reply line longer than {MAX_LINE} octets")));
                }
                return Ok(None);
            };
            if end > MAX_LINE {
                return Err(MalformedReply(format!("reply line longer than {MAX_LINE} octets")));
            }
            let mut line: Vec<u8> = self.buffer.drain(..=end).collect();
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            let (code, last, text) = parse_line(&line)?;
            if let Some((first_code, _)) = self.partial.first() {
                if *first_code != code {
                    return Err(MalformedReply(format!("continuation line has code {code}, reply started with {first_code}")));
                }
            }
            self.partial.push((code, text));
            if self.partial.len() > MAX_LINES {
                return Err(MalformedReply(format!("reply longer than {MAX_LINES} lines")));
            }
            if last {
                let lines = self.partial.drain(..).map(|(_, t)| t).collect();
                return Ok(Some(Reply::new(code, lines)));
            }
        }
    }
}

/// Parses `ddd[ -]text`; returns the code, whether this is the last line, and the text.
fn parse_line(line: &[u8]) -> Result<(u16, bool, String), MalformedReply> {
    let shown = || String::from_utf8_lossy(&line[..line.len().min(80)]).into_owned();
    if line.len() < 3 || !line[..3].iter().all(u8::is_ascii_digit) {
        return Err(MalformedReply(format!("not an SMTP reply line: {:?}", shown())));
    }
    let code = u16::from(line[0] - b'0') * 100 + u16::from(line[1] - b'0') * 10 + u16::from(line[2] - b'0');
    if !(200..=599).contains(&code) {
        return Err(MalformedReply(format!("reply code {code} out of range: {:?}", shown())));
    }
    let (last, text) = match line.get(3) {
        None => (true, &line[3..]),
        Some(b' ') => (true, &line[4..]),
        Some(b'-') => (false, &line[4..]),
        Some(_) => return Err(MalformedReply(format!("not an SMTP reply line: {:?}", shown()))),
    };
    Ok((code, last, String::from_utf8_lossy(text).into_owned()))
}

/// Reads `class.subject.detail` at the start of `text` (RFC 3463), only when
/// its class matches the reply code's first digit.
fn parse_enhanced(text: &str, code: u16) -> Option<EnhancedCode> {
    let token = text.split(' ').next()?;
    let mut parts = token.split('.');
    let class: u8 = parts.next()?.parse().ok()?;
    let subject_s = parts.next()?;
    let detail_s = parts.next()?;
    if parts.next().is_some() || subject_s.is_empty() || subject_s.len() > 3 || detail_s.is_empty() || detail_s.len() > 3 {
        return None;
    }
    let subject: u16 = subject_s.parse().ok()?;
    let detail: u16 = detail_s.parse().ok()?;
    (u16::from(class) == code / 100).then_some(EnhancedCode { class, subject, detail })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(input: &[u8]) -> Result<Vec<Reply>, MalformedReply> {
        let mut p = ReplyParser::new();
        p.feed(input);
        let mut out = Vec::new();
        while let Some(r) = p.next_reply()? {
            out.push(r);
        }
        Ok(out)
    }

    #[test]
    fn multi_line_with_enhanced_code() {
        let r = parse_all(b"250-mail.example\r\n250-PIPELINING\r\n250 2.0.0 OK\r\n").unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].code(), 250);
        assert_eq!(r[0].lines(), ["mail.example", "PIPELINING", "2.0.0 OK"]);
        // The enhanced code is read from the first line only.
        assert_eq!(r[0].enhanced_code(), None);
        let r = parse_all(b"535 5.7.8 Error: authentication failed\n").unwrap();
        assert_eq!(r[0].enhanced_code().unwrap().to_string(), "5.7.8");
    }

    #[test]
    fn bare_lf_code_only_and_split_feeds() {
        let mut p = ReplyParser::new();
        for b in b"220 hi\n250\r\n" {
            p.feed(&[*b]);
        }
        assert_eq!(p.next_reply().unwrap().unwrap().summary(), "220 hi");
        assert_eq!(p.next_reply().unwrap().unwrap().summary(), "250");
        assert!(p.next_reply().unwrap().is_none());
    }

    #[test]
    fn malformed_lines_are_errors() {
        assert!(parse_all(b"hello\r\n").is_err());
        assert!(parse_all(b"25\r\n").is_err());
        assert!(parse_all(b"250x\r\n").is_err());
        assert!(parse_all(b"199 no\r\n").is_err());
        assert!(parse_all(b"250-a\r\n251 b\r\n").is_err());
        let mut long = b"250 ".to_vec();
        long.extend(std::iter::repeat(b'a').take(MAX_LINE + 10));
        // Reported without waiting for the end of the line.
        assert!(parse_all(&long).is_err());
    }

    #[test]
    fn enhanced_code_must_match_class() {
        assert_eq!(Reply::new(250, vec!["5.7.8 no".into()]).enhanced_code(), None);
        assert_eq!(Reply::new(550, vec!["5.1.1".into()]).enhanced_code().unwrap().to_string(), "5.1.1");
        assert_eq!(Reply::new(550, vec!["5.1234.1 x".into()]).enhanced_code(), None);
    }
}
