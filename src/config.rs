//! The settings of one SMTP client session, as Rust users build them.
//!
//! JavaScript callers reach the same struct through [`crate::options`],
//! which also accepts the plug-in's and nodemailer's spellings.

/// How TLS is used (the plug-in's "TLS type").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsMode {
    /// TLS from the first byte (the plug-in's BeforeConnect, usually port 465).
    Implicit,
    /// STARTTLS, required: fails if the server does not offer it (AfterConnect, usually 587).
    StartTls,
    /// Never TLS.
    None,
    /// Implicit TLS on port 465, otherwise STARTTLS when the server offers it.
    Auto,
}

impl TlsMode {
    pub fn as_str(self) -> &'static str {
        match self {
            TlsMode::Implicit => "implicit",
            TlsMode::StartTls => "starttls",
            TlsMode::None => "none",
            TlsMode::Auto => "auto",
        }
    }
}

/// Which SASL mechanism to authenticate with (the plug-in's "authentication type").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMethod {
    Plain,
    Login,
    CramMd5,
    XOAuth2,
    /// The strongest the server offers: CRAM-MD5 > LOGIN > PLAIN; XOAUTH2 when a token is given.
    Auto,
}

impl AuthMethod {
    /// The SASL name, `None` for `Auto`.
    pub fn sasl_name(self) -> Option<&'static str> {
        match self {
            AuthMethod::Plain => Some("PLAIN"),
            AuthMethod::Login => Some("LOGIN"),
            AuthMethod::CramMd5 => Some("CRAM-MD5"),
            AuthMethod::XOAuth2 => Some("XOAUTH2"),
            AuthMethod::Auto => None,
        }
    }
}

/// Credentials (username with a password or an OAuth2 access token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Auth {
    pub method: AuthMethod,
    pub user: String,
    pub pass: Option<String>,
    pub access_token: Option<String>,
}

/// The lowest TLS version to accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsVersion {
    Tls12,
    Tls13,
}

/// Certificate trust and naming.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsOptions {
    /// PEM certificates to trust in addition to the webpki roots.
    pub ca: Vec<String>,
    /// The name for SNI and the certificate check, when not the host.
    pub servername: Option<String>,
    /// Verify the certificate (default). False accepts any certificate.
    pub reject_unauthorized: bool,
    pub min_version: Option<TlsVersion>,
}

impl Default for TlsOptions {
    fn default() -> TlsOptions {
        TlsOptions { ca: Vec::new(), servername: None, reject_unauthorized: true, min_version: None }
    }
}

/// How long each waiting state may last, in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// TCP connect (the driver opens the socket; the core keeps the deadline).
    pub connect: u64,
    /// From connection to the server's greeting (including an implicit TLS handshake).
    pub greeting: u64,
    /// Any other command's reply, and the STARTTLS handshake.
    pub command: u64,
    /// The reply to the end of the message data, and any stall while writing it.
    pub data: u64,
    /// An open connection with nothing to do is closed with QUIT after this.
    pub idle: u64,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts { connect: 15_000, greeting: 15_000, command: 60_000, data: 120_000, idle: 5_000 }
    }
}

/// Everything one session needs to know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub host: String,
    /// `None`: 465 for implicit TLS, 587 for STARTTLS, else 25.
    pub port: Option<u16>,
    pub tls: TlsMode,
    pub auth: Option<Auth>,
    /// The name sent with EHLO.
    pub name: String,
    pub tls_options: TlsOptions,
    pub timeouts: Timeouts,
    pub transcript: bool,
    /// Allow credentials over a connection without TLS.
    pub allow_insecure_auth: bool,
}

impl Config {
    /// Settings with every default, for `host`.
    pub fn new(host: impl Into<String>) -> Config {
        Config {
            host: host.into(),
            port: None,
            tls: TlsMode::Auto,
            auth: None,
            name: "[127.0.0.1]".to_string(),
            tls_options: TlsOptions::default(),
            timeouts: Timeouts::default(),
            transcript: false,
            allow_insecure_auth: false,
        }
    }

    /// The port to connect to, defaults applied.
    pub fn effective_port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            TlsMode::Implicit => 465,
            TlsMode::StartTls => 587,
            TlsMode::None | TlsMode::Auto => 25,
        })
    }

    /// Whether this session starts TLS at once.
    pub fn implicit_tls(&self) -> bool {
        self.tls == TlsMode::Implicit || (self.tls == TlsMode::Auto && self.effective_port() == 465)
    }
}
