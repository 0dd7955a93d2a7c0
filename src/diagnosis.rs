//! One constructor per kind of failure, each saying which settings it
//! suspects and why, in the words of the plug-in's guide (DESIGN.md's table).
//! What the session's progress proves right is added by the session.

use rustls::CertificateError;

use crate::error::{Code, Error, Setting, Stage};
use crate::reply::Reply;

use Setting::*;

pub fn unresolved(host: &str, detail: &str) -> Error {
    Error::new(Code::Connection, Stage::Connect, format!("the host name {host} does not resolve ({detail})"))
        .suspect(&[Host])
        .because(format!("No server called {host} could be found: the host is misspelt or does not exist."))
}

pub fn refused(host: &str, port: u16, detail: &str) -> Error {
    Error::new(Code::Connection, Stage::Connect, format!("could not connect to {host}:{port} ({detail})")).suspect(&[Host, Port]).because(
        format!("Nothing accepted a connection at {host} on port {port}: the host or the port is wrong, or a firewall is in the way."),
    )
}

pub fn timed_out(stage: Stage, greeted: bool, implicit_tls: bool, after_ms: u64) -> Error {
    let secs = after_ms as f64 / 1000.0;
    let error = Error::new(Code::TimedOut, stage, format!("no answer within {secs} s at stage {}", stage.as_str()));
    match stage {
        Stage::Connect => error
            .suspect(&[Host, Port])
            .because("The connection was not answered in time: the host or the port is wrong, or a firewall drops the connection."),
        Stage::Greeting if !greeted && !implicit_tls => error.suspect(&[Port, Tls]).because(
            "The server accepted the connection but never sent its SMTP greeting: this port most likely expects TLS from the first byte (TLS type implicit / BeforeConnect, usually port 465).",
        ),
        Stage::Greeting | Stage::Tls if !greeted => error.suspect(&[Port, Tls]).because(
            "The TLS handshake or the greeting did not complete in time: this port most likely expects plain SMTP or STARTTLS (TLS type starttls / AfterConnect, usually port 587).",
        ),
        _ => error.because("The server stopped answering in time."),
    }
}

pub fn closed(stage: Stage, greeted: bool, implicit_tls: bool) -> Error {
    let error = Error::new(Code::Connection, stage, format!("the server closed the connection at stage {}", stage.as_str()));
    if greeted {
        error.because("The server closed the connection unexpectedly.")
    } else if implicit_tls {
        error.suspect(&[Port, Tls]).because(
            "The server closed the connection during the TLS handshake: this port most likely expects plain SMTP or STARTTLS, not TLS from the first byte.",
        )
    } else {
        error.suspect(&[Port, Tls]).because("The server closed the connection before greeting: the port or the TLS type is wrong.")
    }
}

/// A malformed reply after the greeting: the server (or the path) is broken.
pub fn protocol(stage: Stage, detail: &str) -> Error {
    Error::new(Code::Protocol, stage, format!("the server broke the SMTP protocol: {detail}"))
        .because("The server's answer is not valid SMTP here: the server is broken or something on the path altered the conversation.")
}

/// Something other than an SMTP greeting where the greeting belongs.
pub fn not_smtp(stage: Stage, detail: &str) -> Error {
    Error::new(Code::Protocol, stage, format!("the server did not greet in SMTP: {detail}"))
        .suspect(&[Port])
        .because("What answered is not an SMTP server: the port most likely belongs to another service.")
}

pub fn greeting_refused(reply: &Reply) -> Error {
    Error::from_reply(Code::Connection, Stage::Greeting, "the server refused the session", reply)
        .prove(&[Host, Port, Tls])
        .because("The server answered but refuses service (it may be busy, or block this client's address).")
}

pub fn service_closing(stage: Stage, reply: &Reply) -> Error {
    Error::from_reply(Code::Connection, stage, "the server is closing the connection", reply)
        .because("The server ended the session (421): it is shutting down or busy; try again later.")
}

pub fn starttls_not_offered() -> Error {
    Error::new(Code::Tls, Stage::StartTls, "the server does not offer STARTTLS")
        .suspect(&[Tls, Port])
        .because("TLS type starttls (AfterConnect) was asked for, but the server on this port does not offer STARTTLS: it may expect TLS from the first byte (usually port 465), or offer no TLS at all on this port.")
}

