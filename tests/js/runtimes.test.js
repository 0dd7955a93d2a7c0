// The same package in every runtime: Deno (a plain import and npm:wasmtp),
// Bun (its exports condition) and workerd (through Miniflare, a worker that
// sends on request) each send through the local Postfix with STARTTLS and
// with implicit TLS, authenticated; the delivered files are read back.
// No runtime-specific TLS anywhere: each adapter only moves bytes.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { Miniflare } from 'miniflare';
import { simpleParser } from 'mailparser';

import { ca, delivered, pass, root, user } from './helpers/postfix.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const bin = (name) => join(repo, 'node_modules', '.bin', name);
const sendScript = join(repo, 'tests/js/runtimes/send.mjs');
const caFile = join(root, 'ca', 'ca.pem');

/** A project that depends on wasmtp (linked, as npm would), for bare and npm: imports. */
function project() {
  const dir = mkdtempSync(join(tmpdir(), 'wasmtp-runtime-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'uses-wasmtp', type: 'module', dependencies: { wasmtp: '*' } }));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(repo, join(dir, 'node_modules', 'wasmtp'), 'dir');
  writeFileSync(join(dir, 'send.mjs'), readFileSync(sendScript));
  return dir;
}

function run(command, args, cwd) {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, timeout: 120000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${command} failed: ${stderr || err.message}`));
      else resolve(stdout.trim().split('\n').map((l) => JSON.parse(l)));
    });
  });
}

/** Both sends went out over TLS from the runtime and arrived whole. */
async function checkDelivered(results, label, runtime, withFile = true) {
  assert.deepEqual(results.map((r) => r.tls), ['starttls', 'implicit']);
  for (const r of results) {
    assert.equal(r.runtime, runtime, 'the exports map chose another entry point');
    assert.deepEqual(r.accepted, ['bob@example.org']);
    assert.match(r.tlsLine, /^\* TLS established: TLSv1\.3 \S+, certificate subject CN=localhost/);
    const parsed = await simpleParser((await delivered(r.messageId))['bob@example.org'].text);
    assert.equal(parsed.subject, `${label} ${r.tls}`);
    assert.equal(parsed.text, `sent from ${label} with ${r.tls}\n`);
    assert.equal(parsed.attachments[0].filename, 'hello.txt');
    if (withFile) {
      // An attachment given by path, read through the runtime's own file API.
      assert.equal(parsed.attachments[1].filename, 'ca.pem');
      assert.equal(parsed.attachments[1].content.toString(), ca);
    }
  }
}

describe('runtimes', () => {
  it('Deno, importing js/deno.js directly', async () => {
    const results = await run(bin('deno'), ['run', '--allow-net', '--allow-read', '--allow-env', '--allow-sys', sendScript, join(repo, 'js/deno.js'), caFile, user, pass, 'deno'], repo);
    await checkDelivered(results, 'deno', 'deno');
  });

  it('Deno, importing npm:wasmtp', async () => {
    const dir = project();
    const results = await run(bin('deno'), ['run', '--allow-net', '--allow-read', '--allow-env', '--allow-sys', 'send.mjs', 'npm:wasmtp', caFile, user, pass, 'deno-npm'], dir);
    await checkDelivered(results, 'deno-npm', 'deno');
  });

  it('Bun, importing wasmtp', async () => {
    const dir = project();
    const results = await run(bin('bun'), ['send.mjs', 'wasmtp', caFile, user, pass, 'bun'], dir);
    await checkDelivered(results, 'bun', 'bun');
  });

  it('workerd through Miniflare: a worker that sends on request', async () => {
    const mf = new Miniflare({
      modules: true,
      scriptPath: join(repo, 'tests/js/runtimes/worker.mjs'),
      modulesRoot: repo,
      modulesRules: [{ type: 'ESModule', include: ['**/*.js', '**/*.mjs'] }, { type: 'CompiledWasm', include: ['**/*.wasm'] }],
      compatibilityDate: '2025-01-01',
    });
    try {
      const results = [];
      for (const [tls, port] of [['starttls', 10587], ['implicit', 10465]]) {
        const res = await mf.dispatchFetch('http://localhost/', { method: 'POST', body: JSON.stringify({ port, tls, user, pass, ca, label: 'workerd' }) });
        const body = await res.json();
        assert.equal(res.status, 200, JSON.stringify(body));
        results.push(body);
      }
      await checkDelivered(results, 'workerd', 'workerd', false);
    } finally {
      await mf.dispose();
    }
  });
});
