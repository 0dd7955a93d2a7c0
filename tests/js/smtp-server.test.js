// Sends through the smtp-server npm package (an independent implementation)
// in plain, STARTTLS and implicit TLS modes with all four mechanisms,
// including XOAUTH2, and checks what it received.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';

import { createTransport, SmtpError } from '../../js/node.js';
import { ca } from './helpers/postfix.js';
import { credentials, startSmtpServer } from './helpers/smtp-server.js';

const tlsOf = { plain: 'none', starttls: 'starttls', implicit: 'implicit' };

for (const mode of ['plain', 'starttls', 'implicit']) {
  describe(`smtp-server, ${mode}`, () => {
    let server;
    before(async () => { server = await startSmtpServer(mode); });
    after(() => server.close());

    for (const method of ['PLAIN', 'LOGIN', 'CRAM-MD5', 'XOAUTH2']) {
      it(`sends with ${method}`, async () => {
        const auth = method === 'XOAUTH2'
          ? { method, user: credentials.user, accessToken: credentials.accessToken }
          : { method, user: credentials.user, pass: credentials.pass };
        const t = createTransport({
          host: 'localhost', port: server.port, tls: tlsOf[mode], auth, tlsOptions: { ca }, allowInsecureAuth: mode === 'plain',
        });
        const before = server.messages.length;
        const info = await t.sendMail({
          from: '"Carol Q." <carol@wasmtp.test>', to: ['x@example.org', 'y@example.org'], subject: `${mode} ${method}`,
          text: 'line one\n.line with a dot\n', headers: { 'X-Test': method },
        });
        await t.close();
        assert.deepEqual(info.accepted, ['x@example.org', 'y@example.org']);
        assert.equal(server.messages.length, before + 1);
        const got = server.messages.at(-1);
        assert.equal(got.from, 'carol@wasmtp.test');
        assert.deepEqual(got.to, ['x@example.org', 'y@example.org']);
        assert.equal(got.secure, mode !== 'plain');
        assert.deepEqual(server.auths.at(-1), { method, username: credentials.user, secure: mode !== 'plain' });
        assert.ok(got.raw.includes('\r\n..line with a dot\r\n') === false, 'server saw dot-stuffing left in');
        const parsed = await simpleParser(got.raw);
        assert.equal(parsed.text, 'line one\n.line with a dot\n');
        assert.equal(parsed.headers.get('x-test'), method);
        assert.equal(parsed.from.value[0].name, 'Carol Q.');
        assert.equal(parsed.messageId, info.messageId);
      });
    }

    it('refuses a bad XOAUTH2 token with EAUTH from the server', async () => {
      const err = await createTransport({
        host: 'localhost', port: server.port, tls: tlsOf[mode], tlsOptions: { ca }, allowInsecureAuth: mode === 'plain',
        auth: { method: 'XOAUTH2', user: credentials.user, accessToken: 'expired' },
      }).verify().catch((e) => e);
      assert.ok(err instanceof SmtpError);
      assert.equal(err.code, 'EAUTH');
      assert.equal(err.fromServer, true);
      assert.equal(err.responseCode, 535);
      assert.deepEqual(err.suspects, ['auth.user', 'auth.pass']);
    });

    it('auto picks CRAM-MD5, the strongest password mechanism', async () => {
      const info = await createTransport({
        host: 'localhost', port: server.port, tls: tlsOf[mode], tlsOptions: { ca }, allowInsecureAuth: mode === 'plain',
        auth: { user: credentials.user, pass: credentials.pass },
      }).verify();
      assert.equal(info.auth, 'CRAM-MD5');
    });
  });
}

describe('smtp-server, policy errors', () => {
  it('a server that demands TLS before AUTH answers 538: EAUTH from the server', async () => {
    const server = await startSmtpServer('starttls', { allowInsecureAuth: false });
    try {
      // tls 'none' never upgrades; allowInsecureAuth lets us try, the server refuses.
      const err = await createTransport({
        host: 'localhost', port: server.port, tls: 'none', allowInsecureAuth: true,
        auth: { method: 'PLAIN', user: credentials.user, pass: credentials.pass },
      }).verify().catch((e) => e);
      assert.equal(err.code, 'EAUTH');
      assert.equal(err.fromServer, true);
      assert.equal(err.responseCode, 538);
    } finally {
      await server.close();
    }
  });

  it('a mechanism the server does not offer fails before AUTH is sent, suspecting auth.method', async () => {
    const server = await startSmtpServer('starttls', { authMethods: ['PLAIN', 'LOGIN'] });
    try {
      const err = await createTransport({
        host: 'localhost', port: server.port, tls: 'starttls', tlsOptions: { ca }, transcript: true,
        auth: { method: 'CRAM-MD5', user: credentials.user, pass: credentials.pass },
      }).verify().catch((e) => e);
      assert.equal(err.code, 'EAUTH');
      assert.equal(err.fromServer, false);
      assert.deepEqual(err.suspects, ['auth.method']);
      assert.deepEqual(err.proven, ['host', 'port', 'tls']);
      assert.ok(!err.transcript.some((l) => l.startsWith('C: AUTH')));
      assert.equal(server.auths.length, 0);
    } finally {
      await server.close();
    }
  });
});
