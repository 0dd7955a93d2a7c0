//! SMTP extensions against the scripted server: CHUNKING (BDAT, with and
//! without PIPELINING), BINARYMIME, stream bodies supplied by the driver,
//! progress reports, DSN parameters and REQUIRETLS.

mod support;

use support::{greeted_over_tls, pki, plain_config, Script};
use wasmtp::body::{Body, Segment, Transfer};
use wasmtp::dsn::{Dsn, Notify, Ret};
use wasmtp::error::Code;
use wasmtp::message::Envelope;
use wasmtp::{Event, MessageId};

fn envelope() -> Envelope {
    Envelope { from: "a@x.test".into(), to: vec!["b@y.test".into()], ..Envelope::default() }
}

fn queue(s: &mut Script, envelope: Envelope, body: Body) -> MessageId {
    s.client.send(s.now, envelope, body).expect("queued")
}

#[test]
fn bdat_with_pipelining_after_the_recipients_are_known() {
    let mut s = Script::ready(plain_config(), &["PIPELINING", "CHUNKING", "8BITMIME"]);
    s.send("a@x.test", &["b@y.test"], "Subject: x\n\n.dots stay single\n");
    s.expect("MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\n");
    s.say("250 Ok\r\n250 Ok\r\n");
    s.expect("BDAT 33\r\nSubject: x\r\n\r\n.dots stay single\r\nBDAT 0 LAST\r\n");
    s.say("250 2.0.0 33 octets\r\n250 2.0.0 Ok: queued\r\n");
    let events = s.events();
    let [Event::Sent(sent)] = events.as_slice() else { panic!("{events:?}") };
    assert_eq!(sent.response, "250 2.0.0 Ok: queued");
    assert_eq!(
        sent.transcript[2..],
        ["S: 250 Ok", "S: 250 Ok", "C: <message data: 30 bytes in BDAT chunks>", "C: BDAT 0 LAST", "S: 250 2.0.0 Ok: queued"]
    );
}

#[test]
fn bdat_without_pipelining_waits_for_each_chunk() {
    let mut s = Script::ready(plain_config(), &["CHUNKING"]);
    let body = format!("{}\r\n", "x".repeat(98)).repeat(1024);
    s.send("a@x.test", &["b@y.test"], &body);
    s.expect("MAIL FROM:<a@x.test>\r\n");
    s.say("250 Ok\r\n");
    s.expect("RCPT TO:<b@y.test>\r\n");
    s.say("250 Ok\r\n");
    let first = s.take_received();
    assert!(first.starts_with(b"BDAT 65536\r\n"), "{}", String::from_utf8_lossy(&first[..20]));
    assert_eq!(first.len(), "BDAT 65536\r\n".len() + 65536, "the second chunk went out before the first was answered");
    s.say("250 Ok\r\n");
    let second = s.take_received();
    let rest = 100 * 1024 - 65536;
    assert!(second.starts_with(format!("BDAT {rest}\r\n").as_bytes()));
    s.say("250 Ok\r\n");
    s.expect("BDAT 0 LAST\r\n");
    s.say("250 queued\r\n");
    assert!(matches!(s.events().as_slice(), [Event::Sent(_)]));
}

#[test]
fn a_refused_bdat_chunk_fails_the_message_and_resets() {
    let mut s = Script::ready(plain_config(), &["PIPELINING", "CHUNKING"]);
    let id = s.send("a@x.test", &["b@y.test"], "x");
    s.say("250 Ok\r\n250 Ok\r\n");
    s.take_received();
    s.say("552 5.3.4 too big\r\n503 5.5.1 no transaction\r\n");
    let events = s.events();
    let [Event::MessageFailed { id: failed, error }] = events.as_slice() else { panic!("{events:?}") };
    assert_eq!(*failed, id);
    assert_eq!((error.code, error.response_code), (Code::Message, Some(552)));
    s.send("a@x.test", &["b@y.test"], "y");
    s.expect("RSET\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\n");
}

#[test]
fn binary_bodies_need_binarymime_and_go_unaltered() {
    let binary = Body::from_bytes(b"Subject: b\r\n\r\n\0bare\nlf\r\n".to_vec());
    let mut s = Script::ready(plain_config(), &["PIPELINING", "CHUNKING"]);
    queue(&mut s, envelope(), binary.clone());
    let events = s.events();
    assert!(matches!(&events[0], Event::MessageFailed { error, .. } if error.code == Code::Message), "{events:?}");

    let mut s = Script::ready(plain_config(), &["PIPELINING", "CHUNKING", "BINARYMIME"]);
    queue(&mut s, envelope(), binary);
    s.expect("MAIL FROM:<a@x.test> BODY=BINARYMIME\r\nRCPT TO:<b@y.test>\r\n");
    s.say("250 Ok\r\n250 Ok\r\n");
    s.expect("BDAT 24\r\nSubject: b\r\n\r\n\0bare\nlf\r\nBDAT 0 LAST\r\n");
}

#[test]
fn eight_bit_bodies_need_8bitmime() {
    let mut s = Script::ready(plain_config(), &["PIPELINING"]);
    queue(&mut s, envelope(), Body::from_bytes("caf\u{e9}".as_bytes().to_vec()));
    let events = s.events();
    assert!(matches!(&events[0], Event::MessageFailed { error, .. } if error.message.contains("8BITMIME")), "{events:?}");
}

