//! Email addresses: parsing what users write (`Name <a@b>`, `a@b`, lists,
//! groups `Team: a@b, c@d;`), checking envelope addresses, and formatting
//! mailboxes for headers.
//!
//! An address is refused, never altered, when it holds a character that
//! could end the SMTP command or start a new header (CR, LF, NUL, `<`, `>`).
//! An international domain is written in its ASCII form (IDNA, `xn--`),
//! which names the same domain; a non-ASCII local part is kept and needs
//! SMTPUTF8 from the server.

use crate::header::encode_phrase;

/// A mailbox: an optional display name and the address itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mailbox {
    pub name: Option<String>,
    pub address: String,
}

impl Mailbox {
    /// Builds a mailbox, checking the address (its domain in ASCII form).
    pub fn new(name: Option<&str>, address: &str) -> Result<Mailbox, String> {
        let name = name.map(str::trim).filter(|n| !n.is_empty());
        if let Some(n) = name {
            if n.chars().any(|c| c.is_control()) {
                return Err(format!("display name {n:?} contains a control character"));
            }
        }
        let address = ascii_domain(address.trim())?;
        check_address(&address)?;
        Ok(Mailbox { name: name.map(String::from), address })
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

/// A list entry: a mailbox, or a named group of them (RFC 5322 §3.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Address {
    Mailbox(Mailbox),
    Group { name: String, members: Vec<Mailbox> },
}

impl Address {
    /// The mailboxes this entry stands for.
    pub fn mailboxes(&self) -> &[Mailbox] {
        match self {
            Address::Mailbox(m) => std::slice::from_ref(m),
            Address::Group { members, .. } => members,
        }
    }

    /// The entry as a header value: a mailbox, or `Name: a, b;`.
    pub fn to_header(&self) -> String {
        match self {
            Address::Mailbox(m) => m.to_header(),
            Address::Group { name, members } => {
                format!("{}: {};", encode_phrase(name), members.iter().map(Mailbox::to_header).collect::<Vec<_>>().join(", "))
            }
        }
    }
}

/// The address with its domain in ASCII (IDNA) form.
pub fn ascii_domain(address: &str) -> Result<String, String> {
    match split_address(address) {
        Some((local, domain)) if !domain.is_ascii() => {
            let ascii = idna::domain_to_ascii(domain).map_err(|_| format!("{domain:?} is not a valid international domain name"))?;
            Ok(format!("{local}@{ascii}"))
        }
        _ => Ok(address.to_string()),
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

/// Parses a comma-separated list as users write it: `a@b`, `Name <a@b>`,
/// `"Last, First" <a@b>`, and groups `Team: a@b, c@d;`.
pub fn parse_list(input: &str) -> Result<Vec<Address>, String> {
    let mut out = Vec::new();
    for item in split_list(input)? {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        match group_colon(item) {
            Some(colon) => {
                let name = item[..colon].trim();
                let body = item[colon + 1..].trim();
                let body = body.strip_suffix(';').ok_or_else(|| format!("group {name:?} does not end with \";\""))?;
                let mut members = Vec::new();
                for member in split_list(body)? {
                    let member = member.trim();
                    if !member.is_empty() {
                        if group_colon(member).is_some() {
                            return Err(format!("groups cannot be nested: {item:?}"));
                        }
                        members.push(parse_one(member)?);
                    }
                }
                let name = name.strip_prefix('"').and_then(|n| n.strip_suffix('"')).map(unescape).unwrap_or_else(|| name.to_string());
                if name.is_empty() || name.chars().any(char::is_control) {
                    return Err(format!("group name in {item:?} is not valid"));
                }
                out.push(Address::Group { name, members });
            }
            None => out.push(Address::Mailbox(parse_one(item)?)),
        }
    }
    Ok(out)
}

/// Where a group's name ends: a ":" outside quotes, angle brackets and
/// domain literals.
fn group_colon(item: &str) -> Option<usize> {
    let (mut quoted, mut escaped, mut depth) = (false, false, 0i32);
    for (i, c) in item.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '<' | '[' if !quoted => depth += 1,
            '>' | ']' if !quoted => depth -= 1,
            ':' if !quoted && depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
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

/// Splits at commas outside quotes, angle brackets and groups.
fn split_list(input: &str) -> Result<Vec<&str>, String> {
    let mut items = Vec::new();
    let (mut start, mut quoted, mut escaped, mut angle, mut group) = (0, false, false, false, false);
    for (i, c) in input.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            ':' if !quoted && !angle => group = true,
            ';' if !quoted && !angle => group = false,
            ',' if !quoted && !angle && !group => {
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
        let list: Vec<Mailbox> = parse_list(r#"a@b.c, Bob <bob@x.org>, "Last, First" <lf@y.org>,"#)
            .unwrap()
            .iter()
            .flat_map(|a| a.mailboxes().to_vec())
            .collect();
        assert_eq!(list.len(), 3);
        assert_eq!(list[0], Mailbox { name: None, address: "a@b.c".into() });
        assert_eq!(list[1].name.as_deref(), Some("Bob"));
        assert_eq!(list[2].name.as_deref(), Some("Last, First"));
        assert_eq!(list[2].address, "lf@y.org");
    }

    #[test]
    fn parses_groups() {
        let list = parse_list("Team: a@x.org, \"B, b\" <b@x.org>;, c@y.org, Nobody:;").unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list[0].mailboxes().len(), 2);
        assert_eq!(list[0].to_header(), "Team: a@x.org, \"B, b\" <b@x.org>;");
        assert_eq!(list[1].mailboxes()[0].address, "c@y.org");
        assert_eq!(list[2], Address::Group { name: "Nobody".into(), members: vec![] });
        assert!(parse_list("Team: a@x.org").is_err());
    }

    #[test]
    fn international_domains_become_ascii() {
        let m = Mailbox::new(None, "jörg@bücher.example").unwrap();
        assert_eq!(m.address, "jörg@xn--bcher-kva.example");
        assert!(m.needs_smtputf8());
        assert!(!Mailbox::new(None, "info@bücher.example").unwrap().needs_smtputf8());
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
