// Sends one message through the local test Postfix (started by
// scripts/demo.sh) with STARTTLS and CRAM-MD5, prints the transcript, and
// prints where Postfix delivered it.

import { createTransport } from '../js/node.js';
import { ca, delivered, pass, ports, user } from '../tests/js/helpers/postfix.js';

const transport = createTransport({
  host: 'localhost',
  port: ports.starttls,
  tls: 'starttls',
  auth: { method: 'CRAM-MD5', user, pass },
  tlsOptions: { ca },
  transcript: true,
});

const info = await transport.sendMail({
  from: 'Alice <alice@wasmtp.test>',
  to: 'bob@example.org',
  subject: 'Hello from wasmtp',
  text: 'This message went through the Rust core compiled to WebAssembly.\n.\nA line holding only a dot arrives intact.\n',
});
await transport.close();

console.log(info.transcript.join('\n'));
console.log(`\nAccepted by the server: ${info.accepted.join(', ')} (${info.response})`);
for (const [recipient, copy] of Object.entries(await delivered(info.messageId))) {
  console.log(`Delivered to ${recipient}: ${copy.path}`);
}
