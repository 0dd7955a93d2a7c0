//! TLS against a real rustls server in-process, with a CA made by rcgen at
//! test time: implicit TLS, STARTTLS (capabilities re-read after TLS), the
//! STARTTLS injection attack, certificate checks and their diagnoses.

mod support;

use support::{ehlo, pki, tls_config, with_auth, Script, NAME};
use wasmtp::config::{AuthMethod, TlsMode};
use wasmtp::error::{Code, Setting, Stage};
use wasmtp::Event;

fn ready(s: &mut Script) -> wasmtp::Ready {
    let events = s.events();
    match events.as_slice() {
        [Event::Ready(ready)] => ready.clone(),
        other => panic!("expected Ready, got {other:?}"),
    }
}

#[test]
fn implicit_tls_from_the_first_byte() {
    let pki = pki(&["localhost"]);
    let mut s = Script::connected(with_auth(tls_config(TlsMode::Implicit, &pki), AuthMethod::Plain, "u", "p"));
    s.start_tls(pki.server.clone());
    s.expect_silence(); // nothing in plaintext before the greeting
    s.say("220 mx.test ESMTP\r\n");
    s.expect(&format!("EHLO {NAME}\r\n"));
    s.say(&ehlo(&["PIPELINING", "AUTH PLAIN"]));
    s.take_received();
    s.say("235 ok\r\n");
    let ready = ready(&mut s);
    let tls = ready.tls.expect("TLS info");
    assert_eq!(tls.version, "TLSv1.3");
    assert!(tls.cipher.starts_with("TLS13_"), "{}", tls.cipher);
    let cert = tls.certificate.expect("certificate");
    assert_eq!(cert.subject, "CN=localhost");
    assert_eq!(cert.issuer, "CN=wasmtp scripted CA");
    assert!(ready
        .transcript
        .iter()
        .any(|l| l.starts_with("* TLS established: TLSv1.3 TLS13_") && l.contains("certificate subject CN=localhost")));
    // A message goes through the encrypted connection.
    s.send("a@x.test", &["b@y.test"], "over TLS");
    s.expect("MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n");
    s.say("250 Ok\r\n250 Ok\r\n354 go\r\n");
    s.expect("over TLS\r\n.\r\n");
    s.say("250 queued\r\n");
    assert!(matches!(s.events().as_slice(), [Event::Sent(_)]));
}

#[test]
fn starttls_upgrades_and_asks_ehlo_again() {
    let pki = pki(&["localhost"]);
    let mut s = Script::connected(with_auth(tls_config(TlsMode::StartTls, &pki), AuthMethod::Login, "u", "p"));
    s.say("220 mx.test ESMTP\r\n");
    s.expect(&format!("EHLO {NAME}\r\n"));
    // AUTH is only offered after TLS, as Postfix does with smtpd_tls_auth_only.
    s.say(&ehlo(&["PIPELINING", "STARTTLS"]));
    s.expect("STARTTLS\r\n");
    s.say_then_start_tls("220 2.0.0 Ready to start TLS\r\n", pki.server.clone());
    s.expect(&format!("EHLO {NAME}\r\n"));
    s.say(&ehlo(&["PIPELINING", "AUTH LOGIN PLAIN", "SIZE 1000"]));
    s.expect("AUTH LOGIN\r\n");
    s.say("334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 ok\r\n");
    let ready = ready(&mut s);
    assert_eq!(ready.capabilities.size, Some(1000));
    assert!(!ready.capabilities.starttls, "capabilities from before TLS were kept");
    assert_eq!(ready.auth, Some("LOGIN"));
    assert!(ready.tls.is_some());
}

#[test]
fn auto_upgrades_when_offered_and_stays_plain_when_not() {
    let pki = pki(&["localhost"]);
    let mut s = Script::connected(tls_config(TlsMode::Auto, &pki));
    s.say("220 mx.test\r\n");
    s.say(&ehlo(&["STARTTLS"]));
    s.take_received();
    s.say_then_start_tls("220 go\r\n", pki.server.clone());
    s.expect(&format!("EHLO {NAME}\r\n"));

    let mut s = Script::connected(tls_config(TlsMode::Auto, &pki));
    s.say("220 mx.test\r\n");
    s.say(&ehlo(&["PIPELINING"]));
    assert!(ready(&mut s).tls.is_none());
}

#[test]
fn starttls_injection_is_refused_before_the_handshake() {
    let pki = pki(&["localhost"]);
    let mut s = Script::connected(with_auth(tls_config(TlsMode::StartTls, &pki), AuthMethod::Plain, "u", "p"));
    s.say("220 mx.test\r\n");
    s.say(&ehlo(&["STARTTLS", "AUTH PLAIN"]));
    s.take_received();
    // A man in the middle appends a plaintext reply after the 220.
    s.say("220 Ready to start TLS\r\n250-injected\r\n250 AUTH PLAIN\r\n");
    let (error, _) = s.failure();
    assert_eq!((error.code, error.stage, error.from_server), (Code::Protocol, Some(Stage::StartTls), false));
    assert!(error.message.contains("after its 220"), "{}", error.message);
    // No ClientHello, and certainly no credentials, went out.
    s.expect_silence();
}

