//! Deadlines on a fake clock: each waiting state has its own time-out
//! (connect, greeting, command, data, idle), none fires early, every
//! reply restarts the wait, and each expiry carries its diagnosis.

mod support;

use support::{plain_config, Script, NAME};
use wasmtp::config::{Config, TlsMode};
use wasmtp::error::{Code, Setting, Stage};
use wasmtp::Event;

fn timeouts(connect: u64, greeting: u64, command: u64, data: u64, idle: u64) -> Config {
    let mut config = plain_config();
    config.timeouts.connect = connect;
    config.timeouts.greeting = greeting;
    config.timeouts.command = command;
    config.timeouts.data = data;
    config.timeouts.idle = idle;
    config
}

#[test]
fn connect_timeout() {
    let mut s = Script::new(timeouts(100, 200, 300, 400, 500));
    assert_eq!(s.client.poll_timeout(), Some(s.now + 100));
    s.advance(99);
    assert!(s.events().is_empty());
    s.advance(1);
    let (error, _) = s.failure();
    assert_eq!((error.code, error.stage, error.from_server), (Code::TimedOut, Some(Stage::Connect), false));
    assert_eq!(error.suspects, vec![Setting::Host, Setting::Port]);
}

#[test]
fn greeting_timeout_points_at_port_and_tls_type() {
    let mut s = Script::connected(timeouts(100, 200, 300, 400, 500));
    assert_eq!(s.client.poll_timeout(), Some(s.now + 200));
    s.advance(199);
    assert!(s.events().is_empty());
    s.advance(1);
    let (error, _) = s.failure();
    assert_eq!((error.code, error.stage, error.from_server), (Code::TimedOut, Some(Stage::Greeting), false));
    assert_eq!(error.proven, vec![Setting::Host]);
    assert_eq!(error.suspects, vec![Setting::Port, Setting::Tls]);
    assert!(error.hint.contains("465"), "{}", error.hint);
}

#[test]
fn implicit_tls_handshake_timeout_points_at_port_and_tls_type() {
    let mut config = timeouts(100, 200, 300, 400, 500);
    config.tls = TlsMode::Implicit;
    let mut s = Script::connected(config);
    s.take_received(); // ClientHello; the plain server waits for a command
    s.advance_to_deadline();
    let (error, _) = s.failure();
    assert_eq!(error.code, Code::TimedOut);
    assert_eq!(error.suspects, vec![Setting::Port, Setting::Tls]);
    assert!(error.hint.contains("587"), "{}", error.hint);
}

#[test]
fn command_timeout_after_the_greeting_proves_port_and_tls() {
    let mut s = Script::connected(timeouts(100, 200, 300, 400, 500));
    s.advance(150);
    s.say("220 mx.test\r\n");
    s.expect(&format!("EHLO {NAME}\r\n"));
    assert_eq!(s.client.poll_timeout(), Some(s.now + 300));
    s.advance(299);
    assert!(s.events().is_empty());
    s.advance(1);
    let (error, _) = s.failure();
    assert_eq!((error.code, error.stage), (Code::TimedOut, Some(Stage::Ehlo)));
    assert_eq!(error.proven, vec![Setting::Host, Setting::Port, Setting::Tls]);
}

#[test]
fn every_reply_restarts_the_wait() {
    let mut s = Script::ready(timeouts(100, 200, 300, 400, 5000), &[]);
    s.send("a@x.test", &["b@y.test"], "x");
    s.expect("MAIL FROM:<a@x.test>\r\n");
    s.advance(250);
    s.say("250 Ok\r\n");
    s.expect("RCPT TO:<b@y.test>\r\n");
    s.advance(250);
    assert!(s.events().is_empty(), "the RCPT wait started over at the MAIL reply");
    s.advance(50);
    let (error, unsent) = s.failure();
    assert_eq!((error.code, error.stage), (Code::TimedOut, Some(Stage::Rcpt)));
    assert_eq!(unsent.len(), 1);
}

#[test]
fn the_final_dot_waits_for_the_data_timeout() {
    let mut s = Script::ready(timeouts(100, 200, 300, 1000, 5000), &["PIPELINING"]);
    let id = s.send("a@x.test", &["b@y.test"], "x");
    s.take_received();
    s.say("250 Ok\r\n250 Ok\r\n354 go\r\n");
    s.expect("x\r\n.\r\n");
    assert_eq!(s.client.poll_timeout(), Some(s.now + 1000));
    s.advance(300);
    assert!(s.events().is_empty(), "the command time-out applied to the end of data");
    s.advance(700);
    let (error, unsent, interrupted) = s.failure_with_interrupted();
    assert_eq!((error.code, error.stage), (Code::TimedOut, Some(Stage::Data)));
    assert_eq!(unsent, vec![]);
    assert_eq!(interrupted, vec![id], "a message whose final reply never came may or may not have been taken");
}

#[test]
fn an_idle_connection_quits_after_the_idle_timeout() {
    let mut s = Script::ready(timeouts(100, 200, 300, 400, 500), &["PIPELINING"]);
    s.send("a@x.test", &["b@y.test"], "x");
    s.say("250 Ok\r\n250 Ok\r\n354 go\r\n");
    s.take_received();
    s.say("250 queued\r\n");
    assert!(matches!(s.events().as_slice(), [Event::Sent(_)]));
    assert_eq!(s.client.poll_timeout(), Some(s.now + 500));
    s.advance(499);
    s.expect_silence();
    s.advance(1);
    s.expect("QUIT\r\n");
    s.say("221 bye\r\n");
    assert!(matches!(s.events().as_slice(), [Event::Closed]));
}

#[test]
fn an_unanswered_quit_just_closes() {
    let mut s = Script::ready(timeouts(100, 200, 300, 400, 500), &[]);
    s.client.quit(s.now);
    s.expect("QUIT\r\n");
    s.advance_to_deadline();
    assert!(matches!(s.events().as_slice(), [Event::Closed]));
    assert!(s.client.is_closed());
}

#[test]
fn a_timeout_call_before_the_deadline_does_nothing() {
    let mut s = Script::connected(timeouts(100, 200, 300, 400, 500));
    for _ in 0..10 {
        s.advance(10);
    }
    assert!(s.events().is_empty());
    assert!(!s.client.is_closed());
}
