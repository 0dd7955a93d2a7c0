//! Plain-text messages: the headers and body a user's fields become, and the
//! SMTP envelope they imply. (Full MIME, attachments and HTML build on this.)
//!
//! Bcc recipients go into the envelope, never into a header. Every header
//! value the user gives is checked for line breaks; text that is not ASCII is
//! encoded (RFC 2047 in headers, quoted-printable in the body), so the
//! message is 7-bit clean and no line exceeds 998 octets.

use crate::address::Mailbox;
use crate::date::rfc5322_date;
use crate::error::{Code, Error, Setting, Stage};
use crate::header::{check_name, check_value, encode_text, fold};

/// Who the message goes from and to at the SMTP level.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// MAIL FROM; empty for the null sender `<>`.
    pub from: String,
    /// RCPT TO, in order, without duplicates.
    pub to: Vec<String>,
}

/// A plain-text message, as a user describes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Message {
    pub from: Option<Mailbox>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub bcc: Vec<Mailbox>,
    pub reply_to: Vec<Mailbox>,
    pub subject: Option<String>,
    pub text: Option<String>,
    /// Extra headers, in order. A name the composer also writes (Subject,
    /// Date, Message-ID, ...) replaces the composed one.
    pub headers: Vec<(String, String)>,
    /// `<id@domain>`; generated when absent.
    pub message_id: Option<String>,
    /// Replaces the envelope derived from the address fields.
    pub envelope: Option<Envelope>,
}

/// A composed message: its bytes (LF or CRLF line ends, not dot-stuffed) and
/// the Message-ID it carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Composed {
    pub message_id: String,
    pub envelope: Envelope,
    pub bytes: Vec<u8>,
}

fn message_error(message: String) -> Error {
    Error::new(Code::Message, Stage::Data, message.clone()).because(format!("The message cannot be sent as given: {message}."))
}

impl Message {
    /// The envelope: the explicit one, else from + to + cc + bcc (deduplicated).
    pub fn envelope(&self) -> Result<Envelope, Error> {
        if let Some(envelope) = &self.envelope {
            return Ok(envelope.clone());
        }
        let from = self
            .from
            .as_ref()
            .map(|m| m.address.clone())
            .ok_or_else(|| Error::new(Code::Envelope, Stage::Mail, "no sender: set from").suspect(&[Setting::From]))?;
        let mut to: Vec<String> = Vec::new();
        for m in self.to.iter().chain(&self.cc).chain(&self.bcc) {
            if !to.iter().any(|t| t.eq_ignore_ascii_case(&m.address)) {
                to.push(m.address.clone());
            }
        }
        Ok(Envelope { from, to })
    }

    /// Writes the message. `now_ms` (Unix time in milliseconds) dates it;
    /// `random` supplies the bytes of a generated Message-ID.
    pub fn compose(&self, now_ms: i64, random: &mut dyn FnMut(&mut [u8]) -> Result<(), Error>) -> Result<Composed, Error> {
        let envelope = self.envelope()?;
        let message_id = match &self.message_id {
            Some(id) => {
                check_value("Message-ID", id).map_err(message_error)?;
                id.clone()
            }
            None => generate_message_id(self.from.as_ref().map(|m| m.address.as_str()).unwrap_or(""), random)?,
        };
        let text = normalise_line_ends(self.text.as_deref().unwrap_or(""));
        let seven_bit = text.is_ascii() && text.split("\r\n").all(|line| line.len() <= 998);

        let mut headers: Vec<(String, String)> = Vec::new();
        headers.push(("Date".into(), rfc5322_date(now_ms)));
        if let Some(from) = &self.from {
            headers.push(("From".into(), from.to_header()));
        }
        for (name, list) in [("To", &self.to), ("Cc", &self.cc), ("Reply-To", &self.reply_to)] {
            if !list.is_empty() {
                headers.push((name.into(), list.iter().map(Mailbox::to_header).collect::<Vec<_>>().join(", ")));
            }
        }
        if let Some(subject) = &self.subject {
            check_value("Subject", subject).map_err(message_error)?;
            headers.push(("Subject".into(), encode_text(subject)));
        }
        headers.push(("Message-ID".into(), message_id.clone()));
        headers.push(("MIME-Version".into(), "1.0".into()));
        headers.push(("Content-Type".into(), "text/plain; charset=utf-8".into()));
        let encoding = if seven_bit { "7bit" } else { "quoted-printable" };
        headers.push(("Content-Transfer-Encoding".into(), encoding.into()));

        for (name, value) in &self.headers {
            check_name(name).map_err(message_error)?;
            check_value(name, value).map_err(message_error)?;
            if name.eq_ignore_ascii_case("bcc") {
                return Err(message_error("a Bcc header would reveal blind recipients; use the bcc field".into()));
            }
            let value = encode_text(value);
            match headers.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
                Some(existing) => existing.1 = value,
                None => headers.push((name.clone(), value)),
            }
        }

