// The public API, independent of the runtime: createTransport(options) gives
// a Transport with verify(), sendMail() and close(). A runtime entry point
// (js/node.js, ...) binds it to the wasm module and a socket adapter.

import { Connection } from './connection.js';
import { SmtpError, toSmtpError } from './errors.js';
import { prepareMessage } from './message.js';
import { Pool } from './pool.js';
import { makeProbe } from './probe.js';

/**
 * @param Session the wasm session class
 * @param adapter the runtime's socket adapter (js/adapters/*)
 * @param defaultName () => the EHLO name when options.name is not set
 * @param files `{ open(path), basename(path) }` for attachment paths, or null
 */
export function makeApi({ Session, adapter, defaultName, files = null }) {
  function newSession(options) {
    const withName = options && typeof options === 'object' && options.name == null && defaultName
      ? { ...options, name: defaultName() }
      : options;
    try {
      return new Session(withName ?? {}, performance.now());
    } catch (thrown) {
      throw toSmtpError(thrown);
    }
  }

  class Transport {
    #options;
    #connection = null;
    #pool = null;

    constructor(options) {
      this.#options = options;
      // Check the options now: a bad field fails here, not at the first send.
      newSession(options).free();
      if (options.pool) {
        const limits = {};
        for (const name of ['maxConnections', 'maxMessages', 'rateLimit', 'rateDelta']) {
          const value = options[name];
          if (value === undefined) continue;
          if (!Number.isInteger(value) || value < (name === 'rateLimit' ? 0 : 1)) {
            throw new SmtpError({ code: 'ECONFIG', message: `${name}: expected a whole number of at least ${name === 'rateLimit' ? 0 : 1}`, hint: `The option ${name} is not valid.` });
          }
          limits[name] = value;
        }
        this.#pool = new Pool(() => this.#open(), limits);
      }
    }

    #open() {
      const connection = new Connection(newSession(this.#options), adapter, Boolean(this.#options.transcript), this.#options.relay);
      connection.open();
      return connection;
    }

    /**
     * Connects, sets up TLS, authenticates, and QUITs: tests the settings.
     * Resolves to { capabilities, tls, auth, transcript? }.
     */
    async verify() {
      const connection = new Connection(newSession(this.#options), adapter, Boolean(this.#options.transcript), this.#options.relay);
      const info = await connection.open();
      await connection.quit();
      return info;
    }

    /**
     * Sends one message (reusing the open connection when there is one).
     * `mail.onProgress({ sent, total })` is called as the body is written.
     * Resolves to { messageId, envelope, accepted, rejected, rejectedErrors, response, transcript? }.
     */
    sendMail(mail, callback) {
      const promise = (async () => {
        const signed = Boolean(this.#options.dkim || mail?.dkim);
        const prepared = await prepareMessage(mail, files, signed);
        if (this.#pool) return this.#pool.send(prepared);
        if (!this.#connection || !this.#connection.usable) this.#connection = this.#open();
        return this.#connection.send(prepared);
      })().catch((thrown) => {
        throw toSmtpError(thrown);
      });
      if (typeof callback === 'function') {
        promise.then((info) => callback(null, info), (err) => callback(err));
        return undefined;
      }
      return promise;
    }

    /** QUITs the open connection(s), after every queued message. */
    async close() {
      if (this.#pool) return this.#pool.close();
      const connection = this.#connection;
      this.#connection = null;
      if (connection) await connection.quit();
    }
  }

  function createTransport(options) {
    return new Transport(options ?? {});
  }

  return { createTransport, probe: makeProbe(createTransport) };
}

export { SmtpError };
