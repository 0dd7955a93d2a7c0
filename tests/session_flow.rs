//! The SMTP session against a scripted server, byte for byte: greeting,
//! EHLO and its HELO fallback, multi-line replies, pipelined and
//! unpipelined transactions, several messages on one connection, partial
//! acceptance, refusals, RSET, NOOP and QUIT.

mod support;

use support::{ehlo, plain_config, Script, NAME};
use wasmtp::error::{Code, Setting, Stage};
use wasmtp::Event;

fn sent(events: Vec<Event>) -> Vec<wasmtp::Sent> {
    events
        .into_iter()
        .map(|e| match e {
            Event::Sent(s) => s,
            other => panic!("expected Sent, got {other:?}"),
        })
        .collect()
}

#[test]
fn multi_line_ehlo_is_parsed_into_typed_capabilities() {
    let mut s = Script::connected(plain_config());
    s.say("220-mx.test ESMTP\r\n220 second greeting line\r\n");
    s.expect(&format!("EHLO {NAME}\r\n"));
    s.say(&ehlo(&[
        "PIPELINING",
        "SIZE 10240000",
        "8BITMIME",
        "SMTPUTF8",
        "DSN",
        "CHUNKING",
        "ENHANCEDSTATUSCODES",
        "AUTH PLAIN LOGIN CRAM-MD5",
        "AUTH=PLAIN LOGIN",
        "REQUIRETLS",
        "X-UNKNOWN thing",
    ]));
    let events = s.events();
    let [Event::Ready(ready)] = events.as_slice() else { panic!("{events:?}") };
    let c = &ready.capabilities;
    assert!(c.pipelining && c.eight_bit_mime && c.smtputf8 && c.dsn && c.chunking && c.enhanced_status_codes && c.requiretls);
    assert!(!c.starttls);
    assert_eq!(c.size, Some(10_240_000));
    assert_eq!(c.auth, vec!["PLAIN", "LOGIN", "CRAM-MD5"]);
    assert_eq!(ready.tls, None);
    assert_eq!(ready.auth, None);
    assert_eq!(
        ready.transcript[..4],
        ["* connected to localhost:25", "S: 220-mx.test ESMTP", "S: 220 second greeting line", "C: EHLO client.test"]
    );
}

#[test]
fn pipelined_transaction_goes_out_in_one_flight() {
    let mut s = Script::ready(plain_config(), &["PIPELINING", "8BITMIME"]);
    s.send("a@x.test", &["b@y.test", "c@y.test"], "Subject: hi\r\n\r\nbody\r\n");
    s.expect("MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nRCPT TO:<c@y.test>\r\nDATA\r\n");
    s.say("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 go ahead\r\n");
    s.expect("Subject: hi\r\n\r\nbody\r\n.\r\n");
    s.say("250 2.0.0 Ok: queued as 123\r\n");
    let sent = sent(s.events());
    assert_eq!(sent[0].accepted, vec!["b@y.test", "c@y.test"]);
    assert!(sent[0].rejected.is_empty());
    assert_eq!(sent[0].response, "250 2.0.0 Ok: queued as 123");
    assert_eq!(
        sent[0].transcript,
        [
            "C: MAIL FROM:<a@x.test>",
            "C: RCPT TO:<b@y.test>",
            "C: RCPT TO:<c@y.test>",
            "C: DATA",
            "S: 250 2.1.0 Ok",
            "S: 250 2.1.5 Ok",
            "S: 250 2.1.5 Ok",
            "S: 354 go ahead",
            "C: <message data: 21 bytes>",
            "C: .",
            "S: 250 2.0.0 Ok: queued as 123",
        ]
    );
}

#[test]
fn without_pipelining_one_command_at_a_time() {
    let mut s = Script::ready(plain_config(), &["8BITMIME"]);
    s.send("a@x.test", &["b@y.test", "c@y.test"], "hello");
    s.expect("MAIL FROM:<a@x.test>\r\n");
    s.say("250 Ok\r\n");
    s.expect("RCPT TO:<b@y.test>\r\n");
    s.say("250 Ok\r\n");
    s.expect("RCPT TO:<c@y.test>\r\n");
    s.say("250 Ok\r\n");
    s.expect("DATA\r\n");
    s.say("354 go\r\n");
    s.expect("hello\r\n.\r\n");
    s.say("250 queued\r\n");
    assert_eq!(sent(s.events())[0].accepted.len(), 2);
}

