//! Random bytes (Message-IDs) from the crypto provider rustls already uses,
//! so the wasm build needs no second source of randomness.

use crate::error::{Code, Error, Stage};

/// Fills `buf` with random bytes from the system source
/// (`crypto.getRandomValues` in the wasm build).
pub fn fill(buf: &mut [u8]) -> Result<(), Error> {
    #[allow(deprecated)] // the non-deprecated default adds post-quantum key exchange, not needed here
    let provider = rustls::crypto::ring::default_provider();
    provider.secure_random.fill(buf).map_err(|_| {
        Error::new(Code::Message, Stage::Data, "the system's random source failed, so no unique Message-ID could be made")
            .because("This computer's random number source is not working; set messageId yourself or try again.")
    })
}
