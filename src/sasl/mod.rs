//! SASL mechanisms for SMTP AUTH (RFC 4954), one file each.
//!
//! A mechanism yields an optional initial response and then answers each
//! decoded server challenge. The session does the base64 framing; the
//! mechanisms see raw bytes.

mod cram_md5;
mod login;
mod plain;
mod xoauth2;

pub use cram_md5::CramMd5;
pub use login::Login;
pub use plain::Plain;
pub use xoauth2::XOAuth2;

/// What went wrong inside a SASL exchange, in the client's view.
#[derive(Debug, PartialEq, Eq)]
pub enum SaslError {
    /// The server sent a challenge the mechanism did not expect.
    UnexpectedChallenge,
}

/// One SASL client mechanism.
pub trait Mechanism {
    /// The name sent in `AUTH <name>`.
    fn name(&self) -> &'static str;
    /// The initial response sent with the AUTH command, if the mechanism has one.
    fn initial_response(&mut self) -> Option<Vec<u8>>;
    /// The answer to a decoded server challenge.
    fn respond(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError>;
}