#[test]
fn unpipelined_refused_sender_stops_before_rcpt() {
    let mut s = Script::ready(plain_config(), &[]);
    let id = s.send("bad@x.test", &["b@y.test"], "x");
    s.expect("MAIL FROM:<bad@x.test>\r\n");
    s.say("553 5.7.1 Sender address rejected\r\n");
    let events = s.events();
    let [Event::MessageFailed { id: failed, error }] = events.as_slice() else { panic!("{events:?}") };
    assert_eq!(*failed, id);
    assert_eq!((error.code, error.stage, error.from_server), (Code::Envelope, Some(Stage::Mail), true));
    assert_eq!(error.response_code, Some(553));
    assert_eq!(error.enhanced_code.as_deref(), Some("5.7.1"));
    assert_eq!(error.suspects, vec![Setting::From]);
    assert!(error.proven.contains(&Setting::Host) && error.proven.contains(&Setting::Tls));
    // The next message resets the transaction first.
    s.send("a@x.test", &["b@y.test"], "x");
    s.expect("RSET\r\n");
    s.say("250 Ok\r\n");
    s.expect("MAIL FROM:<a@x.test>\r\n");
}

#[test]
fn dot_stuffing_and_line_ends_byte_for_byte() {
    let mut s = Script::ready(plain_config(), &["PIPELINING"]);
    s.send("a@x.test", &["b@y.test"], ".lead\n..two\r.\r\nmid.dle\n.");
    s.expect("MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n");
    s.say("250 Ok\r\n250 Ok\r\n354 go\r\n");
    s.expect("..lead\r\n...two\r\n..\r\nmid.dle\r\n..\r\n.\r\n");
}

#[test]
fn body_ending_in_crlf_gets_no_extra_line() {
    let mut s = Script::ready(plain_config(), &["PIPELINING"]);
    s.send("a@x.test", &["b@y.test"], "line\r\n");
    s.say("250 Ok\r\n250 Ok\r\n354 go\r\n");
    let out = s.take_received();
    assert!(out.ends_with(b"DATA\r\nline\r\n.\r\n"), "{}", String::from_utf8_lossy(&out));
}

#[test]
fn a_large_body_is_written_in_chunks_and_arrives_whole() {
    let mut s = Script::ready(plain_config(), &["PIPELINING"]);
    let body: String = (0..40_000).map(|i| format!("line {i} .{}\n", if i % 7 == 0 { "." } else { "" })).collect();
    s.send("a@x.test", &["b@y.test"], &body);
    s.expect("MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n");
    s.client.handle_received(s.now, b"250 Ok\r\n250 Ok\r\n354 go\r\n");
    let mut chunks = 0;
    let mut wire = Vec::new();
    while let Some(chunk) = s.client.poll_transmit(s.now) {
        assert!(chunk.len() <= 70 * 1024, "a chunk of {} bytes", chunk.len());
        chunks += 1;
        wire.extend_from_slice(&chunk);
    }
    assert!(chunks > 3, "{chunks} chunks");
    let expected = body.replace('\n', "\r\n") + ".\r\n";
    assert_eq!(String::from_utf8(wire).unwrap(), expected);
}

#[test]
fn next_message_rides_with_the_final_dot() {
    let mut s = Script::ready(plain_config(), &["PIPELINING"]);
    let first = s.send("a@x.test", &["b@y.test"], "one");
    let second = s.send("a@x.test", &["c@y.test"], "two");
    s.expect("MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n");
    s.say("250 Ok\r\n250 Ok\r\n354 go\r\n");
    s.expect("one\r\n.\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<c@y.test>\r\nDATA\r\n");
    s.say("250 queued 1\r\n250 Ok\r\n250 Ok\r\n354 go\r\n");
    s.expect("two\r\n.\r\n");
    s.say("250 queued 2\r\n");
    let sent = sent(s.events());
    assert_eq!((sent[0].id, sent[0].response.as_str()), (first, "250 queued 1"));
    assert_eq!((sent[1].id, sent[1].response.as_str()), (second, "250 queued 2"));
}

