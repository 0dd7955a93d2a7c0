//! SASL against a scripted server: PLAIN, LOGIN, CRAM-MD5 (the RFC 2195
//! example), XOAUTH2 and `auto`, byte for byte; refusals and malformed
//! challenges; credentials never sent unencrypted unless allowed.

mod support;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use support::{ehlo, plain_config, with_auth, Script, NAME};
use wasmtp::config::{Auth, AuthMethod, Config};
use wasmtp::error::{Code, Setting, Stage};
use wasmtp::Event;

/// Plain-text sessions may authenticate here: these tests are about SASL.
fn config(method: AuthMethod, user: &str, pass: &str) -> Config {
    let mut config = with_auth(plain_config(), method, user, pass);
    config.allow_insecure_auth = true;
    config
}

/// Greets and answers EHLO offering `auth`; returns the script.
fn at_auth(config: Config, auth: &str) -> Script {
    let mut s = Script::connected(config);
    s.say("220 mx.test ESMTP\r\n");
    s.expect(&format!("EHLO {NAME}\r\n"));
    s.say(&ehlo(&["PIPELINING", &format!("AUTH {auth}")]));
    s
}

fn ready_with(s: &mut Script) -> wasmtp::Ready {
    let events = s.events();
    match events.as_slice() {
        [Event::Ready(ready)] => ready.clone(),
        other => panic!("expected Ready, got {other:?}"),
    }
}

fn b64(s: &str) -> String {
    STANDARD.encode(s)
}

#[test]
fn plain_sends_an_initial_response() {
    let mut s = at_auth(config(AuthMethod::Plain, "alice", "s3cret"), "PLAIN LOGIN");
    s.expect(&format!("AUTH PLAIN {}\r\n", b64("\0alice\0s3cret")));
    s.say("235 2.7.0 Authentication successful\r\n");
    let ready = ready_with(&mut s);
    assert_eq!(ready.auth, Some("PLAIN"));
    assert!(ready.transcript.contains(&"C: AUTH PLAIN <redacted>".to_string()));
    assert!(!ready.transcript.iter().any(|l| l.contains(&b64("\0alice\0s3cret"))));
}

#[test]
fn login_answers_the_prompts_in_order() {
    let mut s = at_auth(config(AuthMethod::Login, "alice", "s3cret"), "LOGIN");
    s.expect("AUTH LOGIN\r\n");
    s.say("334 VXNlcm5hbWU6\r\n");
    s.expect(&format!("{}\r\n", b64("alice")));
    s.say("334 UGFzc3dvcmQ6\r\n");
    s.expect(&format!("{}\r\n", b64("s3cret")));
    s.say("235 ok\r\n");
    let ready = ready_with(&mut s);
    assert_eq!(ready.auth, Some("LOGIN"));
    let redacted = ready.transcript.iter().filter(|l| *l == "C: <redacted>").count();
    assert_eq!(redacted, 2);
}

#[test]
fn cram_md5_matches_the_rfc_2195_example() {
    let mut s = at_auth(config(AuthMethod::CramMd5, "tim", "tanstaaftanstaaf"), "CRAM-MD5");
    s.expect("AUTH CRAM-MD5\r\n");
    s.say("334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n");
    s.expect("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n");
    s.say("235 Authentication successful\r\n");
    assert_eq!(ready_with(&mut s).auth, Some("CRAM-MD5"));
}

