// Entry point for Node.js (and Electron's main process).

import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename } from 'node:path';

import * as adapter from './adapters/node.js';
import { makeApi } from './transport.js';
import { initSync, Session } from './wasm/wasmtp.js';

initSync({ module: readFileSync(new URL('./wasm/wasmtp_bg.wasm', import.meta.url)) });

/** The EHLO name: this machine's name when it is fully qualified, else an address literal. */
function defaultName() {
  const name = hostname();
  return name.includes('.') ? name : '[127.0.0.1]';
}

/** Attachments given by path are read as file streams (opened first, so a missing file fails before sending). */
const files = {
  async open(path) {
    const handle = await open(path, 'r');
    return handle.createReadStream({ highWaterMark: 64 * 1024 });
  },
  basename,
};

export const { createTransport } = makeApi({ Session, adapter, defaultName, files });
export { SmtpError } from './errors.js';
