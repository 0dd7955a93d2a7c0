// Entry point for Bun: sockets from Bun.connect, files from node:fs (which Bun provides).

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

import * as adapter from './adapters/bun.js';
import { files } from './node-files.js';
import { makeApi } from './transport.js';
import { initSync, Session } from './wasm/wasmtp.js';

initSync({ module: readFileSync(new URL('./wasm/wasmtp_bg.wasm', import.meta.url)) });

/** The EHLO name: this machine's name when it is fully qualified, else an address literal. */
function defaultName() {
  const name = hostname();
  return name.includes('.') ? name : '[127.0.0.1]';
}

export const { createTransport, probe } = makeApi({ Session, adapter, defaultName, files });
export { SmtpError } from './errors.js';

/** Which entry point the package's exports map chose. */
export const runtime = 'bun';
