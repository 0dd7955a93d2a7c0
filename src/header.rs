//! Header field encoding: RFC 2047 encoded-words for non-ASCII text, quoted
//! display names, folding, and refusal of anything that could start a new
//! header line.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// Most raw bytes in one encoded-word: 45 bytes -> 60 base64 chars, which
/// with `=?UTF-8?B?` and `?=` stays within RFC 2047's 75.
const WORD_BYTES: usize = 45;

/// Unstructured text (e.g. Subject): as is when ASCII, else encoded-words.
pub fn encode_text(text: &str) -> String {
    if text.is_ascii() && !text.contains("=?") {
        text.to_string()
    } else {
        encoded_words(text)
    }
}

/// A display name: as is when it is plain atoms, quoted when it has
/// specials, encoded-words when it is not ASCII.
pub fn encode_phrase(name: &str) -> String {
    if !name.is_ascii() || name.contains("=?") {
        return encoded_words(name);
    }
    let plain = name.chars().all(|c| c.is_ascii_alphanumeric() || " !#$%&'*+-/=?^_`{|}~".contains(c));
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// Base64 encoded-words, split at character boundaries, separated by a fold.
fn encoded_words(text: &str) -> String {
    let mut words = Vec::new();
    let mut start = 0;
    let mut end = 0;
    for (i, c) in text.char_indices() {
        if i + c.len_utf8() - start > WORD_BYTES {
            words.push(&text[start..end]);
            start = i;
        }
        end = i + c.len_utf8();
    }
    if start < text.len() {
        words.push(&text[start..]);
    }
    words.iter().map(|w| format!("=?UTF-8?B?{}?=", STANDARD.encode(w))).collect::<Vec<_>>().join("\r\n ")
}

/// Checks a header name: printable ASCII, no colon or space.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() || !name.bytes().all(|b| (33..=126).contains(&b) && b != b':') {
        return Err(format!("header name {name:?} is not valid"));
    }
    Ok(())
}

/// Checks a header value the user gave: no CR or LF (that would start a new header).
pub fn check_value(name: &str, value: &str) -> Result<(), String> {
    if value.contains(['\r', '\n', '\0']) {
        return Err(format!("header {name} contains a line break or NUL"));
    }
    Ok(())
}

/// `Name: value\r\n`, folded at spaces so lines stay near 78 octets; a
/// line that cannot fold below 998 octets is an error.
pub fn fold(name: &str, value: &str) -> Result<String, String> {
    let mut out = String::with_capacity(name.len() + value.len() + 8);
    out.push_str(name);
    out.push(':');
    let mut line_len = out.len();
    for (i, word) in value.split(' ').enumerate() {
        // A word may itself contain folds (encoded-words): count from the last.
        let first_len = word.split("\r\n").next().map_or(0, str::len);
        if i > 0 && line_len + 1 + first_len > 78 && line_len > name.len() + 1 {
            out.push_str("\r\n");
            line_len = 0;
        }
        out.push(' ');
        out.push_str(word);
        line_len = match word.rfind("\r\n") {
            Some(p) => word.len() - p - 2,
            None => line_len + 1 + word.len(),
        };
        if line_len > 998 {
            return Err(format!("header {name} has a word longer than 998 octets"));
        }
    }
    out.push_str("\r\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_encoding() {
        assert_eq!(encode_text("Hello"), "Hello");
        assert_eq!(encode_text("Grüße"), "=?UTF-8?B?R3LDvMOfZQ==?=");
        let long = "ä".repeat(40);
        let encoded = encode_text(&long);
        assert!(encoded.split("\r\n ").all(|w| w.len() <= 75));
        let decoded: String =
            encoded.split("\r\n ").map(|w| String::from_utf8(STANDARD.decode(&w[10..w.len() - 2]).unwrap()).unwrap()).collect();
        assert_eq!(decoded, long);
    }

    #[test]
    fn phrases() {
        assert_eq!(encode_phrase("Bob Smith"), "Bob Smith");
        assert_eq!(encode_phrase("Smith, Bob"), "\"Smith, Bob\"");
        assert_eq!(encode_phrase("a \"b\""), "\"a \\\"b\\\"\"");
    }

    #[test]
    fn folding_keeps_lines_short() {
        let value = "word ".repeat(40);
        let folded = fold("Subject", value.trim()).unwrap();
        assert!(folded.split("\r\n").all(|l| l.len() <= 78));
        assert!(fold("X", &"a".repeat(1200)).is_err());
        assert!(check_value("X", "a\r\nBcc: x").is_err());
        assert!(check_name("Bad Name").is_err());
    }
}
