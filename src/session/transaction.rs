//! Messages in the `Ready` phase: each one a transaction of MAIL, RCPT...,
//! then DATA and the dot-stuffed body, or BDAT chunks (CHUNKING). With
//! PIPELINING a message's commands go out in one write and the next
//! message's commands ride with the previous message's end (RFC 2920 §3.1);
//! every reply is matched to its command in order. Stream attachments are
//! pulled from the driver a chunk at a time ([`Client::wants_stream`]).

use std::collections::VecDeque;

use super::{Client, Event, MessageId, Millis, Phase, Sent};
use crate::address::check_address;
use crate::body::{Body, BodyCursor, Read};
use crate::diagnosis;
use crate::dot_stuff::DotStuffer;
use crate::error::{Code, Error, Stage};
use crate::message::Envelope;
use crate::reply::Reply;

/// How much message data is encoded per [`Client::poll_transmit`] call
/// (and the size of each BDAT chunk).
const BODY_CHUNK: usize = 64 * 1024;

/// A reply the session waits for in `Ready`, in command order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Expect {
    Rset,
    Mail,
    Rcpt(usize),
    Data,
    EndOfData,
    /// A BDAT chunk; `last` for the one that ends the message.
    Bdat {
        last: bool,
    },
    Noop,
}

impl Expect {
    pub(super) fn stage(self) -> Stage {
        match self {
            Expect::Rset | Expect::Mail | Expect::Noop => Stage::Mail,
            Expect::Rcpt(_) => Stage::Rcpt,
            Expect::Data | Expect::EndOfData | Expect::Bdat { .. } => Stage::Data,
        }
    }

    /// Replies that end a message: waited for with the data time-out.
    pub(super) fn ends_message(self) -> bool {
        matches!(self, Expect::EndOfData | Expect::Bdat { .. })
    }
}

/// One message on its way through MAIL, RCPT, DATA/BDAT and its end.
pub(super) struct Transaction {
    pub(super) id: MessageId,
    envelope: Envelope,
    body: Body,
    /// Commands not yet written (all are written at once with PIPELINING).
    unsent: VecDeque<(String, Expect)>,
    /// Replies still owed for MAIL, RCPT and DATA.
    awaiting: usize,
    mail_error: Option<Error>,
    rcpt_answers: usize,
    accepted: Vec<String>,
    rejected: Vec<Error>,
    /// The body goes in BDAT chunks, not after DATA.
    chunking: bool,
    /// BODY=BINARYMIME: bytes go out exactly as given.
    binary: bool,
    /// Set once the server accepted DATA for a transaction that had already failed.
    pub(super) abandoned: bool,
}

impl Transaction {
    fn viable(&self) -> bool {
        self.mail_error.is_none() && (self.rcpt_answers < self.envelope.to.len() || !self.accepted.is_empty())
    }
}

/// The body being written: after a 354, or in BDAT chunks.
pub(super) struct BodyWriter {
    cursor: BodyCursor,
    /// Line ends (and, for DATA, dots); none for BINARYMIME.
    lines: Option<DotStuffer>,
    written: u64,
}

impl Client {
    /// Queues a message: `body` is the whole RFC 5322 message (any line
    /// ends; dot-stuffed on the way out). Envelope errors are returned at
    /// once; what the server cannot take is reported as
    /// [`Event::MessageFailed`] once its capabilities are known.
    pub fn send(&mut self, now: Millis, envelope: Envelope, body: Body) -> Result<MessageId, Error> {
        if !self.can_send() {
            return Err(self.finish_error(Error::new(Code::Connection, self.stage(), "the session is closing; open a new one")));
        }
        if !envelope.from.is_empty() {
            check_address(&envelope.from).map_err(|e| self.finish_error(diagnosis::bad_address(Stage::Mail, &e)))?;
        }
        if envelope.to.is_empty() {
            return Err(self.finish_error(diagnosis::bad_address(Stage::Rcpt, "no recipients: set to, cc or bcc")));
        }
        for to in &envelope.to {
            check_address(to).map_err(|e| self.finish_error(diagnosis::bad_address(Stage::Rcpt, &e)))?;
        }
        let id = MessageId(self.next_id);
        self.next_id += 1;
        self.queue.push_back(Transaction {
            id,
            envelope,
            body,
            unsent: VecDeque::new(),
            awaiting: 0,
            mail_error: None,
            rcpt_answers: 0,
            accepted: Vec::new(),
            rejected: Vec::new(),
            chunking: false,
            binary: false,
            abandoned: false,
        });
        self.advance(now);
        Ok(id)
    }

