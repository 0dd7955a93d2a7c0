// Messages as users write them, sent through Postfix, read back from the
// delivered file and parsed by mailparser (an independent parser): every
// MIME structure, attachments from strings, buffers, streams and paths
// (a 10 MB binary compared by hash), UTF-8 everywhere, threading headers,
// groups, international addresses, DSN, CHUNKING, SIZE and progress.

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';

import { createTransport, SmtpError } from '../../js/node.js';
import { ca, delivered, pass, ports, user } from './helpers/postfix.js';

/** Makes fixed Message-IDs unique to this run (delivered() finds copies by them). */
const run = randomBytes(6).toString('hex');
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

let transport;
before(() => {
  transport = createTransport({ host: 'localhost', port: ports.starttls, tls: 'starttls', auth: { user, pass }, tlsOptions: { ca }, transcript: true });
});
after(() => transport.close());

/** Sends, waits for the delivered copy for `recipient`, and parses it. */
async function roundTrip(mail, recipient = 'bob@example.org') {
  const info = await transport.sendMail({ from: 'Alice <alice@wasmtp.test>', to: recipient, ...mail });
  const copies = await delivered(info.messageId, info.accepted.length, 30000);
  const copy = copies[recipient.replace(/^.*</, '').replace(/>$/, '')] ?? Object.values(copies)[0];
  return { info, raw: copy.text, parsed: await simpleParser(copy.text) };
}

function contentTypeOf(raw) {
  return raw.match(/^Content-Type: ([^;\r\n]+)/m)[1];
}

