// DKIM signatures made in the wasm core (ring), verified by dkimpy, an
// independent implementation, against the public key: RSA (PKCS#8 and
// PKCS#1 keys) and Ed25519, composed and raw messages, attachments given
// as streams, as delivered by Postfix.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';

import { createTransport } from '../../js/node.js';
import { ca, delivered, pass, ports, user } from './helpers/postfix.js';

const verifier = fileURLToPath(new URL('./helpers/dkim_verify.py', import.meta.url));

function keys(type, format = 'pkcs8') {
  const options = type === 'rsa' ? { modulusLength: 2048 } : {};
  const { privateKey, publicKey } = generateKeyPairSync(type, {
    ...options,
    privateKeyEncoding: { type: format, format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'der' },
  });
  const p = type === 'rsa' ? publicKey.toString('base64') : publicKey.subarray(-32).toString('base64');
  return { privateKey, record: `v=DKIM1; k=${type}; p=${p}` };
}

/** dkimpy's verdict on a delivered message (LF line ends turned back into CRLF). */
function verify(text, selector, record) {
  try {
    return execFileSync('python3', [verifier, `${selector}._domainkey.wasmtp.test`, record], {
      input: text.replace(/\r?\n/g, '\r\n'),
      encoding: 'utf8',
    }).trim();
  } catch (err) {
    return err.stdout.trim();
  }
}

async function sendSigned(dkim, mail, transportDkim = false) {
  const transport = createTransport({
    host: 'localhost', port: ports.starttls, tls: 'starttls', auth: { user, pass }, tlsOptions: { ca },
    ...(transportDkim ? { dkim } : {}),
  });
  try {
    const info = await transport.sendMail({ from: 'alice@wasmtp.test', to: 'bob@example.org', ...mail, ...(transportDkim ? {} : { dkim }) });
    return (await delivered(info.messageId))['bob@example.org'].text;
  } finally {
    await transport.close();
  }
}

describe('DKIM', () => {
  const message = {
    subject: 'Signed – mit Umlauten',
    text: 'Hello,\n\n  spaced   words  \n.dot line\n\n\n',
    html: '<p>Hello</p>',
    attachments: [
      { filename: 'a.bin', content: randomBytes(50_000) },
      { filename: 'stream.bin', content: Readable.from([randomBytes(70_000), randomBytes(10_000)]) },
    ],
  };

  for (const [type, format] of [['rsa', 'pkcs8'], ['rsa', 'pkcs1'], ['ed25519', 'pkcs8']]) {
    it(`${type} (${format}) signature verifies with dkimpy`, async () => {
      const { privateKey, record } = keys(type, format);
      const text = await sendSigned({ domainName: 'wasmtp.test', keySelector: 'sel1', privateKey }, {
        ...message,
        attachments: message.attachments.map((a) => ({ ...a, content: a.content instanceof Readable ? Readable.from([randomBytes(70_000)]) : a.content })),
      });
      assert.match(text, new RegExp(`^DKIM-Signature: v=1;\\s+a=${type}-sha256;\\s+c=relaxed/relaxed;\\s+d=wasmtp.test;\\s+s=sel1;`, 'm'));
      assert.equal(verify(text, 'sel1', record), 'pass');
      // The check can fail: a changed body breaks the signature.
      assert.notEqual(verify(text.replace('spaced', 'changed'), 'sel1', record), 'pass');
      // And another key does not verify it.
      assert.notEqual(verify(text, 'sel1', keys(type).record), 'pass');
    });
  }

  it('the transport-level dkim option signs every message, raw ones too', async () => {
    const { privateKey, record } = keys('rsa');
    const dkim = { domainName: 'wasmtp.test', keySelector: 'news', privateKey, headerFieldNames: 'From:To:Subject:Message-ID', skipFields: 'To' };
    const text = await sendSigned(dkim, {
      // A fresh Message-ID: delivered() finds the copy by it.
      raw: `From: alice@wasmtp.test\r\nTo: bob@example.org\r\nSubject: raw signed\r\nMessage-ID: <raw-${randomBytes(8).toString('hex')}@wasmtp.test>\r\n\r\nraw body\r\n`,
      envelope: { from: 'alice@wasmtp.test', to: 'bob@example.org' },
    }, true);
    assert.match(text, /h=from:subject:message-id;/);
    assert.equal(verify(text, 'news', record), 'pass');
  });

  it('a bad key is refused before sending', async () => {
    const err = await createTransport({ host: 'localhost', port: ports.starttls })
      .sendMail({ from: 'alice@wasmtp.test', to: 'bob@example.org', text: 'x', dkim: { domainName: 'wasmtp.test', keySelector: 's', privateKey: 'not a key' } })
      .catch((e) => e);
    assert.equal(err.code, 'EMESSAGE');
    assert.match(err.message, /privateKey/);
    assert.throws(() => createTransport({ host: 'localhost', dkim: { domainName: 'x', keySelector: 's', privateKey: 'nope' } }), { code: 'ECONFIG' });
  });
});
