//! DKIM signatures (RFC 6376), relaxed/relaxed, with rsa-sha256 or
//! ed25519-sha256 (RFC 8463), over the message exactly as it is sent (after
//! transfer encoding and line-end normalisation, before dot-stuffing). The
//! body hash is computed while walking the body's segments, so attachments
//! are not copied to sign them.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::digest::{Context, SHA256};
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, RsaKeyPair, RSA_PKCS1_SHA256};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::PrivateKeyDer;

use crate::body::{Body, BodyCursor, Read, Segment, Transfer};

/// nodemailer's default list of header fields to sign.
const DEFAULT_FIELDS: &str = "From:Sender:Reply-To:Subject:Date:Message-ID:To:Cc:MIME-Version:Content-Type:\
Content-Transfer-Encoding:Content-ID:Content-Description:Resent-Date:Resent-From:Resent-Sender:Resent-To:Resent-Cc:\
Resent-Message-ID:In-Reply-To:References:List-Id:List-Help:List-Unsubscribe:List-Subscribe:List-Post:List-Owner:List-Archive";

/// The `dkim` option.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dkim {
    pub domain: String,
    pub selector: String,
    /// PEM: PKCS#8 (RSA or Ed25519) or PKCS#1 RSA.
    pub private_key: String,
    /// Colon-separated header names to sign (nodemailer's default when absent).
    pub header_fields: Option<String>,
    /// Colon-separated header names never to sign.
    pub skip_fields: Option<String>,
}

enum Key {
    Rsa(RsaKeyPair),
    Ed25519(Ed25519KeyPair),
}

impl Dkim {
    /// Checks the settings and the key now, so a bad key fails before sending.
    pub fn check(&self) -> Result<(), String> {
        for (what, value) in [("domainName", &self.domain), ("keySelector", &self.selector)] {
            let ok = !value.is_empty() && value.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b));
            if !ok {
                return Err(format!("dkim.{what} {value:?} is not a domain name or selector"));
            }
        }
        self.key().map(|_| ())
    }

    fn key(&self) -> Result<Key, String> {
        let der = PrivateKeyDer::from_pem_slice(self.private_key.as_bytes())
            .map_err(|e| format!("dkim.privateKey is not a PEM private key: {e}"))?;
        let key = match &der {
            PrivateKeyDer::Pkcs1(k) => RsaKeyPair::from_der(k.secret_pkcs1_der()).map(Key::Rsa).map_err(|e| e.to_string()),
            PrivateKeyDer::Pkcs8(k) => RsaKeyPair::from_pkcs8(k.secret_pkcs8_der())
                .map(Key::Rsa)
                .or_else(|_| Ed25519KeyPair::from_pkcs8_maybe_unchecked(k.secret_pkcs8_der()).map(Key::Ed25519))
                .map_err(|e| e.to_string()),
            _ => Err("only RSA and Ed25519 keys are supported".to_string()),
        };
        key.map_err(|e| format!("dkim.privateKey cannot be used: {e}"))
    }

    /// Signs the message in `body` (no stream segments) and puts the
    /// DKIM-Signature header first. `unix_secs` becomes the t= tag.
    pub fn sign(&self, body: &mut Body, unix_secs: i64) -> Result<(), String> {
        if body.streams() > 0 {
            return Err("DKIM signing needs every attachment in memory, not as a stream".into());
        }
        let key = self.key()?;
        let Some(Segment::Bytes { data: first, transfer: Transfer::AsIs }) = body.segments().first() else {
            return Err("the message has no header block".into());
        };
        let head_end = header_end(first).ok_or("the message has no header block")?;
        let fields = parse_headers(&first[..head_end]);

        let mut hash = RelaxedBody::default();
        let mut cursor = BodyCursor::new();
        let mut chunk = Vec::new();
        let mut skipped = 0usize;
        loop {
            chunk.clear();
            if cursor.read(body, 64 * 1024, &mut chunk) != Read::Wrote {
                break;
            }
            let start = (head_end.saturating_sub(skipped)).min(chunk.len());
            skipped += chunk.len();
            hash.feed(&chunk[start..]);
        }
        let body_hash = STANDARD.encode(hash.finish());

        let wanted = self.header_fields.as_deref().unwrap_or(DEFAULT_FIELDS);
        let skip: Vec<String> = self.skip_fields.as_deref().unwrap_or("").split(':').map(|s| s.trim().to_ascii_lowercase()).collect();
        let mut names = Vec::new();
        let mut signed = Vec::new();
        for name in wanted.split(':').map(|s| s.trim().to_ascii_lowercase()).filter(|n| !n.is_empty() && !skip.contains(n)) {
            if names.contains(&name) {
                continue;
            }
            // Every instance, bottom up (RFC 6376 §5.4.2).
            for (field_name, value) in fields.iter().rev().filter(|(n, _)| n.eq_ignore_ascii_case(&name)) {
                signed.extend_from_slice(relaxed_header(field_name, value).as_bytes());
                signed.extend_from_slice(b"\r\n");
                names.push(name.clone());
            }
        }
        let algorithm = match key {
            Key::Rsa(_) => "rsa-sha256",
            Key::Ed25519(_) => "ed25519-sha256",
        };
        let value = format!(
            "v=1; a={algorithm}; c=relaxed/relaxed; d={}; s={}; t={unix_secs}; h={}; bh={body_hash}; b=",
            self.domain,
            self.selector,
            names.join(":")
        );
        signed.extend_from_slice(relaxed_header("DKIM-Signature", &value).as_bytes());
        let signature = match key {
            Key::Rsa(k) => {
                let mut sig = vec![0u8; k.public().modulus_len()];
                k.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), &signed, &mut sig).map_err(|_| "the RSA signature failed".to_string())?;
                sig
            }
            Key::Ed25519(k) => k.sign(ring::digest::digest(&SHA256, &signed).as_ref()).as_ref().to_vec(),
        };
        let b = STANDARD.encode(signature);
        let folded_tags = value.replace("; ", ";\r\n\t");
        let folded_b: Vec<&str> = b.as_bytes().chunks(72).map(|c| std::str::from_utf8(c).unwrap_or("")).collect();
        body.prepend(format!("DKIM-Signature: {folded_tags}{}\r\n", folded_b.join("\r\n\t")).into_bytes());
        Ok(())
    }
}

