//! A scripted, in-process SMTP server for the integration tests: it drives
//! a [`Client`] byte for byte (optionally through a real rustls server
//! connection, with a CA made at test time by rcgen) on a fake clock.

#![allow(dead_code)] // each test file uses a different part of it

use std::io::{ErrorKind, Read, Write};
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection};
use wasmtp::body::Body;
use wasmtp::config::{Auth, AuthMethod, Config, TlsMode};
use wasmtp::error::Error;
use wasmtp::message::Envelope;
use wasmtp::{Client, Event, MessageId};

/// The EHLO name the tests configure.
pub const NAME: &str = "client.test";

/// Settings for a plain (no TLS) session to the scripted server.
pub fn plain_config() -> Config {
    let mut config = Config::new("localhost");
    config.port = Some(25);
    config.tls = TlsMode::None;
    config.name = NAME.to_string();
    config.transcript = true;
    config
}

/// Settings for a TLS session (implicit or STARTTLS) trusting the test CA.
pub fn tls_config(mode: TlsMode, pki: &Pki) -> Config {
    let mut config = plain_config();
    config.tls = mode;
    config.port = Some(if mode == TlsMode::Implicit { 465 } else { 587 });
    config.tls_options.ca = vec![pki.ca_pem.clone()];
    config
}

/// An implicit-TLS session through the handshake and the greeting, its EHLO taken.
pub fn greeted_over_tls(pki: &Pki) -> Script {
    let mut s = Script::connected(tls_config(TlsMode::Implicit, pki));
    s.start_tls(pki.server.clone());
    s.say("220 hi\r\n");
    s.take_received();
    s
}

pub fn with_auth(mut config: Config, method: AuthMethod, user: &str, pass: &str) -> Config {
    config.auth = Some(Auth { method, user: user.into(), pass: Some(pass.into()), access_token: None });
    config
}

/// A test CA and a server certificate it signed for `names`.
pub struct Pki {
    pub ca_pem: String,
    pub server: Arc<ServerConfig>,
}

pub fn pki(names: &[&str]) -> Pki {
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "wasmtp scripted CA");
    let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");
    let issuer = Issuer::new(ca_params, ca_key);

    let key = KeyPair::generate().expect("server key");
    let mut params = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).expect("params");
    params.distinguished_name.push(DnType::CommonName, names[0]);
    let cert = params.signed_by(&key, &issuer).expect("server certificate");

    let chain: Vec<CertificateDer<'static>> = vec![cert.der().clone(), ca_cert.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    #[allow(deprecated)] // ring is the provider the client uses; post-quantum key exchange is not under test
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("server config");
    Pki { ca_pem: ca_cert.pem(), server: Arc::new(server) }
}

/// The scripted server end of one session.
pub struct Script {
    pub client: Client,
    pub now: u64,
    tls: Option<ServerConnection>,
    received: Vec<u8>,
    /// Set when the rustls server refused the client's TLS records.
    pub server_tls_error: Option<rustls::Error>,
    /// Progress events seen by [`Script::events`]: (message, written, total).
    pub progress: Vec<(MessageId, u64, Option<u64>)>,
}

impl Script {
    /// A session whose TCP connection is already open.
    pub fn connected(config: Config) -> Script {
        let mut script = Script::new(config);
        script.client.handle_connected(script.now);
        script
    }

    /// A session before the TCP connection.
    pub fn new(config: Config) -> Script {
        let client = Client::new(config, 1_000).expect("valid config");
        Script { client, now: 1_000, tls: None, received: Vec::new(), server_tls_error: None, progress: Vec::new() }
    }

    /// A session greeted with a plain EHLO answered by `ehlo_lines`
    /// (e.g. `["PIPELINING", "8BITMIME"]`), its Ready event taken.
    pub fn ready(config: Config, ehlo_lines: &[&str]) -> Script {
        let mut s = Script::connected(config);
        s.say("220 mx.test ESMTP\r\n");
        s.expect(&format!("EHLO {NAME}\r\n"));
        s.say(&ehlo(ehlo_lines));
        let events = s.events();
        assert!(matches!(events.as_slice(), [Event::Ready(_)]), "not ready: {events:?}");
        s
    }

    /// The server writes `text` (encrypted once TLS is up).
    pub fn say(&mut self, text: &str) {
        self.say_bytes(text.as_bytes());
    }

    pub fn say_bytes(&mut self, bytes: &[u8]) {
        match &mut self.tls {
            Some(tls) => {
                tls.writer().write_all(bytes).expect("server TLS write");
                let mut out = Vec::new();
                tls.write_tls(&mut out).expect("server TLS records");
                self.client.handle_received(self.now, &out);
            }
            None => self.client.handle_received(self.now, bytes),
        }
        self.pump();
    }

