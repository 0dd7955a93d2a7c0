//! LOGIN (draft-murchison-sasl-login): the username, then the password, each
//! in answer to a server prompt.

use super::{Mechanism, SaslError};

pub struct Login {
    user: String,
    pass: String,
    step: u8,
}

impl Login {
    pub fn new(user: &str, pass: &str) -> Login {
        Login { user: user.to_string(), pass: pass.to_string(), step: 0 }
    }
}

impl Mechanism for Login {
    fn name(&self) -> &'static str {
        "LOGIN"
    }

    fn initial_response(&mut self) -> Option<Vec<u8>> {
        None
    }

    /// The prompts' wording varies between servers ("Username:", "User
    /// Name"), so answers go by order: first the user, then the password.
    fn respond(&mut self, _challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        self.step += 1;
        match self.step {
            1 => Ok(self.user.as_bytes().to_vec()),
            2 => Ok(self.pass.as_bytes().to_vec()),
            _ => Err(SaslError::UnexpectedChallenge),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_then_password_then_nothing() {
        let mut m = Login::new("bob", "pw");
        assert_eq!(m.initial_response(), None);
        assert_eq!(m.respond(b"Username:").unwrap(), b"bob");
        assert_eq!(m.respond(b"Password:").unwrap(), b"pw");
        assert_eq!(m.respond(b"Again:"), Err(SaslError::UnexpectedChallenge));
    }
}
