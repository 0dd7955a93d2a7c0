//! XOAUTH2 (Google/Microsoft): `user=U\x01auth=Bearer TOKEN\x01\x01`.
//!
//! On failure the server sends a 334 with a base64 JSON error; the client
//! answers with an empty line and the server then sends the final 5xx.

use super::{Mechanism, SaslError};

pub struct XOAuth2 {
    user: String,
    token: String,
    failed: bool,
}

impl XOAuth2 {
    pub fn new(user: &str, token: &str) -> XOAuth2 {
        XOAuth2 { user: user.to_string(), token: token.to_string(), failed: false }
    }
}

impl Mechanism for XOAuth2 {
    fn name(&self) -> &'static str {
        "XOAUTH2"
    }

    fn initial_response(&mut self) -> Option<Vec<u8>> {
        Some(format!("user={}\x01auth=Bearer {}\x01\x01", self.user, self.token).into_bytes())
    }

    fn respond(&mut self, _error_json: &[u8]) -> Result<Vec<u8>, SaslError> {
        if self.failed {
            return Err(SaslError::UnexpectedChallenge);
        }
        self.failed = true;
        Ok(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_layout_and_error_ack() {
        let mut m = XOAuth2::new("a@b.c", "ya29.tok");
        assert_eq!(m.initial_response().unwrap(), b"user=a@b.c\x01auth=Bearer ya29.tok\x01\x01");
        assert_eq!(m.respond(b"{\"status\":\"401\"}").unwrap(), b"");
        assert_eq!(m.respond(b"again"), Err(SaslError::UnexpectedChallenge));
    }
}
