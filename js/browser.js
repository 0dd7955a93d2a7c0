// Entry point for browsers: a browser has no TCP, so bytes go through the
// WebSocket relay that ships with the package (js/relay.js); give its URL
// as the `relay` option. TLS still ends in this page's wasm.

import * as adapter from './adapters/websocket.js';
import { SmtpError } from './errors.js';
import { ehloName } from './ehlo-name.js';
import { makeApi } from './transport.js';
import init, { Session } from './wasm/wasmtp.js';

await init({ module_or_path: new URL('./wasm/wasmtp_bg.wasm', import.meta.url) });

const api = makeApi({ Session, adapter, defaultName: () => ehloName(null) });

function needsRelay(options) {
  if (!options?.relay) {
    throw new SmtpError({ code: 'ECONFIG', message: 'relay: a browser needs the ws:// URL of a wasmtp relay', hint: 'The option relay is not valid: a browser needs the ws:// URL of a wasmtp relay.' });
  }
  return options;
}

export function createTransport(options) {
  return api.createTransport(needsRelay(options));
}

export function probe(host, options) {
  return api.probe(host, needsRelay(options));
}

export { SmtpError };

/** Which entry point the package's exports map chose. */
export const runtime = 'browser';
