// Bad options and bad messages fail at once with a typed error naming the
// field, before any connection is made.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createTransport, SmtpError } from '../../js/node.js';

function configError(options) {
  try {
    createTransport(options);
  } catch (err) {
    return err;
  }
  assert.fail('createTransport accepted ' + JSON.stringify(options));
}

describe('createTransport options', () => {
  const cases = [
    [{ port: 25 }, /host/],
    [{ host: 'localhost', port: 70000 }, /port/],
    [{ host: 'localhost', port: 'abc' }, /port/],
    [{ host: 'localhost', tls: 'sometimes' }, /tls/],
    [{ host: 'localhost', auth: { method: 'NTLM', user: 'u', pass: 'p' } }, /auth\.method/],
    [{ host: 'localhost', auth: { method: 'PLAIN', user: 'u' } }, /auth/],
    [{ host: 'localhost', timeouts: { greeting: -1 } }, /timeouts\.greeting/],
    [{ host: 'localhost', timeouts: { gretting: 5 } }, /timeouts/],
    [{ host: 'localhost', tlsOptions: { ca: 'not a certificate' } }, /tlsOptions\.ca/],
    [{ host: 'bad\r\nhost' }, /host/],
    [{ host: 'localhost', name: 'x\r\nRCPT TO:<a@b>' }, /name/],
  ];
  for (const [options, field] of cases) {
    it(`refuses ${JSON.stringify(options)}`, () => {
      const err = configError(options);
      assert.ok(err instanceof SmtpError, String(err));
      assert.equal(err.code, 'ECONFIG');
      assert.match(err.message, field);
      assert.equal(err.fromServer, false);
    });
  }

  it('refuses bad pool limits', () => {
    for (const bad of [{ maxConnections: 0 }, { maxMessages: 'many' }, { rateLimit: -1 }, { rateDelta: 1.5 }]) {
      const err = configError({ host: 'localhost', pool: true, ...bad });
      assert.equal(err.code, 'ECONFIG');
      assert.match(err.message, new RegExp(Object.keys(bad)[0]));
    }
  });

  it('accepts the plug-in names for TLS types and the nodemailer flags', () => {
    for (const tls of ['BeforeConnect', 'AfterConnect', 'None', 'implicit', 'starttls', 'none', 'auto']) {
      createTransport({ host: 'localhost', tls });
    }
    createTransport({ host: 'localhost', secure: true });
    createTransport({ host: 'localhost', requireTLS: true });
  });
});

describe('sendMail message checks', () => {
  const t = createTransport({ host: '127.0.0.1', port: 9, tls: 'none' });
  const bad = [
    [{ from: 'a@b.example', to: 'c@d.example', subject: 'x\r\nBcc: evil@x.example', text: 'x' }, 'EMESSAGE', /subject/i],
    [{ from: 'a@b.example', to: 'c@d.example', headers: { 'X-A': 'ok\r\nBcc: evil@x.example' }, text: 'x' }, 'EMESSAGE', /X-A/],
    [{ from: 'a@b.example', to: 'c@d.example', headers: { 'Bad Name': 'v' }, text: 'x' }, 'EMESSAGE', /Bad Name/],
    [{ from: 'a@b.example>\r\nRCPT TO:<evil@x.example', to: 'c@d.example', text: 'x' }, 'EENVELOPE', /from/],
    [{ from: 'a@b.example', to: 'c@d.example\r\nDATA', text: 'x' }, 'EENVELOPE', /to/],
    [{ from: 'a@b.example', text: 'x' }, 'EENVELOPE', /recipient/],
    [{ to: 'c@d.example', text: 'x' }, 'EENVELOPE', /from/],
    [{ from: 'not an address', to: 'c@d.example', text: 'x' }, 'EENVELOPE', /from/],
  ];
  for (const [mail, code, field] of bad) {
    it(`refuses ${JSON.stringify(mail)} with ${code}`, async () => {
      const err = await t.sendMail(mail).catch((e) => e);
      assert.ok(err instanceof SmtpError, String(err));
      assert.equal(err.code, code);
      assert.match(err.message, field);
      assert.equal(err.fromServer, false);
    });
  }

  it('reports through a callback too', async () => {
    const err = await new Promise((resolve) => t.sendMail({ text: 'x' }, (e) => resolve(e)));
    assert.equal(err.code, 'EENVELOPE');
  });
});

describe('sendMail fields this version does not compose', () => {
  const t = createTransport({ host: '127.0.0.1', port: 9, tls: 'none' });
  for (const field of ['amp', 'icalEvent', 'list', 'watchHtml']) {
    it(`refuses ${field} instead of sending without it`, async () => {
      const mail = { from: 'a@b.example', to: 'c@d.example', text: 'x', [field]: 'x' };
      const err = await t.sendMail(mail).catch((e) => e);
      assert.ok(err instanceof SmtpError, String(err));
      assert.equal(err.code, 'EMESSAGE');
      assert.match(err.message, new RegExp(`^${field}: `));
    });
  }

  it('ignores fields set to undefined or null', async () => {
    const err = await t.sendMail({ from: 'a@b.example', to: 'c@d.example', text: 'x', amp: undefined, icalEvent: null }).catch((e) => e);
    assert.equal(err.code, 'ECONNECTION', 'got past the message checks to the (closed) port');
  });
});