pub fn starttls_refused(reply: &Reply) -> Error {
    Error::from_reply(Code::Tls, Stage::StartTls, "the server refused STARTTLS", reply)
        .prove(&[Host, Port])
        .suspect(&[Tls])
        .because("The server offered STARTTLS but refused to start it.")
}

pub fn starttls_injection() -> Error {
    Error::new(Code::Protocol, Stage::StartTls, "the server sent data after its 220 reply to STARTTLS and before TLS began").because(
        "Something on the path injected plaintext into the STARTTLS upgrade (a known attack); the connection was dropped before TLS.",
    )
}

pub fn tls(e: rustls::Error, starttls: bool, established: bool, stage: Stage) -> Error {
    let text = e.to_string();
    if established {
        return Error::new(Code::Tls, stage, format!("TLS failed: {text}")).because("The encrypted connection failed.");
    }
    match e {
        rustls::Error::InvalidCertificate(cert) => {
            let error = Error::new(Code::Tls, Stage::Tls, format!("the server's certificate is not accepted: {text}")).prove(&[Host, Port, Tls]);
            match cert {
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => error
                    .suspect(&[TlsServername, Host])
                    .because("The server's certificate is for another name: connect by the name on the certificate, or set tlsOptions.servername."),
                CertificateError::Expired | CertificateError::ExpiredContext { .. } | CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => error
                    .because("The server's certificate is expired or not yet valid (or this computer's clock is wrong)."),
                _ => error.suspect(&[TlsCa, TlsServername]).because(
                    "The server's certificate is not signed by a trusted authority: add its CA with tlsOptions.ca (or, knowingly, set tlsOptions.rejectUnauthorized: false).",
                ),
            }
        }
        _ if starttls => Error::new(Code::Tls, Stage::Tls, format!("the TLS handshake after STARTTLS failed: {text}"))
            .prove(&[Host, Port])
            .suspect(&[Tls])
            .because("The server offered STARTTLS but the TLS handshake failed (no common TLS version or cipher)."),
        _ => Error::new(Code::Tls, Stage::Tls, format!("the TLS handshake failed: {text}")).suspect(&[Port, Tls]).because(
            "The server did not answer the TLS handshake: this port most likely expects plain SMTP or STARTTLS (TLS type starttls / AfterConnect, usually port 587), not TLS from the first byte.",
        ),
    }
}

pub fn insecure_auth() -> Error {
    Error::new(Code::Auth, Stage::Auth, "refusing to send credentials over an unencrypted connection")
        .suspect(&[Tls])
        .because("The connection is not encrypted, so the password was not sent: use TLS type starttls or implicit (or set allowInsecureAuth if you accept the risk).")
}

pub fn no_common_mechanism(offered: &[String], encrypted: bool) -> Error {
    let list = if offered.is_empty() { "none".to_string() } else { offered.join(" ") };
    let error = Error::new(Code::Auth, Stage::Auth, format!("the server offers no supported authentication mechanism (offered: {list})"));
    if offered.is_empty() && !encrypted {
        error
            .suspect(&[Tls, AuthMethod])
            .because("The server offers no authentication on this unencrypted connection; many servers offer it only after TLS.")
    } else if offered.is_empty() {
        error.suspect(&[Port, AuthMethod]).because(
            "The server offers no authentication on this port: it may be a relay port (25) rather than a submission port (587 or 465).",
        )
    } else {
        error.suspect(&[AuthMethod]).because("The server offers none of CRAM-MD5, LOGIN or PLAIN.")
    }
}

pub fn mechanism_not_offered(name: &str, offered: &[String], encrypted: bool) -> Error {
    let list = if offered.is_empty() { "none".to_string() } else { offered.join(" ") };
    let error = Error::new(Code::Auth, Stage::Auth, format!("the server does not offer {name} (offered: {list})")).suspect(&[AuthMethod]);
    let error = if offered.is_empty() && !encrypted { error.suspect(&[Tls]) } else { error };
    error.because(format!("Authentication type {name} is not offered by this server; choose one of: {list}."))
}