#[test]
fn a_refused_message_does_not_disturb_the_one_riding_behind_it() {
    let mut s = Script::ready(plain_config(), &["PIPELINING"]);
    let first = s.send("a@x.test", &["b@y.test"], "one");
    let second = s.send("a@x.test", &["c@y.test"], "two");
    s.say("250 Ok\r\n250 Ok\r\n354 go\r\n");
    s.expect("MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\none\r\n.\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<c@y.test>\r\nDATA\r\n");
    s.say("554 5.7.1 rejected: spam\r\n250 Ok\r\n250 Ok\r\n354 go\r\n");
    s.expect("two\r\n.\r\n");
    s.say("250 queued\r\n");
    let events = s.events();
    assert!(
        matches!(&events[0], Event::MessageFailed { id, error } if *id == first && error.code == Code::Message && error.response_code == Some(554))
    );
    assert!(matches!(&events[1], Event::Sent(sent) if sent.id == second));
}

#[test]
fn partial_acceptance_reports_each_refused_recipient() {
    let mut s = Script::ready(plain_config(), &["PIPELINING", "ENHANCEDSTATUSCODES"]);
    s.send("a@x.test", &["ok@y.test", "no@y.test", "later@y.test"], "x");
    s.expect("MAIL FROM:<a@x.test>\r\nRCPT TO:<ok@y.test>\r\nRCPT TO:<no@y.test>\r\nRCPT TO:<later@y.test>\r\nDATA\r\n");
    s.say("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 <no@y.test>: no such user\r\n450 4.2.0 busy\r\n354 go\r\n");
    s.expect("x\r\n.\r\n");
    s.say("250 2.0.0 queued\r\n");
    let sent = sent(s.events());
    assert_eq!(sent[0].accepted, vec!["ok@y.test"]);
    let rejected: Vec<_> = sent[0].rejected.iter().map(|e| (e.recipient.clone().unwrap(), e.response_code, e.code, e.stage)).collect();
    assert_eq!(
        rejected,
        vec![
            ("no@y.test".into(), Some(550), Code::Envelope, Some(Stage::Rcpt)),
            ("later@y.test".into(), Some(450), Code::Envelope, Some(Stage::Rcpt)),
        ]
    );
    assert_eq!(sent[0].rejected[0].suspects, vec![Setting::To]);
}

#[test]
fn all_recipients_refused_with_pipelining_ends_data_with_a_lone_dot() {
    let mut s = Script::ready(plain_config(), &["PIPELINING"]);
    let id = s.send("a@x.test", &["no@y.test"], "secret body");
    s.expect("MAIL FROM:<a@x.test>\r\nRCPT TO:<no@y.test>\r\nDATA\r\n");
    // Some servers accept DATA even with no valid recipient (RFC 2920 §3.1).
    s.say("250 Ok\r\n550 5.1.1 no such user\r\n354 go\r\n");
    s.expect(".\r\n");
    let events = s.events();
    let [Event::MessageFailed { id: failed, error }] = events.as_slice() else { panic!("{events:?}") };
    assert_eq!(*failed, id);
    assert_eq!((error.code, error.stage), (Code::Envelope, Some(Stage::Rcpt)));
    assert_eq!(error.response_code, Some(550));
    assert!(error.response.as_deref().unwrap().contains("no such user"));
    s.say("554 no valid recipients\r\n");
    assert!(s.events().is_empty());
    // The next message resets first.
    s.send("a@x.test", &["b@y.test"], "x");
    s.expect("RSET\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n");
}

#[test]
fn all_recipients_refused_and_data_refused() {
    let mut s = Script::ready(plain_config(), &["PIPELINING"]);
    s.send("a@x.test", &["no@y.test", "nope@y.test"], "x");
    s.say("250 Ok\r\n550 no\r\n551 nope\r\n554 5.5.1 no valid recipients\r\n");
    let events = s.events();
    let [Event::MessageFailed { error, .. }] = events.as_slice() else { panic!("{events:?}") };
    assert_eq!(error.code, Code::Envelope);
    let response = error.response.as_deref().unwrap();
    assert!(response.contains("no") && response.contains("nope"), "{response}");
    assert!(s.client.can_send());
}

#[test]
fn helo_fallback_when_ehlo_is_refused() {
    let mut s = Script::connected(plain_config());
    s.say("220 old.test SMTP\r\n");
    s.expect(&format!("EHLO {NAME}\r\n"));
    s.say("502 5.5.2 command not recognized\r\n");
    s.expect(&format!("HELO {NAME}\r\n"));
    s.say("250 old.test\r\n");
    let events = s.events();
    let [Event::Ready(ready)] = events.as_slice() else { panic!("{events:?}") };
    assert!(!ready.capabilities.pipelining);
    s.send("a@x.test", &["b@y.test"], "x");
    s.expect("MAIL FROM:<a@x.test>\r\n");
}

