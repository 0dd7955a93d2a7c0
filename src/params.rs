//! MIME header parameters (`filename`, `name`, `boundary`): quoted when
//! ASCII, RFC 2231 extended (`filename*=utf-8''%E2%82%AC`) with
//! continuations when not ASCII or long, so no value can break the header.

/// Longest piece of a parameter value on one header line.
const PIECE: usize = 60;

/// `name=value` pieces for one parameter, to be joined with "; ".
pub fn param(name: &str, value: &str) -> Vec<String> {
    let plain = value.bytes().all(|b| (0x20..0x7f).contains(&b));
    if plain && value.len() <= PIECE {
        return vec![format!("{name}=\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))];
    }
    let encoded: String = value.bytes().map(percent).collect();
    if encoded.len() + 7 <= PIECE {
        return vec![format!("{name}*=utf-8''{encoded}")];
    }
    let mut pieces = Vec::new();
    let mut rest = encoded.as_str();
    let mut n = 0;
    while !rest.is_empty() {
        let mut cut = rest.len().min(PIECE);
        // Never split a %XX escape.
        while rest.as_bytes().get(cut.saturating_sub(2)..cut).is_some_and(|w| w.contains(&b'%')) && cut < rest.len() {
            cut -= 1;
        }
        let (piece, tail) = rest.split_at(cut);
        let charset = if n == 0 { "utf-8''" } else { "" };
        pieces.push(format!("{name}*{n}*={charset}{piece}"));
        rest = tail;
        n += 1;
    }
    pieces
}

/// RFC 2231 attribute-char: alphanumerics and a few marks as is, else %XX.
fn percent(b: u8) -> String {
    if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
        (b as char).to_string()
    } else {
        format!("%{b:02X}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(pieces: &[String]) -> String {
        let mut bytes = Vec::new();
        for piece in pieces {
            let value = piece.split_once('=').unwrap().1;
            let value = value.strip_prefix("utf-8''").unwrap_or(value);
            let mut it = value.bytes();
            while let Some(b) = it.next() {
                if b == b'%' {
                    let hex = [it.next().unwrap(), it.next().unwrap()];
                    bytes.push(u8::from_str_radix(std::str::from_utf8(&hex).unwrap(), 16).unwrap());
                } else {
                    bytes.push(b);
                }
            }
        }
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn ascii_is_quoted() {
        assert_eq!(param("filename", "report \"q1\".pdf"), ["filename=\"report \\\"q1\\\".pdf\""]);
    }

    #[test]
    fn non_ascii_and_long_values_use_rfc_2231() {
        assert_eq!(param("filename", "€.txt"), ["filename*=utf-8''%E2%82%AC.txt"]);
        let long = "Prüfbericht für das Geschäftsjahr 2026 – endgültige Fassung (überarbeitet).pdf";
        let pieces = param("filename", long);
        assert!(pieces.len() > 1);
        assert!(pieces[0].starts_with("filename*0*=utf-8''"));
        assert!(pieces[1].starts_with("filename*1*="));
        assert!(pieces.iter().all(|p| p.len() <= PIECE + 20 && p.is_ascii()));
        assert_eq!(decode(&pieces), long);
        assert!(param("x", "a\r\nb")[0].contains("%0D%0A"));
    }
}