pub fn auth_refused(name: &str, reply: &Reply) -> Error {
    let what = format!("{name} authentication failed");
    let error = Error::from_reply(Code::Auth, Stage::Auth, &what, reply).prove(&[Host, Port, Tls]);
    let enhanced = reply.enhanced_code().map(|e| e.to_string());
    let code = reply.code();
    if code == 504 || matches!(enhanced.as_deref(), Some("5.7.4" | "5.5.4")) {
        error.suspect(&[AuthMethod]).because(format!("The server does not accept authentication type {name}."))
    } else if code == 538 || enhanced.as_deref() == Some("5.7.11") {
        error.suspect(&[Tls]).because("The server requires an encrypted connection before authentication.")
    } else if reply.is_transient() {
        error.because("The server could not check the credentials right now (temporary failure); try again later.")
    } else {
        let mut cause = String::from(
            "The server refused the username or password (it cannot say which): check both; some servers want the full email address as username.",
        );
        if name == "CRAM-MD5" {
            cause.push_str(" If both are right, try LOGIN or PLAIN: servers that store passwords hashed cannot check CRAM-MD5.");
        }
        error.suspect(&[AuthUser, AuthPass]).because(cause)
    }
}

pub fn too_large(size: u64, limit: u64) -> Error {
    Error::new(Code::Message, Stage::Mail, format!("the message is {size} bytes; the server accepts at most {limit}"))
        .because("The message is larger than the server accepts.")
}

pub fn needs_smtputf8() -> Error {
    Error::new(Code::Envelope, Stage::Mail, "an address is not ASCII and the server does not offer SMTPUTF8")
        .suspect(&[From, To])
        .because("This server cannot take international (non-ASCII) addresses.")
}

pub fn needs_8bitmime() -> Error {
    Error::new(Code::Message, Stage::Mail, "the message has 8-bit data and the server does not offer 8BITMIME")
        .because("This server only takes 7-bit messages; send the content encoded (quoted-printable or base64) instead of raw 8-bit.")
}

pub fn needs_binarymime() -> Error {
    Error::new(
        Code::Message,
        Stage::Mail,
        "the message has binary data (NUL or lines over 998 octets) and the server does not offer CHUNKING with BINARYMIME",
    )
    .because("The message cannot go to this server as it is: encode binary content (base64) or keep lines under 998 octets.")
}

pub fn requiretls_unavailable(encrypted: bool) -> Error {
    let why = if encrypted { "the server does not offer REQUIRETLS" } else { "the connection is not encrypted" };
    Error::new(Code::Message, Stage::Mail, format!("the message requires TLS on every hop (REQUIRETLS) but {why}"))
        .because("The message asked for REQUIRETLS, which needs an encrypted connection to a server offering that extension.")
}

pub fn dsn_unavailable() -> Error {
    Error::new(Code::Message, Stage::Mail, "delivery status notifications were asked for but the server does not offer DSN")
        .because("This server cannot take the dsn option; send without it or through a server that offers DSN.")
}

pub fn bad_address(stage: Stage, detail: &str) -> Error {
    let setting = if stage == Stage::Mail { From } else { To };
    Error::new(Code::Envelope, stage, detail.to_string()).suspect(&[setting]).because(format!("An address is not valid: {detail}."))
}

pub fn sender_refused(from: &str, reply: &Reply) -> Error {
    Error::from_reply(Code::Envelope, Stage::Mail, &format!("sender <{from}> refused"), reply)
        .suspect(&[From])
        .because(format!("The server refused the sender address <{from}> (it may not be allowed for this account)."))
}

pub fn recipient_refused(to: &str, reply: &Reply) -> Error {
    let mut error = Error::from_reply(Code::Envelope, Stage::Rcpt, &format!("recipient <{to}> refused"), reply)
        .suspect(&[To])
        .because(format!("The server refused the recipient <{to}>."));
    error.recipient = Some(to.to_string());
    error
}

pub fn all_recipients_refused(rejected: &[Error]) -> Error {
    let responses: Vec<String> = rejected.iter().map(|e| e.message.clone()).collect();
    let mut error = Error::new(Code::Envelope, Stage::Rcpt, format!("every recipient was refused: {}", responses.join("; ")))
        .suspect(&[To])
        .because("The server refused every recipient, so nothing was sent.");
    if let Some(first) = rejected.first() {
        error.from_server = first.from_server;
        error.response_code = first.response_code;
        error.enhanced_code = first.enhanced_code.clone();
        error.response = Some(rejected.iter().filter_map(|e| e.response.clone()).collect::<Vec<_>>().join("\n"));
    }
    error
}

pub fn data_refused(reply: &Reply) -> Error {
    Error::from_reply(Code::Message, Stage::Data, "DATA refused", reply).because("The server would not take the message data.")
}

pub fn message_refused(reply: &Reply) -> Error {
    Error::from_reply(Code::Message, Stage::Data, "message refused", reply)
        .because("The server refused the message after reading it (its content, size or policy).")
}
