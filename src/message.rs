//! Messages as users describe them (nodemailer's fields), composed into the
//! bytes that go after DATA, and the SMTP envelope they imply.
//!
//! Bcc recipients go into the envelope, never into a header. Every header
//! value the user gives is checked for line breaks (a CR or LF would start a
//! new header); text that is not ASCII is encoded (RFC 2047 in headers, a
//! transfer encoding in the body), so a composed message is 7-bit clean and
//! no line exceeds 998 octets. A raw message is sent exactly as given.

use crate::address::{Address, Mailbox};
use crate::body::{Body, Segment};
use crate::date::rfc5322_date;
use crate::dkim::Dkim;
use crate::dsn::Dsn;
use crate::error::{Code, Error, Setting, Stage};
use crate::header::{check_name, check_value, encode_text, fold};
use crate::mime::{self, push_bytes, Attachment};

/// Who the message goes from and to at the SMTP level, and how.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Envelope {
    /// MAIL FROM; empty for the null sender `<>`.
    pub from: String,
    /// RCPT TO, in order, without duplicates.
    pub to: Vec<String>,
    /// Delivery status notification parameters (needs the DSN extension).
    pub dsn: Option<Dsn>,
    /// RFC 8689 REQUIRETLS: every hop must use TLS (needs TLS and the extension).
    pub require_tls: bool,
}

/// `priority`: X-Priority and Importance headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Priority {
    High,
    Normal,
    Low,
}

/// A message, as a user describes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Message {
    pub from: Option<Mailbox>,
    pub to: Vec<Address>,
    pub cc: Vec<Address>,
    pub bcc: Vec<Address>,
    pub reply_to: Vec<Address>,
    pub subject: Option<String>,
    pub text: Option<String>,
    pub html: Option<String>,
    pub attachments: Vec<Attachment>,
    /// Extra headers, in order. A name the composer also writes (Subject,
    /// Date, Message-ID, ...) replaces the composed one; the MIME structure
    /// headers cannot be replaced.
    pub headers: Vec<(String, String)>,
    /// `<id@domain>`; generated when absent.
    pub message_id: Option<String>,
    /// Unix time in milliseconds for the Date header; the send time when absent.
    pub date: Option<i64>,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub priority: Option<Priority>,
    /// Replaces the envelope derived from the address fields.
    pub envelope: Option<Envelope>,
    pub dsn: Option<Dsn>,
    pub require_tls: bool,
    /// A complete RFC 5322 message to send as it is, instead of composing one.
    pub raw: Option<Vec<u8>>,
    /// Signs the message (composed or raw) as it is sent.
    pub dkim: Option<Dkim>,
}

/// A composed message: its bytes (not yet dot-stuffed) and the Message-ID
/// it carries (empty for a raw message without one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Composed {
    pub message_id: String,
    pub envelope: Envelope,
    pub body: Body,
}

fn message_error(message: String) -> Error {
    Error::new(Code::Message, Stage::Data, message.clone()).because(format!("The message cannot be sent as given: {message}."))
}

/// Headers the MIME structure depends on.
const STRUCTURAL: [&str; 3] = ["content-type", "content-transfer-encoding", "mime-version"];

impl Message {
    /// The envelope: the explicit one, else from + to + cc + bcc
    /// (deduplicated), with the dsn and REQUIRETLS settings.
    pub fn envelope(&self) -> Result<Envelope, Error> {
        let mut envelope = match &self.envelope {
            Some(envelope) => envelope.clone(),
            None => {
                let from = self
                    .from
                    .as_ref()
                    .map(|m| m.address.clone())
                    .ok_or_else(|| Error::new(Code::Envelope, Stage::Mail, "no sender: set from").suspect(&[Setting::From]))?;
                let mut to: Vec<String> = Vec::new();
                for m in self.to.iter().chain(&self.cc).chain(&self.bcc).flat_map(Address::mailboxes) {
                    if !to.iter().any(|t| t.eq_ignore_ascii_case(&m.address)) {
                        to.push(m.address.clone());
                    }
                }
                Envelope { from, to, ..Envelope::default() }
            }
        };
        envelope.dsn = self.dsn.clone();
        envelope.require_tls = self.require_tls;
        Ok(envelope)
    }

