// One measured send, in its own process so its peak RSS is its own:
//   node bench/send-once.js <wasmtp|nodemailer|baseline> <path|stream> <file> <port> <ca-file>
// Sends <file> as an attachment over STARTTLS, given by path or as a
// stream (fs.createReadStream), and prints JSON { maxRssKb, ms }.
// "baseline" loads both libraries and sends nothing.

import { createReadStream, readFileSync } from 'node:fs';

const [library, how, file, port, caFile] = process.argv.slice(2);
const ca = readFileSync(caFile, 'utf8');
const mail = {
  from: 'bench@wasmtp.test',
  to: 'sink@example.org',
  subject: 'benchmark',
  text: 'attached',
  attachments: [how === 'path' ? { filename: 'payload.bin', path: file } : { filename: 'payload.bin', content: createReadStream(file) }],
};

const started = performance.now();
if (library === 'wasmtp') {
  const { createTransport } = await import('../js/node.js');
  const t = createTransport({ host: 'localhost', port: Number(port), tls: 'starttls', tlsOptions: { ca } });
  await t.sendMail(mail);
  await t.close();
} else if (library === 'nodemailer') {
  const nodemailer = (await import('nodemailer')).default;
  const t = nodemailer.createTransport({ host: 'localhost', port: Number(port), secure: false, requireTLS: true, tls: { ca } });
  await t.sendMail(mail);
  t.close();
} else {
  await import('../js/node.js');
  await import('nodemailer');
  createReadStream(file).destroy();
}
const ms = performance.now() - started;
console.log(JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, ms }));