#[test]
fn starttls_required_but_not_offered() {
    let pki = pki(&["localhost"]);
    let mut s = Script::connected(with_auth(tls_config(TlsMode::StartTls, &pki), AuthMethod::Plain, "u", "p"));
    s.say("220 mx.test\r\n");
    s.take_received();
    s.say(&ehlo(&["PIPELINING", "AUTH PLAIN"]));
    let (error, _) = s.failure();
    assert_eq!((error.code, error.stage, error.from_server), (Code::Tls, Some(Stage::StartTls), false));
    assert_eq!(error.proven, vec![Setting::Host]);
    assert_eq!(error.suspects, vec![Setting::Tls, Setting::Port]);
    s.expect_silence();
}

#[test]
fn starttls_refused_by_the_server() {
    let pki = pki(&["localhost"]);
    let mut s = Script::connected(tls_config(TlsMode::StartTls, &pki));
    s.say("220 mx.test\r\n");
    s.say(&ehlo(&["STARTTLS"]));
    s.take_received();
    s.say("454 4.7.0 TLS not available due to local problem\r\n");
    let (error, _) = s.failure();
    assert_eq!((error.code, error.stage, error.from_server), (Code::Tls, Some(Stage::StartTls), true));
    assert_eq!(error.response_code, Some(454));
}

#[test]
fn an_untrusted_certificate_fails_at_stage_tls() {
    let pki = pki(&["localhost"]);
    let mut config = tls_config(TlsMode::Implicit, &pki);
    config.tls_options.ca.clear(); // only the public roots
    let mut s = Script::connected(config);
    s.start_tls(pki.server.clone());
    let (error, _) = s.failure();
    assert_eq!((error.code, error.stage, error.from_server), (Code::Tls, Some(Stage::Tls), false));
    assert!(error.suspects.contains(&Setting::TlsCa));
    assert!(error.proven.contains(&Setting::Port) && error.proven.contains(&Setting::Tls));
    assert!(error.hint.contains("tlsOptions.ca"), "{}", error.hint);
}

#[test]
fn a_certificate_for_another_name_fails() {
    let pki = pki(&["mail.example.org"]);
    let mut s = Script::connected(tls_config(TlsMode::Implicit, &pki));
    s.start_tls(pki.server.clone());
    let (error, _) = s.failure();
    assert_eq!((error.code, error.stage), (Code::Tls, Some(Stage::Tls)));
    assert!(error.suspects.contains(&Setting::TlsServername), "{error:?}");
}

#[test]
fn servername_overrides_the_name_checked() {
    let pki = pki(&["mail.example.org"]);
    let mut config = tls_config(TlsMode::Implicit, &pki);
    config.tls_options.servername = Some("mail.example.org".into());
    let mut s = Script::connected(config);
    s.start_tls(pki.server.clone());
    s.say("220 mx.test\r\n");
    s.expect(&format!("EHLO {NAME}\r\n"));
}

#[test]
fn reject_unauthorized_false_accepts_any_certificate() {
    let pki = pki(&["elsewhere.test"]);
    let mut config = tls_config(TlsMode::Implicit, &pki);
    config.tls_options.ca.clear();
    config.tls_options.reject_unauthorized = false;
    let mut s = Script::connected(config);
    s.start_tls(pki.server.clone());
    s.say("220 mx.test\r\n");
    s.say(&ehlo(&[]));
    assert_eq!(ready(&mut s).tls.unwrap().certificate.unwrap().subject, "CN=elsewhere.test");
}

#[test]
fn implicit_tls_against_a_plain_server_is_diagnosed_as_port_or_tls_type() {
    let pki = pki(&["localhost"]);
    let mut s = Script::connected(tls_config(TlsMode::Implicit, &pki));
    s.take_received(); // the ClientHello
    s.say("220 mx.test ESMTP Postfix\r\n"); // plaintext where a TLS record belongs
    let (error, _) = s.failure();
    assert_eq!((error.code, error.stage, error.from_server), (Code::Tls, Some(Stage::Tls), false));
    assert_eq!(error.proven, vec![Setting::Host]);
    assert_eq!(error.suspects, vec![Setting::Port, Setting::Tls]);
}

#[test]
fn quit_over_tls_sends_close_notify() {
    let pki = pki(&["localhost"]);
    let mut s = Script::connected(tls_config(TlsMode::Implicit, &pki));
    s.start_tls(pki.server.clone());
    s.say("220 mx.test\r\n");
    s.say(&ehlo(&[]));
    ready(&mut s);
    s.take_received();
    s.client.quit(s.now);
    s.expect("QUIT\r\n");
    s.say("221 bye\r\n");
    assert!(matches!(s.events().as_slice(), [Event::Closed]));
    assert!(s.server_tls_error.is_none());
    assert!(s.server_saw_close_notify());
}
