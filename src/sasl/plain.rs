//! PLAIN (RFC 4616): `\0user\0password` in one initial response.

use super::{Mechanism, SaslError};

pub struct Plain {
    user: String,
    pass: String,
}

impl Plain {
    pub fn new(user: &str, pass: &str) -> Plain {
        Plain { user: user.to_string(), pass: pass.to_string() }
    }
}

impl Mechanism for Plain {
    fn name(&self) -> &'static str {
        "PLAIN"
    }

    fn initial_response(&mut self) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(self.user.len() + self.pass.len() + 2);
        out.push(0);
        out.extend_from_slice(self.user.as_bytes());
        out.push(0);
        out.extend_from_slice(self.pass.as_bytes());
        Some(out)
    }

    fn respond(&mut self, _challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        Err(SaslError::UnexpectedChallenge)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initial_response_layout() {
        let mut m = Plain::new("bob", "s3cret");
        assert_eq!(m.initial_response().unwrap(), b"\0bob\0s3cret");
        assert_eq!(m.respond(b"more?"), Err(SaslError::UnexpectedChallenge));
    }
}
