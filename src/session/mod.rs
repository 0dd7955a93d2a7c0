//! The SMTP client session: one state machine from TCP connect to QUIT.
//!
//! [`Client`] never touches a socket or a clock. The driver feeds it
//! ([`Client::handle_connected`], [`Client::handle_received`],
//! [`Client::handle_peer_closed`], [`Client::handle_timeout`]) and drains it
//! ([`Client::poll_event`], [`Client::poll_transmit`],
//! [`Client::poll_timeout`]). [`Phase`] is the whole state; the table:
//!
//! | phase        | waits for                     | next                                  |
//! |--------------|-------------------------------|---------------------------------------|
//! | Connecting   | the driver's TCP connect      | Handshake (implicit TLS) or Greeting  |
//! | Handshake    | TLS records                   | Greeting (implicit) or Ehlo (STARTTLS)|
//! | Greeting     | 220                           | Ehlo                                  |
//! | Ehlo / Helo  | 250 (5xx to EHLO: try HELO)   | StartTls, Auth or Ready               |
//! | StartTls     | 220                           | Handshake                             |
//! | Auth         | 334 challenges, then 235      | Ready                                 |
//! | Ready        | replies to pipelined commands | Ready, Quitting on quit or idle       |
//! | Quitting     | 221                           | Closed                                |
//!
//! In `Ready`, messages run as transactions. With PIPELINING a message's
//! MAIL, RCPT... and DATA go out in one write, and when another message is
//! queued its commands go out in the same write as the previous message's
//! final "." (RFC 2920 §3.1). Every reply is matched to its command in order.

use std::collections::VecDeque;
use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rustls::ClientConfig;
use rustls_pki_types::ServerName;

use crate::capabilities::Capabilities;
use crate::config::{AuthMethod, Config, TlsMode};
use crate::diagnosis;
use crate::error::{Code, Error, Setting, Stage};
use crate::message::Envelope;
use transaction::{BodyWriter, Expect, Transaction};

mod transaction;
use crate::reply::{Reply, ReplyParser};
use crate::sasl::{CramMd5, Login, Mechanism, Plain, XOAuth2};
use crate::tls::{TlsInfo, TlsLayer};
use crate::tls_config::{client_config, server_name};
use crate::transcript::Transcript;

/// Milliseconds from an origin the driver chooses (monotonic).
pub type Millis = u64;

/// Identifies a message given to [`Client::send`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MessageId(pub u64);

/// Why the driver could not open the TCP connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectFailure {
    /// The host name does not resolve.
    Unresolved,
    /// Connection refused, host unreachable, or reset.
    Refused,
}

/// The session is set up: greeted, TLS and AUTH done as configured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ready {
    pub capabilities: Capabilities,
    pub tls: Option<TlsInfo>,
    /// The SASL mechanism used, if any.
    pub auth: Option<&'static str>,
    pub transcript: Vec<String>,
}

/// A message the server accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    pub id: MessageId,
    pub envelope: Envelope,
    pub accepted: Vec<String>,
    /// One error per refused recipient (code EENVELOPE, stage rcpt).
    pub rejected: Vec<Error>,
    /// The server's reply to the end of data.
    pub response: String,
    pub transcript: Vec<String>,
}

/// What the session tells its user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Ready(Ready),
    /// Part of a message body was written: `written` bytes (before
    /// dot-stuffing) of `total`, when known (no stream attachment).
    Progress {
        id: MessageId,
        written: u64,
        total: Option<u64>,
    },
    Sent(Sent),
    /// One message failed; the connection is still usable.
    MessageFailed {
        id: MessageId,
        error: Error,
    },
    /// The connection failed. Every message not yet reported sent or
    /// failed is listed once: in `unsent` when the server cannot have
    /// taken it (its end was never written: safe to send again), in
    /// `interrupted` when its end was written but not answered (the
    /// server may or may not have accepted it).
    Failed {
        error: Error,
        unsent: Vec<MessageId>,
        interrupted: Vec<MessageId>,
    },
    /// The session ended (QUIT answered, or the server closed an idle connection).
    Closed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Connecting,
    Handshake { starttls: bool },
    Greeting,
    Ehlo,
    Helo,
    StartTls,
    Auth,
    Ready,
    Quitting,
    Closed,
}

