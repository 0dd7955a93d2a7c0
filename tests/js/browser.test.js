// The settings tester page (www/) in headless Chromium, through the relay:
// fill the form, Verify, Send, read the transcript on the page and the
// delivered file; a wrong password and a wrong TLS type show their hints
// and mark the suspect fields. The relay refuses targets off its
// allow-list and, for implicit TLS, only ever sees ciphertext.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { WebSocket } from 'ws';

import { startRelay } from '../../js/relay.js';
import { ca, delivered, pass, ports, user } from './helpers/postfix.js';

const artifacts = fileURLToPath(new URL('../../artifacts/', import.meta.url));
let relay;
let browser;
const trace = [];

before(async () => {
  relay = await startRelay({
    port: 0, www: true, trace: (line) => trace.push(line),
    allow: [`localhost:${ports.plain}`, `localhost:${ports.starttls}`, `localhost:${ports.implicit}`],
  });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
});
after(async () => {
  await browser?.close();
  await relay?.close();
});

/** A fresh page with the form filled in; `fields` overrides the defaults. */
async function open(fields = {}) {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${relay.port}/www/`);
  const values = { host: 'localhost', port: String(ports.starttls), user, pass, from: 'alice@wasmtp.test', to: 'bob@example.org', ...fields };
  for (const [name, value] of Object.entries(values)) await page.fill(`[name=${name}]`, value);
  await page.locator('details summary').click();
  await page.fill('textarea[name=ca]', ca);
  await page.fill('input[name=timeout]', '3');
  return page;
}

async function press(page, button) {
  await page.click(button);
  await page.waitForFunction(() => !document.querySelector('#verify').disabled && document.querySelector('#status').textContent !== 'Working…', null, { timeout: 30000 });
  return { status: await page.textContent('#status'), hint: await page.textContent('#hint'), transcript: await page.textContent('#transcript') };
}

const classOf = (page, name) => page.getAttribute(`[name=${name}]`, 'class');

describe('settings tester page in Chromium', () => {
  it('Verify, then Send: the transcript on the page and the delivered message', async () => {
    const page = await open();
    const verified = await press(page, '#verify');
    assert.equal(verified.status, 'Settings verified');
    assert.match(verified.hint, /TLSv1\.3.*authentication: CRAM-MD5/);
    assert.match(verified.transcript, /^\* TLS established: TLSv1\.3/m);
    assert.match(verified.transcript, /^C: AUTH CRAM-MD5$/m);
    assert.ok(!verified.transcript.includes(pass));
    assert.equal(await classOf(page, 'pass'), 'proven');

    const sent = await press(page, '#send');
    assert.equal(sent.status, 'Message sent');
    const messageId = await page.getAttribute('body', 'data-message-id');
    const { text } = (await delivered(messageId))['bob@example.org'];
    assert.match(text, /^Subject: wasmtp settings test$/m);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}settings-tester.png`, fullPage: true });
    await page.close();
  });

  it('a wrong password shows the authentication hint and marks user name and password', async () => {
    const page = await open({ pass: 'wrong' });
    const { status, hint } = await press(page, '#verify');
    assert.equal(status, 'EAUTH at auth');
    assert.match(hint, /refused the username or password/);
    assert.match(hint, /Proven right: host, port, TLS type\./);
    assert.equal(await classOf(page, 'user'), 'suspect');
    assert.equal(await classOf(page, 'pass'), 'suspect');
    assert.equal(await classOf(page, 'host'), 'proven');
    await page.screenshot({ path: `${artifacts}settings-tester-wrong-password.png`, fullPage: true });
    await page.close();
  });

  it('a wrong TLS type shows the port/TLS hint and marks port and TLS type', async () => {
    const page = await open({ port: String(ports.implicit) });
    await page.selectOption('[name=tls]', 'None');
    const { status, hint } = await press(page, '#verify');
    assert.match(status, /^ETIMEDOUT at greeting$/);
    assert.match(hint, /TLS from the first byte/);
    assert.equal(await classOf(page, 'port'), 'suspect');
    assert.equal(await classOf(page, 'tls'), 'suspect');
    assert.equal(await classOf(page, 'host'), 'proven');
    await page.close();
  });
});

describe('relay', () => {
  it('refuses a target that is not on its allow-list', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${relay.port}/?host=example.org&port=25`);
    const message = await new Promise((resolve) => ws.on('message', (data) => resolve(String(data))));
    const code = await new Promise((resolve) => ws.on('close', resolve));
    assert.match(message, /^refused: example\.org:25 is not on this relay's allow-list/);
    assert.equal(code, 1008);
  });

  it('sees only ciphertext of an implicit-TLS session, and plaintext without TLS', async () => {
    trace.length = 0;
    const page = await open({ port: String(ports.implicit) });
    await page.selectOption('[name=tls]', 'BeforeConnect');
    const { status } = await press(page, '#send');
    assert.equal(status, 'Message sent');
    const seen = trace.join('\n');
    assert.ok(seen.length > 1000, 'the trace saw the session');
    for (const secret of ['EHLO', 'AUTH', 'MAIL FROM', 'alice', 'wasmtp settings test', 'ESMTP']) {
      assert.ok(!seen.includes(secret), `the relay saw "${secret}" in the clear`);
    }
    // The same trace on a session without TLS shows the conversation: the check can fail.
    trace.length = 0;
    const plain = await open({ port: String(ports.plain) });
    await plain.selectOption('[name=tls]', 'None');
    await plain.selectOption('[name=method]', 'none');
    assert.equal((await press(plain, '#verify')).status, 'Settings verified');
    assert.match(trace.join('\n'), /EHLO/);
    await page.close();
    await plain.close();
  });
});
