// Sends through the private Postfix (scripts/servers/postfix.sh) in every
// TLS type with every mechanism it offers, reads the delivered files back,
// and checks the error cases against the same real server.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simpleParser } from 'mailparser';

import { createTransport, SmtpError } from '../../js/node.js';
import { ca, delivered, pass, ports, user, withoutReceived } from './helpers/postfix.js';

const base = { host: 'localhost', tlsOptions: { ca }, timeouts: { greeting: 3000 } };
const tlsPorts = { none: ports.plain, starttls: ports.starttls, implicit: ports.implicit };

function transport(options) {
  return createTransport({ ...base, ...options });
}

async function sendAndReadBack(options, mail) {
  const t = transport(options);
  try {
    const info = await t.sendMail(mail);
    return { info, copies: await delivered(info.messageId, info.accepted.length) };
  } finally {
    await t.close();
  }
}

describe('Postfix: every TLS type with every mechanism', () => {
  for (const tls of ['none', 'starttls', 'implicit']) {
    for (const method of ['PLAIN', 'LOGIN', 'CRAM-MD5']) {
      it(`${tls} + ${method}`, async () => {
        const text = `Sent with ${tls} and ${method}.\nSecond line, ünïcödé.\n`;
        const { info, copies } = await sendAndReadBack(
          { port: tlsPorts[tls], tls, auth: { method, user, pass }, allowInsecureAuth: tls === 'none', transcript: true },
          { from: 'Alice <alice@wasmtp.test>', to: 'bob@example.org', subject: `${tls}/${method}`, text },
        );
        assert.deepEqual(info.accepted, ['bob@example.org']);
        assert.deepEqual(info.rejected, []);
        assert.match(info.response, /^250 /);
        assert.deepEqual(info.envelope, { from: 'alice@wasmtp.test', to: ['bob@example.org'] });
        const parsed = await simpleParser(copies['bob@example.org'].text);
        assert.equal(parsed.subject, `${tls}/${method}`);
        assert.deepEqual(parsed.from.value, [{ name: 'Alice', address: 'alice@wasmtp.test' }]);
        assert.deepEqual(parsed.to.value, [{ name: '', address: 'bob@example.org' }]);
        assert.equal(parsed.messageId, info.messageId);
        assert.equal(parsed.text, text);
        // The transcript shows the mechanism, never the password.
        const wire = info.transcript.join('\n');
        assert.match(wire, new RegExp(`C: AUTH ${method}`));
        assert.ok(!wire.includes(pass), 'password in transcript');
        if (tls === 'none') assert.ok(!wire.includes('* TLS'));
        else assert.match(wire, /\* TLS established: TLSv1\.[23] \S+, certificate subject CN=localhost, issuer CN=wasmtp test CA/);
      });
    }
  }

  it('auto picks the strongest mechanism offered (CRAM-MD5) and upgrades with STARTTLS', async () => {
    const t = transport({ port: ports.starttls, tls: 'auto', auth: { user, pass } });
    const info = await t.verify();
    assert.equal(info.auth, 'CRAM-MD5');
    assert.equal(info.tls.subject, 'CN=localhost');
    assert.equal(info.tls.issuer, 'CN=wasmtp test CA');
    assert.ok(info.capabilities.auth.includes('PLAIN'));
  });
});

