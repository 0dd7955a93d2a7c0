// Entry point for Node.js (and Electron's main process).

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { setFlagsFromString } from 'node:v8';

import * as adapter from './adapters/node.js';
import { ehloName } from './ehlo-name.js';
import { files } from './node-files.js';
import { makeApi } from './transport.js';
import { initSync, Session } from './wasm/wasmtp.js';

// Node 20's V8 aborts the process ("Fatal error: unreachable code" in
// Deoptimizer::DoComputeBuiltinContinuation) when optimized JS that inlined
// a call into wasm is deoptimized during that call: seen here sending 500
// pooled messages. Not inlining JS-to-wasm calls avoids it, at a small cost.
setFlagsFromString('--no-turbo-inline-js-wasm-calls');

initSync({ module: readFileSync(new URL('./wasm/wasmtp_bg.wasm', import.meta.url)) });

const defaultName = () => ehloName(hostname());

export const { createTransport, probe } = makeApi({ Session, adapter, defaultName, files });
export { SmtpError } from './errors.js';

/** Which entry point the package's exports map chose. */
export const runtime = 'node';
