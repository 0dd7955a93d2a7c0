// Entry point for Node.js (and Electron's main process).

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

import * as adapter from './adapters/node.js';
import { makeApi } from './transport.js';
import { initSync, Session } from './wasm/wasmtp.js';

initSync({ module: readFileSync(new URL('./wasm/wasmtp_bg.wasm', import.meta.url)) });

/** The EHLO name: this machine's name when it is fully qualified, else an address literal. */
function defaultName() {
  const name = hostname();
  return name.includes('.') ? name : '[127.0.0.1]';
}

export const { createTransport } = makeApi({ Session, adapter, defaultName });
export { SmtpError } from './errors.js';