describe('MIME structure chosen from the content', () => {
  it('text only: one text/plain part', async () => {
    const { raw, parsed } = await roundTrip({ subject: 'text', text: 'just text\n' });
    assert.equal(contentTypeOf(raw), 'text/plain');
    assert.equal(parsed.text, 'just text\n');
  });

  it('html only: one text/html part', async () => {
    const { raw, parsed } = await roundTrip({ subject: 'html', html: '<p>Hello <b>world</b></p>' });
    assert.equal(contentTypeOf(raw), 'text/html');
    // mailparser ends html with a newline of its own; the wire has none.
    assert.equal(parsed.html, '<p>Hello <b>world</b></p>\n');
    assert.ok(raw.endsWith('\n\n<p>Hello <b>world</b></p>\n'), raw);
  });

  it('text + html: multipart/alternative', async () => {
    const { raw, parsed } = await roundTrip({ subject: 'alt', text: 'plain version', html: '<p>html version</p>' });
    assert.equal(contentTypeOf(raw), 'multipart/alternative');
    assert.equal(parsed.text, 'plain version');
    assert.equal(parsed.html, '<p>html version</p>');
  });

  it('inline image with cid: multipart/related inside alternative', async () => {
    const png = randomBytes(3000);
    const { raw, parsed } = await roundTrip({
      subject: 'related', text: 'see the logo', html: '<img src="cid:logo@wasmtp">',
      attachments: [{ filename: 'logo.png', content: png, cid: 'logo@wasmtp' }],
    });
    assert.equal(contentTypeOf(raw), 'multipart/alternative');
    assert.match(raw, /Content-Type: multipart\/related/);
    const [image] = parsed.attachments;
    assert.equal(image.contentType, 'image/png');
    assert.equal(image.contentId, '<logo@wasmtp>');
    assert.equal(image.contentDisposition, 'inline');
    assert.equal(sha256(image.content), sha256(png));
    assert.match(raw, /<img src="cid:logo@wasmtp">/);
    // mailparser resolves the cid reference into the image itself.
    assert.ok(parsed.html.includes(`data:image/png;base64,${png.toString('base64')}`));
  });

  it('attachments of every kind in multipart/mixed, types guessed, names encoded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasmtp-'));
    const pdf = randomBytes(5000);
    writeFileSync(join(dir, 'Prüfbericht für das Geschäftsjahr 2026 (endgültige Fassung).pdf'), pdf);
    const streamed = randomBytes(200_000);
    const { raw, parsed } = await roundTrip({
      subject: 'mixed', text: 'attachments follow', html: '<p>attachments follow</p>',
      attachments: [
        { filename: 'notes.txt', content: 'Grüße\nzweite Zeile\n' },
        { filename: 'data.bin', content: Buffer.from([0, 1, 2, 255]) },
        { filename: 'hello.txt', content: 'aGVsbG8gd29ybGQ=', encoding: 'base64' },
        { filename: 'stream.dat', content: Readable.from([streamed.subarray(0, 70_000), streamed.subarray(70_000)]) },
        { path: join(dir, 'Prüfbericht für das Geschäftsjahr 2026 (endgültige Fassung).pdf') },
        { filename: '日本語.csv', content: 'a,b\n1,2\n', contentType: 'text/csv' },
        { filename: 'web.bin', content: new ReadableStream({ start(c) { c.enqueue(new Uint8Array([9, 8, 7])); c.enqueue(new Uint8Array([6])); c.close(); } }) },
      ],
    });
    assert.equal(contentTypeOf(raw), 'multipart/mixed');
    assert.ok(raw.split('\n').every((line) => line.length <= 998), 'a line over 998 octets');
    assert.ok(/^[\x00-\x7f]*$/.test(raw.split('\n\n').slice(1).join('\n\n')), 'the body is not 7-bit');
    const byName = Object.fromEntries(parsed.attachments.map((a) => [a.filename, a]));
    assert.deepEqual(Object.keys(byName).sort(), [
      'Prüfbericht für das Geschäftsjahr 2026 (endgültige Fassung).pdf', 'data.bin', 'hello.txt', 'notes.txt', 'stream.dat', 'web.bin', '日本語.csv',
    ].sort());
    // Postfix's pipe delivery writes LF line ends.
    assert.equal(byName['notes.txt'].content.toString('utf8'), 'Grüße\nzweite Zeile\n');
    assert.equal(byName['notes.txt'].contentType, 'text/plain');
    assert.deepEqual([...byName['data.bin'].content], [0, 1, 2, 255]);
    assert.equal(byName['data.bin'].contentType, 'application/octet-stream');
    assert.equal(byName['hello.txt'].content.toString(), 'hello world');
    assert.equal(sha256(byName['stream.dat'].content), sha256(streamed));
    const report = byName['Prüfbericht für das Geschäftsjahr 2026 (endgültige Fassung).pdf'];
    assert.equal(report.contentType, 'application/pdf');
    assert.equal(sha256(report.content), sha256(pdf));
    assert.equal(byName['日本語.csv'].contentType, 'text/csv');
    assert.deepEqual([...byName['web.bin'].content], [9, 8, 7, 6]);
    assert.equal(parsed.text, 'attachments follow');
  });

  it('a 10 MB binary attachment from a stream arrives byte for byte, with progress', async () => {
    const big = randomBytes(10 * 1024 * 1024);
    const chunks = [];
    for (let i = 0; i < big.length; i += 64 * 1024) chunks.push(big.subarray(i, i + 64 * 1024));
    const progress = [];
    const { info, parsed } = await roundTrip({
      subject: 'big', text: 'a big one',
      attachments: [{ filename: 'big.bin', content: Readable.from(chunks) }],
      onProgress: (p) => progress.push(p),
    });
    assert.equal(sha256(parsed.attachments[0].content), sha256(big));
    assert.ok(progress.length > 100, `${progress.length} progress reports`);
    assert.ok(progress.every((p, i) => i === 0 || p.sent > progress[i - 1].sent));
    assert.equal(progress.at(-1).total, null, 'a stream has no known total');
    assert.ok(progress.at(-1).sent > big.length * 4 / 3);
    assert.ok(info.transcript.includes('C: BDAT 0 LAST'), 'Postfix offers CHUNKING: BDAT should be used');
  });

  it('progress has a total when the size is known', async () => {
    const progress = [];
    await roundTrip({ subject: 'sized', text: 'x', attachments: [{ filename: 'a.bin', content: randomBytes(300_000) }], onProgress: (p) => progress.push(p) });
    const total = progress.at(-1).total;
    assert.equal(typeof total, 'number');
    assert.equal(progress.at(-1).sent, total);
  });
});

