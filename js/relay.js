#!/usr/bin/env node
// wasmtp-relay: lets the browser build reach a mail server. A browser has
// no TCP, so the page opens a WebSocket here and the relay opens the TCP
// connection, only to host:port pairs on its allow-list. TLS is done by the
// wasm in the page: for implicit TLS and after STARTTLS the relay only ever
// sees ciphertext. With --www it also serves the settings tester page.
//
//   wasmtp-relay --allow smtp.example.com:587 [--allow HOST:PORT]... [--listen 127.0.0.1:8025] [--www] [--trace]

import { createReadStream, realpathSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import net from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'ws';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.d.ts': 'text/plain' };

/** Printable form of bytes for --trace (what an observer of the relay would see). */
function visible(bytes) {
  return Buffer.from(bytes).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
}

/**
 * Starts a relay. `allow`: "host:port" strings; `www`: serve /www and /js
 * from the package; `trace(line)`: called with every byte that passes.
 * Resolves to { port, close() }.
 */
export async function startRelay({ host = '127.0.0.1', port = 8025, allow = [], www = false, trace = null, log = () => {} } = {}) {
  const allowed = new Set(allow.map((a) => a.toLowerCase()));
  const http = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(packageRoot, path.endsWith('/') ? join(path, 'index.html') : path);
    const servable = www && (path.startsWith('/www/') || path.startsWith('/js/')) && file.startsWith(packageRoot);
    let ok = false;
    try {
      ok = servable && statSync(file).isFile();
    } catch {
      ok = false;
    }
    if (!ok) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (ws, req) => {
    const query = new URL(req.url, 'http://x').searchParams;
    const target = `${query.get('host') ?? ''}:${query.get('port') ?? ''}`.toLowerCase();
    if (!allowed.has(target)) {
      log(`refused ${target}: not on the allow-list`);
      ws.send(`refused: ${target} is not on this relay's allow-list (start it with --allow ${target})`);
      ws.close(1008, 'target not allowed');
      return;
    }
    const [targetHost, targetPort] = [query.get('host'), Number(query.get('port'))];
    const socket = net.connect({ host: targetHost, port: targetPort });
    let up = 0;
    let down = 0;
    socket.on('connect', () => {
      log(`connected to ${target}`);
      ws.send('connected');
    });
    socket.on('data', (data) => {
      down += data.length;
      trace?.(`S> ${visible(data)}`);
      ws.send(data);
    });
    socket.on('error', (err) => {
      if (ws.readyState === ws.OPEN) {
        ws.send(`${['ENOTFOUND', 'EAI_AGAIN'].includes(err.code) ? 'unresolved' : 'refused'}: ${err.message}`);
        ws.close(1011, 'connection failed');
      }
    });
    socket.on('close', () => {
      log(`closed ${target}: ${up} bytes up, ${down} bytes down`);
      ws.close();
    });
    ws.on('message', (data) => {
      up += data.length;
      trace?.(`C> ${visible(data)}`);
      socket.write(data);
    });
    ws.on('close', () => socket.destroy());
  });
  await new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, resolve);
  });
  return {
    port: http.address().port,
    close: () => new Promise((resolve) => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      http.close(() => resolve());
    }),
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      listen: { type: 'string', default: '127.0.0.1:8025' },
      allow: { type: 'string', multiple: true, default: [] },
      www: { type: 'boolean', default: false },
      trace: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || values.allow.length === 0) {
    console.log(`wasmtp-relay: a WebSocket-to-TCP relay for wasmtp in the browser

  wasmtp-relay --allow HOST:PORT [--allow HOST:PORT]... [--listen 127.0.0.1:8025] [--www] [--trace]

  --allow HOST:PORT   a mail server the page may reach (repeat; nothing else is reachable)
  --listen ADDR:PORT  where to listen (default 127.0.0.1:8025: this machine only)
  --www               also serve the settings tester at http://ADDR:PORT/www/
  --trace             print every byte that passes (ciphertext once TLS is up)`);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const at = values.listen.lastIndexOf(':');
  const relay = await startRelay({
    host: values.listen.slice(0, at),
    port: Number(values.listen.slice(at + 1)),
    allow: values.allow,
    www: values.www,
    trace: values.trace ? (line) => console.log(line) : null,
    log: (line) => console.error(`relay: ${line}`),
  });
  console.error(`relay: listening on ws://${values.listen.slice(0, at)}:${relay.port}/ for ${values.allow.join(', ')}`);
  if (values.www) console.error(`relay: settings tester at http://${values.listen.slice(0, at)}:${relay.port}/www/`);
}

// Run as a program (also through the npm bin link), not when imported.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
