// Entry point for Deno (`npm:wasmtp`, or a plain import of this file).
// Needs --allow-net, and --allow-read for the wasm file and attachment paths.

import * as adapter from './adapters/deno.js';
import { makeApi } from './transport.js';
import { initSync, Session } from './wasm/wasmtp.js';

initSync({ module: await Deno.readFile(new URL('./wasm/wasmtp_bg.wasm', import.meta.url)) });

/** The EHLO name: this machine's name when it is fully qualified (and readable), else an address literal. */
function defaultName() {
  try {
    const name = Deno.hostname();
    if (name.includes('.')) return name;
  } catch {
    // no --allow-sys
  }
  return '[127.0.0.1]';
}

/** Attachments by path: opened first, read into one reused buffer (each chunk valid until the next). */
const files = {
  async open(path) {
    const file = await Deno.open(path, { read: true });
    const { size } = await file.stat();
    const buffer = new Uint8Array(64 * 1024);
    let closed = false;
    const close = () => {
      if (!closed) {
        closed = true;
        file.close();
      }
    };
    return {
      size,
      [Symbol.asyncIterator]() {
        return {
          async next() {
            const n = closed ? null : await file.read(buffer);
            if (n === null) {
              close();
              return { done: true, value: undefined };
            }
            return { done: false, value: buffer.subarray(0, n) };
          },
          async return() {
            close();
            return { done: true, value: undefined };
          },
        };
      },
      destroy: close,
    };
  },
  basename: (path) => path.split(/[\\/]/).pop(),
};

export const { createTransport, probe } = makeApi({ Session, adapter, defaultName, files });
export { SmtpError } from './errors.js';

/** Which entry point the package's exports map chose. */
export const runtime = 'deno';