/// The SMTP client state machine. See the crate docs for the run loop.
pub struct Client {
    config: Config,
    tls_config: Arc<ClientConfig>,
    server_name: ServerName<'static>,
    phase: Phase,
    tls: Option<TlsLayer>,
    parser: ReplyParser,
    capabilities: Option<Capabilities>,
    mechanism: Option<Box<dyn Mechanism>>,
    transcript: Transcript,
    /// Plaintext commands waiting to be written (encrypted together).
    plain_out: Vec<u8>,
    transmit: Vec<u8>,
    events: VecDeque<Event>,
    /// When the current wait began (last write or reply).
    wait_since: Millis,
    connected: bool,
    greeted: bool,
    authenticated: bool,
    queue: VecDeque<Transaction>,
    next_id: u64,
    commanding: Option<Transaction>,
    body: Option<BodyWriter>,
    finishing: Option<Transaction>,
    in_flight: VecDeque<Expect>,
    needs_rset: bool,
    quit_requested: bool,
}

impl Client {
    /// A session for `config`, before the TCP connection. `now` starts the
    /// connect time-out. Invalid options are `ECONFIG` errors.
    pub fn new(config: Config, now: Millis) -> Result<Client, Error> {
        if config.host.trim().is_empty() {
            return Err(Error::config("host", "must not be empty"));
        }
        if config.name.is_empty() || config.name.contains(|c: char| c.is_whitespace() || c.is_control()) {
            return Err(Error::config("name", "must be a host name or address literal without spaces"));
        }
        if let Some(auth) = &config.auth {
            if auth.user.contains(['\r', '\n', '\0']) {
                return Err(Error::config("auth.user", "contains a line break or NUL"));
            }
            let has_secret = match auth.method {
                AuthMethod::XOAuth2 => auth.access_token.is_some(),
                AuthMethod::Auto => auth.access_token.is_some() || auth.pass.is_some(),
                _ => auth.pass.is_some(),
            };
            if !has_secret {
                let path = if auth.method == AuthMethod::XOAuth2 { "auth.accessToken" } else { "auth.pass" };
                return Err(Error::config(path, "is required with auth.user"));
            }
        }
        let tls_config = client_config(&config.tls_options)?;
        let server_name = server_name(&config.host, config.tls_options.servername.as_deref())?;
        let transcript = Transcript::new(config.transcript);
        Ok(Client {
            config,
            tls_config,
            server_name,
            phase: Phase::Connecting,
            tls: None,
            parser: ReplyParser::new(),
            capabilities: None,
            mechanism: None,
            transcript,
            plain_out: Vec::new(),
            transmit: Vec::new(),
            events: VecDeque::new(),
            wait_since: now,
            connected: false,
            greeted: false,
            authenticated: false,
            queue: VecDeque::new(),
            next_id: 0,
            commanding: None,
            body: None,
            finishing: None,
            in_flight: VecDeque::new(),
            needs_rset: false,
            quit_requested: false,
        })
    }

    /// The settings in force (with defaults applied, see [`Config::effective_port`]).
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The server's capabilities, once EHLO was answered.
    pub fn capabilities(&self) -> Option<&Capabilities> {
        self.capabilities.as_ref()
    }

    /// True when the session is over: the driver should close the socket.
    pub fn is_closed(&self) -> bool {
        self.phase == Phase::Closed
    }

    /// True when [`Client::send`] may be called: the session is not closing.
    pub fn can_send(&self) -> bool {
        !matches!(self.phase, Phase::Quitting | Phase::Closed) && !self.quit_requested
    }

    // ---- inputs -------------------------------------------------------

    /// The TCP connection is open.
    pub fn handle_connected(&mut self, now: Millis) {
        if self.phase != Phase::Connecting {
            return;
        }
        self.connected = true;
        self.wait_since = now;
        let host = self.config.host.clone();
        self.transcript.event(&format!("connected to {host}:{}", self.config.effective_port()));
        if self.config.implicit_tls() {
            self.start_tls(false);
        } else {
            self.phase = Phase::Greeting;
        }
    }

    /// The TCP connection could not be opened.
    pub fn handle_connect_failed(&mut self, _now: Millis, failure: ConnectFailure, detail: &str) {
        if self.phase != Phase::Connecting {
            return;
        }
        let error = match failure {
            ConnectFailure::Unresolved => diagnosis::unresolved(&self.config.host, detail),
            ConnectFailure::Refused => diagnosis::refused(&self.config.host, self.config.effective_port(), detail),
        };
        self.fail(error);
    }

