//! Email addresses: parsing what users write (`Name <a@b>`, `a@b`, lists),
//! checking envelope addresses, and formatting mailboxes for headers.
//!
//! An address is refused, never altered, when it holds a character that
//! could end the SMTP command or start a new header (CR, LF, NUL, `<`, `>`).

use crate::header::encode_phrase;

/// A mailbox: an optional display name and the address itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mailbox {
    pub name: Option<String>,
    pub address: String,
}

impl Mailbox {
    /// Builds a mailbox, checking the address.
    pub fn new(name: Option<&str>, address: &str) -> Result<Mailbox, String> {
        let name = name.map(str::trim).filter(|n| !n.is_empty());
        if let Some(n) = name {
            if n.chars().any(|c| c.is_control()) {
                return Err(format!("display name {n:?} contains a control character"));
            }
        }
        check_address(address)?;
        Ok(Mailbox { name: name.map(String::from), address: address.to_string() })
    }

    /// The mailbox as a header value: `"Name" <a@b>` or `a@b`.
    pub fn to_header(&self) -> String {
        match &self.name {
            Some(name) => format!("{} <{}>", encode_phrase(name), self.address),
            None => self.address.clone(),
        }
    }

    /// True when the address needs SMTPUTF8 (non-ASCII).
    pub fn needs_smtputf8(&self) -> bool {
        !self.address.is_ascii()
    }
}

/// Checks one envelope address: `local@domain`, where the domain is what
/// follows the last `@` outside a quoted local part.
pub fn check_address(address: &str) -> Result<(), String> {
    if address.is_empty() {
        return Err("empty address".into());
    }
    if let Some(c) = address.chars().find(|c| c.is_control() || matches!(c, '<' | '>')) {
        return Err(format!("address {address:?} contains the forbidden character {c:?}"));
    }
    let (local, domain) = split_address(address).ok_or_else(|| format!("{address:?} is not an address of the form name@domain"))?;
    if local.is_empty() || domain.is_empty() {
        return Err(format!("{address:?} is not an address of the form name@domain"));
    }
    if !local.starts_with('"') && local.contains(char::is_whitespace) {
        return Err(format!("address {address:?} contains a space"));
    }
    if domain.contains(|c: char| c.is_whitespace() || c == '@' || c == '"') {
        return Err(format!("address {address:?} has an invalid domain {domain:?}"));
    }
    Ok(())
}

/// Splits at the `@` that separates the local part from the domain: the last
/// one after any quoted local part, so `"a@evil"@good` goes to `good`.
pub fn split_address(address: &str) -> Option<(&str, &str)> {
    let search_from = if let Some(rest) = address.strip_prefix('"') {
        let mut escaped = false;
        let mut close = None;
        for (i, c) in rest.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    close = Some(i + 2);
                    break;
                }
                _ => {}
            }
        }
        close?
    } else {
        0
    };
    let at = search_from + address[search_from..].find('@')?;
    if address[at + 1..].contains('@') && search_from == 0 {
        // An unquoted local part cannot hold "@": refuse rather than guess.
        return None;
    }
    Some((&address[..at], &address[at + 1..]))
}

/// Parses a comma-separated list of mailboxes as users write them:
/// `a@b`, `Name <a@b>`, `"Last, First" <a@b>`.
pub fn parse_list(input: &str) -> Result<Vec<Mailbox>, String> {
    let mut out = Vec::new();
    for item in split_list(input)? {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        out.push(parse_one(item)?);
    }
    Ok(out)
}

fn parse_one(item: &str) -> Result<Mailbox, String> {
    match item.rfind('<') {
        Some(open) if item.ends_with('>') => {
            let address = item[open + 1..item.len() - 1].trim();
            let name = item[..open].trim();
            let name = name.strip_prefix('"').and_then(|n| n.strip_suffix('"')).map(unescape).unwrap_or_else(|| name.to_string());
            Mailbox::new(Some(&name), address)
        }
        _ => Mailbox::new(None, item),
    }
}

fn unescape(quoted: &str) -> String {
    let mut out = String::with_capacity(quoted.len());
    let mut escaped = false;
    for c in quoted.chars() {
        if !escaped && c == '\\' {
            escaped = true;
        } else {
            out.push(c);
            escaped = false;
        }
    }
    out
}

/// Splits at commas outside quotes and angle brackets.
fn split_list(input: &str) -> Result<Vec<&str>, String> {
    let mut items = Vec::new();
    let (mut start, mut quoted, mut escaped, mut angle) = (0, false, false, false);
    for (i, c) in input.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            ',' if !quoted && !angle => {
                items.push(&input[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if quoted {
        return Err(format!("unbalanced quotes in {input:?}"));
    }
    items.push(&input[start..]);
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lists() {
        let list = parse_list(r#"a@b.c, Bob <bob@x.org>, "Last, First" <lf@y.org>,"#).unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list[0], Mailbox { name: None, address: "a@b.c".into() });
        assert_eq!(list[1].name.as_deref(), Some("Bob"));
        assert_eq!(list[2].name.as_deref(), Some("Last, First"));
        assert_eq!(list[2].address, "lf@y.org");
    }

    #[test]
    fn refuses_injection_and_garbage() {
        assert!(check_address("a@b.c\r\nRCPT TO:<evil@x>").is_err());
        assert!(check_address("a@b>").is_err());
        assert!(check_address("nobody").is_err());
        assert!(check_address("a b@c").is_err());
        assert!(check_address("a@b@c").is_err());
        assert!(Mailbox::new(Some("Eve\r\nBcc: x@y"), "e@x.org").is_err());
        assert!(parse_list("\"unterminated <a@b>").is_err());
    }

    #[test]
    fn quoted_local_part_with_at_goes_to_the_real_domain() {
        assert_eq!(split_address("\"a@evil.com\"@good.org"), Some(("\"a@evil.com\"", "good.org")));
        assert!(check_address("\"a@evil.com\"@good.org").is_ok());
        assert_eq!(split_address("\"a@evil.com\""), None);
    }
}
