// The Rust example program (examples/send.rs) drives the same core natively
// over std::net: send through the local Postfix and read the message back.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { it } from 'node:test';
import { promisify } from 'node:util';
import { simpleParser } from 'mailparser';

import { delivered, pass, ports, root, user } from './helpers/postfix.js';

it('examples/send.rs sends with STARTTLS and CRAM-MD5 through Postfix', async () => {
  const { stdout } = await promisify(execFile)('cargo', [
    'run', '--quiet', '--example', 'send', '--',
    '--host', 'localhost', '--port', String(ports.starttls), '--tls', 'starttls', '--auth', 'CRAM-MD5',
    '--user', user, '--ca', `${root}/ca/ca.pem`, '--from', 'alice@wasmtp.test', '--to', 'bob@example.org',
    '--subject', 'native Rust', '--text', 'sent by examples/send.rs\n.\n', '--transcript',
  ], { env: { ...process.env, SMTP_PASS: pass }, timeout: 300000 });
  assert.match(stdout, /\* TLS established: TLSv1\.3/);
  assert.match(stdout, /^C: AUTH CRAM-MD5$/m);
  assert.match(stdout, /^accepted by the server for bob@example\.org: 250 /m);
  const messageId = stdout.match(/^message-id: (.*)$/m)[1];
  const { text } = (await delivered(messageId))['bob@example.org'];
  const parsed = await simpleParser(text);
  assert.equal(parsed.subject, 'native Rust');
  assert.equal(parsed.text, 'sent by examples/send.rs\n.\n');
});
