// Entry point for Node.js (and Electron's main process).

import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename } from 'node:path';
import { setFlagsFromString } from 'node:v8';

import * as adapter from './adapters/node.js';
import { makeApi } from './transport.js';
import { initSync, Session } from './wasm/wasmtp.js';

// Node 20's V8 aborts the process ("Fatal error: unreachable code" in
// Deoptimizer::DoComputeBuiltinContinuation) when optimized JS that inlined
// a call into wasm is deoptimized during that call: seen here sending 500
// pooled messages. Not inlining JS-to-wasm calls avoids it, at a small cost.
setFlagsFromString('--no-turbo-inline-js-wasm-calls');

initSync({ module: readFileSync(new URL('./wasm/wasmtp_bg.wasm', import.meta.url)) });

/** The EHLO name: this machine's name when it is fully qualified, else an address literal. */
function defaultName() {
  const name = hostname();
  return name.includes('.') ? name : '[127.0.0.1]';
}

/**
 * Attachments given by path: opened first (a missing file fails before
 * sending), then read into one reused buffer, so sending a large file
 * leaves no garbage behind. Each chunk is valid until the next is read.
 */
const files = {
  async open(path) {
    const handle = await open(path, 'r');
    const { size } = await handle.stat();
    const buffer = Buffer.allocUnsafe(64 * 1024);
    let closed = false;
    const close = () => {
      if (!closed) {
        closed = true;
        handle.close().catch(() => {});
      }
    };
    return {
      size,
      [Symbol.asyncIterator]() {
        return {
          async next() {
            const { bytesRead } = closed ? { bytesRead: 0 } : await handle.read(buffer, 0, buffer.length, null);
            if (bytesRead === 0) {
              close();
              return { done: true, value: undefined };
            }
            return { done: false, value: buffer.subarray(0, bytesRead) };
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
  basename,
};

export const { createTransport, probe } = makeApi({ Session, adapter, defaultName, files });
export { SmtpError } from './errors.js';
