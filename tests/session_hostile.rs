//! Hostile and broken servers: malformed, oversized and unsolicited
//! replies are typed errors reported at once; arbitrary bytes in any phase
//! (plain or as TLS records) never panic; how replies are split into reads
//! never changes what the client does.

mod support;

use proptest::prelude::*;
use support::{ehlo, greeted_over_tls, pki, plain_config, with_auth, Script, NAME};
use wasmtp::config::{AuthMethod, TlsMode};
use wasmtp::error::{Code, Setting, Stage};
use wasmtp::Event;

#[test]
fn an_overlong_reply_line_is_refused_without_waiting_for_its_end() {
    let mut s = Script::connected(plain_config());
    s.say("220 mx.test\r\n");
    s.take_received();
    s.say(&format!("250-{}", "x".repeat(5000)));
    let (error, _) = s.failure();
    assert_eq!((error.code, error.stage), (Code::Protocol, Some(Stage::Ehlo)));
}

#[test]
fn an_endless_multi_line_reply_is_refused() {
    let mut s = Script::connected(plain_config());
    s.say("220 mx.test\r\n");
    let mut events = Vec::new();
    for _ in 0..100_000 {
        s.client.handle_received(s.now, b"250-AUTH PLAIN LOGIN CRAM-MD5 XOAUTH2 SOMETHING-ELSE\r\n");
        events = s.events();
        if !events.is_empty() {
            break;
        }
    }
    assert!(matches!(events.as_slice(), [Event::Failed { error, .. }] if error.code == Code::Protocol), "{events:?}");
}

#[test]
fn garbage_instead_of_a_greeting_suspects_the_port() {
    let mut s = Script::connected(plain_config());
    s.say("HTTP/1.1 400 Bad Request\r\n");
    let (error, _) = s.failure();
    assert_eq!((error.code, error.stage, error.from_server), (Code::Protocol, Some(Stage::Greeting), false));
    assert_eq!(error.suspects, vec![Setting::Port]);
}

#[test]
fn a_continuation_with_another_code_is_malformed() {
    let mut s = Script::connected(plain_config());
    s.say("220 mx.test\r\n");
    s.say("250-mx.test\r\n251 other\r\n");
    let (error, _) = s.failure();
    assert_eq!(error.code, Code::Protocol);
    assert!(error.suspects.is_empty(), "a greeted server's port is right: {:?}", error.suspects);
}

#[test]
fn an_unsolicited_reply_is_a_protocol_error_and_421_closes() {
    let mut s = Script::ready(plain_config(), &[]);
    s.say("250 surprise\r\n");
    assert_eq!(s.failure().0.code, Code::Protocol);

    let mut s = Script::ready(plain_config(), &[]);
    s.say("421 4.3.2 going down\r\n");
    let (error, _) = s.failure();
    assert_eq!((error.code, error.from_server, error.response_code), (Code::Connection, true, Some(421)));
}

#[test]
fn bare_lf_replies_are_accepted() {
    let mut s = Script::connected(plain_config());
    s.say("220 mx.test\n");
    s.expect(&format!("EHLO {NAME}\r\n"));
    s.say("250-mx.test\n250 PIPELINING\n");
    let events = s.events();
    assert!(matches!(events.as_slice(), [Event::Ready(r)] if r.capabilities.pipelining), "{events:?}");
}

#[test]
fn input_after_the_session_closed_is_ignored() {
    let mut s = Script::connected(plain_config());
    s.say("554 go away\r\n");
    s.failure();
    s.say("220 actually hello\r\n");
    s.client.handle_peer_closed(s.now);
    s.client.handle_timeout(s.now + 1_000_000);
    assert!(s.events().is_empty());
    s.expect_silence();
}

/// A full session's server side, to be cut into arbitrary reads.
const SCRIPT: &str =
    "220-mx.test ESMTP\r\n220 hi\r\n250-mx.test\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n235 2.7.0 ok\r\n250 Ok\r\n250 Ok\r\n354 go\r\n";

