//! The JavaScript shape of a message (`sendMail`'s argument, nodemailer's
//! field names), read with serde into a [`Message`]. A field of the wrong
//! type is an `EMESSAGE` error naming its path; an invalid address an
//! `EENVELOPE` error. Fields this version does not compose are refused by
//! [`check_message_fields`] rather than silently left out.

use std::collections::BTreeMap;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;

use crate::address::{parse_list, Address, Mailbox};
use crate::dkim::Dkim;
use crate::dsn::{Dsn, Notify, Ret};
use crate::error::{Code, Error, Setting, Stage};
use crate::message::{Envelope, Message, Priority};
use crate::mime::{Attachment, Content};
use crate::options::OneOrMany;

/// The `sendMail` fields read here. (`onProgress` and attachment `path`s
/// and streams are taken care of by the JavaScript driver first.)
pub const MESSAGE_FIELDS: &[&str] = &[
    "from",
    "to",
    "cc",
    "bcc",
    "replyTo",
    "subject",
    "text",
    "html",
    "attachments",
    "headers",
    "messageId",
    "date",
    "inReplyTo",
    "references",
    "priority",
    "envelope",
    "dsn",
    "requiretls",
    "raw",
    "dkim",
];

/// Refuses a message field this version would drop: a message must never
/// go out other than as described. `fields` are the names whose values are
/// set (not undefined or null).
pub fn check_message_fields<'a>(fields: impl IntoIterator<Item = &'a str>) -> Result<(), Error> {
    for field in fields {
        if !MESSAGE_FIELDS.contains(&field) {
            let problem =
                format!("{field}: this field is not supported by this version of wasmtp, and the message would go out without it");
            return Err(message_error(problem));
        }
    }
    Ok(())
}

/// Reads a message from any serde deserializer (a JS value in the wasm
/// build, JSON in tests).
pub fn read_message<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Message, Error> {
    let raw: RawMessage = serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = e.path().to_string();
        message_error(format!("{}: {}", if path == "." { "message" } else { &path }, e.inner()))
    })?;
    raw.into_message()
}

/// Reads the transport-level `dkim` option (signs every message without its own).
pub fn read_dkim<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Dkim>, Error> {
    let raw: Option<RawDkim> =
        serde_path_to_error::deserialize(deserializer).map_err(|e| Error::config(&format!("dkim.{}", e.path()), e.inner()))?;
    raw.map(|d| d.into_dkim().map_err(|p| Error::config("dkim", p))).transpose()
}

fn message_error(problem: String) -> Error {
    Error::new(Code::Message, Stage::Data, problem.clone()).because(format!("The message cannot be sent as given: {problem}."))
}

/// An address as users give it: `"Name <a@b>"` or `{ name, address }`.
#[derive(Deserialize)]
#[serde(untagged, expecting = "expected an address string or an object { name, address }")]
enum RawAddress {
    Text(String),
    Object { name: Option<String>, address: String },
}

/// One address, a comma-separated string, or an array of either.
#[derive(Deserialize)]
#[serde(untagged, expecting = "expected an address, a comma-separated list, or an array of addresses")]
enum RawAddressList {
    One(RawAddress),
    Many(Vec<RawAddress>),
}

#[derive(Deserialize)]
#[serde(untagged, expecting = "expected an object of header names to values, or an array of { key, value }")]
enum RawHeaders {
    Map(BTreeMap<String, OneOrMany>),
    List(Vec<RawHeader>),
}

#[derive(Deserialize)]
struct RawHeader {
    key: String,
    value: String,
}

#[derive(Deserialize)]
struct RawEnvelope {
    from: Option<String>,
    to: Option<RawAddressList>,
}