describe('Postfix: message handling', () => {
  it('delivers the body byte for byte: dot-stuffing, bare LF and CR, long lines', async () => {
    const text = '.starts with a dot\n..two dots\n.\nbare CR\rhere\r\nCRLF line\n' + 'x'.repeat(900) + '\nend';
    const { info, copies } = await sendAndReadBack(
      { port: ports.starttls, tls: 'starttls', auth: { user, pass } },
      { from: 'alice@wasmtp.test', to: 'bob@example.org', subject: 'dots', text },
    );
    const body = withoutReceived(copies['bob@example.org'].text).split('\n\n').slice(1).join('\n\n');
    assert.equal(body, '.starts with a dot\n..two dots\n.\nbare CR\nhere\nCRLF line\n' + 'x'.repeat(900) + '\nend\n');
    assert.ok(info.messageId);
  });

  it('sends to to, cc and bcc; bcc never appears in the headers', async () => {
    const { info, copies } = await sendAndReadBack(
      { port: ports.starttls, tls: 'starttls', auth: { user, pass } },
      { from: 'alice@wasmtp.test', to: ['bob@example.org', 'Carol <carol@example.org>'], cc: 'dave@example.org', bcc: 'eve@example.org', subject: 'many', text: 'hi' },
    );
    assert.deepEqual(info.accepted, ['bob@example.org', 'carol@example.org', 'dave@example.org', 'eve@example.org']);
    assert.deepEqual(Object.keys(copies).sort(), ['bob@example.org', 'carol@example.org', 'dave@example.org', 'eve@example.org']);
    for (const { text } of Object.values(copies)) {
      assert.ok(!text.includes('eve@'), 'bcc leaked into the headers');
      const parsed = await simpleParser(text);
      assert.equal(parsed.cc.text, 'dave@example.org');
    }
  });

  it('partial acceptance: refused recipients are reported, the rest get the message', async () => {
    const { info, copies } = await sendAndReadBack(
      { port: ports.starttls, tls: 'starttls', auth: { user, pass } },
      { from: 'alice@wasmtp.test', to: ['bob@example.org', 'reject@example.org', 'tempfail@example.org'], subject: 'partial', text: 'hi' },
    );
    assert.deepEqual(info.accepted, ['bob@example.org']);
    assert.deepEqual(info.rejected, ['reject@example.org', 'tempfail@example.org']);
    assert.deepEqual(Object.keys(copies), ['bob@example.org']);
    const [hard, soft] = info.rejectedErrors;
    assert.ok(hard instanceof SmtpError);
    assert.equal(hard.code, 'EENVELOPE');
    assert.equal(hard.stage, 'rcpt');
    assert.equal(hard.responseCode, 550);
    assert.equal(hard.enhancedCode, '5.1.1');
    assert.equal(hard.recipient, 'reject@example.org');
    assert.deepEqual(hard.suspects, ['to']);
    assert.equal(soft.responseCode, 450);
    assert.equal(soft.recipient, 'tempfail@example.org');
  });

  it('every recipient refused: EENVELOPE, nothing delivered, connection still usable', async () => {
    const t = transport({ port: ports.starttls, tls: 'starttls', auth: { user, pass }, transcript: true });
    try {
      const err = await t.sendMail({ from: 'alice@wasmtp.test', to: ['reject@example.org'], subject: 's', text: 'x' }).catch((e) => e);
      assert.ok(err instanceof SmtpError);
      assert.equal(err.code, 'EENVELOPE');
      assert.equal(err.stage, 'rcpt');
      assert.equal(err.fromServer, true);
      assert.equal(err.responseCode, 550);
      assert.deepEqual(err.suspects, ['to']);
      assert.ok(err.proven.includes('auth.pass'));
      const info = await t.sendMail({ from: 'alice@wasmtp.test', to: 'bob@example.org', subject: 'after', text: 'x' });
      assert.deepEqual(info.accepted, ['bob@example.org']);
      assert.equal(info.transcript.filter((l) => l.startsWith('C: EHLO')).length, 0, 'reconnected instead of reusing');
    } finally {
      await t.close();
    }
  });

  it('sender refused: EENVELOPE at stage mail naming from', async () => {
    const t = transport({ port: ports.starttls, tls: 'starttls', auth: { user, pass } });
    try {
      const err = await t.sendMail({ from: 'badsender@wasmtp.test', to: 'bob@example.org', subject: 's', text: 'x' }).catch((e) => e);
      assert.equal(err.code, 'EENVELOPE');
      assert.equal(err.stage, 'mail');
      assert.equal(err.responseCode, 553);
      assert.equal(err.enhancedCode, '5.7.1');
      assert.deepEqual(err.suspects, ['from']);
      assert.match(err.hint, /from/i);
    } finally {
      await t.close();
    }
  });

  it('reuses one connection for several sends (one EHLO), including concurrent ones', async () => {
    const t = transport({ port: ports.starttls, tls: 'starttls', auth: { user, pass }, transcript: true });
    try {
      const sends = [1, 2, 3].map((n) => t.sendMail({ from: 'alice@wasmtp.test', to: 'bob@example.org', subject: `reuse ${n}`, text: `n=${n}` }));
      const infos = await Promise.all(sends);
      const later = await t.sendMail({ from: 'alice@wasmtp.test', to: 'bob@example.org', subject: 'reuse 4', text: 'n=4' });
      const lines = [...infos, later].flatMap((i) => i.transcript);
      assert.equal(lines.filter((l) => l.startsWith('C: EHLO')).length, 2, 'one EHLO before and one after STARTTLS');
      assert.equal(lines.filter((l) => l.startsWith('C: AUTH')).length, 1);
      for (const info of [...infos, later]) {
        const copies = await delivered(info.messageId);
        assert.ok(copies['bob@example.org']);
      }
    } finally {
      await t.close();
    }
  });

  it('verify resolves with capabilities, TLS details and the mechanism', async () => {
    const info = await transport({ port: ports.implicit, tls: 'implicit', auth: { method: 'PLAIN', user, pass } }).verify();
    assert.equal(info.auth, 'PLAIN');
    assert.match(info.tls.version, /^TLS/);
    assert.ok(info.tls.cipher);
    assert.equal(info.capabilities.pipelining, true);
    assert.equal(typeof info.capabilities.size, 'number');
  });
});