    /// Bytes arrived from the server.
    pub fn handle_received(&mut self, now: Millis, data: &[u8]) {
        if matches!(self.phase, Phase::Closed | Phase::Connecting) {
            return;
        }
        let mut plain = Vec::new();
        if let Some(tls) = &mut self.tls {
            let before = tls.is_established();
            if let Err(e) = tls.receive(data, &mut plain, &mut self.transmit) {
                let error = self.tls_error(e);
                self.fail(error);
                return;
            }
            let peer_closed = tls.peer_closed();
            if !before && tls.is_established() {
                self.on_tls_established(now);
            }
            if peer_closed {
                self.parser.feed(&plain);
                self.drain_replies(now);
                self.handle_peer_closed(now);
                return;
            }
        } else {
            plain.extend_from_slice(data);
        }
        self.parser.feed(&plain);
        self.drain_replies(now);
    }

    /// Acts on every complete reply the parser holds.
    fn drain_replies(&mut self, now: Millis) {
        while !matches!(self.phase, Phase::Closed | Phase::Handshake { .. }) {
            match self.parser.next_reply() {
                Ok(Some(reply)) => {
                    // Each accepted BDAT chunk is summarised with the data, not listed.
                    let routine_chunk =
                        self.phase == Phase::Ready && self.in_flight.front() == Some(&Expect::Bdat { last: false }) && reply.is_positive();
                    if !routine_chunk {
                        self.transcript.server(reply.code(), reply.lines());
                    }
                    self.wait_since = now;
                    self.on_reply(now, reply);
                }
                Ok(None) => break,
                Err(malformed) => {
                    let error = if self.greeted {
                        diagnosis::protocol(self.stage(), &malformed.0)
                    } else {
                        diagnosis::not_smtp(self.stage(), &malformed.0)
                    };
                    self.fail(error);
                }
            }
        }
    }

    /// The server closed the connection (TCP FIN or reset).
    pub fn handle_peer_closed(&mut self, _now: Millis) {
        match self.phase {
            Phase::Closed => {}
            Phase::Quitting => self.close(),
            Phase::Ready if self.is_idle() => {
                self.transcript.event("the server closed the idle connection");
                self.close();
            }
            _ => {
                let error = diagnosis::closed(self.stage(), self.greeted, self.config.implicit_tls());
                self.fail(error);
            }
        }
    }

    /// Time passed: acts on an expired deadline (see [`Client::poll_timeout`]).
    pub fn handle_timeout(&mut self, now: Millis) {
        let Some(deadline) = self.poll_timeout() else { return };
        if now < deadline {
            return;
        }
        match self.phase {
            Phase::Ready if self.is_idle() => {
                self.transcript.event("idle time-out");
                self.send_quit(now);
            }
            Phase::Quitting => self.close(),
            _ => {
                let error = diagnosis::timed_out(self.stage(), self.greeted, self.config.implicit_tls(), self.timeout_for_phase());
                self.fail(error);
            }
        }
    }

    /// Sends NOOP when the session is ready and idle, to check that an
    /// open connection still works (a busy one evidently does). A refusal
    /// or a 421 fails the session like any other connection failure.
    pub fn noop(&mut self, now: Millis) {
        if self.phase == Phase::Ready && self.is_idle() {
            self.in_flight.push_back(Expect::Noop);
            self.command(now, "NOOP", None);
        }
    }

    /// Ends the session with QUIT once every queued message is done.
    pub fn quit(&mut self, now: Millis) {
        match self.phase {
            Phase::Connecting if self.queue.is_empty() => self.close(),
            Phase::Quitting | Phase::Closed => {}
            _ => {
                self.quit_requested = true;
                self.advance(now);
            }
        }
    }

    // ---- outputs ------------------------------------------------------

    /// The next event for the user.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Bytes to write to the socket. While a message body is being written
    /// this yields it a chunk at a time: call again once the socket took
    /// the previous chunk.
    pub fn poll_transmit(&mut self, now: Millis) -> Option<Vec<u8>> {
        if self.transmit.is_empty() && self.plain_out.is_empty() && self.body.is_some() {
            self.write_body_chunk(now);
        }
        self.flush_plain();
        if self.transmit.is_empty() {
            None
        } else {
            Some(std::mem::take(&mut self.transmit))
        }
    }