#[test]
fn helo_refused_too_fails_at_ehlo() {
    let mut s = Script::connected(plain_config());
    s.say("220 old.test SMTP\r\n");
    s.say("500 no\r\n");
    s.say("501 not you either\r\n");
    let (error, _) = s.failure();
    assert_eq!((error.code, error.stage, error.from_server), (Code::Connection, Some(Stage::Ehlo), true));
}

#[test]
fn greeting_554_and_421_are_connection_errors_from_the_server() {
    for greeting in ["554 5.7.1 no service for you\r\n", "421 4.3.2 too busy\r\n"] {
        let mut s = Script::connected(plain_config());
        s.say(greeting);
        let (error, _) = s.failure();
        assert_eq!((error.code, error.stage, error.from_server), (Code::Connection, Some(Stage::Greeting), true));
        assert_eq!(error.response_code, Some(greeting[..3].parse().unwrap()));
        assert!(error.proven.contains(&Setting::Host));
        assert!(s.client.is_closed());
    }
}

#[test]
fn a_421_mid_transaction_fails_the_connection_and_lists_unsent_messages() {
    let mut s = Script::ready(plain_config(), &["PIPELINING"]);
    let first = s.send("a@x.test", &["b@y.test"], "x");
    let second = s.send("a@x.test", &["c@y.test"], "y");
    s.say("421 4.4.2 shutting down\r\n");
    let (error, unsent) = s.failure();
    assert_eq!((error.code, error.stage, error.from_server), (Code::Connection, Some(Stage::Mail), true));
    assert_eq!(error.response_code, Some(421));
    assert_eq!(unsent, vec![first, second]);
    assert!(s.client.is_closed());
}

#[test]
fn quit_after_queued_messages_and_closed_event() {
    let mut s = Script::ready(plain_config(), &["PIPELINING"]);
    s.send("a@x.test", &["b@y.test"], "x");
    s.client.quit(s.now);
    assert!(!s.client.can_send());
    s.expect("MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n");
    s.say("250 Ok\r\n250 Ok\r\n354 go\r\n");
    s.expect("x\r\n.\r\n");
    s.say("250 queued\r\n");
    s.expect("QUIT\r\n");
    s.say("221 2.0.0 Bye\r\n");
    let events = s.events();
    assert!(matches!(events.as_slice(), [Event::Sent(_), Event::Closed]), "{events:?}");
    assert!(s.client.is_closed());
    assert_eq!(s.client.poll_timeout(), None);
    let envelope = wasmtp::message::Envelope { from: "a@x.test".into(), to: vec!["b@y.test".into()], ..Default::default() };
    let error = s.client.send(s.now, envelope, wasmtp::body::Body::default());
    assert_eq!(error.unwrap_err().code, Code::Connection);
}

#[test]
fn noop_checks_an_idle_connection() {
    let mut s = Script::ready(plain_config(), &["PIPELINING"]);
    s.client.noop(s.now);
    s.expect("NOOP\r\n");
    s.say("250 2.0.0 Ok\r\n");
    assert!(s.events().is_empty());
    assert!(s.client.can_send());
    s.client.noop(s.now);
    s.expect("NOOP\r\n");
    s.say("421 4.4.2 idle too long\r\n");
    let (error, unsent) = s.failure();
    assert_eq!((error.code, error.response_code), (Code::Connection, Some(421)));
    assert!(unsent.is_empty());
}

#[test]
fn the_server_closing_an_idle_connection_is_not_an_error() {
    let mut s = Script::ready(plain_config(), &[]);
    s.client.handle_peer_closed(s.now);
    assert!(matches!(s.events().as_slice(), [Event::Closed]));
}

#[test]
fn the_server_closing_during_a_transaction_fails_it() {
    let mut s = Script::ready(plain_config(), &["PIPELINING"]);
    let id = s.send("a@x.test", &["b@y.test"], "x");
    s.say("250 Ok\r\n");
    s.client.handle_peer_closed(s.now);
    let (error, unsent) = s.failure();
    assert_eq!((error.code, error.from_server), (Code::Connection, false));
    assert_eq!(unsent, vec![id]);
}