/// Where the header block ends: the index just past the empty line.
fn header_end(bytes: &[u8]) -> Option<usize> {
    (0..bytes.len()).find_map(|i| {
        if bytes[i..].starts_with(b"\r\n\r\n") {
            Some(i + 4)
        } else if bytes[i..].starts_with(b"\n\n") {
            Some(i + 2)
        } else if bytes[i..].starts_with(b"\n\r\n") {
            Some(i + 3)
        } else {
            None
        }
    })
}

/// Header fields as (name, unfolded raw value).
fn parse_headers(block: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(block);
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)) {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = fields.last_mut() {
                last.1.push_str(line);
            }
        } else if let Some((name, value)) = line.split_once(':') {
            fields.push((name.to_string(), value.to_string()));
        }
    }
    fields
}

/// RFC 6376 §3.4.2: lower-case name, unfolded value, runs of WSP as one
/// space, no WSP at either end.
fn relaxed_header(name: &str, value: &str) -> String {
    let value = value.split([' ', '\t', '\r', '\n']).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
    format!("{}:{value}", name.trim().to_ascii_lowercase())
}

/// RFC 6376 §3.4.4 on a stream: WSP runs become one space, WSP at line
/// ends goes, empty lines at the end go, and the result ends with CRLF.
#[derive(Default)]
struct RelaxedBody {
    hash: Option<Context>,
    line: Vec<u8>,
    space: bool,
    blank_lines: usize,
    pending_cr: bool,
}

impl RelaxedBody {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if self.pending_cr {
                self.pending_cr = false;
                self.end_line();
                if b == b'\n' {
                    continue;
                }
            }
            match b {
                b'\r' => self.pending_cr = true,
                b'\n' => self.end_line(),
                b' ' | b'\t' => self.space = true,
                _ => {
                    if self.space {
                        self.line.push(b' ');
                    }
                    self.space = false;
                    self.line.push(b);
                }
            }
        }
    }

    fn end_line(&mut self) {
        self.space = false;
        if self.line.is_empty() {
            self.blank_lines += 1;
            return;
        }
        let hash = self.hash.get_or_insert_with(|| Context::new(&SHA256));
        for _ in 0..self.blank_lines {
            hash.update(b"\r\n");
        }
        self.blank_lines = 0;
        hash.update(&self.line);
        hash.update(b"\r\n");
        self.line.clear();
    }

    fn finish(mut self) -> Vec<u8> {
        if self.pending_cr || !self.line.is_empty() {
            self.pending_cr = false;
            self.end_line();
        }
        match self.hash {
            Some(hash) => hash.finish().as_ref().to_vec(),
            None => ring::digest::digest(&SHA256, b"").as_ref().to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relaxed(input: &[u8]) -> Vec<u8> {
        let mut r = RelaxedBody::default();
        r.feed(input);
        r.finish()
    }

    #[test]
    fn relaxed_body_canonicalisation() {
        let sha = |b: &[u8]| ring::digest::digest(&SHA256, b).as_ref().to_vec();
        // RFC 6376 §3.4.6 example.
        assert_eq!(relaxed(b" C \r\nD \t E\r\n\r\n\r\n"), sha(b" C\r\nD E\r\n"));
        assert_eq!(relaxed(b""), sha(b""));
        assert_eq!(relaxed(b"a\n\nb"), sha(b"a\r\n\r\nb\r\n"));
        // However it is split.
        let whole = relaxed(b"x  y\r\n\r\nz \r\n");
        let mut r = RelaxedBody::default();
        for b in b"x  y\r\n\r\nz \r\n" {
            r.feed(&[*b]);
        }
        assert_eq!(r.finish(), whole);
    }

    #[test]
    fn relaxed_headers() {
        assert_eq!(relaxed_header("Subject", " Hello \r\n\t World  "), "subject:Hello World");
    }

    #[test]
    fn bad_keys_and_names_are_refused() {
        let dkim =
            Dkim { domain: "x.org".into(), selector: "s".into(), private_key: "nope".into(), header_fields: None, skip_fields: None };
        assert!(dkim.check().unwrap_err().contains("privateKey"));
        let dkim = Dkim { domain: "x.org\r\n".into(), ..dkim };
        assert!(dkim.check().unwrap_err().contains("domainName"));
    }
}
