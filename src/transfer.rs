//! Content-Transfer-Encoding for in-memory content: the cheapest encoding
//! that keeps the message 7-bit and every line within 998 octets (RFC 5322
//! §2.1.1): 7bit when the text already is, quoted-printable for mostly-ASCII
//! text, base64 otherwise.

/// A transfer encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    SevenBit,
    QuotedPrintable,
    Base64,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::SevenBit => "7bit",
            Encoding::QuotedPrintable => "quoted-printable",
            Encoding::Base64 => "base64",
        }
    }
}

/// Chooses for text with CRLF line ends.
pub fn choose_for_text(text: &[u8]) -> Encoding {
    let longest_line = text.split(|&b| b == b'\n').map(|l| l.len()).max().unwrap_or(0);
    let clean = text.iter().all(|&b| b != 0 && b < 0x80);
    if clean && longest_line <= 998 && !has_bare_cr_or_lf(text) {
        return Encoding::SevenBit;
    }
    // Quoted-printable spends 3 bytes per escaped byte, base64 4 per 3 of
    // all (plus line ends): pick the shorter, so mostly-ASCII text stays readable.
    let escaped = text.iter().filter(|&&b| b >= 0x80 || b == 0 || b == b'=').count();
    let qp = text.len() + 2 * escaped + text.len() / 75 * 3;
    let base64 = text.len().div_ceil(3) * 4 * 78 / 76;
    if qp <= base64 {
        Encoding::QuotedPrintable
    } else {
        Encoding::Base64
    }
}

fn has_bare_cr_or_lf(text: &[u8]) -> bool {
    text.iter().enumerate().any(|(i, &b)| match b {
        b'\r' => text.get(i + 1) != Some(&b'\n'),
        b'\n' => i == 0 || text[i - 1] != b'\r',
        _ => false,
    })
}

/// Every line end as CRLF.
pub fn crlf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n").replace('\n', "\r\n")
}

/// Quoted-printable (RFC 2045 §6.7) in lines of at most 76 characters,
/// keeping CRLF line ends as hard breaks.
pub fn quoted_printable(text: &[u8]) -> Vec<u8> {
    quoted_printable::encode(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn choices() {
        assert_eq!(choose_for_text(b"plain\r\nascii\r\n"), Encoding::SevenBit);
        assert_eq!(choose_for_text("Grüße aus Köln, mostly ASCII text here".as_bytes()), Encoding::QuotedPrintable);
        assert_eq!(choose_for_text("日本語のテキスト".as_bytes()), Encoding::Base64);
        assert_eq!(choose_for_text(&[b'a'; 1000]), Encoding::QuotedPrintable);
        assert_ne!(choose_for_text(b"a\0b"), Encoding::SevenBit);
        assert_eq!(choose_for_text("café\r\n".as_bytes()), Encoding::QuotedPrintable);
    }

    proptest! {
        #[test]
        fn any_text_round_trips_within_line_limits(text in ".{0,3000}", lines in proptest::collection::vec("[ -~]{0,1200}", 0..4)) {
            let text = crlf(&(text + &lines.join("\n")));
            let bytes = text.as_bytes();
            let encoded = match choose_for_text(bytes) {
                Encoding::SevenBit => bytes.to_vec(),
                Encoding::QuotedPrintable => quoted_printable(bytes),
                Encoding::Base64 => {
                    let mut out = Vec::new();
                    let mut lines = crate::body::Base64Lines::default();
                    lines.encode(bytes, &mut out);
                    lines.finish(&mut out);
                    out
                }
            };
            prop_assert!(encoded.iter().all(|&b| b < 0x80 && b != 0));
            prop_assert!(encoded.split(|&b| b == b'\n').all(|l| l.len() <= 999), "a line over 998 octets");
            let decoded = match choose_for_text(bytes) {
                Encoding::SevenBit => encoded.clone(),
                Encoding::QuotedPrintable => quoted_printable::decode(&encoded, quoted_printable::ParseMode::Strict).unwrap(),
                Encoding::Base64 => {
                    use base64::Engine;
                    let joined: Vec<u8> = encoded.iter().copied().filter(|b| !b"\r\n".contains(b)).collect();
                    base64::engine::general_purpose::STANDARD.decode(joined).unwrap()
                }
            };
            prop_assert_eq!(decoded, bytes.to_vec());
        }
    }
}