    /// The stream the body writer waits for: `(message, slot)`. The driver
    /// answers with [`Client::supply`] (one chunk), [`Client::supply_end`]
    /// or [`Client::supply_failed`].
    pub fn wants_stream(&self) -> Option<(MessageId, usize)> {
        let writer = self.body.as_ref()?;
        let tx = self.commanding.as_ref()?;
        let slot = writer.cursor.current_stream(&tx.body)?;
        writer.cursor.starved().then_some((tx.id, slot))
    }

    /// A chunk of the stream in `slot` of message `id`.
    pub fn supply(&mut self, now: Millis, id: MessageId, slot: usize, chunk: Vec<u8>) {
        if let Some(writer) = self.writer_for(id, slot) {
            writer.cursor.supply(chunk);
            self.wait_since = now;
        }
    }

    /// The stream in `slot` of message `id` has ended.
    pub fn supply_end(&mut self, now: Millis, id: MessageId, slot: usize) {
        if let Some(writer) = self.writer_for(id, slot) {
            writer.cursor.end_stream();
            self.wait_since = now;
        }
    }

    /// Reading the stream failed. The message is half written, and the
    /// only way to keep the server from taking half a message is to drop
    /// the connection: the message fails with `reason`, messages queued
    /// behind it are reported unsent.
    pub fn supply_failed(&mut self, _now: Millis, id: MessageId, slot: usize, reason: &str) {
        if self.writer_for(id, slot).is_none() {
            return;
        }
        let error = Error::new(Code::Message, Stage::Data, format!("reading the attachment stream failed: {reason}"))
            .because("An attachment's content could not be read, so the message was abandoned (the connection was dropped so the server discards it).");
        let error = self.finish_error(error);
        self.commanding = None;
        self.body = None;
        self.events.push_back(Event::MessageFailed { id, error });
        self.fail(Error::new(Code::Connection, Stage::Data, "the connection was dropped to abandon a message whose attachment failed"));
    }

    fn writer_for(&mut self, id: MessageId, slot: usize) -> Option<&mut BodyWriter> {
        let tx = self.commanding.as_ref().filter(|tx| tx.id == id)?;
        let writer = self.body.as_mut()?;
        (writer.cursor.current_stream(&tx.body) == Some(slot)).then_some(writer)
    }

    /// Starts the next queued message when the session allows it, or QUIT
    /// when everything is done and quit was asked for.
    pub(super) fn advance(&mut self, now: Millis) {
        if self.phase != Phase::Ready {
            return;
        }
        while self.commanding.is_none() && self.body.is_none() {
            if !self.pipelining() && !self.in_flight.is_empty() {
                return;
            }
            let Some(mut tx) = self.queue.pop_front() else { break };
            if let Err(error) = self.prepare(&mut tx) {
                let error = self.finish_error(error);
                self.events.push_back(Event::MessageFailed { id: tx.id, error });
                continue;
            }
            self.commanding = Some(tx);
            self.write_commands(now);
        }
        if self.quit_requested && self.is_idle() {
            self.send_quit(now);
        }
    }

    fn pipelining(&self) -> bool {
        self.capabilities.as_ref().is_some_and(|c| c.pipelining)
    }

