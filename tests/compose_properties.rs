//! Property tests of message composition: whatever users put in subjects,
//! names, header values, filenames and bodies, the composed message keeps
//! exactly the header fields it should (no injection), stays 7-bit with no
//! line over 998 octets, and every text survives its transfer encoding.

#![allow(clippy::result_large_err)] // the crate's Error, as the compose callback returns it

use proptest::prelude::*;
use wasmtp::address::{Address, Mailbox};
use wasmtp::body::{BodyCursor, Read};
use wasmtp::error::Error;
use wasmtp::message::Message;
use wasmtp::mime::{Attachment, Content};

fn fixed(b: &mut [u8]) -> Result<(), Error> {
    b.fill(0x5a);
    Ok(())
}

fn wire(message: &Message) -> Option<String> {
    let composed = message.compose(0, &mut fixed).ok()?;
    let mut out = Vec::new();
    let mut cursor = BodyCursor::new();
    while cursor.read(&composed.body, 1 << 16, &mut out) == Read::Wrote {}
    Some(String::from_utf8(out).expect("7-bit output"))
}

/// Header names at the top level of the message (continuations skipped).
fn top_level_names(wire: &str) -> Vec<String> {
    let head = wire.split("\r\n\r\n").next().unwrap_or("");
    head.split("\r\n").filter(|l| !l.starts_with([' ', '\t'])).map(|l| l.split(':').next().unwrap_or("").to_string()).collect()
}

fn any_text() -> impl Strategy<Value = String> {
    // Plenty of line breaks, colons and non-ASCII.
    proptest::string::string_regex("([a-zA-Z0-9 :;,<>\"@.=?_-]|\r|\n|\r\n|é|ü|日|😀|\t){0,120}").unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn no_field_can_add_a_header(subject in any_text(), name in any_text(), value in any_text(), filename in any_text(), text in any_text()) {
        let has_break = |s: &str| s.contains(['\r', '\n']);
        let must_refuse = has_break(&subject) || has_break(&value);
        // A display name with a line break (any control character) is refused outright.
        let from = Mailbox::new(Some(&name), "a@x.org");
        prop_assert_eq!(from.is_err(), name.trim().chars().any(char::is_control));
        let from = from.or_else(|_| Mailbox::new(None, "a@x.org")).ok();
        let message = Message {
            from,
            to: vec![Address::Mailbox(Mailbox::new(None, "b@y.org").unwrap())],
            subject: Some(subject),
            text: Some(text.clone()),
            headers: vec![("X-User".into(), value)],
            attachments: vec![Attachment { filename: Some(filename), content_type: None, content: Content::Text(text), cid: None, disposition: None }],
            ..Message::default()
        };
        let wire = wire(&message);
        // Refused exactly when a header value holds a line break (filenames are encoded).
        prop_assert_eq!(wire.is_none(), must_refuse);
        if let Some(wire) = wire {
            let mut names = top_level_names(&wire);
            names.sort();
            let mut expected = vec!["Content-Type", "Date", "From", "MIME-Version", "Message-ID", "Subject", "To", "X-User"];
            expected.sort();
            prop_assert_eq!(names, expected);
            prop_assert!(wire.is_ascii());
            prop_assert!(wire.split("\r\n").all(|l| l.len() <= 998), "a line over 998 octets");
            prop_assert!(!wire.replace("\r\n", "").contains('\r') && !wire.replace("\r\n", "").contains('\n'), "a bare CR or LF");
        }
    }

    #[test]
    fn bodies_survive_any_text(text in ".{0,2000}", long_line in "[a-z]{0,2500}") {
        let body = format!("{text}\n{long_line}\n");
        let message = Message {
            from: Some(Mailbox::new(None, "a@x.org").unwrap()),
            to: vec![Address::Mailbox(Mailbox::new(None, "b@y.org").unwrap())],
            text: Some(body.clone()),
            ..Message::default()
        };
        let wire = wire(&message).expect("composes");
        prop_assert!(wire.split("\r\n").all(|l| l.len() <= 998));
        let (head, encoded) = wire.split_once("\r\n\r\n").unwrap();
        let decoded = if head.contains("Content-Transfer-Encoding: quoted-printable") {
            quoted_printable::decode(encoded, quoted_printable::ParseMode::Strict).unwrap()
        } else if head.contains("Content-Transfer-Encoding: base64") {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.decode(encoded.replace("\r\n", "")).unwrap()
        } else {
            encoded.as_bytes().to_vec()
        };
        let expected = body.replace("\r\n", "\n").replace('\r', "\n").replace('\n', "\r\n");
        prop_assert_eq!(String::from_utf8(decoded).unwrap(), expected);
    }
}