describe('Postfix: wrong settings are diagnosed', () => {
  it('wrong password: EAUTH from the server, 535, suspects user and pass', async () => {
    const err = await transport({ port: ports.starttls, tls: 'starttls', auth: { method: 'LOGIN', user, pass: 'wrong' }, transcript: true })
      .verify().catch((e) => e);
    assert.ok(err instanceof SmtpError);
    assert.equal(err.code, 'EAUTH');
    assert.equal(err.stage, 'auth');
    assert.equal(err.fromServer, true);
    assert.equal(err.responseCode, 535);
    assert.equal(err.enhancedCode, '5.7.8');
    assert.deepEqual(err.proven, ['host', 'port', 'tls']);
    assert.deepEqual(err.suspects, ['auth.user', 'auth.pass']);
    assert.match(err.hint, /user ?name|password/i);
    assert.ok(!err.transcript.join('\n').includes('wrong'), 'password in transcript');
  });

  it('untrusted certificate (no CA given): ETLS at stage tls, suspects the CA', async () => {
    const err = await createTransport({ host: 'localhost', port: ports.implicit, tls: 'implicit' }).verify().catch((e) => e);
    assert.equal(err.code, 'ETLS');
    assert.equal(err.stage, 'tls');
    assert.equal(err.fromServer, false);
    assert.ok(err.suspects.includes('tlsOptions.ca'));
    assert.match(err.message, /certificate/i);
  });

  it('certificate for another name: ETLS suspecting servername', async () => {
    const err = await transport({ port: ports.implicit, tls: 'implicit', tlsOptions: { ca, servername: 'mail.example.org' } })
      .verify().catch((e) => e);
    assert.equal(err.code, 'ETLS');
    assert.equal(err.stage, 'tls');
    assert.ok(err.suspects.includes('tlsOptions.servername'));
  });

  it('rejectUnauthorized: false accepts the untrusted certificate when set explicitly', async () => {
    const info = await createTransport({ host: 'localhost', port: ports.implicit, tls: 'implicit', tlsOptions: { rejectUnauthorized: false } }).verify();
    assert.equal(info.tls.subject, 'CN=localhost');
  });

  it('STARTTLS required but not offered: ETLS at stage starttls before any credential', async () => {
    const err = await transport({ port: ports.plain, tls: 'starttls', auth: { user, pass }, transcript: true }).verify().catch((e) => e);
    assert.equal(err.code, 'ETLS');
    assert.equal(err.stage, 'starttls');
    assert.equal(err.fromServer, false);
    assert.deepEqual(err.proven, ['host']);
    assert.deepEqual(err.suspects, ['tls', 'port']);
    assert.ok(!err.transcript.some((l) => l.startsWith('C: AUTH')));
  });

  it('implicit TLS against a plain port: ETLS or ETIMEDOUT, not from the server, hint names port and TLS type', async () => {
    const err = await transport({ port: ports.plain, tls: 'implicit' }).verify().catch((e) => e);
    assert.ok(['ETLS', 'ETIMEDOUT'].includes(err.code), err.code);
    assert.equal(err.fromServer, false);
    assert.deepEqual(err.proven, ['host']);
    assert.deepEqual([...err.suspects].sort(), ['port', 'tls']);
    assert.match(err.hint, /port/i);
    assert.match(err.hint, /TLS/);
  });

  for (const tls of ['none', 'starttls']) {
    it(`${tls} against the implicit-TLS port: ETIMEDOUT waiting for the greeting, suspects port and TLS type`, async () => {
      const err = await transport({ port: ports.implicit, tls, timeouts: { greeting: 500 } }).verify().catch((e) => e);
      assert.equal(err.code, 'ETIMEDOUT');
      assert.equal(err.stage, 'greeting');
      assert.equal(err.fromServer, false);
      assert.deepEqual(err.proven, ['host']);
      assert.deepEqual([...err.suspects].sort(), ['port', 'tls']);
      assert.match(err.hint, /port/i);
    });
  }

  it('closed port: ECONNECTION suspecting host and port', async () => {
    const err = await transport({ port: 10999, tls: 'none' }).verify().catch((e) => e);
    assert.equal(err.code, 'ECONNECTION');
    assert.equal(err.stage, 'connect');
    assert.equal(err.fromServer, false);
    assert.deepEqual(err.suspects, ['host', 'port']);
  });

  it('host that does not resolve: ECONNECTION suspecting the host', async () => {
    const err = await transport({ host: 'no-such-host.invalid', port: 25, tls: 'none' }).verify().catch((e) => e);
    assert.equal(err.code, 'ECONNECTION');
    assert.deepEqual(err.suspects, ['host']);
  });

  it('credentials are never sent without TLS unless allowInsecureAuth', async () => {
    const err = await transport({ port: ports.plain, tls: 'none', auth: { user, pass }, transcript: true }).verify().catch((e) => e);
    assert.equal(err.code, 'EAUTH');
    assert.equal(err.fromServer, false);
    assert.ok(err.suspects.includes('tls'));
    assert.ok(!err.transcript.some((l) => l.startsWith('C: AUTH')));
  });
});

describe('Postfix: process lifetime', () => {
  it('a script that sends one message and never calls close() exits at once', async () => {
    const { spawn } = await import('node:child_process');
    const script = `
      import { createTransport } from ${JSON.stringify(new URL('../../js/node.js', import.meta.url).href)};
      const t = createTransport({ host: 'localhost', port: ${ports.starttls}, tls: 'starttls',
        auth: { user: ${JSON.stringify(user)}, pass: ${JSON.stringify(pass)} },
        tlsOptions: { ca: ${JSON.stringify(ca)} }, timeouts: { idle: 60000 } });
      const info = await t.sendMail({ from: 'alice@wasmtp.test', to: 'bob@example.org', subject: 'exit', text: 'x' });
      console.log(info.messageId);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    // The idle connection would keep a leaky process alive for 60 s.
    const guard = setTimeout(() => child.kill(), 20000);
    const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(signal ?? c)));
    clearTimeout(guard);
    assert.equal(code, 0, 'the process was kept alive by the idle connection');
    const copies = await delivered(out.trim());
    assert.ok(copies['bob@example.org']);
  });
});