    /// Builds a message's commands; refuses what the server cannot take.
    fn prepare(&mut self, tx: &mut Transaction) -> Result<(), Error> {
        let caps = self.capabilities.clone().unwrap_or_default();
        let kind = tx.body.kind();
        let mut params = String::new();
        if caps.size.is_some() {
            if let Some(size) = tx.body.size() {
                if let Some(limit) = caps.size.filter(|l| *l > 0 && size > *l) {
                    return Err(diagnosis::too_large(size, limit));
                }
                params.push_str(&format!(" SIZE={size}"));
            }
        }
        tx.chunking = caps.chunking;
        if kind.binary {
            if !(caps.chunking && caps.binarymime) {
                return Err(diagnosis::needs_binarymime());
            }
            tx.binary = true;
            params.push_str(" BODY=BINARYMIME");
        } else if kind.eight_bit {
            if !caps.eight_bit_mime {
                return Err(diagnosis::needs_8bitmime());
            }
            params.push_str(" BODY=8BITMIME");
        }
        let international = !tx.envelope.from.is_ascii() || tx.envelope.to.iter().any(|t| !t.is_ascii());
        if international {
            if !caps.smtputf8 {
                return Err(diagnosis::needs_smtputf8());
            }
            params.push_str(" SMTPUTF8");
        }
        if tx.envelope.require_tls {
            if self.tls.is_none() || !caps.requiretls {
                return Err(diagnosis::requiretls_unavailable(self.tls.is_some()));
            }
            params.push_str(" REQUIRETLS");
        }
        let mut rcpt_params = String::new();
        if let Some(dsn) = &tx.envelope.dsn {
            if !caps.dsn {
                return Err(diagnosis::dsn_unavailable());
            }
            params.push_str(&dsn.mail_params());
            rcpt_params = dsn.rcpt_params();
        }
        if self.needs_rset {
            self.needs_rset = false;
            tx.unsent.push_back(("RSET".into(), Expect::Rset));
        }
        tx.unsent.push_back((format!("MAIL FROM:<{}>{params}", tx.envelope.from), Expect::Mail));
        for (i, to) in tx.envelope.to.iter().enumerate() {
            tx.unsent.push_back((format!("RCPT TO:<{to}>{rcpt_params}"), Expect::Rcpt(i)));
        }
        if !tx.chunking {
            tx.unsent.push_back(("DATA".into(), Expect::Data));
        }
        Ok(())
    }

    /// Writes the current message's commands: all of them with PIPELINING,
    /// else the next one, and only while the transaction can still succeed.
    fn write_commands(&mut self, now: Millis) {
        let pipelining = self.pipelining();
        let Some(tx) = self.commanding.as_mut() else { return };
        let mut lines = Vec::new();
        while let Some((line, expect)) = tx.unsent.front().cloned() {
            if !pipelining && (tx.awaiting > 0 || !tx.viable()) {
                break;
            }
            if expect == Expect::Data && !pipelining && tx.accepted.is_empty() {
                break;
            }
            tx.unsent.pop_front();
            tx.awaiting += 1;
            lines.push((line, expect));
            if !pipelining {
                break;
            }
        }
        for (line, expect) in lines {
            self.in_flight.push_back(expect);
            self.command(now, &line, None);
        }
    }

