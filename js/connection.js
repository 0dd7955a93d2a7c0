// One SMTP connection: the loop that drives the wasm core over a socket.
// It writes what the core emits, feeds what the socket receives, arms the
// core's next deadline, and settles promises on the core's events. The
// socket comes from a runtime adapter (js/adapters/*) and is only asked to
// connect, write, report data/end/errors/drain, and close.

import { SmtpError } from './errors.js';
import { chunkReader } from './streams.js';

/** Marks a rejection the server cannot have accepted: sending again cannot duplicate it. */
export const UNSENT = Symbol('wasmtp.unsent');

function retryable(error, unsent) {
  const copy = new SmtpError(error);
  if (error.transcript) copy.transcript = error.transcript;
  if (unsent) copy[UNSENT] = true;
  return copy;
}

/** The connection ended after the message's end was written but before the server answered. */
function inDoubt(error) {
  const copy = new SmtpError({
    ...error,
    message: `${error.message}; the server may or may not have accepted the message (the connection ended before it answered)`,
    hint: `${error.hint} The message may or may not have been delivered: check before sending it again.`,
  });
  if (error.transcript) copy.transcript = error.transcript;
  return copy;
}

const now = () => performance.now();

function deferred() {
  let resolve, reject;
  const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

export class Connection {
  #session;
  #adapter;
  #socket = null;
  #connected = false;
  #writable = true;
  #timer = null;
  #done = false;
  #ready = deferred();
  #closed = deferred();
  #pending = new Map();
  #setupTranscript = null;
  #quitting = false;
  #reading = false;
  /** Write buffers the socket is done with, for reuse. */
  #spare = [];
  #wantsTranscript;

  #relay;

  /** `relay`: the WebSocket relay URL, for the browser adapter. */
  constructor(session, adapter, wantsTranscript, relay) {
    this.#session = session;
    this.#adapter = adapter;
    this.#wantsTranscript = wantsTranscript;
    this.#relay = relay;
    // Nobody may be waiting on these (sendMail queues without awaiting ready).
    this.#ready.promise.catch(() => {});
  }

  /** True while new messages can be sent on this connection. */
  get usable() {
    return !this.#done && !this.#quitting && this.#session.canSend();
  }

  /** Connects; resolves with the core's ready event (capabilities, tls, auth). */
  open() {
    const { host, port } = this.#session.endpoint();
    this.#socket = this.#adapter.connect({ host, port, relay: this.#relay }, {
      onConnect: () => {
        this.#connected = true;
        this.#session.connected(now());
        this.#pump();
      },
      onData: (bytes) => {
        this.#session.receive(bytes, now());
        this.#pump();
      },
      onDrain: () => {
        this.#writable = true;
        this.#pump();
      },
      onEnd: () => {
        if (this.#done) return;
        this.#session.peerClosed(now());
        this.#pump();
      },
      onError: (err) => {
        if (this.#done) return;
        if (this.#connected) this.#session.peerClosed(now());
        else this.#session.connectFailed(this.#adapter.classify(err), String(err?.message ?? err), now());
        this.#pump();
      },
    });
    this.#pump();
    return this.#ready.promise;
  }

  /**
   * Queues a message prepared by prepareMessage(); resolves when the
   * server accepted it.
   */
  send({ mail, sources, onProgress }) {
    let queued;
    try {
      queued = this.#session.send(mail, now(), Date.now());
    } catch (thrown) {
      release({ sources, readers: [] });
      return Promise.reject(new SmtpError(thrown));
    }
    const d = deferred();
    this.#pending.set(queued.id, { ...d, queued, sources, readers: [], onProgress });
    this.#refWhileBusy();
    this.#pump();
    return d.promise;
  }

  /** Sends QUIT once queued messages are done; resolves when the session ended. */
  quit() {
    if (!this.#done) {
      this.#quitting = true;
      this.#socket?.ref();
      this.#session.quit(now());
      this.#pump();
    }
    return this.#closed.promise;
  }

  #pump() {
    while (!this.#done) {
      const out = this.#session.poll(now(), this.#writable);
      if (out.transmit) this.#writable = this.#write(out.transmit);
      for (const event of out.events) this.#onEvent(event);
      if (out.closed) {
        this.#finish();
        return;
      }
      if (out.wants && !this.#reading) this.#readChunk(out.wants);
      if (out.transmit === 0 || !this.#writable) {
        this.#arm(out.deadline);
        return;
      }
    }
  }

  /**
   * Writes the `length` bytes the core has ready through a reused buffer:
   * a large message then makes no garbage per write, so memory stays flat.
   */
  #write(length) {
    let buffer = this.#spare.pop();
    if (!buffer || buffer.length < length) buffer = new Uint8Array(Math.max(length, 64 * 1024));
    const n = this.#session.takeTransmit(buffer);
    return this.#socket.write(buffer.subarray(0, n), () => {
      if (this.#spare.length < 4) this.#spare.push(buffer);
    });
  }

  /** Reads the next chunk of a stream attachment the core waits for. */
  #readChunk({ id, slot }) {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#reading = true;
    p.readers[slot] ??= chunkReader(p.sources[slot]);
    p.readers[slot].next().then(
      (chunk) => {
        this.#reading = false;
        if (this.#done) return;
        if (chunk === null) this.#session.supplyEnd(id, slot, now());
        else this.#session.supply(id, slot, chunk, now());
        this.#pump();
      },
      (err) => {
        this.#reading = false;
        if (this.#done) return;
        this.#session.supplyFailed(id, slot, String(err?.message ?? err), now());
        this.#pump();
      },
    );
  }

  #arm(deadline) {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (deadline == null) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#session.timeout(now());
      this.#pump();
    }, Math.max(0, Math.ceil(deadline - now())) + 1);
    // Never keep the process alive for a timer: the socket decides that.
    this.#timer.unref?.();
  }

  #transcriptFor(lines) {
    if (!this.#wantsTranscript) return undefined;
    const setup = this.#setupTranscript ?? [];
    this.#setupTranscript = [];
    return [...setup, ...lines];
  }

  #error(fields) {
    const error = new SmtpError(fields);
    const transcript = this.#transcriptFor(fields.transcript ?? []);
    if (transcript) error.transcript = transcript;
    else delete error.transcript;
    return error;
  }

  #onEvent(event) {
    switch (event.type) {
      case 'ready': {
        this.#setupTranscript = event.transcript;
        const info = { capabilities: event.capabilities, tls: event.tls, auth: event.auth };
        if (this.#wantsTranscript) info.transcript = event.transcript;
        this.#ready.resolve(info);
        this.#refWhileBusy();
        break;
      }
      case 'progress': {
        const p = this.#pending.get(event.id);
        try {
          p?.onProgress?.({ sent: event.written, total: event.total ?? null });
        } catch {
          // A failing progress callback must not break the send.
        }
        break;
      }
      case 'sent': {
        const p = this.#pending.get(event.id);
        this.#pending.delete(event.id);
        release(p);
        const info = {
          messageId: p.queued.messageId,
          envelope: { from: event.envelopeFrom, to: event.envelopeTo },
          accepted: event.accepted,
          rejected: event.rejected,
          rejectedErrors: event.rejectedErrors.map((e) => new SmtpError(e)),
          response: event.response,
        };
        const transcript = this.#transcriptFor(event.transcript);
        if (transcript) info.transcript = transcript;
        p.resolve(info);
        this.#refWhileBusy();
        break;
      }
      case 'messageFailed': {
        const p = this.#pending.get(event.id);
        this.#pending.delete(event.id);
        if (p) release(p);
        p?.reject(this.#error(event.error));
        this.#refWhileBusy();
        break;
      }
      case 'failed': {
        const error = this.#error(event.error);
        this.#ready.reject(error);
        for (const [id, p] of this.#pending) {
          release(p);
          p.reject(event.interrupted.includes(id) ? inDoubt(error) : retryable(error, event.unsent.includes(id)));
        }
        this.#pending.clear();
        this.#closed.resolve();
        break;
      }
      case 'closed': {
        const error = new SmtpError({
          code: 'ECONNECTION', stage: 'quit', message: 'the connection closed before the message was sent',
          hint: 'The connection closed before the message was sent.',
        });
        this.#ready.reject(error);
        for (const p of this.#pending.values()) {
          release(p);
          p.reject(error);
        }
        this.#pending.clear();
        this.#closed.resolve();
        break;
      }
    }
  }

  /** The socket keeps the process alive only while something waits on it. */
  #refWhileBusy() {
    if (!this.#socket) return;
    if (this.#pending.size > 0 || this.#quitting) this.#socket.ref();
    else this.#socket.unref();
  }

  #finish() {
    this.#done = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#socket?.close();
    this.#session.free();
  }
}

/**
 * Stops every stream of a message that is done (sent, failed or abandoned).
 * A plain loop on purpose: Node 20's V8 crashed ("unreachable code" in a
 * lazy deopt of a builtin continuation) with forEach here under load.
 */
function release({ sources, readers }) {
  for (let slot = 0; slot < sources.length; slot++) {
    const source = sources[slot];
    if (readers[slot]) readers[slot].cancel();
    else if (typeof source.destroy === 'function') source.destroy();
    else source.cancel?.().catch?.(() => {});
  }
}