    /// Writes the message. `now_ms` (Unix time in milliseconds) dates it
    /// unless `date` is set; `random` supplies bytes for the Message-ID and
    /// the MIME boundaries.
    pub fn compose(&self, now_ms: i64, random: &mut dyn FnMut(&mut [u8]) -> Result<(), Error>) -> Result<Composed, Error> {
        let mut composed = self.compose_unsigned(now_ms, random)?;
        if let Some(dkim) = &self.dkim {
            let time = self.date.unwrap_or(now_ms).div_euclid(1000);
            dkim.sign(&mut composed.body, time).map_err(message_error)?;
        }
        Ok(composed)
    }

    fn compose_unsigned(&self, now_ms: i64, random: &mut dyn FnMut(&mut [u8]) -> Result<(), Error>) -> Result<Composed, Error> {
        let envelope = self.envelope()?;
        if let Some(raw) = &self.raw {
            let message_id = raw_message_id(raw).unwrap_or_default();
            return Ok(Composed { message_id, envelope, body: Body::from_bytes(raw.clone()) });
        }
        let message_id = match &self.message_id {
            Some(id) => message_id_value("messageId", id)?,
            None => generate_message_id(self.from.as_ref().map(|m| m.address.as_str()).unwrap_or(""), random)?,
        };

        let mut headers: Vec<(String, String)> = Vec::new();
        headers.push(("Date".into(), rfc5322_date(self.date.unwrap_or(now_ms))));
        if let Some(from) = &self.from {
            headers.push(("From".into(), from.to_header()));
        }
        for (name, list) in [("To", &self.to), ("Cc", &self.cc), ("Reply-To", &self.reply_to)] {
            if !list.is_empty() {
                headers.push((name.into(), list.iter().map(Address::to_header).collect::<Vec<_>>().join(", ")));
            }
        }
        if let Some(subject) = &self.subject {
            check_value("Subject", subject).map_err(message_error)?;
            headers.push(("Subject".into(), encode_text(subject)));
        }
        headers.push(("Message-ID".into(), message_id.clone()));
        if let Some(id) = &self.in_reply_to {
            headers.push(("In-Reply-To".into(), message_id_value("inReplyTo", id)?));
        }
        if !self.references.is_empty() {
            let ids = self.references.iter().map(|r| message_id_value("references", r)).collect::<Result<Vec<_>, _>>()?;
            headers.push(("References".into(), ids.join(" ")));
        }
        match self.priority {
            Some(Priority::High) => {
                headers.push(("X-Priority".into(), "1 (Highest)".into()));
                headers.push(("X-MSMail-Priority".into(), "High".into()));
                headers.push(("Importance".into(), "High".into()));
            }
            Some(Priority::Low) => {
                headers.push(("X-Priority".into(), "5 (Lowest)".into()));
                headers.push(("X-MSMail-Priority".into(), "Low".into()));
                headers.push(("Importance".into(), "Low".into()));
            }
            Some(Priority::Normal) | None => {}
        }
        for (name, value) in &self.headers {
            check_name(name).map_err(message_error)?;
            check_value(name, value).map_err(message_error)?;
            let lower = name.to_ascii_lowercase();
            if lower == "bcc" {
                return Err(message_error("a Bcc header would reveal blind recipients; use the bcc field".into()));
            }
            if STRUCTURAL.contains(&lower.as_str()) {
                return Err(message_error(format!("the {name} header is set by the MIME structure; send a raw message to control it")));
            }
            let value = encode_text(value);
            match headers.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
                Some(existing) => existing.1 = value,
                None => headers.push((name.clone(), value)),
            }
        }

        let mut boundary = || {
            let mut bytes = [0u8; 12];
            random(&mut bytes).map_err(|e| e.message)?;
            Ok(format!("=_wasmtp_{}", hex(&bytes)))
        };
        let root = mime::build(self.text.as_deref(), self.html.as_deref(), &self.attachments, &mut boundary).map_err(message_error)?;
        if let Some(clash) = boundaries(&root).into_iter().find(|b| root.contains(b)) {
            return Err(message_error(format!("the text contains the MIME boundary {clash}; try again")));
        }
        headers.push(("MIME-Version".into(), "1.0".into()));
        headers.extend(root.headers().iter().cloned());

