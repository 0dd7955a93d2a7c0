//! A readable summary of the server's certificate (subject, issuer, validity)
//! for the transcript and `verify()`'s result, read with the x509-cert crate.

use der::Decode;
use x509_cert::Certificate;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateInfo {
    /// RFC 4514 distinguished name, e.g. `CN=mail.example.org`.
    pub subject: String,
    pub issuer: String,
    /// RFC 3339 times.
    pub valid_from: String,
    pub valid_to: String,
}

impl CertificateInfo {
    /// Reads a DER certificate; `None` when it cannot be parsed.
    pub fn from_der(der: &[u8]) -> Option<CertificateInfo> {
        let cert = Certificate::from_der(der).ok()?;
        let tbs = &cert.tbs_certificate;
        Some(CertificateInfo {
            subject: tbs.subject.to_string(),
            issuer: tbs.issuer.to_string(),
            valid_from: tbs.validity.not_before.to_string(),
            valid_to: tbs.validity.not_after.to_string(),
        })
    }
}
