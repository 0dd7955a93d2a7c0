//! The JavaScript shape of transport options, read with serde into the
//! core's [`Config`]. Field names follow nodemailer's; the plug-in's
//! spellings (`BeforeConnect`, `AfterConnect`, `None`) and nodemailer's
//! `secure`, `requireTLS` and `ignoreTLS` are accepted. A bad field is an
//! `ECONFIG` error naming its path (`auth.method: expected one of ...`).
//! Messages are read by [`crate::mail_options`].

use std::collections::BTreeMap;

use serde::de::{self, Deserializer};
use serde::Deserialize;

use crate::config::{Auth, AuthMethod, Config, TlsMode, TlsOptions, TlsVersion};
use crate::error::Error;

/// Reads transport options from any serde deserializer (a JS value in the
/// wasm build, JSON in tests).
pub fn read_config<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Config, Error> {
    let raw: RawOptions = serde_path_to_error::deserialize(deserializer).map_err(path_error)?;
    raw.into_config()
}

fn path_error<E: std::fmt::Display>(e: serde_path_to_error::Error<E>) -> Error {
    let path = e.path().to_string();
    let path = if path == "." { "options".to_string() } else { path };
    Error::config(&path, e.inner())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawOptions {
    host: Option<String>,
    #[serde(default, deserialize_with = "port")]
    port: Option<u16>,
    tls: Option<TlsModeName>,
    secure: Option<bool>,
    #[serde(rename = "requireTLS")]
    require_tls: Option<bool>,
    #[serde(rename = "ignoreTLS")]
    ignore_tls: Option<bool>,
    auth: Option<RawAuth>,
    name: Option<String>,
    tls_options: Option<RawTlsOptions>,
    /// A map, not a struct: serde-wasm-bindgen reads only a struct's known
    /// fields, so a misspelt time-out would pass unnoticed.
    timeouts: Option<BTreeMap<String, Ms>>,
    transcript: Option<bool>,
    allow_insecure_auth: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawAuth {
    method: Option<AuthMethodName>,
    user: Option<String>,
    pass: Option<String>,
    access_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTlsOptions {
    ca: Option<OneOrMany>,
    servername: Option<String>,
    reject_unauthorized: Option<bool>,
    min_version: Option<TlsVersionName>,
}

/// A time-out in milliseconds: a non-negative number.
struct Ms(u64);

impl<'de> Deserialize<'de> for Ms {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Ms, D::Error> {
        let v = f64::deserialize(d)?;
        if !(v.is_finite() && v > 0.0 && v <= 86_400_000.0) {
            return Err(de::Error::custom("expected milliseconds, a number above 0 and at most one day"));
        }
        Ok(Ms(v as u64))
    }
}

fn port<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged, expecting = "expected a port number from 1 to 65535")]
    enum PortValue {
        Number(f64),
        Text(String),
    }
    let value = Option::<PortValue>::deserialize(d)?;
    let n = match value {
        None => return Ok(None),
        Some(PortValue::Number(n)) => n,
        Some(PortValue::Text(t)) => t.trim().parse::<f64>().unwrap_or(f64::NAN),
    };
    if n.fract() == 0.0 && (1.0..=65535.0).contains(&n) {
        Ok(Some(n as u16))
    } else {
        Err(de::Error::custom("expected a port number from 1 to 65535"))
    }
}

/// Case-insensitive names, with the plug-in's aliases.
struct TlsModeName(TlsMode);

impl<'de> Deserialize<'de> for TlsModeName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let mode = match s.to_ascii_lowercase().as_str() {
            "implicit" | "beforeconnect" => TlsMode::Implicit,
            "starttls" | "afterconnect" => TlsMode::StartTls,
            "none" => TlsMode::None,
            "auto" => TlsMode::Auto,
            _ => {
                return Err(de::Error::custom(format!(
                    "expected one of implicit, starttls, none, auto (or BeforeConnect, AfterConnect, None), got {s:?}"
                )))
            }
        };
        Ok(TlsModeName(mode))
    }
}

struct AuthMethodName(AuthMethod);

impl<'de> Deserialize<'de> for AuthMethodName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let method = match s.to_ascii_uppercase().replace('_', "-").as_str() {
            "PLAIN" => AuthMethod::Plain,
            "LOGIN" => AuthMethod::Login,
            "CRAM-MD5" => AuthMethod::CramMd5,
            "XOAUTH2" => AuthMethod::XOAuth2,
            "AUTO" => AuthMethod::Auto,
            _ => return Err(de::Error::custom(format!("expected one of PLAIN, LOGIN, CRAM-MD5, XOAUTH2, auto, got {s:?}"))),
        };
        Ok(AuthMethodName(method))
    }
}

struct TlsVersionName(TlsVersion);

impl<'de> Deserialize<'de> for TlsVersionName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match s.as_str() {
            "TLSv1.2" => Ok(TlsVersionName(TlsVersion::Tls12)),
            "TLSv1.3" => Ok(TlsVersionName(TlsVersion::Tls13)),
            _ => Err(de::Error::custom(format!("expected TLSv1.2 or TLSv1.3, got {s:?}"))),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged, expecting = "expected a string or an array of strings")]
