//! The extensions a server announces in its EHLO reply (RFC 5321 §4.1.1.1).

use crate::reply::Reply;

/// The server's EHLO capabilities, parsed into types.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// The domain the server named on the first line.
    pub server_name: String,
    /// SIZE: `Some(0)` means announced without a limit.
    pub size: Option<u64>,
    /// AUTH mechanisms, upper-cased, in the server's order.
    pub auth: Vec<String>,
    pub pipelining: bool,
    pub eight_bit_mime: bool,
    pub smtputf8: bool,
    pub dsn: bool,
    pub chunking: bool,
    pub binarymime: bool,
    pub enhanced_status_codes: bool,
    pub starttls: bool,
    pub requiretls: bool,
    /// Every keyword line as the server sent it (after the first line).
    pub raw: Vec<String>,
}

impl Capabilities {
    /// Reads an EHLO reply. Unknown keywords are kept in `raw` only.
    pub fn from_ehlo(reply: &Reply) -> Capabilities {
        let mut caps = Capabilities::default();
        let mut lines = reply.lines().iter();
        if let Some(first) = lines.next() {
            caps.server_name = first.split_whitespace().next().unwrap_or("").to_string();
        }
        for line in lines {
            caps.raw.push(line.clone());
            let mut words = line.split_whitespace();
            let Some(keyword) = words.next() else { continue };
            // Old servers announce `AUTH=LOGIN` as well as `AUTH LOGIN`.
            let (keyword, inline_arg) = match keyword.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (keyword, None),
            };
            let args: Vec<&str> = inline_arg.into_iter().chain(words).collect();
            match keyword.to_ascii_uppercase().as_str() {
                "SIZE" => caps.size = Some(args.first().and_then(|a| a.parse().ok()).unwrap_or(0)),
                "AUTH" => {
                    for mech in args {
                        let mech = mech.to_ascii_uppercase();
                        if !caps.auth.contains(&mech) {
                            caps.auth.push(mech);
                        }
                    }
                }
                "PIPELINING" => caps.pipelining = true,
                "8BITMIME" => caps.eight_bit_mime = true,
                "SMTPUTF8" => caps.smtputf8 = true,
                "DSN" => caps.dsn = true,
                "CHUNKING" => caps.chunking = true,
                "BINARYMIME" => caps.binarymime = true,
                "ENHANCEDSTATUSCODES" => caps.enhanced_status_codes = true,
                "STARTTLS" => caps.starttls = true,
                "REQUIRETLS" => caps.requiretls = true,
                _ => {}
            }
        }
        caps
    }

    /// True when the server offers the SASL mechanism `name`.
    pub fn offers_auth(&self, name: &str) -> bool {
        self.auth.iter().any(|m| m == name)
    }

    /// The keywords, as a list of strings (for the JS `capabilities` field).
    pub fn keywords(&self) -> Vec<String> {
        self.raw.iter().filter(|l| !l.trim().is_empty()).cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_postfix_ehlo() {
        let reply = Reply::new(
            250,
            [
                "mx.example.org",
                "PIPELINING",
                "SIZE 10240000",
                "VRFY",
                "STARTTLS",
                "AUTH PLAIN LOGIN CRAM-MD5",
                "AUTH=LOGIN",
                "ENHANCEDSTATUSCODES",
                "8BITMIME",
                "DSN",
                "SMTPUTF8",
                "CHUNKING",
                "REQUIRETLS",
            ]
            .map(String::from)
            .to_vec(),
        );
        let c = Capabilities::from_ehlo(&reply);
        assert_eq!(c.server_name, "mx.example.org");
        assert_eq!(c.size, Some(10_240_000));
        assert_eq!(c.auth, ["PLAIN", "LOGIN", "CRAM-MD5"]);
        assert!(c.pipelining && c.starttls && c.enhanced_status_codes && c.eight_bit_mime);
        assert!(c.dsn && c.smtputf8 && c.chunking && c.requiretls);
        assert!(!c.binarymime);
        assert!(c.offers_auth("CRAM-MD5"));
    }

    #[test]
    fn size_without_number_and_single_line() {
        let c = Capabilities::from_ehlo(&Reply::new(250, vec!["x".into(), "size".into()]));
        assert_eq!(c.size, Some(0));
        let c = Capabilities::from_ehlo(&Reply::new(250, vec!["only.name greets you".into()]));
        assert_eq!(c.server_name, "only.name");
        assert!(c.raw.is_empty());
    }
}