    /// When [`Client::handle_timeout`] must next be called, if ever.
    pub fn poll_timeout(&self) -> Option<Millis> {
        match self.phase {
            Phase::Closed => None,
            Phase::Ready if self.is_idle() => Some(self.wait_since + self.config.timeouts.idle),
            _ => Some(self.wait_since + self.timeout_for_phase()),
        }
    }

    // ---- the state machine --------------------------------------------

    fn timeout_for_phase(&self) -> u64 {
        let t = &self.config.timeouts;
        match self.phase {
            Phase::Connecting => t.connect,
            Phase::Greeting | Phase::Handshake { starttls: false } => t.greeting,
            Phase::Ready if self.in_data() => t.data,
            _ => t.command,
        }
    }

    fn stage(&self) -> Stage {
        match self.phase {
            Phase::Connecting => Stage::Connect,
            Phase::Handshake { .. } => Stage::Tls,
            Phase::Greeting => Stage::Greeting,
            Phase::Ehlo | Phase::Helo => Stage::Ehlo,
            Phase::StartTls => Stage::StartTls,
            Phase::Auth => Stage::Auth,
            Phase::Quitting | Phase::Closed => Stage::Quit,
            Phase::Ready => match self.in_flight.front() {
                Some(expect) => expect.stage(),
                None if self.body.is_some() => Stage::Data,
                None => Stage::Mail,
            },
        }
    }

    fn is_idle(&self) -> bool {
        self.in_flight.is_empty() && self.commanding.is_none() && self.finishing.is_none() && self.queue.is_empty()
    }

    fn on_reply(&mut self, now: Millis, reply: Reply) {
        match self.phase {
            Phase::Greeting => {
                if reply.code() == 220 {
                    self.greeted = true;
                    self.send_ehlo(now);
                } else {
                    let error = diagnosis::greeting_refused(&reply);
                    self.fail(error);
                }
            }
            Phase::Ehlo => {
                if reply.is_positive() {
                    self.capabilities = Some(Capabilities::from_ehlo(&reply));
                    self.after_ehlo(now);
                } else if reply.code() >= 500 && reply.code() != 554 {
                    self.phase = Phase::Helo;
                    let line = format!("HELO {}", self.config.name);
                    self.command(now, &line, None);
                } else {
                    let error = Error::from_reply(Code::Connection, Stage::Ehlo, "EHLO refused", &reply);
                    self.fail(error);
                }
            }
            Phase::Helo => {
                if reply.is_positive() {
                    self.capabilities = Some(Capabilities::default());
                    self.after_ehlo(now);
                } else {
                    let error = Error::from_reply(Code::Connection, Stage::Ehlo, "EHLO and HELO refused", &reply);
                    self.fail(error);
                }
            }
            Phase::StartTls => {
                if reply.code() != 220 {
                    let error = diagnosis::starttls_refused(&reply);
                    self.fail(error);
                } else if self.parser.has_buffered() {
                    let error = diagnosis::starttls_injection();
                    self.fail(error);
                } else {
                    self.start_tls(true);
                }
            }
            Phase::Auth => self.on_auth_reply(now, reply),
            Phase::Ready => self.on_transaction_reply(now, reply),
            Phase::Quitting => {
                if let Some(tls) = &mut self.tls {
                    tls.close_notify(&mut self.transmit);
                }
                self.close();
            }
            Phase::Connecting | Phase::Handshake { .. } | Phase::Closed => {}
        }
    }

    fn send_ehlo(&mut self, now: Millis) {
        self.phase = Phase::Ehlo;
        let line = format!("EHLO {}", self.config.name);
        self.command(now, &line, None);
    }

    /// After EHLO: STARTTLS if wanted, then AUTH if configured, then Ready.
    fn after_ehlo(&mut self, now: Millis) {
        let offered = self.capabilities.as_ref().is_some_and(|c| c.starttls);
        if self.tls.is_none() {
            let wanted = match self.config.tls {
                TlsMode::StartTls => true,
                TlsMode::Auto => offered,
                TlsMode::None | TlsMode::Implicit => false,
            };
            if wanted {
                if !offered {
                    let error = diagnosis::starttls_not_offered();
                    self.fail(error);
                    return;
                }
                self.phase = Phase::StartTls;
                self.command(now, "STARTTLS", None);
                return;
            }
        }
        if self.config.auth.is_some() {
            self.start_auth(now);
        } else {
            self.become_ready(now);
        }
    }

