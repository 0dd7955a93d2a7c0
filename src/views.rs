//! The JavaScript shapes of what the core reports (errors, events), as
//! serde structs so the wasm boundary is a plain `to_value` and the shapes
//! are tested natively.

use serde::Serialize;

use crate::capabilities::Capabilities;
use crate::error::Error;
use crate::session::Event;
use crate::tls::TlsInfo;

/// `SmtpError`'s fields.
#[derive(Serialize, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ErrorView {
    pub code: &'static str,
    pub stage: Option<&'static str>,
    pub message: String,
    pub from_server: bool,
    pub response_code: Option<u16>,
    pub enhanced_code: Option<String>,
    pub response: Option<String>,
    pub proven: Vec<&'static str>,
    pub suspects: Vec<&'static str>,
    pub hint: String,
    pub recipient: Option<String>,
    pub transcript: Vec<String>,
}

impl From<&Error> for ErrorView {
    fn from(e: &Error) -> ErrorView {
        ErrorView {
            code: e.code.as_str(),
            stage: e.stage.map(|s| s.as_str()),
            message: e.message.clone(),
            from_server: e.from_server,
            response_code: e.response_code,
            enhanced_code: e.enhanced_code.clone(),
            response: e.response.clone(),
            proven: e.proven.iter().map(|s| s.as_str()).collect(),
            suspects: e.suspects.iter().map(|s| s.as_str()).collect(),
            hint: e.hint.clone(),
            recipient: e.recipient.clone(),
            transcript: e.transcript.clone(),
        }
    }
}

/// `verify()`'s `tls` field.
#[derive(Serialize, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TlsView {
    pub version: String,
    pub cipher: String,
    pub subject: Option<String>,
    pub issuer: Option<String>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
}

impl From<&TlsInfo> for TlsView {
    fn from(t: &TlsInfo) -> TlsView {
        let c = t.certificate.as_ref();
        TlsView {
            version: t.version.clone(),
            cipher: t.cipher.clone(),
            subject: c.map(|c| c.subject.clone()),
            issuer: c.map(|c| c.issuer.clone()),
            valid_from: c.map(|c| c.valid_from.clone()),
            valid_to: c.map(|c| c.valid_to.clone()),
        }
    }
}

/// The capabilities as `verify()` reports them.
#[derive(Serialize, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CapabilitiesView {
    pub server_name: String,
    pub keywords: Vec<String>,
    pub size: Option<u64>,
    pub auth: Vec<String>,
    pub pipelining: bool,
    pub starttls: bool,
    pub eight_bit_mime: bool,
    pub smtputf8: bool,
    pub dsn: bool,
    pub chunking: bool,
    pub enhanced_status_codes: bool,
    pub requiretls: bool,
}

impl From<&Capabilities> for CapabilitiesView {
    fn from(c: &Capabilities) -> CapabilitiesView {
        CapabilitiesView {
            server_name: c.server_name.clone(),
            keywords: c.keywords(),
            size: c.size,
            auth: c.auth.clone(),
            pipelining: c.pipelining,
            starttls: c.starttls,
            eight_bit_mime: c.eight_bit_mime,
            smtputf8: c.smtputf8,
            dsn: c.dsn,
            chunking: c.chunking,
            enhanced_status_codes: c.enhanced_status_codes,
            requiretls: c.requiretls,
        }
    }
}

/// One event, tagged by `type`.
#[derive(Serialize, Debug, PartialEq)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum EventView {
    #[serde(rename_all = "camelCase")]
    Ready {
        capabilities: CapabilitiesView,
        tls: Option<TlsView>,
        auth: Option<&'static str>,
        transcript: Vec<String>,
    },
    Progress {
        id: u64,
        written: u64,
        total: Option<u64>,
    },
    #[serde(rename_all = "camelCase")]
    Sent {
        id: u64,
        envelope_from: String,
        envelope_to: Vec<String>,
        accepted: Vec<String>,
        rejected: Vec<String>,
        rejected_errors: Vec<ErrorView>,
        response: String,
        transcript: Vec<String>,
    },
    MessageFailed {
        id: u64,
        error: ErrorView,
    },
    Failed {
        error: ErrorView,
        unsent: Vec<u64>,
        interrupted: Vec<u64>,
    },
    Closed,
}

impl From<&Event> for EventView {
    fn from(e: &Event) -> EventView {
        match e {
            Event::Ready(r) => EventView::Ready {
                capabilities: (&r.capabilities).into(),
                tls: r.tls.as_ref().map(Into::into),
                auth: r.auth,
                transcript: r.transcript.clone(),
            },
            Event::Sent(s) => EventView::Sent {
                id: s.id.0,
                envelope_from: s.envelope.from.clone(),
                envelope_to: s.envelope.to.clone(),
                accepted: s.accepted.clone(),
                rejected: s.rejected.iter().filter_map(|e| e.recipient.clone()).collect(),
                rejected_errors: s.rejected.iter().map(Into::into).collect(),
                response: s.response.clone(),
                transcript: s.transcript.clone(),
            },
            Event::Progress { id, written, total } => EventView::Progress { id: id.0, written: *written, total: *total },
            Event::MessageFailed { id, error } => EventView::MessageFailed { id: id.0, error: error.into() },
            Event::Failed { error, unsent, interrupted } => EventView::Failed {
                error: error.into(),
                unsent: unsent.iter().map(|i| i.0).collect(),
                interrupted: interrupted.iter().map(|i| i.0).collect(),
            },
            Event::Closed => EventView::Closed,
        }
    }
}
