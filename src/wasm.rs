//! The wasm boundary: the only wasm-bindgen code. A `Session` wraps the
//! core [`Client`]; JavaScript drives it (see js/connection.js): it passes
//! time as milliseconds, bytes as `Uint8Array`, and takes back, per `poll`,
//! every pending event, a batch of bytes to write, and the next deadline.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::dkim::Dkim;
use crate::error::Error;
use crate::mail_options::{check_message_fields, read_dkim, read_message};
use crate::options::read_config;
use crate::session::{Client, ConnectFailure, MessageId, Millis};
use crate::views::{ErrorView, EventView};

/// Most bytes one `poll` hands out (the socket's back-pressure decides when to ask again).
const POLL_BYTES: usize = 256 * 1024;

fn to_js<T: Serialize>(value: &T) -> JsValue {
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_missing_as_null(true).serialize_maps_as_objects(true);
    value.serialize(&serializer).unwrap_or(JsValue::NULL)
}

fn error_js(e: &Error) -> JsValue {
    to_js(&ErrorView::from(e))
}

fn ms(now: f64) -> Millis {
    if now.is_finite() && now > 0.0 {
        now as Millis
    } else {
        0
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Queued {
    id: u64,
    message_id: String,
    envelope_from: String,
    envelope_to: Vec<String>,
    /// The body's size before dot-stuffing, when no stream makes it unknown.
    size: Option<u64>,
}

#[derive(Serialize)]
struct Wants {
    id: u64,
    slot: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Endpoint {
    host: String,
    port: u16,
    name: String,
}

#[wasm_bindgen]
pub struct Session {
    client: Client,
    /// Bytes `poll` reported and `takeTransmit` has not yet copied out.
    outgoing: Vec<u8>,
    /// The transport's `dkim` option: signs messages without their own.
    dkim: Option<Dkim>,
}

#[wasm_bindgen]
impl Session {
    /// Reads the options; throws an ECONFIG error object when they are invalid.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue, now: f64) -> Result<Session, JsValue> {
        let dkim_value = js_sys::Reflect::get(&options, &"dkim".into()).unwrap_or(JsValue::UNDEFINED);
        let dkim = read_dkim(serde_wasm_bindgen::Deserializer::from(dkim_value)).map_err(|e| error_js(&e))?;
        let config = read_config(serde_wasm_bindgen::Deserializer::from(options)).map_err(|e| error_js(&e))?;
        let client = Client::new(config, ms(now)).map_err(|e| error_js(&e))?;
        Ok(Session { client, outgoing: Vec::new(), dkim })
    }

    /// `{ host, port, name }` with defaults applied: where the adapter connects.
    pub fn endpoint(&self) -> JsValue {
        let c = self.client.config();
        to_js(&Endpoint { host: c.host.clone(), port: c.effective_port(), name: c.name.clone() })
    }

    pub fn connected(&mut self, now: f64) {
        self.client.handle_connected(ms(now));
    }

    /// `kind`: "unresolved" (name lookup failed) or anything else (refused/unreachable).
    #[wasm_bindgen(js_name = connectFailed)]
    pub fn connect_failed(&mut self, kind: &str, detail: &str, now: f64) {
        let failure = if kind == "unresolved" { ConnectFailure::Unresolved } else { ConnectFailure::Refused };
        self.client.handle_connect_failed(ms(now), failure, detail);
    }

    pub fn receive(&mut self, data: &[u8], now: f64) {
        self.client.handle_received(ms(now), data);
    }

    #[wasm_bindgen(js_name = peerClosed)]
    pub fn peer_closed(&mut self, now: f64) {
        self.client.handle_peer_closed(ms(now));
    }

    pub fn timeout(&mut self, now: f64) {
        self.client.handle_timeout(ms(now));
    }

    #[wasm_bindgen(js_name = canSend)]
    pub fn can_send(&self) -> bool {
        self.client.can_send()
    }

    /// Composes and queues a message; `date` is Unix time in ms for its Date
    /// header. Returns `{ id, messageId, envelopeFrom, envelopeTo }`; throws an
    /// error object for an invalid message.
    pub fn send(&mut self, message: JsValue, now: f64, date: f64) -> Result<JsValue, JsValue> {
        if let Some(object) = message.dyn_ref::<js_sys::Object>() {
            let set: Vec<String> = js_sys::Object::entries(object)
                .iter()
                .map(|entry| js_sys::Array::from(&entry))
                .filter(|entry| !entry.get(1).is_undefined() && !entry.get(1).is_null())
                .filter_map(|entry| entry.get(0).as_string())
                .collect();
            check_message_fields(set.iter().map(String::as_str)).map_err(|e| error_js(&e))?;
        }
        let mut message = read_message(serde_wasm_bindgen::Deserializer::from(message)).map_err(|e| error_js(&e))?;
        if message.dkim.is_none() {
            message.dkim = self.dkim.clone();
        }
        let composed = message.compose(date as i64, &mut crate::random::fill).map_err(|e| error_js(&e))?;
        let envelope_from = composed.envelope.from.clone();
        let envelope_to = composed.envelope.to.clone();
        let size = composed.body.size();
        let id = self.client.send(ms(now), composed.envelope, composed.body).map_err(|e| error_js(&e))?;
        Ok(to_js(&Queued { id: id.0, message_id: composed.message_id, envelope_from, envelope_to, size }))
    }

    /// Copies the bytes `poll` reported into `target` (at least that long,
    /// reused by the caller so sending allocates nothing per write);
    /// returns how many.
    #[wasm_bindgen(js_name = takeTransmit)]
    pub fn take_transmit(&mut self, target: &js_sys::Uint8Array) -> usize {
        let n = self.outgoing.len().min(target.length() as usize);
        target.subarray(0, n as u32).copy_from(&self.outgoing[..n]);
        self.outgoing.drain(..n);
        n
    }

    /// One chunk of stream `slot` of message `id` (after `poll` asked for it).
    pub fn supply(&mut self, id: f64, slot: usize, chunk: Vec<u8>, now: f64) {
        self.client.supply(ms(now), MessageId(id as u64), slot, chunk);
    }

    #[wasm_bindgen(js_name = supplyEnd)]
    pub fn supply_end(&mut self, id: f64, slot: usize, now: f64) {
        self.client.supply_end(ms(now), MessageId(id as u64), slot);
    }

    #[wasm_bindgen(js_name = supplyFailed)]
    pub fn supply_failed(&mut self, id: f64, slot: usize, reason: &str, now: f64) {
        self.client.supply_failed(ms(now), MessageId(id as u64), slot, reason);
    }

    pub fn quit(&mut self, now: f64) {
        self.client.quit(ms(now));
    }

    /// `{ events, transmit, wants, deadline, closed }`: every pending event;
    /// when `writable`, how many bytes (up to about 256 KiB) are ready to
    /// write, to be copied out with `takeTransmit` (0 when none); the stream
    /// chunk the body writer waits for (`{ id, slot }`, or null); the next
    /// deadline (ms) or null.
    pub fn poll(&mut self, now: f64, writable: bool) -> JsValue {
        let now = ms(now);
        let out = js_sys::Object::new();
        let events = js_sys::Array::new();
        if writable {
            while self.outgoing.len() < POLL_BYTES {
                match self.client.poll_transmit(now) {
                    Some(bytes) if self.outgoing.is_empty() => self.outgoing = bytes,
                    Some(bytes) => self.outgoing.extend_from_slice(&bytes),
                    None => break,
                }
            }
        }
        while let Some(event) = self.client.poll_event() {
            events.push(&to_js(&EventView::from(&event)));
        }
        let transmit = JsValue::from_f64(self.outgoing.len() as f64);
        let deadline = self.client.poll_timeout().map_or(JsValue::NULL, |d| JsValue::from_f64(d as f64));
        let _ = js_sys::Reflect::set(&out, &"events".into(), &events);
        let _ = js_sys::Reflect::set(&out, &"transmit".into(), &transmit);
        let wants = self.client.wants_stream().map_or(JsValue::NULL, |(id, slot)| to_js(&Wants { id: id.0, slot }));
        let _ = js_sys::Reflect::set(&out, &"wants".into(), &wants);
        let _ = js_sys::Reflect::set(&out, &"deadline".into(), &deadline);
        let _ = js_sys::Reflect::set(&out, &"closed".into(), &self.client.is_closed().into());
        out.into()
    }
}
