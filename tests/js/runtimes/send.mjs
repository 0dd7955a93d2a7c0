// Run by another runtime (Deno, Bun): imports wasmtp the way that runtime
// would, sends through the local Postfix with STARTTLS and with implicit
// TLS (both authenticated) and prints one JSON line per message.
//   <runtime> send.mjs <module specifier> <ca file> <user> <password> <label>

const [specifier, caFile, user, pass, label] = (globalThis.Deno ? Deno.args : process.argv.slice(2));
const { createTransport, runtime } = await import(specifier);
const ca = globalThis.Deno ? await Deno.readTextFile(caFile) : await (await import('node:fs/promises')).readFile(caFile, 'utf8');

for (const [tls, port] of [['starttls', 10587], ['implicit', 10465]]) {
  const transport = createTransport({ host: 'localhost', port, tls, auth: { method: 'PLAIN', user, pass }, tlsOptions: { ca }, transcript: true });
  const info = await transport.sendMail({
    from: 'alice@wasmtp.test',
    to: 'bob@example.org',
    subject: `${label} ${tls}`,
    text: `sent from ${label} with ${tls}\n`,
    attachments: [{ filename: 'hello.txt', content: new TextEncoder().encode('hi from ' + label) }, { path: caFile }],
  });
  await transport.close();
  const tlsLine = info.transcript.find((l) => l.startsWith('* TLS established'));
  console.log(JSON.stringify({ runtime, tls, messageId: info.messageId, accepted: info.accepted, tlsLine }));
}
