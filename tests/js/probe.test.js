// probe(): the trial and error the plug-in's guide asks of users, against
// the local Postfix and smtp-server with right and wrong settings, and a
// port that accepts TCP but never greets.

import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';

import { probe } from '../../js/node.js';
import { ca, pass, ports, user } from './helpers/postfix.js';
import { credentials, startSmtpServer } from './helpers/smtp-server.js';

const postfixPorts = [ports.plain, ports.starttls, ports.implicit];
const quick = { connect: 2000, greeting: 1500, command: 5000 };

const byPort = (result, port) => result.endpoints.find((e) => e.port === port);

describe('probe', () => {
  it('finds every working endpoint of Postfix and the best settings with a password', async () => {
    const result = await probe('localhost', { ports: postfixPorts, user, pass, tlsOptions: { ca }, timeouts: quick });
    assert.deepEqual({ ...result.recommended, tlsOptions: undefined }, {
      host: 'localhost', port: ports.implicit, tls: 'implicit', auth: { method: 'CRAM-MD5', user }, tlsOptions: undefined,
    });
    assert.equal(result.recommended.tlsOptions.ca, ca);
    const starttls = byPort(result, ports.starttls);
    assert.equal(starttls.ok, true);
    assert.equal(starttls.tls, 'starttls');
    assert.match(starttls.greeting, /^220 mail\.wasmtp\.test ESMTP/);
    assert.equal(starttls.tlsInfo.verified, true);
    assert.equal(starttls.tlsInfo.subject, 'CN=localhost');
    assert.deepEqual(starttls.authMechanisms, ['PLAIN', 'LOGIN', 'CRAM-MD5']);
    assert.equal(byPort(result, ports.plain).tls, 'none');
    assert.deepEqual(byPort(result, ports.implicit).authResult.tried.map((t) => t.method), ['CRAM-MD5']);
    // The usual ports have nothing listening here: refused, suspecting host and port.
    assert.equal(byPort(result, 465).ok, false);
    assert.equal(byPort(result, 465).error.code, 'ECONNECTION');
    // The ready-to-paste options work.
    const { createTransport } = await import('../../js/node.js');
    const info = await createTransport({ ...result.recommended, auth: { ...result.recommended.auth, pass } }).verify();
    assert.equal(info.auth, 'CRAM-MD5');
  });

  it('reports a certificate that does not verify, with its details', async () => {
    const result = await probe('localhost', { ports: [ports.implicit, ports.starttls], timeouts: quick });
    const implicit = byPort(result, ports.implicit);
    assert.equal(implicit.ok, false);
    assert.equal(implicit.error.code, 'ETLS');
    assert.equal(implicit.tlsInfo.verified, false);
    assert.equal(implicit.tlsInfo.issuer, 'CN=wasmtp test CA');
    assert.ok(implicit.capabilities, 'capabilities read over the unverified connection');
    assert.equal(result.recommended, null);
    assert.ok(result.explanation.some((l) => /tlsOptions\.ca/.test(l)), result.explanation.join('\n'));
  });

  it('a wrong password: every offered mechanism tried in the guide order, none recommended', async () => {
    const result = await probe('localhost', { ports: [ports.starttls], user, pass: 'wrong', tlsOptions: { ca }, timeouts: quick });
    assert.equal(result.recommended, null);
    const tried = byPort(result, ports.starttls).authResult.tried;
    assert.deepEqual(tried.map((t) => t.method), ['CRAM-MD5', 'LOGIN', 'PLAIN']);
    assert.ok(tried.every((t) => t.error.code === 'EAUTH' && t.error.responseCode === 535));
    assert.ok(result.explanation.some((l) => /user name and password/.test(l)));
  });

  it('never tries a password on an unencrypted endpoint unless allowed', async () => {
    const result = await probe('localhost', { ports: [ports.plain], user, pass, timeouts: quick });
    const plain = byPort(result, ports.plain);
    assert.equal(plain.ok, true);
    assert.equal(plain.authResult.ok, false);
    assert.match(plain.authResult.reason, /not encrypted/);
    assert.equal(result.recommended, null);
  });

  it('picks the mechanism a server offers (smtp-server without CRAM-MD5: LOGIN)', async () => {
    const server = await startSmtpServer('starttls', { authMethods: ['PLAIN', 'LOGIN'] });
    try {
      const result = await probe('localhost', { ports: [server.port], user: credentials.user, pass: credentials.pass, tlsOptions: { ca }, timeouts: quick });
      assert.equal(result.recommended.port, server.port);
      assert.equal(result.recommended.tls, 'starttls');
      assert.equal(result.recommended.auth.method, 'LOGIN');
    } finally {
      await server.close();
    }
  });

  it('a port that accepts TCP but never greets: a time-out pointing at port and TLS type', async () => {
    const silent = net.createServer(() => {});
    await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = silent.address().port;
      const result = await probe('127.0.0.1', { ports: [port], timeouts: { connect: 1000, greeting: 500 } });
      const endpoint = byPort(result, port);
      assert.equal(endpoint.ok, false);
      assert.equal(endpoint.error.code, 'ETIMEDOUT');
      assert.deepEqual([...endpoint.error.suspects].sort(), ['port', 'tls']);
      assert.equal(result.recommended, null);
      assert.ok(result.explanation.at(-1).includes('time-out points at the port or TLS type'));
    } finally {
      silent.close();
    }
  });
});