/// Bytes from a `Uint8Array` (or, in JSON tests, an array of numbers).
struct Bytes(Vec<u8>);

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Bytes, D::Error> {
        struct BytesVisitor;
        impl<'de> Visitor<'de> for BytesVisitor {
            type Value = Bytes;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Bytes, E> {
                Ok(Bytes(v.to_vec()))
            }
            fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Bytes, E> {
                Ok(Bytes(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Bytes, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(b) = seq.next_element::<u8>()? {
                    out.push(b);
                }
                Ok(Bytes(out))
            }
        }
        d.deserialize_byte_buf(BytesVisitor)
    }
}

/// Content as text, bytes, or a stream the driver numbered.
#[derive(Deserialize)]
#[serde(untagged, expecting = "expected a string, a Uint8Array/Buffer, or a stream")]
enum RawContent {
    Text(String),
    Stream { stream: usize, size: Option<f64> },
    Bytes(Bytes),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawAttachment {
    filename: Option<String>,
    content: Option<RawContent>,
    content_type: Option<String>,
    cid: Option<String>,
    content_disposition: Option<String>,
    /// How a string `content` is encoded: base64, hex, or utf-8 text.
    encoding: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrManyIds {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDsn {
    id: Option<String>,
    #[serde(rename = "return")]
    ret: Option<String>,
    notify: Option<OneOrMany>,
    recipient: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawDkim {
    domain_name: String,
    key_selector: String,
    private_key: String,
    header_field_names: Option<String>,
    skip_fields: Option<String>,
}

impl RawDkim {
    fn into_dkim(self) -> Result<Dkim, String> {
        let dkim = Dkim {
            domain: self.domain_name,
            selector: self.key_selector,
            private_key: self.private_key,
            header_fields: self.header_field_names,
            skip_fields: self.skip_fields,
        };
        dkim.check()?;
        Ok(dkim)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMessage {
    from: Option<RawAddress>,
    to: Option<RawAddressList>,
    cc: Option<RawAddressList>,
    bcc: Option<RawAddressList>,
    reply_to: Option<RawAddressList>,
    subject: Option<String>,
    text: Option<String>,
    html: Option<String>,
    attachments: Option<Vec<RawAttachment>>,
    headers: Option<RawHeaders>,
    message_id: Option<String>,
    /// Unix time in milliseconds (the driver turns a Date into this).
    date: Option<f64>,
    in_reply_to: Option<String>,
    references: Option<OneOrManyIds>,
    priority: Option<String>,
    envelope: Option<RawEnvelope>,
    dsn: Option<RawDsn>,
    requiretls: Option<bool>,
    raw: Option<RawContent>,
    dkim: Option<RawDkim>,
}

fn address_error(path: &str, problem: String) -> Error {
    let setting = if path == "from" || path == "envelope.from" { Setting::From } else { Setting::To };
    let stage = if setting == Setting::From { Stage::Mail } else { Stage::Rcpt };
    Error::new(Code::Envelope, stage, format!("{path}: {problem}"))
        .suspect(&[setting])
        .because(format!("The address in {path} is not valid: {problem}."))
}

fn addresses(path: &str, list: Option<RawAddressList>) -> Result<Vec<Address>, Error> {
    let items = match list {
        None => return Ok(Vec::new()),
        Some(RawAddressList::One(a)) => vec![a],
        Some(RawAddressList::Many(v)) => v,
    };
    let mut out = Vec::new();
    for item in items {
        match item {
            RawAddress::Text(t) => out.extend(parse_list(&t).map_err(|e| address_error(path, e))?),
            RawAddress::Object { name, address } => {
                out.push(Address::Mailbox(Mailbox::new(name.as_deref(), &address).map_err(|e| address_error(path, e))?))
            }
        }
    }
    Ok(out)
}

/// The mailboxes of a list that must not hold groups (from, envelope).
fn mailboxes(path: &str, list: Option<RawAddressList>) -> Result<Vec<Mailbox>, Error> {
    let mut out = Vec::new();
    for address in addresses(path, list)? {
        match address {
            Address::Mailbox(m) => out.push(m),
            Address::Group { .. } => return Err(address_error(path, "a group cannot be used here".into())),
        }
    }
    Ok(out)
}

fn content(path: &str, raw: RawContent, encoding: Option<&str>) -> Result<Content, Error> {
    Ok(match (raw, encoding.map(str::to_ascii_lowercase).as_deref()) {
        (RawContent::Stream { stream, size }, _) => {
            let size = size.filter(|n| n.is_finite() && *n >= 0.0).map(|n| n as u64);
            Content::Stream { slot: stream, size }
        }
        (RawContent::Bytes(b), _) => Content::Bytes(b.0),
        (RawContent::Text(t), None | Some("utf-8" | "utf8")) => Content::Text(t),
        (RawContent::Text(t), Some("base64")) => {
            use base64::Engine;
            let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
            Content::Bytes(
                base64::engine::general_purpose::STANDARD
                    .decode(compact)
                    .map_err(|e| message_error(format!("{path}: content is not valid base64: {e}")))?,
            )
        }
        (RawContent::Text(t), Some("hex")) => {
            let bytes: Result<Vec<u8>, _> = (0..t.len())
                .step_by(2)
                .map(|i| t.get(i..i + 2).ok_or(()).and_then(|h| u8::from_str_radix(h, 16).map_err(|_| ())))
                .collect();
            Content::Bytes(bytes.map_err(|_| message_error(format!("{path}: content is not valid hex")))?)
        }
        (RawContent::Text(_), Some(other)) => {
            return Err(message_error(format!("{path}: encoding {other:?} must be base64, hex or utf-8")));
        }
    })
}

impl RawMessage {
    fn into_message(self) -> Result<Message, Error> {
        let from = mailboxes("from", self.from.map(RawAddressList::One))?;
        if from.len() > 1 {
            return Err(address_error("from", "must be one address".into()));
        }
        let headers = match self.headers {
            None => Vec::new(),
            Some(RawHeaders::Map(map)) => {
                map.into_iter().flat_map(|(k, v)| v.into_vec().into_iter().map(move |v| (k.clone(), v))).collect()
            }
            Some(RawHeaders::List(list)) => list.into_iter().map(|h| (h.key, h.value)).collect(),
        };
        let envelope = match self.envelope {
            None => None,
            Some(e) => {
                let from = mailboxes("envelope.from", e.from.map(|f| RawAddressList::One(RawAddress::Text(f))))?;
                let from = from.into_iter().next().map(|m| m.address).unwrap_or_default();
                let to = mailboxes("envelope.to", e.to)?.into_iter().map(|m| m.address).collect();
                Some(Envelope { from, to, ..Envelope::default() })
            }
        };
        let mut attachments = Vec::new();
        for (i, a) in self.attachments.unwrap_or_default().into_iter().enumerate() {
            let path = format!("attachments[{i}]");
            let raw = a.content.ok_or_else(|| message_error(format!("{path}: content (or path, or a stream) is required")))?;
            attachments.push(Attachment {
                filename: a.filename,
                content_type: a.content_type,
                content: content(&path, raw, a.encoding.as_deref())?,
                cid: a.cid,
                disposition: a.content_disposition,
            });
        }
        let date = match self.date {
            Some(ms) if ms.is_finite() && ms.abs() < 8.64e15 => Some(ms as i64),
            Some(_) => return Err(message_error("date: not a valid date".into())),
            None => None,
        };
        let references = match self.references {
            None => Vec::new(),
            Some(OneOrManyIds::One(s)) => s.split_whitespace().map(String::from).collect(),
            Some(OneOrManyIds::Many(v)) => v,
        };
        let priority = match self.priority.as_deref().map(str::to_ascii_lowercase).as_deref() {
            None => None,
            Some("high") => Some(Priority::High),
            Some("normal") => Some(Priority::Normal),
            Some("low") => Some(Priority::Low),
            Some(other) => return Err(message_error(format!("priority: {other:?} must be high, normal or low"))),
        };
        let dsn = self.dsn.map(read_dsn).transpose()?;
        let raw = match self.raw {
            None => None,
            Some(RawContent::Text(t)) => Some(t.into_bytes()),
            Some(RawContent::Bytes(b)) => Some(b.0),
            Some(RawContent::Stream { .. }) => return Err(message_error("raw: a stream is not supported; pass a string or bytes".into())),
        };
        let dkim = self.dkim.map(|d| d.into_dkim().map_err(message_error)).transpose()?;
        Ok(Message {
            from: from.into_iter().next(),
            to: addresses("to", self.to)?,
            cc: addresses("cc", self.cc)?,
            bcc: addresses("bcc", self.bcc)?,
            reply_to: addresses("replyTo", self.reply_to)?,
            subject: self.subject,
            text: self.text,
            html: self.html,
            attachments,
            headers,
            message_id: self.message_id,
            date,
            in_reply_to: self.in_reply_to,
            references,
            priority,
            envelope,
            dsn,
            require_tls: self.requiretls.unwrap_or(false),
            raw,
            dkim,
        })
    }
}

fn read_dsn(raw: RawDsn) -> Result<Dsn, Error> {
    let ret = match raw.ret.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => None,
        Some("full") => Some(Ret::Full),
        Some("headers" | "hdrs") => Some(Ret::Headers),
        Some(other) => return Err(message_error(format!("dsn.return: {other:?} must be headers or full"))),
    };
    let notify = match raw.notify {
        None => None,
        Some(list) => {
            let mut notify = Notify::default();
            for word in list.into_vec().iter().flat_map(|w| w.split(',')).map(|w| w.trim().to_ascii_lowercase()) {
                match word.as_str() {
                    "never" => {}
                    "success" => notify.success = true,
                    "failure" => notify.failure = true,
                    "delay" => notify.delay = true,
                    other => return Err(message_error(format!("dsn.notify: {other:?} must be never, success, failure or delay"))),
                }
            }
            Some(notify)
        }
    };
    let orcpt =
        raw.recipient.map(|r| Mailbox::new(None, &r).map(|m| m.address).map_err(|e| address_error("dsn.recipient", e))).transpose()?;
    if let Some(id) = &raw.id {
        if id.is_empty() || id.len() > 100 {
            return Err(message_error("dsn.id: must be 1 to 100 characters".into()));
        }
    }
    Ok(Dsn { ret, envid: raw.id, notify, orcpt })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(json: &str) -> Result<Message, Error> {
        read_message(&mut serde_json::Deserializer::from_str(json))
    }

    #[test]
    fn messages_in_every_address_shape() {
        let m = message(
            r#"{"from":{"name":"Ann","address":"ann@x.org"},"to":"b@x.org, C <c@x.org>","cc":["d@x.org",{"address":"e@x.org"}],
                "bcc":"f@x.org","subject":"s","text":"t","headers":{"X-A":"1","X-B":["2","3"]}}"#,
        )
        .unwrap();
        assert_eq!(m.from.unwrap().name.as_deref(), Some("Ann"));
        assert_eq!(m.to.len(), 2);
        assert_eq!(m.cc.len(), 2);
        assert_eq!(m.headers, [("X-A".into(), "1".into()), ("X-B".into(), "2".into()), ("X-B".into(), "3".into())]);
        let e = message(r#"{"from":"a@x.org","to":"not an address"}"#).unwrap_err();
        assert_eq!(e.code, Code::Envelope);
        assert!(e.message.starts_with("to:"));
        let e = message(r#"{"from":"a@x.org","to":"b@x.org\r\nRCPT TO:<c@y.org>"}"#).unwrap_err();
        assert_eq!(e.code, Code::Envelope);
        let e = message(r#"{"from":"a@x.org","to":5}"#).unwrap_err();
        assert_eq!(e.code, Code::Message);
        assert!(e.message.starts_with("to: expected an address"), "{}", e.message);
    }

    #[test]
    fn attachments_dsn_and_the_rest() {
        let m = message(
            r#"{"from":"a@x.org","to":"Team: b@x.org, c@x.org;","html":"<b>hi</b>","date":0,"priority":"low",
                "references":"<a@x> <b@x>","requiretls":true,
                "attachments":[{"filename":"a.txt","content":"hello"},{"content":"aGk=","encoding":"base64"},
                               {"content":[1,2,3],"cid":"c1"},{"content":{"stream":0},"filename":"big.bin"}],
                "dsn":{"id":"e1","return":"headers","notify":["success","failure"],"recipient":"b@x.org"}}"#,
        )
        .unwrap();
        assert_eq!(m.to[0].mailboxes().len(), 2);
        assert_eq!(m.attachments[0].content, Content::Text("hello".into()));
        assert_eq!(m.attachments[1].content, Content::Bytes(b"hi".to_vec()));
        assert_eq!(m.attachments[2].content, Content::Bytes(vec![1, 2, 3]));
        assert_eq!(m.attachments[3].content, Content::Stream { slot: 0, size: None });
        assert_eq!(m.references.len(), 2);
        assert!(m.require_tls);
        let dsn = m.dsn.unwrap();
        assert_eq!((dsn.ret, dsn.notify.unwrap().success, dsn.orcpt.as_deref()), (Some(Ret::Headers), true, Some("b@x.org")));
        for bad in [
            r#"{"priority":"urgent"}"#,
            r#"{"attachments":[{"filename":"x"}]}"#,
            r#"{"attachments":[{"content":"zz","encoding":"hex"}]}"#,
            r#"{"attachments":[{"content":"x","path":"/etc/passwd"}]}"#,
            r#"{"dsn":{"notify":"sometimes"}}"#,
        ] {
            assert_eq!(message(bad).map(|_| ()).unwrap_err().code, Code::Message, "{bad}");
        }
    }

    #[test]
    fn unknown_message_fields_are_refused_not_dropped() {
        assert!(check_message_fields(["from", "to", "text", "html", "attachments"]).is_ok());
        let e = check_message_fields(["from", "amp"]).unwrap_err();
        assert_eq!(e.code, Code::Message);
        assert!(e.message.starts_with("amp: "), "{}", e.message);
    }
}
