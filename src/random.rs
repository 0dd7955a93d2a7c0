//! Random bytes (Message-IDs) from the crypto provider rustls already uses,
//! so the wasm build needs no second source of randomness.

/// Fills `buf` with random bytes; on the (never seen) failure of the system
/// source, leaves it as is (a Message-ID is unique enough from its other parts).
pub fn fill(buf: &mut [u8]) {
    #[allow(deprecated)]
    let provider = rustls::crypto::ring::default_provider();
    let _ = provider.secure_random.fill(buf);
}