        let mut head = Vec::with_capacity(1024);
        for (name, value) in &headers {
            head.extend_from_slice(fold(name, value).map_err(message_error)?.as_bytes());
        }
        head.extend_from_slice(b"\r\n");
        let mut segments: Vec<Segment> = Vec::new();
        push_bytes(&mut segments, head);
        root.write_body(&mut segments).map_err(message_error)?;
        Ok(Composed { message_id, envelope, body: Body::from_segments(segments) })
    }
}

/// The boundaries a part tree uses (read back from its Content-Type).
fn boundaries(part: &mime::Part) -> Vec<String> {
    part.headers().iter().filter_map(|(_, v)| v.split_once("boundary=\"").map(|(_, b)| b.trim_end_matches('"').to_string())).collect()
}

/// A Message-ID as given, with angle brackets added when missing.
fn message_id_value(field: &str, id: &str) -> Result<String, Error> {
    let id = id.trim();
    let bare = id.trim_start_matches('<').trim_end_matches('>');
    if bare.is_empty() || bare.contains(|c: char| c.is_whitespace() || c.is_control() || c == '<' || c == '>') {
        return Err(message_error(format!("{field}: {id:?} is not a message id like <id@domain>")));
    }
    Ok(format!("<{bare}>"))
}

/// `<32 hex digits@domain of the sender>`.
fn generate_message_id(from: &str, random: &mut dyn FnMut(&mut [u8]) -> Result<(), Error>) -> Result<String, Error> {
    let mut bytes = [0u8; 16];
    random(&mut bytes)?;
    let domain = from.rsplit_once('@').map(|(_, d)| d).filter(|d| !d.is_empty()).unwrap_or("wasmtp.invalid");
    Ok(format!("<{}@{domain}>", hex(&bytes)))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The Message-ID header of a raw message, if it has one.
fn raw_message_id(raw: &[u8]) -> Option<String> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").or_else(|| raw.windows(2).position(|w| w == b"\n\n"))?;
    let head = String::from_utf8_lossy(&raw[..end]);
    head.lines()
        .find_map(|line| line.split_once(':').filter(|(n, _)| n.eq_ignore_ascii_case("message-id")).map(|(_, v)| v.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::parse_list;
    use crate::body::{BodyCursor, Read};
    use crate::mime::Content;

    fn sample() -> Message {
        Message {
            from: Some(Mailbox::new(Some("Ann"), "ann@example.org").unwrap()),
            to: parse_list("bob@example.org, Carl <carl@example.org>").unwrap(),
            cc: parse_list("dee@example.org").unwrap(),
            bcc: parse_list("secret@example.org, BOB@example.org").unwrap(),
            subject: Some("Grüße".into()),
            text: Some("line one\nline two\r\n".into()),
            ..Message::default()
        }
    }

    fn sevens(b: &mut [u8]) -> Result<(), Error> {
        b.fill(7);
        Ok(())
    }

    /// The composed message as written, every stream attachment empty.
    fn text_of(m: &Message) -> String {
        let body = m.compose(0, &mut sevens).unwrap().body;
        let mut out = Vec::new();
        let mut cursor = BodyCursor::new();
        loop {
            match cursor.read(&body, 1 << 20, &mut out) {
                Read::Wrote => {}
                Read::NeedStream(_) => cursor.end_stream(),
                Read::Done => break,
            }
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn envelope_has_bcc_but_headers_do_not() {
        let composed = sample().compose(0, &mut sevens).unwrap();
        assert_eq!(composed.envelope.from, "ann@example.org");
        assert_eq!(composed.envelope.to, ["bob@example.org", "carl@example.org", "dee@example.org", "secret@example.org"]);
        let text = text_of(&sample());
        assert!(!text.to_lowercase().contains("secret@"));
        assert!(text.starts_with("Date: Thu, 01 Jan 1970 00:00:00 +0000\r\nFrom: Ann <ann@example.org>\r\n"));
        assert!(text.contains("Subject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n"));
        assert!(text.contains("Message-ID: <07070707070707070707070707070707@example.org>\r\n"));
        assert!(text.contains("Content-Transfer-Encoding: 7bit\r\n"));
        assert!(text.ends_with("\r\n\r\nline one\r\nline two\r\n"));
    }

    #[test]
    fn non_ascii_body_is_quoted_printable() {
        let mut m = sample();
        m.text = Some("café\n".into());
        let text = text_of(&m);
        assert!(text.contains("Content-Transfer-Encoding: quoted-printable\r\n"));
        assert!(text.ends_with("caf=C3=A9\r\n"));
    }

    #[test]
    fn header_injection_is_refused() {
        for (name, value) in [("Subject", "hi\r\nBcc: evil@x.org"), ("X-Tag", "a\nb"), ("X Tag", "a"), ("Content-Type", "text/html")] {
            let mut m = sample();
            m.headers = vec![(name.into(), value.into())];
            assert_eq!(m.compose(0, &mut sevens).unwrap_err().code, Code::Message, "{name}");
        }
        let mut m = sample();
        m.subject = Some("hi\r\nBcc: evil@x.org".into());
        assert!(m.compose(0, &mut sevens).is_err());
        let mut m = sample();
        m.in_reply_to = Some("<a@b>\r\nX: y".into());
        assert!(m.compose(0, &mut sevens).is_err());
    }

    #[test]
    fn custom_headers_replace_composed_ones() {
        let mut m = sample();
        m.headers = vec![("subject".into(), "Plain".into()), ("X-Mailer".into(), "test".into())];
        let text = text_of(&m);
        assert!(text.contains("Subject: Plain\r\n"));
        assert!(!text.contains("Grüße") && !text.contains("R3LDvMOfZQ"));
        assert!(text.contains("X-Mailer: test\r\n"));
    }

    #[test]
    fn structure_follows_content() {
        let mut m = sample();
        m.html = Some("<p>hi <img src=\"cid:logo\"></p>".into());
        m.attachments = vec![
            Attachment {
                filename: Some("logo.png".into()),
                content_type: None,
                content: Content::Bytes(vec![1, 2, 3]),
                cid: Some("logo".into()),
                disposition: None,
            },
            Attachment {
                filename: Some("Bericht für 2026.pdf".into()),
                content_type: None,
                content: Content::Stream { slot: 0, size: None },
                cid: None,
                disposition: None,
            },
        ];
        assert_eq!(m.compose(0, &mut sevens).unwrap().body.streams(), 1);
        let head = text_of(&m);
        let mixed = head.find("multipart/mixed").unwrap();
        let alternative = head.find("multipart/alternative").unwrap();
        let related = head.find("multipart/related").unwrap();
        assert!(mixed < alternative && alternative < related, "{head}");
        assert!(head.contains("Content-ID: <logo>"));
        assert!(head.contains("Content-Type: image/png; name=\"logo.png\""));
        assert!(head.contains("Content-Disposition: inline"));
        assert!(head.contains("application/pdf; name*=utf-8''Bericht%20f%C3%BCr%202026.pdf"));
    }

    #[test]
    fn dates_ids_priority_and_threading() {
        let mut m = sample();
        m.date = Some(1_767_225_600_000);
        m.message_id = Some("abc@x.org".into());
        m.in_reply_to = Some("<p@x.org>".into());
        m.references = vec!["<a@x.org>".into(), "b@x.org".into()];
        m.priority = Some(Priority::High);
        let text = text_of(&m);
        assert!(text.contains("Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n"));
        assert!(text.contains("Message-ID: <abc@x.org>\r\nIn-Reply-To: <p@x.org>\r\nReferences: <a@x.org> <b@x.org>\r\n"));
        assert!(text.contains("X-Priority: 1 (Highest)\r\n") && text.contains("Importance: High\r\n"));
    }

    #[test]
    fn raw_messages_go_as_given() {
        let raw = b"From: a@x.org\nMessage-ID: <r@x.org>\n\nbody\n".to_vec();
        let m = Message {
            raw: Some(raw.clone()),
            envelope: Some(Envelope { from: "a@x.org".into(), to: vec!["b@y.org".into()], ..Envelope::default() }),
            ..Message::default()
        };
        let composed = m.compose(0, &mut sevens).unwrap();
        assert_eq!(composed.message_id, "<r@x.org>");
        assert_eq!(composed.body, Body::from_bytes(raw));
    }
}
