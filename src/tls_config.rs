//! Builds the rustls client configuration from [`TlsOptions`]: trust anchors
//! (webpki roots plus any `ca` PEM), the lowest TLS version, and, only when
//! `reject_unauthorized` is false, a verifier that accepts any certificate
//! but still checks the handshake signatures.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{ring, verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use crate::config::{TlsOptions, TlsVersion};
use crate::error::Error;

/// The client configuration for `opts`; bad PEM or versions are `ECONFIG`.
pub fn client_config(opts: &TlsOptions) -> Result<Arc<ClientConfig>, Error> {
    // ring is the provider that builds for wasm32-unknown-unknown (aws-lc-rs
    // does not); rustls marks it deprecated only for lacking post-quantum
    // key exchange.
    #[allow(deprecated)]
    let mut provider = ring::default_provider();
    if cfg!(target_arch = "wasm32") {
        // Without AES instructions, ChaCha20-Poly1305 is the fastest suite
        // in wasm: offer it first (servers mostly honour the client's order).
        provider.cipher_suites.sort_by_key(|s| !format!("{:?}", s.suite()).contains("CHACHA20"));
    }
    let provider = Arc::new(provider);
    let versions: &[&rustls::SupportedProtocolVersion] = match opts.min_version {
        Some(TlsVersion::Tls13) => &[&rustls::version::TLS13],
        _ => &[&rustls::version::TLS13, &rustls::version::TLS12],
    };
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .map_err(|e| Error::config("tlsOptions.minVersion", e))?;
    let config = if opts.reject_unauthorized {
        let mut roots = RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
        for (i, pem) in opts.ca.iter().enumerate() {
            let mut found = 0;
            for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
                let cert = cert.map_err(|e| Error::config(&format!("tlsOptions.ca[{i}]"), format!("not valid PEM: {e}")))?;
                roots.add(cert).map_err(|e| Error::config(&format!("tlsOptions.ca[{i}]"), format!("not a usable CA certificate: {e}")))?;
                found += 1;
            }
            if found == 0 {
                return Err(Error::config(&format!("tlsOptions.ca[{i}]"), "holds no PEM certificate"));
            }
        }
        builder.with_root_certificates(roots).with_no_client_auth()
    } else {
        builder.dangerous().with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider))).with_no_client_auth()
    };
    Ok(Arc::new(config))
}

/// The name to send as SNI and check the certificate against: the
/// servername option, else the host (an IP literal is checked as an IP).
pub fn server_name(host: &str, servername: Option<&str>) -> Result<ServerName<'static>, Error> {
    let (path, name) = match servername {
        Some(s) => ("tlsOptions.servername", s),
        None => ("host", host),
    };
    let bare = name.trim_start_matches('[').trim_end_matches(']');
    ServerName::try_from(bare.to_string()).map_err(|e| Error::config(path, format!("not a valid server name: {e}")))
}

/// Accepts any certificate (rejectUnauthorized: false), still verifying that
/// the server holds the key it presented.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