    /// Moves the client's output to the server (through TLS when up) and
    /// the server's TLS records back, until neither side has more.
    pub fn pump(&mut self) {
        loop {
            let mut progressed = false;
            while let Some(bytes) = self.client.poll_transmit(self.now) {
                progressed = true;
                match &mut self.tls {
                    Some(tls) => {
                        let mut input = &bytes[..];
                        while !input.is_empty() {
                            tls.read_tls(&mut input).expect("server read_tls");
                            if let Err(e) = tls.process_new_packets() {
                                self.server_tls_error = Some(e);
                                break;
                            }
                        }
                        match tls.reader().read_to_end(&mut self.received) {
                            Ok(_) => {}
                            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                            Err(e) => panic!("server TLS read: {e}"),
                        }
                    }
                    None => self.received.extend_from_slice(&bytes),
                }
            }
            if let Some(tls) = &mut self.tls {
                let mut out = Vec::new();
                while tls.wants_write() {
                    tls.write_tls(&mut out).expect("server TLS records");
                }
                if !out.is_empty() {
                    progressed = true;
                    self.client.handle_received(self.now, &out);
                }
            }
            if !progressed {
                return;
            }
        }
    }

    /// Asserts the client wrote exactly `text` since the last check.
    pub fn expect(&mut self, text: &str) {
        self.pump();
        let got = std::mem::take(&mut self.received);
        assert_eq!(String::from_utf8_lossy(&got), text, "client output");
    }

    /// Everything the client wrote since the last check.
    pub fn take_received(&mut self) -> Vec<u8> {
        self.pump();
        std::mem::take(&mut self.received)
    }

    /// Asserts the client wrote nothing since the last check.
    pub fn expect_silence(&mut self) {
        self.expect("");
    }

    /// Answers STARTTLS with `reply` and starts the server side of TLS,
    /// running the handshake.
    pub fn say_then_start_tls(&mut self, reply: &str, config: Arc<ServerConfig>) {
        self.client.handle_received(self.now, reply.as_bytes());
        self.start_tls(config);
    }

    /// Starts the server side of TLS (for implicit TLS: right after
    /// connect) and runs the handshake.
    pub fn start_tls(&mut self, config: Arc<ServerConfig>) {
        self.tls = Some(ServerConnection::new(config).expect("server connection"));
        self.pump();
    }

    /// True once the client ended TLS with a close_notify alert.
    pub fn server_saw_close_notify(&mut self) -> bool {
        self.pump();
        let tls = self.tls.as_mut().expect("TLS is up");
        matches!(tls.reader().read(&mut [0u8; 1]), Ok(0))
    }

    /// The events since the last call, except progress reports (kept in `progress`).
    pub fn events(&mut self) -> Vec<Event> {
        self.pump();
        let mut events = Vec::new();
        while let Some(event) = self.client.poll_event() {
            match event {
                Event::Progress { id, written, total } => self.progress.push((id, written, total)),
                other => events.push(other),
            }
        }
        events
    }

    /// The one connection-level failure among the events, with the messages
    /// it left unsent; none may have been interrupted after its end was written.
    pub fn failure(&mut self) -> (Error, Vec<MessageId>) {
        let (error, unsent, interrupted) = self.failure_with_interrupted();
        assert_eq!(interrupted, vec![], "messages interrupted after their end was written");
        (error, unsent)
    }

    /// The one connection-level failure: (error, unsent, interrupted).
    pub fn failure_with_interrupted(&mut self) -> (Error, Vec<MessageId>, Vec<MessageId>) {
        let events = self.events();
        match events.as_slice() {
            [Event::Failed { error, unsent, interrupted }] => (error.clone(), unsent.clone(), interrupted.clone()),
            other => panic!("expected one Failed event, got {other:?}"),
        }
    }

    /// Moves the fake clock on and lets the client act on its deadline.
    pub fn advance(&mut self, ms: u64) {
        self.now += ms;
        self.client.handle_timeout(self.now);
        self.pump();
    }

    /// Moves the clock to the client's next deadline.
    pub fn advance_to_deadline(&mut self) {
        let deadline = self.client.poll_timeout().expect("a deadline");
        assert!(deadline >= self.now);
        self.advance(deadline - self.now);
    }

    pub fn send(&mut self, from: &str, to: &[&str], body: &str) -> MessageId {
        let envelope = Envelope { from: from.into(), to: to.iter().map(|t| t.to_string()).collect(), ..Envelope::default() };
        self.client.send(self.now, envelope, Body::from_bytes(body.as_bytes().to_vec())).expect("message accepted for sending")
    }
}

/// A 250 reply to EHLO with these extension lines.
pub fn ehlo(lines: &[&str]) -> String {
    let mut all = vec!["mx.test greets client.test"];
    all.extend_from_slice(lines);
    let last = all.len() - 1;
    all.iter().enumerate().map(|(i, l)| format!("250{}{l}\r\n", if i == last { ' ' } else { '-' })).collect()
}
