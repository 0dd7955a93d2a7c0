//! Sends one plain-text message with the wasmtp core over a blocking
//! `std::net::TcpStream`: the same sans-IO `Client` the npm package drives
//! from JavaScript, here driven by a dozen lines of Rust.
//!
//! ```sh
//! SMTP_PASS=secret cargo run --example send -- \
//!   --host smtp.example.com --port 587 --tls starttls --user me@example.com \
//!   --from me@example.com --to you@example.org --subject Hello --text "Hi there"
//! ```
//!
//! Options: --host, --port, --tls (none|starttls|implicit|auto), --auth
//! (PLAIN|LOGIN|CRAM-MD5|XOAUTH2|auto), --user (password from $SMTP_PASS),
//! --ca FILE (extra trusted CA, PEM), --from, --to (repeatable), --subject,
//! --text, --transcript. Exit status 0 only when the server accepted it.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use wasmtp::address::{Address, Mailbox};
use wasmtp::config::{Auth, AuthMethod, Config, TlsMode};
use wasmtp::message::Message;
use wasmtp::{Client, ConnectFailure, Event};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("{problem}");
            ExitCode::FAILURE
        }
    }
}

/// The command line as (flag, value) pairs; `--transcript` takes no value.
fn flags() -> Result<Vec<(String, String)>, String> {
    let mut args = std::env::args().skip(1);
    let mut flags = Vec::new();
    while let Some(flag) = args.next() {
        let name = flag.strip_prefix("--").ok_or(format!("unexpected argument {flag:?}"))?.to_string();
        let value = if name == "transcript" { String::new() } else { args.next().ok_or(format!("--{name} needs a value"))? };
        flags.push((name, value));
    }
    Ok(flags)
}

fn run() -> Result<(), String> {
    let flags = flags()?;
    let get = |name: &str| flags.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let host = get("host").ok_or("--host is required")?;
    let mut config = Config::new(host.clone());
    config.port = get("port").map(|p| p.parse().map_err(|_| format!("bad --port {p:?}"))).transpose()?;
    config.tls = match get("tls").as_deref() {
        None | Some("auto") => TlsMode::Auto,
        Some("none") => TlsMode::None,
        Some("starttls") => TlsMode::StartTls,
        Some("implicit") => TlsMode::Implicit,
        Some(other) => return Err(format!("bad --tls {other:?}")),
    };
    if let Some(user) = get("user") {
        let method = match get("auth").as_deref() {
            None | Some("auto") => AuthMethod::Auto,
            Some("PLAIN") => AuthMethod::Plain,
            Some("LOGIN") => AuthMethod::Login,
            Some("CRAM-MD5") => AuthMethod::CramMd5,
            Some("XOAUTH2") => AuthMethod::XOAuth2,
            Some(other) => return Err(format!("bad --auth {other:?}")),
        };
        let secret = std::env::var("SMTP_PASS").map_err(|_| "set SMTP_PASS to the password (or access token)")?;
        let (pass, access_token) = if method == AuthMethod::XOAuth2 { (None, Some(secret)) } else { (Some(secret), None) };
        config.auth = Some(Auth { method, user, pass, access_token });
    }
    if let Some(file) = get("ca") {
        config.tls_options.ca.push(std::fs::read_to_string(&file).map_err(|e| format!("--ca {file}: {e}"))?);
    }
    config.transcript = get("transcript").is_some();

    let from = Mailbox::new(None, &get("from").ok_or("--from is required")?)?;
    let to =
        flags.iter().filter(|(n, _)| n == "to").map(|(_, v)| Mailbox::new(None, v).map(Address::Mailbox)).collect::<Result<Vec<_>, _>>()?;
    let message = Message { from: Some(from), to, subject: get("subject"), text: get("text"), ..Message::default() };
    let unix_ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
    let composed = message.compose(unix_ms, &mut wasmtp::random::fill).map_err(|e| e.hint)?;
    println!("message-id: {}", composed.message_id);

    // The run loop: the core decides everything, this only moves bytes and time.
    let start = Instant::now();
    let now = || start.elapsed().as_millis() as u64;
    let mut client = Client::new(config, now()).map_err(|e| e.hint)?;
    let port = client.config().effective_port();
    client.send(now(), composed.envelope, composed.body).map_err(|e| e.hint)?;
    client.quit(now());
    let connect_timeout = Duration::from_millis(client.config().timeouts.connect);
    let mut socket = match (host.as_str(), port).to_socket_addrs() {
        Err(e) => {
            client.handle_connect_failed(now(), ConnectFailure::Unresolved, &e.to_string());
            None
        }
        Ok(addrs) => {
            let mut last_error = String::from("no address");
            let socket = addrs
                .into_iter()
                .find_map(|addr| TcpStream::connect_timeout(&addr, connect_timeout).map_err(|e| last_error = e.to_string()).ok());
            match &socket {
                Some(_) => client.handle_connected(now()),
                None => client.handle_connect_failed(now(), ConnectFailure::Refused, &last_error),
            }
            socket
        }
    };

    let mut outcome = Err("the session ended before the message was sent".to_string());
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        while let Some(bytes) = client.poll_transmit(now()) {
            if let Some(socket) = socket.as_mut() {
                if socket.write_all(&bytes).is_err() {
                    client.handle_peer_closed(now());
                }
            }
        }
        while let Some(event) = client.poll_event() {
            match event {
                Event::Ready(ready) => print_lines(&ready.transcript),
                Event::Sent(sent) => {
                    print_lines(&sent.transcript);
                    println!("accepted by the server for {}: {}", sent.accepted.join(", "), sent.response);
                    for refused in &sent.rejected {
                        println!("refused: {}", refused.message);
                    }
                    outcome = Ok(());
                }
                Event::MessageFailed { error, .. } | Event::Failed { error, .. } => {
                    print_lines(&error.transcript);
                    outcome = Err(format!("{error}\n{}", error.hint));
                }
                Event::Progress { .. } | Event::Closed => {}
            }
        }
        let Some(socket) = socket.as_mut().filter(|_| !client.is_closed()) else { break };
        let wait = client.poll_timeout().map(|deadline| Duration::from_millis(deadline.saturating_sub(now()).max(1)));
        socket.set_read_timeout(wait).map_err(|e| e.to_string())?;
        match socket.read(&mut buf) {
            Ok(0) => client.handle_peer_closed(now()),
            Ok(n) => client.handle_received(now(), &buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => client.handle_timeout(now()),
            Err(_) => client.handle_peer_closed(now()),
        }
    }
    outcome
}

fn print_lines(lines: &[String]) {
    for line in lines {
        println!("{line}");
    }
}