        let mut bytes = Vec::with_capacity(text.len() + 1024);
        for (name, value) in &headers {
            bytes.extend_from_slice(fold(name, value).map_err(message_error)?.as_bytes());
        }
        bytes.extend_from_slice(b"\r\n");
        if seven_bit {
            bytes.extend_from_slice(text.as_bytes());
        } else {
            bytes.extend_from_slice(&quoted_printable::encode(text.as_bytes()));
        }
        Ok(Composed { message_id, envelope, bytes })
    }
}

fn normalise_line_ends(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n").replace('\n', "\r\n")
}

/// `<32 hex digits@domain of the sender>`.
fn generate_message_id(from: &str, random: &mut dyn FnMut(&mut [u8]) -> Result<(), Error>) -> Result<String, Error> {
    let mut bytes = [0u8; 16];
    random(&mut bytes)?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let domain = from.rsplit_once('@').map(|(_, d)| d).filter(|d| !d.is_empty()).unwrap_or("wasmtp.invalid");
    Ok(format!("<{hex}@{domain}>"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::parse_list;

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

    #[test]
    fn envelope_has_bcc_but_headers_do_not() {
        let composed = sample()
            .compose(0, &mut |b| {
                b.fill(7);
                Ok(())
            })
            .unwrap();
        assert_eq!(composed.envelope.from, "ann@example.org");
        assert_eq!(composed.envelope.to, ["bob@example.org", "carl@example.org", "dee@example.org", "secret@example.org"]);
        let text = String::from_utf8(composed.bytes).unwrap();
        assert!(!text.to_lowercase().contains("secret@"));
        assert!(text.starts_with("Date: Thu, 01 Jan 1970 00:00:00 +0000\r\nFrom: Ann <ann@example.org>\r\n"));
        assert!(text.contains("Subject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n"));
        assert!(text.contains("Message-ID: <07070707070707070707070707070707@example.org>\r\n"));
        assert!(text.ends_with("\r\n\r\nline one\r\nline two\r\n"));
    }

    #[test]
    fn non_ascii_body_is_quoted_printable() {
        let mut m = sample();
        m.text = Some("café\n".into());
        let text = String::from_utf8(m.compose(0, &mut |_| Ok(())).unwrap().bytes).unwrap();
        assert!(text.contains("Content-Transfer-Encoding: quoted-printable\r\n"));
        assert!(text.ends_with("caf=C3=A9\r\n"));
    }

    #[test]
    fn header_injection_is_refused() {
        let mut m = sample();
        m.subject = Some("hi\r\nBcc: evil@x.org".into());
        assert_eq!(m.compose(0, &mut |_| Ok(())).unwrap_err().code, Code::Message);
        let mut m = sample();
        m.headers = vec![("X-Tag".into(), "a\nb".into())];
        assert!(m.compose(0, &mut |_| Ok(())).is_err());
        let mut m = sample();
        m.headers = vec![("X Tag".into(), "a".into())];
        assert!(m.compose(0, &mut |_| Ok(())).is_err());
    }

    #[test]
    fn custom_headers_replace_composed_ones() {
        let mut m = sample();
        m.headers = vec![("subject".into(), "Plain".into()), ("X-Mailer".into(), "test".into())];
        let text = String::from_utf8(m.compose(0, &mut |_| Ok(())).unwrap().bytes).unwrap();
        assert!(text.contains("Subject: Plain\r\n") && !text.contains("=?UTF-8"));
        assert!(text.contains("X-Mailer: test\r\n"));
    }
}
