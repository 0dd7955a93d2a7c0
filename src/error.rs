//! Typed errors, and the diagnosis that tells a user which setting is wrong.
//!
//! Every failure carries a [`Code`], the [`Stage`] the session had reached,
//! whether the server itself sent the error (`from_server`), the reply when
//! there was one, and two lists of [`Setting`]s: those that how far the
//! session got proves right, and those that may be wrong. The reasoning is
//! the FileMaker plug-in guide's: an error the server sent proves host, port
//! and TLS type right; a TLS failure or a time-out before the greeting points
//! at port or TLS type.

use std::fmt;

use crate::reply::Reply;

/// What kind of failure this is (the JS `SmtpError.code`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    /// The TCP connection could not be made, was closed, or the server refused service.
    Connection,
    /// A time-out while waiting for the network or the server.
    TimedOut,
    /// TLS could not be set up: handshake, certificate, or STARTTLS.
    Tls,
    /// Authentication failed or could not be attempted.
    Auth,
    /// The sender or the recipients were refused, or are not valid.
    Envelope,
    /// The message was refused, or cannot be sent as given.
    Message,
    /// The server broke the SMTP protocol.
    Protocol,
    /// The options are invalid.
    Config,
}

impl Code {
    /// The name used in JavaScript (`ECONNECTION`, `ETIMEDOUT`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Connection => "ECONNECTION",
            Code::TimedOut => "ETIMEDOUT",
            Code::Tls => "ETLS",
            Code::Auth => "EAUTH",
            Code::Envelope => "EENVELOPE",
            Code::Message => "EMESSAGE",
            Code::Protocol => "EPROTOCOL",
            Code::Config => "ECONFIG",
        }
    }
}

/// How far the session had got when the failure happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Connect,
    Greeting,
    Ehlo,
    StartTls,
    Tls,
    Auth,
    Mail,
    Rcpt,
    Data,
    Quit,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Connect => "connect",
            Stage::Greeting => "greeting",
            Stage::Ehlo => "ehlo",
            Stage::StartTls => "starttls",
            Stage::Tls => "tls",
            Stage::Auth => "auth",
            Stage::Mail => "mail",
            Stage::Rcpt => "rcpt",
            Stage::Data => "data",
            Stage::Quit => "quit",
        }
    }
}

/// A user setting that a failure proves right or suspects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Setting {
    Host,
    Port,
    Tls,
    AuthMethod,
    AuthUser,
    AuthPass,
    TlsCa,
    TlsServername,
    From,
    To,
}

impl Setting {
    /// The option path, as the JS API names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Setting::Host => "host",
            Setting::Port => "port",
            Setting::Tls => "tls",
            Setting::AuthMethod => "auth.method",
            Setting::AuthUser => "auth.user",
            Setting::AuthPass => "auth.pass",
            Setting::TlsCa => "tlsOptions.ca",
            Setting::TlsServername => "tlsOptions.servername",
            Setting::From => "from",
            Setting::To => "to",
        }
    }

    /// The setting in plain words, for hints.
    fn words(self) -> &'static str {
        match self {
            Setting::Host => "host",
            Setting::Port => "port",
            Setting::Tls => "TLS type",
            Setting::AuthMethod => "authentication type",
            Setting::AuthUser => "username",
            Setting::AuthPass => "password",
            Setting::TlsCa => "trusted CA (tlsOptions.ca)",
            Setting::TlsServername => "server name (tlsOptions.servername)",
            Setting::From => "sender address",
            Setting::To => "recipient address",
        }
    }
}

/// A failure, with everything a user needs to act on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub code: Code,
    /// `None` only for option errors, which happen before any stage.
    pub stage: Option<Stage>,
    /// True only when an SMTP reply carried the error.
    pub from_server: bool,
    pub response_code: Option<u16>,
    /// e.g. `5.7.8`, when the server sent one.
    pub enhanced_code: Option<String>,
    /// The server's reply text, lines joined with `\n`.
    pub response: Option<String>,
    /// One sentence saying what happened.
    pub message: String,
    /// Settings that how far the session got proves right.
    pub proven: Vec<Setting>,
    /// Settings that may be wrong.
    pub suspects: Vec<Setting>,
    /// The diagnosis in plain words.
    pub hint: String,
    /// The recipient a RCPT error is about.
    pub recipient: Option<String>,
    /// The session's transcript up to the failure, when it was asked for.
    pub transcript: Vec<String>,
}

impl Error {
    /// A failure the client found itself (no server reply involved).
    pub fn new(code: Code, stage: Stage, message: impl Into<String>) -> Error {
        Error {
            code,
            stage: Some(stage),
            from_server: false,
            response_code: None,
            enhanced_code: None,
            response: None,
            message: message.into(),
            proven: Vec::new(),
            suspects: Vec::new(),
            hint: String::new(),
            recipient: None,
            transcript: Vec::new(),
        }
    }

    /// A failure the server reported with `reply`.
    pub fn from_reply(code: Code, stage: Stage, what: &str, reply: &Reply) -> Error {
        let mut error = Error::new(code, stage, format!("{what}: {}", reply.summary()));
        error.from_server = true;
        error.response_code = Some(reply.code());
        error.enhanced_code = reply.enhanced_code().map(|e| e.to_string());
        error.response = Some(reply.text());
        error
    }

    /// An invalid option, named by its path (e.g. `auth.method`).
    pub fn config(path: &str, problem: impl fmt::Display) -> Error {
        let mut error = Error::new(Code::Config, Stage::Connect, format!("{path}: {problem}"));
        error.stage = None;
        error.hint = format!("The option {path} is not valid: {problem}.");
        error
    }

    /// Marks settings as possibly wrong.
    pub fn suspect(mut self, settings: &[Setting]) -> Error {
        for s in settings {
            if !self.suspects.contains(s) {
                self.suspects.push(*s);
            }
        }
        self
    }

    /// Marks settings as proven right by this failure itself.
    pub fn prove(mut self, settings: &[Setting]) -> Error {
        for s in settings {
            if !self.proven.contains(s) {
                self.proven.push(*s);
            }
        }
        self
    }

    /// Sets the plain-words cause that starts the hint.
    pub fn because(mut self, cause: impl Into<String>) -> Error {
        self.hint = cause.into();
        self
    }

    /// Finishes the diagnosis: adds what the session's progress proves,
    /// keeps suspects out of the proven list, and writes the hint.
    pub(crate) fn finish(mut self, progress_proves: &[Setting], transcript: Vec<String>) -> Error {
        let extra = std::mem::take(&mut self.proven);
        self = self.prove(progress_proves).prove(&extra);
        let suspects = self.suspects.clone();
        self.proven.retain(|s| !suspects.contains(s));
        self.proven.sort();
        self.transcript = transcript;
        let mut hint = if self.hint.is_empty() { self.message.clone() } else { std::mem::take(&mut self.hint) };
        if self.from_server {
            hint.push_str(" This error came from the mail server itself, so the connection settings reached it.");
        }
        if !self.proven.is_empty() {
            hint.push_str(&format!(" Proven right: {}.", words(&self.proven)));
        }
        if !self.suspects.is_empty() {
            hint.push_str(&format!(" Check: {}.", words(&self.suspects)));
        }
        self.hint = hint;
        self
    }
}

fn words(settings: &[Setting]) -> String {
    settings.iter().map(|s| s.words()).collect::<Vec<_>>().join(", ")
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for Error {}