    pub(super) fn on_transaction_reply(&mut self, now: Millis, reply: Reply) {
        let Some(expect) = self.in_flight.pop_front() else {
            let error = if reply.code() == 421 {
                diagnosis::service_closing(self.stage(), &reply)
            } else {
                diagnosis::protocol(self.stage(), &format!("reply without a command: {}", reply.summary()))
            };
            self.fail(error);
            return;
        };
        if reply.code() == 421 {
            let error = diagnosis::service_closing(expect.stage(), &reply);
            self.fail(error);
            return;
        }
        match expect {
            Expect::Rset | Expect::Noop => {
                if !reply.is_positive() {
                    let what = if expect == Expect::Rset { "RSET" } else { "NOOP" };
                    let error = diagnosis::protocol(Stage::Mail, &format!("{what} refused: {}", reply.summary()));
                    self.fail(error);
                    return;
                }
                if let Some(tx) = self.commanding.as_mut().filter(|_| expect == Expect::Rset) {
                    tx.awaiting -= 1;
                }
            }
            Expect::Mail => {
                if let Some(tx) = self.commanding.as_mut() {
                    tx.awaiting -= 1;
                    if !reply.is_positive() {
                        tx.mail_error = Some(diagnosis::sender_refused(&tx.envelope.from, &reply));
                    }
                }
            }
            Expect::Rcpt(i) => {
                if let Some(tx) = self.commanding.as_mut() {
                    tx.awaiting -= 1;
                    tx.rcpt_answers += 1;
                    let to = tx.envelope.to.get(i).cloned().unwrap_or_default();
                    if reply.is_positive() {
                        tx.accepted.push(to);
                    } else {
                        tx.rejected.push(diagnosis::recipient_refused(&to, &reply));
                    }
                }
            }
            Expect::Data => self.on_data_reply(now, reply),
            Expect::Bdat { last: false } => {
                // The message this chunk belongs to: still being written, or
                // (once its last chunk went out) waiting for its end.
                let tx = if self.finishing.is_some() { self.finishing.as_mut() } else { self.commanding.as_mut() };
                if let Some(tx) = tx.filter(|tx| tx.mail_error.is_none() && !reply.is_positive()) {
                    tx.mail_error = Some(diagnosis::data_refused(&reply));
                }
            }
            Expect::EndOfData | Expect::Bdat { last: true } => self.on_end_reply(reply),
        }
        self.settle_commanding(now);
        self.advance(now);
    }

    fn on_data_reply(&mut self, now: Millis, reply: Reply) {
        let Some(tx) = self.commanding.as_mut() else { return };
        tx.awaiting -= 1;
        let viable = tx.viable();
        if reply.code() == 354 {
            if viable {
                self.start_body(now);
            } else {
                // RFC 2920 §3.1: DATA accepted although nothing can be sent:
                // end it with a lone "." and forget the transaction.
                self.plain_out.extend_from_slice(b".\r\n");
                self.transcript.client(".");
                self.in_flight.push_back(Expect::EndOfData);
                if let Some(mut tx) = self.commanding.take() {
                    self.report_failure(&mut tx);
                    tx.abandoned = true;
                    self.finishing = Some(tx);
                }
            }
        } else {
            if viable {
                tx.mail_error = Some(diagnosis::data_refused(&reply));
            }
            self.needs_rset = true;
            if let Some(mut tx) = self.commanding.take() {
                self.report_failure(&mut tx);
            }
        }
    }

    /// The reply to the final "." or the last BDAT.
    fn on_end_reply(&mut self, reply: Reply) {
        let Some(mut tx) = self.finishing.take() else { return };
        if tx.abandoned {
            self.needs_rset = true;
            return;
        }
        if let Some(error) = tx.mail_error.take() {
            // An earlier BDAT chunk was refused: the transaction is void.
            self.needs_rset = true;
            let error = self.finish_error(error);
            self.events.push_back(Event::MessageFailed { id: tx.id, error });
        } else if reply.is_positive() {
            let sent = Sent {
                id: tx.id,
                envelope: tx.envelope,
                accepted: tx.accepted,
                rejected: tx.rejected.into_iter().map(|e| self.finish_error(e)).collect(),
                response: reply.summary(),
                transcript: self.transcript.take(),
            };
            self.events.push_back(Event::Sent(sent));
        } else {
            if tx.chunking {
                self.needs_rset = true;
            }
            let error = self.finish_error(diagnosis::message_refused(&reply));
            self.events.push_back(Event::MessageFailed { id: tx.id, error });
        }
    }

