//! wasmtp: placeholder docs, rewritten below.
pub mod address;
pub mod capabilities;
pub mod certificate;
pub mod config;
mod date;
mod diagnosis;
mod dot_stuff;
pub mod error;
pub mod header;
pub mod message;
pub mod options;
pub mod reply;
pub mod sasl;
mod session;
mod tls;
mod tls_config;
mod transcript;

pub use session::*;
pub mod random;
pub mod views;
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod wasm;