#[test]
fn xoauth2_success_and_the_error_dance() {
    let mut c = plain_config();
    c.allow_insecure_auth = true;
    c.auth = Some(Auth { method: AuthMethod::XOAuth2, user: "a@x.test".into(), pass: None, access_token: Some("ya29.tok".into()) });
    let mut s = at_auth(c.clone(), "XOAUTH2 PLAIN");
    s.expect(&format!("AUTH XOAUTH2 {}\r\n", b64("user=a@x.test\x01auth=Bearer ya29.tok\x01\x01")));
    s.say("235 2.7.0 Accepted\r\n");
    assert_eq!(ready_with(&mut s).auth, Some("XOAUTH2"));

    let mut s = at_auth(c, "XOAUTH2");
    s.take_received();
    s.say(&format!("334 {}\r\n", b64(r#"{"status":"401","schemes":"bearer"}"#)));
    s.expect("\r\n");
    s.say("535 5.7.8 Username and Password not accepted\r\n");
    let (error, _) = s.failure();
    assert_eq!((error.code, error.stage, error.from_server), (Code::Auth, Some(Stage::Auth), true));
    assert_eq!(error.suspects, vec![Setting::AuthUser, Setting::AuthPass]);
}

#[test]
fn auto_picks_the_strongest_offered_mechanism() {
    for (offered, expected) in [("PLAIN LOGIN CRAM-MD5", "CRAM-MD5"), ("PLAIN LOGIN", "LOGIN"), ("PLAIN", "PLAIN")] {
        let mut s = at_auth(config(AuthMethod::Auto, "u", "p"), offered);
        let sent = String::from_utf8(s.take_received()).unwrap();
        assert!(sent.starts_with(&format!("AUTH {expected}")), "{offered}: {sent}");
    }
    let mut c = plain_config();
    c.allow_insecure_auth = true;
    c.auth = Some(Auth { method: AuthMethod::Auto, user: "u".into(), pass: None, access_token: Some("t".into()) });
    let mut s = at_auth(c, "PLAIN XOAUTH2");
    assert!(String::from_utf8(s.take_received()).unwrap().starts_with("AUTH XOAUTH2 "));
}

#[test]
fn wrong_password_is_an_auth_error_naming_user_and_password() {
    let mut s = at_auth(config(AuthMethod::Plain, "alice", "wrong"), "PLAIN");
    s.take_received();
    s.say("535 5.7.8 Error: authentication failed: authentication failure\r\n");
    let (error, unsent) = s.failure();
    assert_eq!((error.code, error.stage, error.from_server), (Code::Auth, Some(Stage::Auth), true));
    assert_eq!(error.response_code, Some(535));
    assert_eq!(error.enhanced_code.as_deref(), Some("5.7.8"));
    assert_eq!(error.proven, vec![Setting::Host, Setting::Port, Setting::Tls]);
    assert_eq!(error.suspects, vec![Setting::AuthUser, Setting::AuthPass]);
    assert!(error.hint.contains("came from the mail server"), "{}", error.hint);
    assert!(unsent.is_empty());
}

#[test]
fn a_504_or_5_7_4_blames_the_mechanism() {
    for reply in ["504 5.5.4 Unrecognized authentication type\r\n", "535 5.7.4 mechanism too weak\r\n"] {
        let mut s = at_auth(config(AuthMethod::Plain, "u", "p"), "PLAIN");
        s.take_received();
        s.say(reply);
        let (error, _) = s.failure();
        assert_eq!(error.code, Code::Auth);
        assert_eq!(error.suspects, vec![Setting::AuthMethod], "{reply}");
    }
}

#[test]
fn a_mechanism_not_offered_fails_before_auth_is_sent() {
    let mut s = at_auth(config(AuthMethod::CramMd5, "u", "p"), "PLAIN LOGIN");
    let (error, _) = s.failure();
    assert_eq!((error.code, error.from_server), (Code::Auth, false));
    assert_eq!(error.suspects, vec![Setting::AuthMethod]);
    assert_eq!(error.proven, vec![Setting::Host, Setting::Port, Setting::Tls]);
    assert!(error.message.contains("PLAIN"), "{}", error.message);
    s.expect_silence();
}

#[test]
fn no_auth_offered_at_all_with_auto() {
    let mut s = Script::connected(config(AuthMethod::Auto, "u", "p"));
    s.say("220 mx.test\r\n");
    s.say(&ehlo(&["PIPELINING"]));
    let (error, _) = s.failure();
    assert_eq!(error.code, Code::Auth);
    assert!(!error.from_server);
}

#[test]
fn credentials_are_never_sent_unencrypted_by_default() {
    let mut c = with_auth(plain_config(), AuthMethod::Plain, "u", "p");
    c.allow_insecure_auth = false;
    let mut s = at_auth(c, "PLAIN");
    let (error, _) = s.failure();
    assert_eq!((error.code, error.stage, error.from_server), (Code::Auth, Some(Stage::Auth), false));
    assert!(error.suspects.contains(&Setting::Tls));
    s.expect_silence();
}

#[test]
fn a_challenge_that_is_not_base64_is_a_protocol_error() {
    let mut s = at_auth(config(AuthMethod::Login, "u", "p"), "LOGIN");
    s.take_received();
    s.say("334 !!not base64!!\r\n");
    let (error, _) = s.failure();
    assert_eq!((error.code, error.stage), (Code::Protocol, Some(Stage::Auth)));
}

#[test]
fn a_334_where_none_is_expected_is_a_protocol_error() {
    // PLAIN sent everything in its initial response.
    let mut s = at_auth(config(AuthMethod::Plain, "u", "p"), "PLAIN");
    s.take_received();
    s.say("334 \r\n");
    let (error, _) = s.failure();
    assert_eq!((error.code, error.stage), (Code::Protocol, Some(Stage::Auth)));
    // LOGIN after user and password.
    let mut s = at_auth(config(AuthMethod::Login, "u", "p"), "LOGIN");
    s.say("334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n334 QWdhaW46\r\n");
    let (error, _) = s.failure();
    assert_eq!(error.code, Code::Protocol);
}

#[test]
fn messages_queued_before_auth_go_out_after_it() {
    let mut s = at_auth(config(AuthMethod::Plain, "u", "p"), "PLAIN");
    s.send("a@x.test", &["b@y.test"], "x");
    s.take_received();
    s.say("235 ok\r\n");
    let events = s.events();
    assert!(matches!(events.as_slice(), [Event::Ready(_)]));
    s.expect("MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n");
}
