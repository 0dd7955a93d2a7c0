// Entry point for Bun: sockets from Bun.connect, files from node:fs (which Bun provides).

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

import * as adapter from './adapters/bun.js';
import { ehloName } from './ehlo-name.js';
import { files } from './node-files.js';
import { makeApi } from './transport.js';
import { initSync, Session } from './wasm/wasmtp.js';

initSync({ module: readFileSync(new URL('./wasm/wasmtp_bg.wasm', import.meta.url)) });

const defaultName = () => ehloName(hostname());

export const { createTransport, probe } = makeApi({ Session, adapter, defaultName, files });
export { SmtpError } from './errors.js';

/** Which entry point the package's exports map chose. */
export const runtime = 'bun';