fn run_split(cuts: &[usize]) -> (Vec<u8>, usize) {
    let mut config = with_auth(plain_config(), AuthMethod::Plain, "u", "p");
    config.allow_insecure_auth = true;
    let mut s = Script::connected(config);
    s.send("a@x.test", &["b@y.test"], "hello");
    let bytes = SCRIPT.as_bytes();
    let mut start = 0;
    let mut points: Vec<usize> = cuts.iter().map(|c| c % bytes.len()).collect();
    points.sort_unstable();
    points.push(bytes.len());
    for end in points {
        if end > start {
            s.client.handle_received(s.now, &bytes[start..end]);
            s.pump();
            start = end;
        }
    }
    let out = s.take_received();
    let events = s.events();
    (out, events.len())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn how_replies_are_split_never_matters(cuts in proptest::collection::vec(0usize..1000, 0..20)) {
        let whole = run_split(&[]);
        prop_assert_eq!(run_split(&cuts), whole);
    }

    #[test]
    fn random_bytes_in_any_phase_never_panic(
        phase in 0usize..5,
        noise in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 1..6),
    ) {
        let mut config = with_auth(plain_config(), AuthMethod::Auto, "u", "p");
        config.allow_insecure_auth = true;
        let mut s = Script::connected(config);
        let prefix = ["", "220 hi\r\n", "220 hi\r\n", "220 hi\r\n250-x\r\n250-PIPELINING\r\n250 AUTH LOGIN\r\n", "220 hi\r\n250-x\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n235 ok\r\n"][phase];
        if phase >= 2 {
            s.send("a@x.test", &["b@y.test", "c@y.test"], "body\n.\n");
        }
        s.client.handle_received(s.now, prefix.as_bytes());
        for chunk in &noise {
            s.client.handle_received(s.now, chunk);
            let _ = s.client.poll_transmit(s.now);
            while let Some(event) = s.client.poll_event() {
                if let Event::Failed { error, .. } = event {
                    prop_assert!(!error.message.is_empty());
                    prop_assert!(!error.hint.is_empty());
                }
            }
        }
        s.client.handle_peer_closed(s.now);
        s.client.handle_timeout(u64::MAX / 2);
        prop_assert!(s.client.is_closed() || s.client.poll_timeout().is_some());
    }

    #[test]
    fn random_bytes_as_tls_records_never_panic(noise in proptest::collection::vec(any::<u8>(), 0..2000), starttls in any::<bool>()) {
        let mut config = plain_config();
        if starttls {
            config.tls = TlsMode::StartTls;
        } else {
            config.tls = TlsMode::Implicit;
        }
        let mut s = Script::connected(config);
        if starttls {
            s.client.handle_received(s.now, b"220 hi\r\n250-x\r\n250 STARTTLS\r\n");
            let _ = s.client.poll_transmit(s.now);
            s.client.handle_received(s.now, b"220 go\r\n");
        }
        let _ = s.client.poll_transmit(s.now);
        // A TLS record header followed by noise, and the noise alone.
        let mut record = vec![0x16, 0x03, 0x03, (noise.len() >> 8) as u8, noise.len() as u8];
        record.extend_from_slice(&noise);
        s.client.handle_received(s.now, &record);
        s.client.handle_received(s.now, &noise);
        let _ = s.client.poll_transmit(s.now);
        while s.client.poll_event().is_some() {}
    }
}

#[test]
fn a_tls_server_that_sends_garbage_after_the_handshake_is_a_tls_error() {
    let mut s = greeted_over_tls(&pki(&["localhost"]));
    // Bypass the server's TLS: raw bytes that are not a valid record.
    s.client.handle_received(s.now, b"\x17\x03\x03\x00\x05hello");
    let events = s.events();
    assert!(matches!(events.as_slice(), [Event::Failed { error, .. }] if error.code == Code::Tls), "{events:?}");
}

#[test]
fn ehlo_reply_at_every_size_keeps_the_parser_sane() {
    for n in [0, 1, 511, 512, 4000] {
        let mut s = Script::connected(plain_config());
        s.say("220 hi\r\n");
        s.take_received();
        s.say(&ehlo(&[&"A".repeat(n.max(1))]));
        let events = s.events();
        assert!(matches!(events.as_slice(), [Event::Ready(_)]), "{n}: {events:?}");
    }
}
