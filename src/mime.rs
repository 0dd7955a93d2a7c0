//! The MIME structure of a composed message, chosen from its content:
//! text only, html only, text + html as multipart/alternative, inline
//! images (attachments with a cid) with the html in multipart/related, and
//! other attachments around it all in multipart/mixed. Each part's
//! transfer encoding is chosen from its content (see [`crate::transfer`]);
//! attachment bytes stay as given and are encoded while written.

use crate::body::{Segment, Transfer};
use crate::header::{check_value, fold};
use crate::params::param;
use crate::transfer::{choose_for_text, crlf, quoted_printable, Encoding};

/// Where an attachment's bytes come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    /// Text (UTF-8).
    Text(String),
    Bytes(Vec<u8>),
    /// Supplied by the driver while the message is written: the n-th
    /// stream, with its length in bytes when known.
    Stream {
        slot: usize,
        size: Option<u64>,
    },
}

/// An attachment, or an inline image when it has a `cid`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub filename: Option<String>,
    /// Guessed from the filename when absent.
    pub content_type: Option<String>,
    pub content: Content,
    /// Content-ID, referenced from html as `cid:...`.
    pub cid: Option<String>,
    /// `inline` or `attachment`; inline when a cid is given, unless set.
    pub disposition: Option<String>,
}

/// One MIME part: its headers and its content.
#[derive(Debug)]
pub struct Part {
    headers: Vec<(String, String)>,
    body: PartBody,
}

#[derive(Debug)]
enum PartBody {
    Leaf(Segment),
    Multi { boundary: String, parts: Vec<Part> },
}

/// Builds the part tree. `boundary` makes a fresh random boundary.
pub fn build(
    text: Option<&str>,
    html: Option<&str>,
    attachments: &[Attachment],
    boundary: &mut dyn FnMut() -> Result<String, String>,
) -> Result<Part, String> {
    let (inline, attached): (Vec<&Attachment>, Vec<&Attachment>) =
        attachments.iter().partition(|a| a.cid.is_some() && html.is_some() && a.disposition.as_deref() != Some("attachment"));

    let html_part = match html {
        Some(html) if !inline.is_empty() => {
            let mut parts = vec![text_part("html", html)];
            for a in &inline {
                parts.push(attachment_part(a)?);
            }
            Some(multi("related", parts, boundary)?)
        }
        Some(html) => Some(text_part("html", html)),
        None => None,
    };
    let text_part = text.map(|t| text_part("plain", t));
    let main = match (text_part, html_part) {
        (Some(t), Some(h)) => Some(multi("alternative", vec![t, h], boundary)?),
        (Some(t), None) => Some(t),
        (None, Some(h)) => Some(h),
        (None, None) if attached.is_empty() => Some(text_part_plain_empty()),
        (None, None) => None,
    };
    if attached.is_empty() {
        return Ok(main.unwrap_or_else(text_part_plain_empty));
    }
    let mut parts: Vec<Part> = main.into_iter().collect();
    for a in &attached {
        parts.push(attachment_part(a)?);
    }
    multi("mixed", parts, boundary)
}

fn text_part_plain_empty() -> Part {
    text_part("plain", "")
}

fn text_part(subtype: &str, text: &str) -> Part {
    let text = crlf(text);
    let encoding = choose_for_text(text.as_bytes());
    Part {
        headers: vec![
            ("Content-Type".into(), format!("text/{subtype}; charset=utf-8")),
            ("Content-Transfer-Encoding".into(), encoding.as_str().into()),
        ],
        body: PartBody::Leaf(encoded(text.into_bytes(), encoding)),
    }
}

fn encoded(bytes: Vec<u8>, encoding: Encoding) -> Segment {
    match encoding {
        Encoding::SevenBit => Segment::Bytes { data: bytes, transfer: Transfer::AsIs },
        Encoding::QuotedPrintable => Segment::Bytes { data: quoted_printable(&bytes), transfer: Transfer::AsIs },
        Encoding::Base64 => Segment::Bytes { data: bytes, transfer: Transfer::Base64 },
    }
}