    fn start_tls(&mut self, starttls: bool) {
        self.flush_plain();
        self.phase = Phase::Handshake { starttls };
        let layer = TlsLayer::new(self.tls_config.clone(), self.server_name.clone());
        let result = layer.and_then(|mut layer| {
            let mut ignored = Vec::new();
            layer.receive(&[], &mut ignored, &mut self.transmit)?;
            Ok(layer)
        });
        match result {
            Ok(layer) => self.tls = Some(layer),
            Err(e) => {
                let error = self.tls_error(e);
                self.fail(error);
            }
        }
    }

    fn on_tls_established(&mut self, now: Millis) {
        let Phase::Handshake { starttls } = self.phase else { return };
        if let Some(info) = self.tls.as_ref().and_then(TlsLayer::info) {
            let cert =
                info.certificate.as_ref().map(|c| format!(", certificate subject {}, issuer {}", c.subject, c.issuer)).unwrap_or_default();
            self.transcript.event(&format!("TLS established: {} {}{cert}", info.version, info.cipher));
        }
        self.wait_since = now;
        if starttls {
            // RFC 3207 §4.2: forget what was learnt before TLS, ask again.
            self.capabilities = None;
            self.send_ehlo(now);
        } else {
            self.phase = Phase::Greeting;
        }
    }

    fn tls_error(&self, e: rustls::Error) -> Error {
        let starttls = matches!(self.phase, Phase::Handshake { starttls: true });
        let established = self.tls.as_ref().is_some_and(TlsLayer::is_established);
        diagnosis::tls(e, starttls, established, self.stage())
    }

    fn start_auth(&mut self, now: Millis) {
        let Some(auth) = self.config.auth.clone() else { return };
        let encrypted = self.tls.is_some();
        if !encrypted && !self.config.allow_insecure_auth {
            let error = diagnosis::insecure_auth();
            self.fail(error);
            return;
        }
        let offered = self.capabilities.as_ref().map(|c| c.auth.clone()).unwrap_or_default();
        let name = match auth.method.sasl_name() {
            Some(name) => name,
            None if auth.access_token.is_some() => "XOAUTH2",
            None => match ["CRAM-MD5", "LOGIN", "PLAIN"].into_iter().find(|m| offered.iter().any(|o| o == m)) {
                Some(name) => name,
                None => {
                    let error = diagnosis::no_common_mechanism(&offered, encrypted);
                    self.fail(error);
                    return;
                }
            },
        };
        if !offered.iter().any(|o| o == name) {
            let error = diagnosis::mechanism_not_offered(name, &offered, encrypted);
            self.fail(error);
            return;
        }
        let pass = auth.pass.as_deref().unwrap_or("");
        let mut mechanism: Box<dyn Mechanism> = match name {
            "PLAIN" => Box::new(Plain::new(&auth.user, pass)),
            "LOGIN" => Box::new(Login::new(&auth.user, pass)),
            "CRAM-MD5" => Box::new(CramMd5::new(&auth.user, pass)),
            _ => Box::new(XOAuth2::new(&auth.user, auth.access_token.as_deref().unwrap_or(""))),
        };
        let line = match mechanism.initial_response() {
            Some(initial) => format!("AUTH {name} {}", encode_sasl(&initial)),
            None => format!("AUTH {name}"),
        };
        let shown = if line.len() > 5 + name.len() { format!("AUTH {name} <redacted>") } else { line.clone() };
        self.mechanism = Some(mechanism);
        self.phase = Phase::Auth;
        self.command(now, &line, Some(&shown));
    }

    fn on_auth_reply(&mut self, now: Millis, reply: Reply) {
        let name = self.mechanism.as_ref().map_or("", |m| m.name());
        if reply.code() == 235 {
            self.authenticated = true;
            self.become_ready(now);
        } else if reply.code() == 334 {
            let challenge = reply.lines().first().map(|l| l.trim()).unwrap_or("");
            let Ok(decoded) = STANDARD.decode(challenge) else {
                let error = diagnosis::protocol(Stage::Auth, &format!("the {name} challenge is not valid base64: {challenge:?}"));
                self.fail(error);
                return;
            };
            let answer = self.mechanism.as_mut().map(|m| m.respond(&decoded));
            match answer {
                Some(Ok(answer)) => {
                    let line = encode_sasl(&answer);
                    self.command(now, &line, Some("<redacted>"));
                }
                _ => {
                    let error = diagnosis::protocol(Stage::Auth, &format!("unexpected {name} challenge: {}", reply.summary()));
                    self.fail(error);
                }
            }
        } else {
            let error = diagnosis::auth_refused(name, &reply);
            self.fail(error);
        }
    }

