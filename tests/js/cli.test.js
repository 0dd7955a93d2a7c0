// The command line, run as a user runs it (a child process): results,
// JSON output, the password from an environment variable, and the exit
// codes that tell bad settings, server refusals and network failures apart.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { simpleParser } from 'mailparser';

import { delivered, pass, ports, root, user } from './helpers/postfix.js';

const cli = fileURLToPath(new URL('../../js/cli.js', import.meta.url));
const caFile = join(root, 'ca', 'ca.pem');
const connection = ['--host', 'localhost', '--port', String(ports.starttls), '--tls', 'starttls', '--ca', caFile, '--user', user, '--pass-env', 'SMTP_TEST_PASS'];

function wasmtp(args, password = pass) {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env: { ...process.env, SMTP_TEST_PASS: password }, timeout: 60000 }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

describe('wasmtp CLI', () => {
  it('--help explains the commands, flags and exit codes', async () => {
    const { code, stdout } = await wasmtp(['--help']);
    assert.equal(code, 0);
    for (const text of ['wasmtp verify', 'wasmtp send', 'wasmtp probe', '--pass-env', 'Exit codes', 'Examples']) assert.ok(stdout.includes(text), text);
  });

  it('verify: exit 0 with the working settings', async () => {
    const { code, stdout } = await wasmtp(['verify', ...connection]);
    assert.equal(code, 0);
    assert.match(stdout, /^OK: the settings work \(TLSv1\.3 .*authentication CRAM-MD5\)/m);
  });

  it('verify with a wrong password: exit 3 (a setting), the hint, JSON on request', async () => {
    const plain = await wasmtp(['verify', ...connection], 'wrong');
    assert.equal(plain.code, 3);
    assert.match(plain.stderr, /Error EAUTH at auth: .*535/);
    assert.match(plain.stderr, /Check: username, password\./);
    const json = await wasmtp(['verify', ...connection, '--json'], 'wrong');
    assert.equal(json.code, 3);
    const { ok, error } = JSON.parse(json.stdout);
    assert.equal(ok, false);
    assert.equal(error.code, 'EAUTH');
    assert.deepEqual(error.suspects, ['auth.user', 'auth.pass']);
  });

  it('send: exit 0, the message delivered with its attachment; --transcript redacts the password', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasmtp-cli-'));
    writeFileSync(join(dir, 'notes.txt'), 'attached notes\n');
    writeFileSync(join(dir, 'body.html'), '<p>html body</p>');
    const { code, stdout } = await wasmtp(['send', ...connection, '--from', 'alice@wasmtp.test', '--to', 'bob@example.org', '--to', 'carol@example.org',
      '--subject', 'from the CLI', '--text', 'plain body', '--html-file', join(dir, 'body.html'), '--attach', join(dir, 'notes.txt'), '--transcript']);
    assert.equal(code, 0, stdout);
    assert.ok(!stdout.includes(pass));
    assert.match(stdout, /^C: AUTH CRAM-MD5$/m);
    const messageId = stdout.match(/^Sent (<[^>]+>) to bob@example\.org, carol@example\.org: 250 /m)[1];
    const parsed = await simpleParser((await delivered(messageId, 2))['carol@example.org'].text);
    assert.equal(parsed.subject, 'from the CLI');
    assert.equal(parsed.text, 'plain body');
    assert.equal(parsed.attachments[0].filename, 'notes.txt');
  });

  it('send refused by the server: exit 4', async () => {
    const { code, stderr } = await wasmtp(['send', ...connection, '--from', 'alice@wasmtp.test', '--to', 'reject@example.org', '--text', 'x']);
    assert.equal(code, 4);
    assert.match(stderr, /EENVELOPE.*550/);
  });

  it('a closed port: exit 5 (network)', async () => {
    const { code, stderr } = await wasmtp(['verify', '--host', '127.0.0.1', '--port', '10999', '--tls', 'none']);
    assert.equal(code, 5);
    assert.match(stderr, /ECONNECTION/);
  });

  it('implicit TLS on the STARTTLS port: exit 3 (TLS type or port)', async () => {
    const { code, stderr } = await wasmtp(['verify', '--host', 'localhost', '--port', String(ports.starttls), '--tls', 'implicit', '--timeout', '1500']);
    assert.equal(code, 3);
    assert.match(stderr, /Check: .*port/);
  });

  it('usage errors: exit 2', async () => {
    assert.equal((await wasmtp(['verify', '--host', 'localhost', '--bogus'])).code, 2);
    assert.equal((await wasmtp(['verify', '--host', 'localhost', '--tls', 'sometimes'])).code, 2);
    const missing = await wasmtp(['verify', '--host', 'localhost', '--user', 'u', '--pass-env', 'NO_SUCH_VARIABLE_SET']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /NO_SUCH_VARIABLE_SET is not set/);
    assert.equal((await wasmtp(['send', '--host', 'localhost', '--to', 'b@x.org'])).code, 2);
    assert.equal((await wasmtp(['frobnicate'])).code, 2);
  });

  it('probe: a table and the working settings, or JSON', async () => {
    const args = ['probe', 'localhost', '--port', String(ports.starttls), '--port', String(ports.implicit), '--ca', caFile, '--user', user, '--pass-env', 'SMTP_TEST_PASS', '--timeout', '2000'];
    const table = await wasmtp(args);
    assert.equal(table.code, 0);
    assert.match(table.stdout, /^port\s+tls\s+result\s+certificate\s+auth offered\s+login$/m);
    assert.match(table.stdout, new RegExp(`^${ports.implicit}\\s+implicit\\s+works\\s+TLSv1\\.3 verified\\s+PLAIN LOGIN CRAM-MD5\\s+CRAM-MD5 ok`, 'm'));
    assert.match(table.stdout, /Working settings:/);
    const json = await wasmtp([...args, '--json']);
    assert.equal(json.code, 0);
    const result = JSON.parse(json.stdout);
    assert.equal(result.recommended.port, ports.implicit);
    assert.equal(result.recommended.auth.method, 'CRAM-MD5');
  });
});

describe('wasmtp CLI on a terminal', () => {
  it('draws a progress bar on stderr for a large send (run under a pseudo-terminal)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasmtp-cli-'));
    const big = join(dir, 'big.bin');
    writeFileSync(big, Buffer.alloc(3 * 1024 * 1024, 7));
    const command = [process.execPath, cli, 'send', ...connection, '--from', 'alice@wasmtp.test', '--to', 'bob@example.org', '--text', 'x', '--attach', big]
      .map((a) => `'${a}'`).join(' ');
    const output = await new Promise((resolve) => {
      execFile('script', ['-qec', command, '/dev/null'], { env: { ...process.env, SMTP_TEST_PASS: pass }, timeout: 60000 }, (err, stdout) => resolve({ err, stdout }));
    });
    assert.equal(output.err, null, String(output.err));
    // The file's size is known, so the bar has a total.
    assert.match(output.stdout, /\[#{30}\] 4\.1 of 4\.1 MB/);
    assert.match(output.stdout, /Sent <[^>]+> to bob@example\.org: 250 /);
  });
});
