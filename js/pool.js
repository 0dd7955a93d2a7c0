// The connection pool (createTransport({ pool: true }), nodemailer's
// meaning): messages wait in one queue and go out over up to
// maxConnections connections, each used for up to maxMessages messages and
// then QUIT; at most rateLimit messages start per rateDelta ms across the
// pool. A connection that dies is replaced; the messages it had not got to
// the end of are sent again on another one (the server cannot have taken
// them), while one whose end was written but never answered is reported
// failed, never sent twice.

import { UNSENT } from './connection.js';

/** How many times a message goes back in the queue after its connection died. */
const MAX_ATTEMPTS = 3;

export class Pool {
  #open;
  #maxConnections;
  #maxMessages;
  #rateLimit;
  #rateDelta;
  #queue = [];
  #slots = new Set();
  #starts = [];
  #timer = null;
  #closing = null;

  /**
   * @param open () => Connection, a new connection, already opening
   */
  constructor(open, { maxConnections = 5, maxMessages = 100, rateLimit = 0, rateDelta = 1000 } = {}) {
    this.#open = open;
    this.#maxConnections = Math.max(1, maxConnections);
    this.#maxMessages = Math.max(1, maxMessages);
    this.#rateLimit = Math.max(0, rateLimit);
    this.#rateDelta = Math.max(1, rateDelta);
  }

  /** Queues a prepared message; resolves like Connection.send. */
  send(prepared) {
    if (this.#closing) return Promise.reject(new Error('the transport is closed'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ prepared, resolve, reject, attempts: 0 });
      this.#dispatch();
    });
  }

  /** Sends everything queued, then QUITs every connection. */
  close() {
    this.#closing ??= new Promise((resolve) => {
      const check = () => {
        if (this.#queue.length === 0 && [...this.#slots].every((s) => !s.busy)) {
          Promise.all([...this.#slots].map((s) => s.connection.quit())).then(() => resolve());
        } else {
          setTimeout(check, 20);
        }
      };
      check();
    });
    return this.#closing;
  }

  /** True when the rate limit allows another message to start now; else arms a timer. */
  #rateAllows() {
    if (!this.#rateLimit) return true;
    const now = Date.now();
    while (this.#starts.length && now - this.#starts[0] >= this.#rateDelta) this.#starts.shift();
    if (this.#starts.length < this.#rateLimit) return true;
    if (!this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#dispatch();
      }, this.#rateDelta - (now - this.#starts[0]) + 1);
    }
    return false;
  }

  #dispatch() {
    while (this.#queue.length && this.#rateAllows()) {
      for (const slot of this.#slots) {
        if (!slot.connection.usable || slot.used >= this.#maxMessages) {
          if (!slot.busy) this.#retire(slot);
        }
      }
      let slot = [...this.#slots].find((s) => !s.busy && s.connection.usable && s.used < this.#maxMessages);
      if (!slot && this.#slots.size < this.#maxConnections) {
        slot = { connection: this.#open(), used: 0, busy: false };
        this.#slots.add(slot);
      }
      if (!slot) return;
      this.#start(slot, this.#queue.shift());
    }
  }

  #retire(slot) {
    this.#slots.delete(slot);
    slot.connection.quit().catch(() => {});
  }

  #start(slot, job) {
    slot.busy = true;
    slot.used += 1;
    job.attempts += 1;
    if (this.#rateLimit) this.#starts.push(Date.now());
    slot.connection.send(job.prepared).then(
      (info) => {
        slot.busy = false;
        job.resolve(info);
        this.#dispatch();
      },
      (err) => {
        slot.busy = false;
        if (!slot.connection.usable) this.#slots.delete(slot);
        if (err?.[UNSENT] && job.attempts < MAX_ATTEMPTS && !job.prepared.sources.length) {
          this.#queue.unshift(job);
        } else {
          job.reject(err);
        }
        this.#dispatch();
      },
    );
  }
}
