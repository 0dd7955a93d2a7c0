// Entry point for Deno (`npm:wasmtp`, or a plain import of this file).
// Needs --allow-net, and --allow-read for the wasm file and attachment paths.

import * as adapter from './adapters/deno.js';
import { ehloName } from './ehlo-name.js';
import { reusedBufferSource } from './streams.js';
import { makeApi } from './transport.js';
import { initSync, Session } from './wasm/wasmtp.js';

initSync({ module: await Deno.readFile(new URL('./wasm/wasmtp_bg.wasm', import.meta.url)) });

/** The EHLO name from Deno.hostname(), when readable (--allow-sys). */
function defaultName() {
  try {
    return ehloName(Deno.hostname());
  } catch {
    return ehloName(null);
  }
}

/** Attachments by path: opened first, then read into one reused buffer. */
const files = {
  async open(path) {
    const file = await Deno.open(path, { read: true });
    const { size } = await file.stat();
    return reusedBufferSource({ size, read: async (buffer) => (await file.read(buffer)) ?? 0, close: () => file.close() });
  },
  basename: (path) => path.split(/[\\/]/).pop(),
};

export const { createTransport, probe } = makeApi({ Session, adapter, defaultName, files });
export { SmtpError } from './errors.js';

/** Which entry point the package's exports map chose. */
export const runtime = 'deno';