describe('headers and addresses', () => {
  it('UTF-8 subject and names, groups, reply-to, threading, priority, date, message id', async () => {
    const { raw, parsed, info } = await roundTrip({
      from: { name: 'Jürgen Müller, Köln', address: 'alice@wasmtp.test' },
      to: ['Projekt Team: bob@example.org, "Carol, C." <carol@example.org>;'],
      replyTo: 'Support <support@wasmtp.test>',
      subject: 'Grüße – 你好 – a long subject line that will certainly need folding over more than one line of the header',
      text: 'body',
      messageId: `<fixed-${run}@wasmtp.test>`,
      inReplyTo: 'parent@wasmtp.test',
      references: ['<root@wasmtp.test>', 'parent@wasmtp.test'],
      priority: 'high',
      date: new Date('2026-01-02T03:04:05Z'),
      headers: { 'X-Campaign': 'spring ☀' },
    });
    assert.equal(info.messageId, `<fixed-${run}@wasmtp.test>`);
    assert.equal(parsed.messageId, `<fixed-${run}@wasmtp.test>`);
    assert.equal(parsed.subject, 'Grüße – 你好 – a long subject line that will certainly need folding over more than one line of the header');
    assert.deepEqual(parsed.from.value, [{ name: 'Jürgen Müller, Köln', address: 'alice@wasmtp.test' }]);
    assert.equal(parsed.to.value[0].name, 'Projekt Team');
    assert.deepEqual(parsed.to.value[0].group.map((m) => m.address), ['bob@example.org', 'carol@example.org']);
    assert.equal(parsed.replyTo.value[0].address, 'support@wasmtp.test');
    assert.equal(parsed.inReplyTo, '<parent@wasmtp.test>');
    assert.deepEqual(parsed.references, ['<root@wasmtp.test>', '<parent@wasmtp.test>']);
    // mailparser folds X-Priority, X-MSMail-Priority and Importance into one.
    assert.equal(parsed.headers.get('priority'), 'high');
    assert.match(raw, /^X-Priority: 1 \(Highest\)$/m);
    assert.match(raw, /^Importance: High$/m);
    assert.equal(parsed.date.toISOString(), '2026-01-02T03:04:05.000Z');
    // mailparser leaves unknown headers encoded: decode the RFC 2047 word here.
    const [, word] = parsed.headers.get('x-campaign').match(/^=\?UTF-8\?B\?(.*)\?=$/);
    assert.equal(Buffer.from(word, 'base64').toString('utf8'), 'spring ☀');
    assert.ok(raw.split('\n').every((l) => l.length <= 998));
    assert.deepEqual(info.envelope.to, ['bob@example.org', 'carol@example.org']);
  });

  it('an international domain is sent in its ASCII form', async () => {
    const info = await transport.sendMail({ from: 'alice@wasmtp.test', to: 'info@bücher.example', subject: 'idna', text: 'x' });
    assert.deepEqual(info.envelope.to, ['info@xn--bcher-kva.example']);
    const copies = await delivered(info.messageId);
    assert.ok(copies['info@xn--bcher-kva.example']);
  });

  it('a non-ASCII local part goes with SMTPUTF8 (Postfix offers it)', async () => {
    const info = await transport.sendMail({ from: 'alice@wasmtp.test', to: 'jörg@example.org', subject: 'utf8', text: 'x' });
    assert.deepEqual(info.accepted, ['jörg@example.org']);
    assert.ok(info.transcript.some((l) => /^C: MAIL FROM:<alice@wasmtp.test>.* SMTPUTF8/.test(l)));
  });

  it('a quoted local part with "@" goes to the real domain', async () => {
    const info = await transport.sendMail({ from: 'alice@wasmtp.test', to: '"evil@attacker.example"@example.org', subject: 'q', text: 'x' });
    assert.deepEqual(info.envelope.to, ['"evil@attacker.example"@example.org']);
    assert.ok(info.transcript.includes('C: RCPT TO:<"evil@attacker.example"@example.org>'));
  });

  it('CR or LF in any field is refused, never passed through', async () => {
    const bad = [
      { subject: 'a\r\nBcc: x@evil.example' },
      { headers: { 'X-A': 'a\nb' } },
      { from: { name: 'Eve\r\nBcc: x@evil.example', address: 'eve@wasmtp.test' } },
      { to: 'bob@example.org\r\nRCPT TO:<x@evil.example>' },
      { attachments: [{ filename: 'a\r\nContent-Type: text/html', content: 'x', contentType: 'text/plain\r\nX: y' }] },
      { inReplyTo: '<a@b>\r\nBcc: x@evil.example' },
      { messageId: '<a@b>\nX: y' },
    ];
    for (const fields of bad) {
      const err = await transport.sendMail({ from: 'alice@wasmtp.test', to: 'bob@example.org', text: 'x', ...fields }).catch((e) => e);
      assert.ok(err instanceof SmtpError, JSON.stringify(fields));
      assert.ok(['EMESSAGE', 'EENVELOPE'].includes(err.code), `${err.code} for ${JSON.stringify(fields)}`);
    }
  });
});

