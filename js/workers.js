// Entry point for Cloudflare Workers / workerd: sockets from
// cloudflare:sockets, the wasm imported as a compiled module (Wrangler and
// Miniflare do this for .wasm imports). No file system: attachments are
// given as content or streams.

import * as adapter from './adapters/workers.js';
import { ehloName } from './ehlo-name.js';
import { makeApi } from './transport.js';
import { initSync, Session } from './wasm/wasmtp.js';
import wasmModule from './wasm/wasmtp_bg.wasm';

initSync({ module: wasmModule });

export const { createTransport, probe } = makeApi({ Session, adapter, defaultName: () => ehloName(null) });
export { SmtpError } from './errors.js';

/** Which entry point the package's exports map chose. */
export const runtime = 'workerd';
