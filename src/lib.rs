//! # wasmtp: a sans-IO SMTP client core
//!
//! The whole of an SMTP client — the session state machine, SASL (PLAIN,
//! LOGIN, CRAM-MD5, XOAUTH2), TLS through rustls's unbuffered API (implicit
//! TLS and STARTTLS), and plain-text message composition — without a socket
//! or a clock. The same [`Client`] runs natively in Rust and, compiled to
//! WebAssembly, inside the `wasmtp` npm package, where a small JavaScript
//! loop feeds it from whatever TCP socket the runtime offers.
//!
//! When a send fails, the [`error::Error`] says how far the session got and
//! so which settings are proven right and which may be wrong (host, port,
//! TLS type, authentication type, user name, password), with a hint in
//! plain words.
//!
//! ## The run loop
//!
//! A driver owns the socket and the clock and does four things, forever:
//! write what [`Client::poll_transmit`] gives, act on
//! [`Client::poll_event`], and wait for bytes (to [`Client::handle_received`])
//! or for the deadline of [`Client::poll_timeout`] (to
//! [`Client::handle_timeout`]), whichever comes first. Time is any
//! monotonic count of milliseconds the driver chooses.
//!
//! ```no_run
//! use std::io::{ErrorKind, Read, Write};
//! use std::net::TcpStream;
//! use std::time::{Duration, Instant};
//!
//! use wasmtp::address::{Address, Mailbox};
//! use wasmtp::config::{Auth, AuthMethod, Config, TlsMode};
//! use wasmtp::message::Message;
//! use wasmtp::{Client, Event};
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let mut config = Config::new("smtp.example.com");
//!     config.port = Some(587);
//!     config.tls = TlsMode::StartTls;
//!     config.auth = Some(Auth {
//!         method: AuthMethod::Auto, // CRAM-MD5 > LOGIN > PLAIN, as offered
//!         user: "me@example.com".into(),
//!         pass: Some("app password".into()),
//!         access_token: None,
//!     });
//!
//!     let start = Instant::now();
//!     let now = || start.elapsed().as_millis() as u64;
//!     let mut client = Client::new(config, now())?;
//!
//!     let message = Message {
//!         from: Some(Mailbox::new(Some("Me"), "me@example.com")?),
//!         to: vec![Address::Mailbox(Mailbox::new(None, "you@example.org")?)],
//!         subject: Some("Hello".into()),
//!         text: Some("Sent by wasmtp.\n".into()),
//!         ..Message::default()
//!     };
//!     let unix_ms = 1_767_225_600_000; // the Date header's time
//!     let composed = message.compose(unix_ms, &mut wasmtp::random::fill)?;
//!     client.send(now(), composed.envelope, composed.body)?; // queued until ready
//!     client.quit(now()); // after the queued message
//!
//!     let mut socket = TcpStream::connect(("smtp.example.com", 587))?;
//!     client.handle_connected(now());
//!     let mut buf = [0u8; 16 * 1024];
//!     while !client.is_closed() {
//!         while let Some(bytes) = client.poll_transmit(now()) {
//!             socket.write_all(&bytes)?;
//!         }
//!         while let Some(event) = client.poll_event() {
//!             match event {
//!                 Event::Ready(ready) => println!("TLS: {:?}, AUTH: {:?}", ready.tls, ready.auth),
//!                 Event::Sent(sent) => println!("accepted: {:?} ({})", sent.accepted, sent.response),
//!                 Event::MessageFailed { error, .. } | Event::Failed { error, .. } => {
//!                     eprintln!("{error}\n{}", error.hint);
//!                 }
//!                 Event::Progress { .. } | Event::Closed => {}
//!             }
//!         }
//!         if client.is_closed() {
//!             break;
//!         }
//!         let wait = client.poll_timeout().map(|at| Duration::from_millis(at.saturating_sub(now()).max(1)));
//!         socket.set_read_timeout(wait)?;
//!         match socket.read(&mut buf) {
//!             Ok(0) => client.handle_peer_closed(now()),
//!             Ok(n) => client.handle_received(now(), &buf[..n]),
//!             Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
//!                 client.handle_timeout(now())
//!             }
//!             Err(_) => client.handle_peer_closed(now()),
//!         }
//!     }
//!     Ok(())
//! }
//! ```
//!
//! `examples/send.rs` is this loop as a complete command-line program
//! (connect time-out, name resolution failures, settings from flags; its
//! flags are listed at the top of the file).
//!
//! ## What the client guarantees
//!
//! - Several messages may be queued on one connection; with PIPELINING
//!   each message's MAIL, RCPT and DATA go out in one write, and the next
//!   message's commands ride with the previous final "." (RFC 2920).
//! - Nothing is reported [`Event::Sent`] unless the server accepted the
//!   final "."; when a connection fails, [`Event::Failed`] lists every
//!   message not yet reported either way.
//! - Credentials are never sent without TLS unless
//!   [`config::Config::allow_insecure_auth`] is set; certificates are
//!   verified (webpki roots plus `tls_options.ca`); bytes injected after the
//!   220 to STARTTLS end the session.
//! - No input from the server makes the client panic or wait forever.

// Errors carry a full diagnosis (proven, suspects, hint, transcript) and are
// rare; boxing them would cost every caller a deref for no measurable gain.
#![allow(clippy::result_large_err)]

pub mod address;
pub mod body;
pub mod capabilities;
pub mod certificate;
pub mod config;
mod date;
mod diagnosis;
pub mod dkim;
mod dot_stuff;
pub mod dsn;
pub mod error;
pub mod header;
pub mod mail_options;
pub mod message;
pub mod mime;
pub mod options;
mod params;
pub mod random;
pub mod reply;
pub mod sasl;
mod session;
mod tls;
mod tls_config;
mod transcript;
mod transfer;
pub mod views;
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod wasm;

pub use session::{Client, ConnectFailure, Event, MessageId, Millis, Ready, Sent};
pub use tls::TlsInfo;