    /// After a reply: write the next command (without PIPELINING), start
    /// the BDAT body once the recipients are known, or report a
    /// transaction that can no longer succeed once all its replies are in.
    fn settle_commanding(&mut self, now: Millis) {
        let Some(tx) = self.commanding.as_ref() else { return };
        if self.body.is_some() {
            return;
        }
        let all_rcpts_answered = tx.rcpt_answers == tx.envelope.to.len();
        let dead = !tx.viable() || (all_rcpts_answered && tx.accepted.is_empty());
        if dead && tx.awaiting == 0 {
            // MAIL may have opened a transaction: reset before the next message.
            self.needs_rset = true;
            if let Some(mut tx) = self.commanding.take() {
                self.report_failure(&mut tx);
            }
        } else if !dead && tx.chunking && tx.unsent.is_empty() && tx.awaiting == 0 {
            self.start_body(now);
        } else if !dead {
            self.write_commands(now);
        }
    }

    fn report_failure(&mut self, tx: &mut Transaction) {
        let error = match tx.mail_error.take() {
            Some(e) => e,
            None => diagnosis::all_recipients_refused(&tx.rejected),
        };
        let error = self.finish_error(error);
        self.events.push_back(Event::MessageFailed { id: tx.id, error });
    }

    fn start_body(&mut self, now: Millis) {
        let Some(tx) = self.commanding.as_ref() else { return };
        let lines = match (tx.chunking, tx.binary) {
            (_, true) => None,
            (true, false) => Some(DotStuffer::line_ends_only()),
            (false, false) => Some(DotStuffer::new()),
        };
        let size = tx.body.size().map_or_else(|| "streamed".to_string(), |s| format!("{s} bytes"));
        let how = if tx.chunking { " in BDAT chunks" } else { "" };
        self.transcript.client(&format!("<message data: {size}{how}>"));
        self.body = Some(BodyWriter { cursor: BodyCursor::new(), lines, written: 0 });
        self.wait_since = now;
    }

    /// Encodes the next chunk of the body into `plain_out` (called when the
    /// socket took everything before it).
    pub(super) fn write_body_chunk(&mut self, now: Millis) {
        let pipelining = self.pipelining();
        let (Some(writer), Some(tx)) = (self.body.as_mut(), self.commanding.as_ref()) else { return };
        if tx.chunking && !pipelining && self.in_flight.iter().any(|e| matches!(e, Expect::Bdat { .. })) {
            return; // without PIPELINING, one BDAT at a time
        }
        let mut chunk = Vec::new();
        match writer.cursor.read(&tx.body, BODY_CHUNK, &mut chunk) {
            Read::NeedStream(_) => {}
            Read::Wrote => {
                writer.written += chunk.len() as u64;
                let event = Event::Progress { id: tx.id, written: writer.written, total: tx.body.size() };
                let bytes = match &mut writer.lines {
                    Some(lines) => {
                        let mut out = Vec::with_capacity(chunk.len() + 64);
                        lines.encode(&chunk, &mut out);
                        out
                    }
                    None => chunk,
                };
                if tx.chunking {
                    self.plain_out.extend_from_slice(format!("BDAT {}\r\n", bytes.len()).as_bytes());
                    self.in_flight.push_back(Expect::Bdat { last: false });
                }
                self.plain_out.extend_from_slice(&bytes);
                self.events.push_back(event);
                self.wait_since = now;
            }
            Read::Done => {
                let mut tail = Vec::new();
                if let Some(lines) = &mut writer.lines {
                    lines.finish(&mut tail);
                }
                if tx.chunking {
                    let line = format!("BDAT {} LAST", tail.len());
                    self.transcript.client(&line);
                    self.plain_out.extend_from_slice(format!("{line}\r\n").as_bytes());
                    self.plain_out.extend_from_slice(&tail);
                    self.in_flight.push_back(Expect::Bdat { last: true });
                } else {
                    self.plain_out.extend_from_slice(&tail);
                    self.transcript.client(".");
                    self.in_flight.push_back(Expect::EndOfData);
                }
                self.body = None;
                self.finishing = self.commanding.take();
                self.wait_since = now;
                // The next message's commands ride in the same write (RFC 2920 §3.1).
                self.advance(now);
            }
        }
    }

    /// True while a message body is being written or its end awaited.
    pub(super) fn in_data(&self) -> bool {
        self.body.is_some() || self.in_flight.front().is_some_and(|e| e.ends_message())
    }
}
