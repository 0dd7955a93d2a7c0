// Compiled with `tsc --noEmit` by scripts/test.sh: the published types
// accept the documented usage and reject what they should.

import { createTransport, probe, SmtpError, type SentMessageInfo, type VerifyResult } from '../../js/index.js';

async function main(): Promise<void> {
  const transport = createTransport({
    host: 'smtp.example.com',
    port: 587,
    tls: 'AfterConnect',
    auth: { method: 'CRAM-MD5', user: 'me', pass: 'secret' },
    tlsOptions: { ca: ['-----BEGIN CERTIFICATE-----'], servername: 'smtp.example.com' },
    timeouts: { greeting: 5000, idle: 1000 },
    transcript: true,
  });
  const verified: VerifyResult = await transport.verify();
  const mechanism: string | null = verified.auth;
  const info: SentMessageInfo = await transport.sendMail({
    from: { name: 'Me', address: 'me@example.com' },
    to: ['you@example.org', 'Other <other@example.org>'],
    bcc: 'hidden@example.org',
    subject: 'Hi',
    text: 'Hello',
    headers: { 'X-Tag': 'a' },
    html: '<p>Hello <img src="cid:logo"></p>',
    attachments: [
      { filename: 'a.txt', content: 'text' },
      { filename: 'logo.png', content: new Uint8Array([1, 2]), cid: 'logo' },
      { path: '/tmp/report.pdf' },
    ],
    priority: 'high',
    date: new Date(),
    dsn: { notify: ['failure', 'delay'], return: 'headers' },
    onProgress: ({ sent, total }) => void (total === null ? sent : sent / total),
  });
  const accepted: string[] = info.accepted;
  transport.sendMail({ from: 'me@example.com', to: 'you@example.org' }, (err, sent) => {
    if (err) {
      const suspects: string[] = err.suspects;
      void suspects;
    } else {
      void sent?.messageId;
    }
  });
  await transport.close();
  try {
    await transport.verify();
  } catch (e) {
    if (e instanceof SmtpError && e.code === 'EAUTH' && e.fromServer) {
      const hint: string = e.hint;
      void hint;
    }
  }
  // @ts-expect-error: the TLS type is one of the named values
  createTransport({ host: 'h', tls: 'ssl' });
  // @ts-expect-error: host is required
  createTransport({ port: 25 });
  // @ts-expect-error: priority is high, normal or low
  void transport.sendMail({ from: 'a@b.c', priority: 'urgent' });
  const probed = await probe('smtp.example.com', { user: 'me', pass: 'secret', ports: [2526] });
  if (probed.recommended) createTransport({ ...probed.recommended, pool: true, maxConnections: 2, rateLimit: 10 });
  const verified2: boolean | undefined = probed.endpoints[0]?.tlsInfo?.verified;
  void verified2;
  void mechanism;
  void accepted;
}

void main;