pub(crate) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub(crate) fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

impl RawOptions {
    fn into_config(self) -> Result<Config, Error> {
        let host = self.host.filter(|h| !h.trim().is_empty()).ok_or_else(|| Error::config("host", "is required"))?;
        let mut config = Config::new(host.trim());
        config.port = self.port;
        config.tls = match (self.tls, self.secure, self.require_tls, self.ignore_tls) {
            (Some(TlsModeName(mode)), _, _, _) => mode,
            (None, Some(true), _, _) => TlsMode::Implicit,
            (None, _, Some(true), _) => TlsMode::StartTls,
            (None, _, _, Some(true)) => TlsMode::None,
            _ => TlsMode::Auto,
        };
        if let Some(auth) = self.auth {
            let user = auth.user.unwrap_or_default();
            let has_secret = auth.pass.is_some() || auth.access_token.is_some();
            if !user.is_empty() || has_secret || auth.method.is_some() {
                if user.is_empty() {
                    return Err(Error::config("auth.user", "is required when auth is given"));
                }
                config.auth = Some(Auth {
                    method: auth.method.map_or(AuthMethod::Auto, |m| m.0),
                    user,
                    pass: auth.pass,
                    access_token: auth.access_token,
                });
            }
        }
        if let Some(name) = self.name {
            config.name = name;
        }
        if let Some(t) = self.tls_options {
            config.tls_options = TlsOptions {
                ca: t.ca.map(OneOrMany::into_vec).unwrap_or_default(),
                servername: t.servername.filter(|s| !s.is_empty()),
                reject_unauthorized: t.reject_unauthorized.unwrap_or(true),
                min_version: t.min_version.map(|v| v.0),
            };
        }
        if let Some(given) = self.timeouts {
            for (name, ms) in given {
                let t = &mut config.timeouts;
                let slot = match name.as_str() {
                    "connect" => &mut t.connect,
                    "greeting" => &mut t.greeting,
                    "command" => &mut t.command,
                    "data" => &mut t.data,
                    "idle" => &mut t.idle,
                    _ => {
                        let path = format!("timeouts.{name}");
                        return Err(Error::config(&path, "unknown time-out; expected connect, greeting, command, data or idle"));
                    }
                };
                *slot = ms.0;
            }
        }
        config.transcript = self.transcript.unwrap_or(false);
        config.allow_insecure_auth = self.allow_insecure_auth.unwrap_or(false);
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Code;

    fn config(json: &str) -> Result<Config, Error> {
        read_config(&mut serde_json::Deserializer::from_str(json))
    }

    #[test]
    fn plug_in_and_nodemailer_spellings() {
        let c = config(r#"{"host":"smtp.example.org","tls":"BeforeConnect","auth":{"method":"cram-md5","user":"u","pass":"p"}}"#).unwrap();
        assert_eq!((c.tls, c.effective_port()), (TlsMode::Implicit, 465));
        assert_eq!(c.auth.unwrap().method, AuthMethod::CramMd5);
        assert_eq!(config(r#"{"host":"h","tls":"afterconnect"}"#).unwrap().effective_port(), 587);
        assert_eq!(config(r#"{"host":"h","secure":true}"#).unwrap().tls, TlsMode::Implicit);
        assert_eq!(config(r#"{"host":"h","requireTLS":true}"#).unwrap().tls, TlsMode::StartTls);
        assert_eq!(config(r#"{"host":"h","ignoreTLS":true}"#).unwrap().tls, TlsMode::None);
        let c = config(r#"{"host":"h","port":"2525","tlsOptions":{"ca":"PEM","rejectUnauthorized":false}}"#).unwrap();
        assert_eq!(c.port, Some(2525));
        assert_eq!(c.tls_options.ca, ["PEM"]);
        assert!(!c.tls_options.reject_unauthorized);
    }

    #[test]
    fn bad_fields_name_their_path() {
        let e = config(r#"{"host":"h","auth":{"method":"NTLM","user":"u","pass":"p"}}"#).unwrap_err();
        assert_eq!(e.code, Code::Config);
        assert!(e.message.starts_with("auth.method: expected one of PLAIN, LOGIN, CRAM-MD5, XOAUTH2, auto"), "{}", e.message);
        let e = config(r#"{"host":"h","port":70000}"#).unwrap_err();
        assert!(e.message.starts_with("port: expected a port number"), "{}", e.message);
        let e = config(r#"{"host":"h","tls":"ssl"}"#).unwrap_err();
        assert!(e.message.starts_with("tls: expected one of implicit"), "{}", e.message);
        let e = config(r#"{"host":"h","timeouts":{"greting":5}}"#).unwrap_err();
        assert!(e.message.starts_with("timeouts.greting"), "{}", e.message);
        let e = config(r#"{"port":25}"#).unwrap_err();
        assert!(e.message.starts_with("host: is required"), "{}", e.message);
        let e = config(r#"{"host":"h","tlsOptions":{"ca":[1]}}"#).unwrap_err();
        assert!(e.message.starts_with("tlsOptions.ca"), "{}", e.message);
    }
}
