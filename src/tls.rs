//! The TLS layer: rustls's unbuffered client connection, driven by the session.
//!
//! The session hands this layer ciphertext as it arrives and plaintext it
//! wants to send; the layer returns plaintext for the SMTP parser and
//! ciphertext to transmit. Nothing is buffered inside rustls: the incoming
//! ciphertext that does not yet form a whole record waits here.

use std::sync::Arc;

use rustls::client::UnbufferedClientConnection;
use rustls::unbuffered::{ConnectionState, EncodeError, EncryptError, UnbufferedStatus};
use rustls::ClientConfig;
use rustls_pki_types::ServerName;

use crate::certificate::CertificateInfo;

/// What the negotiated TLS session looks like.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsInfo {
    /// `TLSv1.3` or `TLSv1.2`.
    pub version: String,
    /// e.g. `TLS13_AES_256_GCM_SHA384`.
    pub cipher: String,
    /// The server certificate, when it could be read.
    pub certificate: Option<CertificateInfo>,
}

pub(crate) struct TlsLayer {
    conn: UnbufferedClientConnection,
    incoming: Vec<u8>,
    established: bool,
    peer_closed: bool,
}

impl TlsLayer {
    pub fn new(config: Arc<ClientConfig>, name: ServerName<'static>) -> Result<TlsLayer, rustls::Error> {
        Ok(TlsLayer { conn: UnbufferedClientConnection::new(config, name)?, incoming: Vec::new(), established: false, peer_closed: false })
    }

    pub fn is_established(&self) -> bool {
        self.established
    }

    /// True once the server sent close_notify.
    pub fn peer_closed(&self) -> bool {
        self.peer_closed
    }

    /// Takes received ciphertext (may be empty, e.g. to start the handshake):
    /// appends decrypted application data to `plain` and handshake records
    /// to send to `transmit`.
    pub fn receive(&mut self, data: &[u8], plain: &mut Vec<u8>, transmit: &mut Vec<u8>) -> Result<(), rustls::Error> {
        self.incoming.extend_from_slice(data);
        loop {
            let UnbufferedStatus { mut discard, state } = self.conn.process_tls_records(&mut self.incoming);
            let mut stop = false;
            match state? {
                ConnectionState::ReadTraffic(mut traffic) => {
                    while let Some(record) = traffic.next_record() {
                        let record = record?;
                        discard += record.discard;
                        plain.extend_from_slice(record.payload);
                    }
                }
                ConnectionState::EncodeTlsData(mut encode) => {
                    let start = transmit.len();
                    transmit.resize(start + 4096, 0);
                    let written = match encode.encode(&mut transmit[start..]) {
                        Ok(n) => n,
                        Err(EncodeError::InsufficientSize(need)) => {
                            transmit.resize(start + need.required_size, 0);
                            encode.encode(&mut transmit[start..]).map_err(|e| rustls::Error::General(e.to_string()))?
                        }
                        Err(e) => return Err(rustls::Error::General(e.to_string())),
                    };
                    transmit.truncate(start + written);
                }
                // The encoded records are already in `transmit`: the caller sends them.
                ConnectionState::TransmitTlsData(t) => t.done(),
                ConnectionState::BlockedHandshake => stop = true,
                ConnectionState::WriteTraffic(_) => {
                    self.established = true;
                    stop = true;
                }
                ConnectionState::PeerClosed | ConnectionState::Closed => {
                    self.peer_closed = true;
                    stop = true;
                }
                _ => stop = true,
            }
            self.incoming.drain(..discard);
            if stop {
                return Ok(());
            }
        }
    }

    /// Encrypts `data` and appends the records to `transmit`.
    pub fn encrypt(&mut self, data: &[u8], transmit: &mut Vec<u8>) -> Result<(), rustls::Error> {
        let UnbufferedStatus { state, .. } = self.conn.process_tls_records(&mut []);
        let ConnectionState::WriteTraffic(mut writer) = state? else {
            return Err(rustls::Error::General("TLS connection not ready for application data".into()));
        };
        let start = transmit.len();
        // Each 16 KiB record adds at most a header, a tag and padding.
        transmit.resize(start + data.len() + (data.len() / 16384 + 1) * 64, 0);
        let written = match writer.encrypt(data, &mut transmit[start..]) {
            Ok(n) => n,
            Err(EncryptError::InsufficientSize(need)) => {
                transmit.resize(start + need.required_size, 0);
                writer.encrypt(data, &mut transmit[start..]).map_err(|e| rustls::Error::General(e.to_string()))?
            }
            Err(e) => return Err(rustls::Error::General(e.to_string())),
        };
        transmit.truncate(start + written);
        Ok(())
    }

    /// Appends a close_notify alert to `transmit`, when the session is up.
    pub fn close_notify(&mut self, transmit: &mut Vec<u8>) {
        let UnbufferedStatus { state, .. } = self.conn.process_tls_records(&mut []);
        if let Ok(ConnectionState::WriteTraffic(mut writer)) = state {
            let mut buf = [0u8; 64];
            if let Ok(n) = writer.queue_close_notify(&mut buf) {
                transmit.extend_from_slice(&buf[..n]);
            }
        }
    }

    /// Version, cipher suite and certificate of the established session.
    pub fn info(&self) -> Option<TlsInfo> {
        let version = match self.conn.protocol_version()? {
            rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".to_string(),
            rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".to_string(),
            other => format!("{other:?}"),
        };
        let cipher = self.conn.negotiated_cipher_suite().map(|s| s.suite().as_str().unwrap_or("unknown").to_string()).unwrap_or_default();
        let certificate =
            self.conn.peer_certificates().and_then(|certs| certs.first()).and_then(|der| CertificateInfo::from_der(der.as_ref()));
        Some(TlsInfo { version, cipher, certificate })
    }
}