describe('SMTP extensions', () => {
  it('DSN parameters go on MAIL and RCPT', async () => {
    const info = await transport.sendMail({
      from: 'alice@wasmtp.test', to: 'bob@example.org', subject: 'dsn', text: 'x',
      dsn: { id: 'envelope-42', return: 'headers', notify: ['failure', 'delay'], recipient: 'bob@example.org' },
    });
    assert.ok(info.transcript.some((l) => /^C: MAIL FROM:<alice@wasmtp.test>.* RET=HDRS ENVID=envelope-42$/.test(l)), info.transcript.join('\n'));
    assert.ok(info.transcript.includes('C: RCPT TO:<bob@example.org> NOTIFY=FAILURE,DELAY ORCPT=rfc822;bob@example.org'));
  });

  it('a message over the server SIZE limit fails before DATA', async () => {
    const err = await transport.sendMail({
      from: 'alice@wasmtp.test', to: 'bob@example.org', subject: 'huge', text: 'x',
      attachments: [{ filename: 'huge.bin', content: Buffer.alloc(16 * 1024 * 1024) }],
    }).catch((e) => e);
    assert.equal(err.code, 'EMESSAGE');
    assert.equal(err.fromServer, false);
    assert.match(err.message, /at most 20480000/);
  });

  it('REQUIRETLS is refused when the server does not offer it', async () => {
    const err = await transport.sendMail({ from: 'alice@wasmtp.test', to: 'bob@example.org', text: 'x', requiretls: true }).catch((e) => e);
    assert.equal(err.code, 'EMESSAGE');
    assert.match(err.message, /REQUIRETLS/);
  });

  it('a raw message goes exactly as given', async () => {
    const id = `<raw-${randomBytes(8).toString('hex')}@wasmtp.test>`;
    const raw = `From: alice@wasmtp.test\r\nTo: bob@example.org\r\nSubject: raw one\r\nMessage-ID: ${id}\r\n\r\n.leading dot\r\nbody\r\n`;
    const info = await transport.sendMail({ raw, envelope: { from: 'alice@wasmtp.test', to: 'bob@example.org' } });
    assert.equal(info.messageId, id);
    const { text } = (await delivered(id))['bob@example.org'];
    // Postfix adds the missing Date header; everything else is as sent.
    assert.ok(text.includes(`\nFrom: alice@wasmtp.test\nTo: bob@example.org\nSubject: raw one\nMessage-ID: ${id}\n`), text);
    assert.ok(text.endsWith('\n\n.leading dot\nbody\n'), text);
  });

  it('a missing attachment file fails before anything is sent', async () => {
    const err = await transport.sendMail({ from: 'alice@wasmtp.test', to: 'bob@example.org', text: 'x', attachments: [{ path: '/no/such/file.pdf' }] }).catch((e) => e);
    assert.equal(err.code, 'EMESSAGE');
    assert.match(err.message, /attachments\[0\]\.path: .*ENOENT/);
  });

  it('a stream that fails mid-message abandons it; the next send still works', async () => {
    async function* failing() {
      yield Buffer.alloc(100_000, 1);
      throw new Error('disk went away');
    }
    const err = await transport.sendMail({
      from: 'alice@wasmtp.test', to: 'bob@example.org', subject: 'broken', text: 'x', attachments: [{ filename: 'f.bin', content: failing() }],
    }).catch((e) => e);
    assert.equal(err.code, 'EMESSAGE');
    assert.match(err.message, /disk went away/);
    const info = await transport.sendMail({ from: 'alice@wasmtp.test', to: 'bob@example.org', subject: 'after broken', text: 'fine' });
    assert.deepEqual(info.accepted, ['bob@example.org']);
  });
});
