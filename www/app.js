// The settings tester: the plug-in's six settings, Verify and Send through
// the same wasm core, the live transcript, and the error's diagnosis shown
// on the form (proven settings green, suspects amber).

import { createTransport } from '../js/browser.js';

const form = document.querySelector('#settings');
const result = document.querySelector('#result');
const status = document.querySelector('#status');
const hint = document.querySelector('#hint');
const transcript = document.querySelector('#transcript');
const buttons = [...document.querySelectorAll('button')];

form.relay.value ||= `ws://${location.host}/`;

function options() {
  const f = form.elements;
  const o = {
    host: f.host.value.trim(),
    port: Number(f.port.value),
    tls: f.tls.value,
    relay: f.relay.value.trim(),
    transcript: true,
    timeouts: { connect: Number(f.timeout.value) * 1000, greeting: Number(f.timeout.value) * 1000 },
  };
  if (f.method.value !== 'none') o.auth = { method: f.method.value, user: f.user.value, pass: f.pass.value };
  if (f.ca.value.trim()) o.tlsOptions = { ca: f.ca.value };
  return o;
}

function mark(proven = [], suspects = []) {
  for (const field of form.querySelectorAll('[data-setting]')) {
    const setting = field.dataset.setting;
    field.classList.toggle('proven', proven.includes(setting));
    field.classList.toggle('suspect', suspects.includes(setting));
  }
}

function show(ok, title, text, lines) {
  result.hidden = false;
  result.className = ok ? 'ok' : 'failed';
  status.textContent = title;
  hint.textContent = text;
  transcript.textContent = (lines ?? []).join('\n');
}

async function run(action) {
  buttons.forEach((b) => { b.disabled = true; });
  mark();
  show(true, 'Working…', '', []);
  try {
    const transport = createTransport(options());
    if (action === 'verify') {
      const info = await transport.verify();
      const tls = info.tls ? `${info.tls.version}, ${info.tls.cipher}, certificate ${info.tls.subject}` : 'no TLS';
      mark(['host', 'port', 'tls', ...(info.auth ? ['auth.method', 'auth.user', 'auth.pass'] : [])]);
      show(true, 'Settings verified', `Connected with ${tls}; authentication: ${info.auth ?? 'none'}.`, info.transcript);
    } else {
      const f = form.elements;
      const info = await transport.sendMail({ from: f.from.value, to: f.to.value, subject: 'wasmtp settings test', text: 'This test message was sent by the wasmtp settings tester.\n' });
      await transport.close();
      mark(['host', 'port', 'tls', 'auth.method', 'auth.user', 'auth.pass', 'from', 'to']);
      show(true, 'Message sent', `Accepted for ${info.accepted.join(', ')}: ${info.response} (Message-ID ${info.messageId})`, info.transcript);
      document.body.dataset.messageId = info.messageId;
    }
  } catch (err) {
    mark(err.proven, err.suspects);
    show(false, `${err.code ?? 'Error'}${err.stage ? ` at ${err.stage}` : ''}`, err.hint ?? String(err), err.transcript);
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
}

document.querySelector('#verify').addEventListener('click', () => run('verify'));
document.querySelector('#send').addEventListener('click', () => run('send'));
