// A Cloudflare Worker that sends on request (run by workerd through
// Miniflare): POST { port, tls, user, pass, ca, label } -> the send's result.

import { createTransport, runtime } from '../../../js/workers.js';

export default {
  async fetch(request) {
    const { port, tls, user, pass, ca, label } = await request.json();
    try {
      const transport = createTransport({ host: '127.0.0.1', port, tls, auth: { method: 'LOGIN', user, pass }, tlsOptions: { ca, servername: 'localhost' }, transcript: true });
      const info = await transport.sendMail({
        from: 'alice@wasmtp.test', to: 'bob@example.org', subject: `${label} ${tls}`, text: `sent from ${label} with ${tls}\n`,
        attachments: [{ filename: 'hello.txt', content: 'hi from a worker' }],
      });
      await transport.close();
      const tlsLine = info.transcript.find((l) => l.startsWith('* TLS established'));
      return Response.json({ runtime, tls, messageId: info.messageId, accepted: info.accepted, tlsLine });
    } catch (err) {
      return Response.json({ runtime, error: { code: err.code, message: err.message, hint: err.hint } }, { status: 500 });
    }
  },
};