fn attachment_part(a: &Attachment) -> Result<Part, String> {
    let content_type = match &a.content_type {
        Some(t) => {
            check_value("attachment contentType", t)?;
            if !t.contains('/') {
                return Err(format!("attachment contentType {t:?} is not a MIME type (type/subtype)"));
            }
            t.clone()
        }
        None => a.filename.as_deref().and_then(|f| mime_guess::from_path(f).first_raw()).unwrap_or("application/octet-stream").to_string(),
    };
    let is_text = content_type.to_ascii_lowercase().starts_with("text/");
    let (segment, encoding, charset) = match &a.content {
        Content::Text(text) if is_text => {
            let text = crlf(text);
            let encoding = choose_for_text(text.as_bytes());
            (encoded(text.into_bytes(), encoding), encoding, true)
        }
        Content::Text(text) => (encoded(text.as_bytes().to_vec(), Encoding::Base64), Encoding::Base64, false),
        Content::Bytes(bytes) => (encoded(bytes.clone(), Encoding::Base64), Encoding::Base64, false),
        Content::Stream { slot, size } => (Segment::Stream { slot: *slot, size: *size }, Encoding::Base64, false),
    };
    let mut type_value = vec![content_type.clone()];
    if charset && !content_type.to_ascii_lowercase().contains("charset") {
        type_value.push("charset=utf-8".into());
    }
    if let Some(name) = &a.filename {
        type_value.extend(param("name", name));
    }
    let disposition = match a.disposition.as_deref() {
        Some(d @ ("inline" | "attachment")) => d,
        Some(other) => return Err(format!("attachment contentDisposition {other:?} must be inline or attachment")),
        None if a.cid.is_some() => "inline",
        None => "attachment",
    };
    let mut disposition_value = vec![disposition.to_string()];
    if let Some(name) = &a.filename {
        disposition_value.extend(param("filename", name));
    }
    let mut headers = vec![
        ("Content-Type".into(), type_value.join("; ")),
        ("Content-Transfer-Encoding".into(), encoding.as_str().into()),
        ("Content-Disposition".into(), disposition_value.join("; ")),
    ];
    if let Some(cid) = &a.cid {
        let cid = cid.trim().trim_start_matches('<').trim_end_matches('>');
        if cid.is_empty() || cid.contains(|c: char| c.is_whitespace() || c.is_control() || c == '<' || c == '>') {
            return Err(format!("attachment cid {cid:?} is not a valid Content-ID"));
        }
        headers.push(("Content-ID".into(), format!("<{cid}>")));
    }
    Ok(Part { headers, body: PartBody::Leaf(segment) })
}

fn multi(subtype: &str, parts: Vec<Part>, boundary: &mut dyn FnMut() -> Result<String, String>) -> Result<Part, String> {
    let boundary = boundary()?;
    Ok(Part {
        headers: vec![("Content-Type".into(), format!("multipart/{subtype}; boundary=\"{boundary}\""))],
        body: PartBody::Multi { boundary, parts },
    })
}

impl Part {
    /// The root part's headers, which go into the message's header block.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// True when `boundary` appears in any in-memory content written as is.
    pub fn contains(&self, boundary: &str) -> bool {
        match &self.body {
            PartBody::Leaf(Segment::Bytes { data, transfer: Transfer::AsIs }) => {
                data.windows(boundary.len()).any(|w| w == boundary.as_bytes())
            }
            PartBody::Leaf(_) => false,
            PartBody::Multi { parts, .. } => parts.iter().any(|p| p.contains(boundary)),
        }
    }

    /// Appends the part's body (not its headers) as segments.
    pub fn write_body(self, out: &mut Vec<Segment>) -> Result<(), String> {
        match self.body {
            PartBody::Leaf(Segment::Bytes { data, transfer: Transfer::AsIs }) => push_bytes(out, data),
            PartBody::Leaf(segment) => out.push(segment),
            PartBody::Multi { boundary, parts } => {
                for part in parts {
                    let mut head = format!("\r\n--{boundary}\r\n").into_bytes();
                    for (name, value) in &part.headers {
                        head.extend_from_slice(fold(name, value)?.as_bytes());
                    }
                    head.extend_from_slice(b"\r\n");
                    push_bytes(out, head);
                    part.write_body(out)?;
                }
                push_bytes(out, format!("\r\n--{boundary}--\r\n").into_bytes());
            }
        }
        Ok(())
    }
}

/// Appends bytes, merging with a preceding in-memory segment.
pub fn push_bytes(out: &mut Vec<Segment>, bytes: Vec<u8>) {
    if let Some(Segment::Bytes { data, transfer: Transfer::AsIs }) = out.last_mut() {
        data.extend_from_slice(&bytes);
    } else {
        out.push(Segment::Bytes { data: bytes, transfer: Transfer::AsIs });
    }
}