    fn become_ready(&mut self, now: Millis) {
        self.phase = Phase::Ready;
        self.mechanism.take();
        let ready = Ready {
            capabilities: self.capabilities.clone().unwrap_or_default(),
            tls: self.tls.as_ref().and_then(TlsLayer::info),
            auth: self.config.auth.as_ref().and(self.authenticated_mechanism()),
            transcript: self.transcript.take(),
        };
        self.events.push_back(Event::Ready(ready));
        self.advance(now);
    }

    fn authenticated_mechanism(&self) -> Option<&'static str> {
        let auth = self.config.auth.as_ref()?;
        let offered = &self.capabilities.as_ref()?.auth;
        auth.method.sasl_name().or_else(|| {
            if auth.access_token.is_some() {
                Some("XOAUTH2")
            } else {
                ["CRAM-MD5", "LOGIN", "PLAIN"].into_iter().find(|m| offered.iter().any(|o| o == m))
            }
        })
    }

    fn send_quit(&mut self, now: Millis) {
        self.phase = Phase::Quitting;
        self.command(now, "QUIT", None);
    }

    /// Writes one command line; `shown` replaces it in the transcript.
    fn command(&mut self, now: Millis, line: &str, shown: Option<&str>) {
        self.transcript.client(shown.unwrap_or(line));
        self.plain_out.extend_from_slice(line.as_bytes());
        self.plain_out.extend_from_slice(b"\r\n");
        self.wait_since = now;
    }

    /// Moves buffered plaintext to `transmit`, encrypting when TLS is up.
    fn flush_plain(&mut self) {
        if self.plain_out.is_empty() {
            return;
        }
        let plain = std::mem::take(&mut self.plain_out);
        match &mut self.tls {
            Some(tls) => {
                if let Err(e) = tls.encrypt(&plain, &mut self.transmit) {
                    let error = self.tls_error(e);
                    self.fail(error);
                }
            }
            None => self.transmit.extend_from_slice(&plain),
        }
    }

    /// Settings the session's progress proves right.
    fn proven(&self) -> Vec<Setting> {
        let mut proven = Vec::new();
        if self.connected {
            proven.push(Setting::Host);
        }
        // An SMTP greeting (over TLS for implicit TLS) proves port and TLS type.
        if self.greeted {
            proven.extend([Setting::Port, Setting::Tls]);
        }
        if self.authenticated {
            proven.extend([Setting::AuthMethod, Setting::AuthUser, Setting::AuthPass]);
        }
        proven
    }

    fn finish_error(&mut self, error: Error) -> Error {
        let proven = self.proven();
        let transcript = self.transcript.snapshot();
        error.finish(&proven, transcript)
    }

    /// Ends the session with a connection-level failure.
    fn fail(&mut self, error: Error) {
        if self.phase == Phase::Closed {
            return;
        }
        let error = self.finish_error(error);
        let interrupted: Vec<MessageId> = self.finishing.take().filter(|t| !t.abandoned).map(|t| t.id).into_iter().collect();
        let mut unsent: Vec<MessageId> = Vec::new();
        unsent.extend(self.commanding.take().map(|t| t.id));
        unsent.extend(self.queue.drain(..).map(|t| t.id));
        self.transcript.take();
        self.events.push_back(Event::Failed { error, unsent, interrupted });
        self.shut();
    }

    /// Ends the session cleanly.
    fn close(&mut self) {
        self.events.push_back(Event::Closed);
        self.shut();
    }

    fn shut(&mut self) {
        self.phase = Phase::Closed;
        self.body = None;
        self.in_flight.clear();
        self.plain_out.clear();
    }
}

fn encode_sasl(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        // RFC 4954 §4: an empty response is sent as "=" only as an initial
        // response; as an answer to a challenge it is an empty line.
        String::new()
    } else {
        STANDARD.encode(bytes)
    }
}