#[test]
fn streams_are_pulled_a_chunk_at_a_time_with_progress() {
    let mut s = Script::ready(plain_config(), &["PIPELINING", "SIZE 1000000"]);
    let body = Body::from_segments(vec![
        Segment::Bytes { data: b"Subject: s\r\n\r\n--b\r\n".to_vec(), transfer: Transfer::AsIs },
        Segment::Stream { slot: 0, size: None },
        Segment::Bytes { data: b"--b--\r\n".to_vec(), transfer: Transfer::AsIs },
    ]);
    let id = queue(&mut s, envelope(), body);
    // The size is unknown: no SIZE parameter.
    s.expect("MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n");
    assert_eq!(s.client.wants_stream(), None, "asked for the stream before DATA was accepted");
    s.say("250 Ok\r\n250 Ok\r\n354 go\r\n");
    assert_eq!(s.take_received(), b"Subject: s\r\n\r\n--b\r\n");
    assert_eq!(s.client.wants_stream(), Some((id, 0)));
    s.client.supply(s.now, id, 0, vec![b'A'; 60]);
    assert_eq!(s.client.wants_stream(), None, "asked again before using the chunk");
    assert_eq!(s.take_received(), b"QUFB".repeat(19).iter().chain(b"\r\n").copied().collect::<Vec<u8>>());
    assert_eq!(s.client.wants_stream(), Some((id, 0)));
    // A chunk for another slot or message is ignored.
    s.client.supply(s.now, id, 1, vec![b'Z'; 10]);
    s.client.supply(s.now, MessageId(99), 0, vec![b'Z'; 10]);
    s.client.supply_end(s.now, id, 0);
    assert_eq!(s.take_received(), b"QUFB\r\n--b--\r\n.\r\n");
    s.say("250 queued\r\n");
    assert!(matches!(s.events().as_slice(), [Event::Sent(_)]));
    let written: Vec<u64> = s.progress.iter().map(|(_, w, _)| *w).collect();
    assert_eq!(written, vec![19, 97, 110]);
    assert!(s.progress.iter().all(|(i, _, total)| *i == id && total.is_none()));
}

#[test]
fn a_failed_stream_abandons_the_message_by_dropping_the_connection() {
    let mut s = Script::ready(plain_config(), &["PIPELINING"]);
    let body = Body::from_segments(vec![Segment::Stream { slot: 0, size: None }]);
    let id = queue(&mut s, envelope(), body);
    let behind = s.send("a@x.test", &["c@y.test"], "next");
    s.say("250 Ok\r\n250 Ok\r\n354 go\r\n");
    s.take_received();
    s.client.supply(s.now, id, 0, vec![b'A'; 57]);
    s.take_received();
    s.client.supply_failed(s.now, id, 0, "ENOENT: no such file");
    let events = s.events();
    assert!(matches!(&events[0], Event::MessageFailed { id: f, error } if *f == id && error.message.contains("ENOENT")), "{events:?}");
    assert!(matches!(&events[1], Event::Failed { unsent, .. } if unsent == &vec![behind]), "{events:?}");
    s.expect_silence(); // never the final dot
    assert!(s.client.is_closed());
}

#[test]
fn progress_reports_totals_when_known() {
    let mut s = Script::ready(plain_config(), &["PIPELINING"]);
    let body = format!("{}\r\n", "y".repeat(98)).repeat(2048);
    let id = s.send("a@x.test", &["b@y.test"], &body);
    s.say("250 Ok\r\n250 Ok\r\n354 go\r\n");
    s.take_received();
    s.events();
    let total = Some(200 * 1024);
    assert_eq!(s.progress, vec![(id, 65536, total), (id, 131072, total), (id, 196608, total), (id, 204800, total)]);
}

#[test]
fn dsn_parameters_on_mail_and_rcpt() {
    let mut s = Script::ready(plain_config(), &["PIPELINING", "DSN"]);
    let dsn = Dsn {
        ret: Some(Ret::Headers),
        envid: Some("QQ314159".into()),
        notify: Some(Notify { success: true, failure: true, delay: false }),
        orcpt: Some("b@y.test".into()),
    };
    queue(&mut s, Envelope { dsn: Some(dsn.clone()), ..envelope() }, Body::from_bytes(b"x".to_vec()));
    s.expect("MAIL FROM:<a@x.test> RET=HDRS ENVID=QQ314159\r\nRCPT TO:<b@y.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@y.test\r\nDATA\r\n");

    let mut s = Script::ready(plain_config(), &["PIPELINING"]);
    queue(&mut s, Envelope { dsn: Some(dsn), ..envelope() }, Body::from_bytes(b"x".to_vec()));
    let events = s.events();
    assert!(matches!(&events[0], Event::MessageFailed { error, .. } if error.message.contains("DSN")), "{events:?}");
    s.expect_silence();
}

#[test]
fn requiretls_needs_tls_and_the_extension() {
    let mut s = Script::ready(plain_config(), &["PIPELINING", "REQUIRETLS"]);
    queue(&mut s, Envelope { require_tls: true, ..envelope() }, Body::from_bytes(b"x".to_vec()));
    let events = s.events();
    assert!(matches!(&events[0], Event::MessageFailed { error, .. } if error.message.contains("not encrypted")), "{events:?}");

    let mut s = greeted_over_tls(&pki(&["localhost"]));
    s.say("250-x\r\n250-PIPELINING\r\n250 REQUIRETLS\r\n");
    s.events();
    queue(&mut s, Envelope { require_tls: true, ..envelope() }, Body::from_bytes(b"x".to_vec()));
    s.expect("MAIL FROM:<a@x.test> REQUIRETLS\r\nRCPT TO:<b@y.test>\r\nDATA\r\n");
}
