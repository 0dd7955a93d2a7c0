//! CRAM-MD5 (RFC 2195): `user HEX(HMAC-MD5(password, challenge))`.

use hmac::{Hmac, Mac};
use md5::Md5;

use super::{Mechanism, SaslError};

pub struct CramMd5 {
    user: String,
    pass: String,
    answered: bool,
}

impl CramMd5 {
    pub fn new(user: &str, pass: &str) -> CramMd5 {
        CramMd5 { user: user.to_string(), pass: pass.to_string(), answered: false }
    }
}

impl Mechanism for CramMd5 {
    fn name(&self) -> &'static str {
        "CRAM-MD5"
    }

    fn initial_response(&mut self) -> Option<Vec<u8>> {
        None
    }

    fn respond(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        if self.answered || challenge.is_empty() {
            return Err(SaslError::UnexpectedChallenge);
        }
        self.answered = true;
        // HMAC accepts keys of any length, so this cannot fail.
        let Ok(mut mac) = Hmac::<Md5>::new_from_slice(self.pass.as_bytes()) else {
            return Err(SaslError::UnexpectedChallenge);
        };
        mac.update(challenge);
        let digest = mac.finalize().into_bytes();
        let mut out = self.user.as_bytes().to_vec();
        out.push(b' ');
        for byte in digest {
            out.extend_from_slice(format!("{byte:02x}").as_bytes());
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of RFC 2195 §2.
    #[test]
    fn rfc2195_example() {
        let mut m = CramMd5::new("tim", "tanstaaftanstaaf");
        assert_eq!(m.initial_response(), None);
        let answer = m.respond(b"<1896.697170952@postoffice.reston.mci.net>").unwrap();
        assert_eq!(answer, b"tim b913a602c7eda7a495b4e6e7334d3890");
        assert_eq!(m.respond(b"again"), Err(SaslError::UnexpectedChallenge));
    }

    #[test]
    fn empty_challenge_is_refused() {
        assert_eq!(CramMd5::new("a", "b").respond(b""), Err(SaslError::UnexpectedChallenge));
    }
}