#[test]
fn size_is_declared_and_an_oversized_message_fails_before_mail() {
    let mut s = Script::ready(plain_config(), &["PIPELINING", "SIZE 100"]);
    let big = s.send("a@x.test", &["b@y.test"], &"x".repeat(500));
    let small = s.send("a@x.test", &["b@y.test"], "tiny");
    let events = s.events();
    assert!(matches!(&events[0], Event::MessageFailed { id, error } if *id == big && error.code == Code::Message && !error.from_server));
    s.expect("MAIL FROM:<a@x.test> SIZE=4\r\nRCPT TO:<b@y.test>\r\nDATA\r\n");
    let _ = small;
}

#[test]
fn eight_bit_bodies_declare_8bitmime_when_offered() {
    let mut s = Script::ready(plain_config(), &["PIPELINING", "8BITMIME"]);
    s.send("a@x.test", &["b@y.test"], "caf\u{e9}");
    s.expect("MAIL FROM:<a@x.test> BODY=8BITMIME\r\nRCPT TO:<b@y.test>\r\nDATA\r\n");
}

#[test]
fn international_addresses_need_smtputf8() {
    let mut s = Script::ready(plain_config(), &["PIPELINING"]);
    s.send("j\u{f6}rg@x.test", &["b@y.test"], "x");
    let events = s.events();
    assert!(matches!(&events[0], Event::MessageFailed { error, .. } if error.code == Code::Envelope), "{events:?}");

    let mut s = Script::ready(plain_config(), &["PIPELINING", "SMTPUTF8"]);
    s.send("j\u{f6}rg@x.test", &["b@y.test"], "x");
    s.expect("MAIL FROM:<j\u{f6}rg@x.test> SMTPUTF8\r\nRCPT TO:<b@y.test>\r\nDATA\r\n");
}

#[test]
fn envelope_addresses_that_could_inject_commands_are_refused() {
    let mut s = Script::ready(plain_config(), &["PIPELINING"]);
    for (from, to) in
        [("a@x.test>\r\nRSET", "b@y.test"), ("a@x.test", "b@y.test>\r\nDATA"), ("a@x.test", "b@y.test> NOTIFY=NEVER"), ("a@x.test", "")]
    {
        let envelope = wasmtp::message::Envelope { from: from.into(), to: vec![to.into()], ..Default::default() };
        let error = s.client.send(s.now, envelope, wasmtp::body::Body::from_bytes(b"x".to_vec())).unwrap_err();
        assert_eq!(error.code, Code::Envelope, "{from:?} {to:?}");
    }
    s.expect_silence();
}

#[test]
fn an_empty_reverse_path_is_allowed() {
    let mut s = Script::ready(plain_config(), &["PIPELINING"]);
    s.send("", &["b@y.test"], "bounce");
    s.expect("MAIL FROM:<>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n");
}

#[test]
fn quit_while_connecting_waits_for_queued_messages() {
    let mut s = Script::new(plain_config());
    s.send("a@x.test", &["b@y.test"], "x");
    s.client.quit(s.now);
    assert!(!s.client.is_closed());
    s.client.handle_connected(s.now);
    s.say("220 mx.test\r\n");
    s.expect(&format!("EHLO {NAME}\r\n"));
    s.say(&ehlo(&["PIPELINING"]));
    s.expect("MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n");

    let mut idle = Script::new(plain_config());
    idle.client.quit(idle.now);
    assert!(idle.client.is_closed(), "nothing to send: closes at once");
}

#[test]
fn a_drop_after_the_final_dot_leaves_that_message_in_doubt_and_the_next_unsent() {
    let mut s = Script::ready(plain_config(), &["PIPELINING"]);
    let first = s.send("a@x.test", &["b@y.test"], "one");
    let second = s.send("a@x.test", &["c@y.test"], "two");
    s.expect("MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n");
    s.say("250 Ok\r\n250 Ok\r\n354 go\r\n");
    s.expect("one\r\n.\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<c@y.test>\r\nDATA\r\n");
    s.client.handle_peer_closed(s.now);
    let (error, unsent, interrupted) = s.failure_with_interrupted();
    assert_eq!(error.code, Code::Connection);
    assert_eq!(interrupted, vec![first], "its end was written: the server may have taken it");
    assert_eq!(unsent, vec![second], "never got to its end: safe to send again");
}
