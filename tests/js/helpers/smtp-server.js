// An in-process smtp-server (the nodemailer project's server) on 127.0.0.1,
// as a second, independent implementation: PLAIN, LOGIN, CRAM-MD5 and
// XOAUTH2, in plain, STARTTLS and implicit TLS modes. Keeps what it received.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

import { root } from './postfix.js';

export const credentials = { user: 'carol', pass: 'carol-secret', accessToken: 'ya29.test-token' };

/**
 * Starts a server; mode is 'plain' (no STARTTLS), 'starttls' or 'implicit'.
 * Returns { port, messages, auths, close() }.
 */
export async function startSmtpServer(mode, extra = {}) {
  const messages = [];
  const auths = [];
  let connectionCount = 0;
  let open = 0;
  let maxConcurrent = 0;
  const tls = {
    key: readFileSync(join(root, 'ca', 'server-key.pem')),
    cert: readFileSync(join(root, 'ca', 'server-chain.pem')),
  };
  const server = new SMTPServer({
    ...(mode === 'plain' ? {} : tls),
    secure: mode === 'implicit',
    disabledCommands: mode === 'plain' ? ['STARTTLS'] : [],
    allowInsecureAuth: mode === 'plain',
    authMethods: ['PLAIN', 'LOGIN', 'CRAM-MD5', 'XOAUTH2'],
    hideENHANCEDSTATUSCODES: false,
    hideDSN: false,
    logger: false,
    onConnect(session, callback) {
      connectionCount += 1;
      open += 1;
      maxConcurrent = Math.max(maxConcurrent, open);
      callback();
    },
    onClose() {
      open -= 1;
    },
    onAuth(auth, session, callback) {
      auths.push({ method: auth.method, username: auth.username, secure: session.secure });
      const ok =
        auth.username === credentials.user &&
        (auth.method === 'XOAUTH2'
          ? auth.accessToken === credentials.accessToken
          : auth.method === 'CRAM-MD5'
            ? auth.validatePassword(credentials.pass)
            : auth.password === credentials.pass);
      if (ok) return callback(null, { user: auth.username });
      if (auth.method === 'XOAUTH2') return callback(null, { data: { status: '401', schemes: 'bearer' } });
      return callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          secure: session.secure,
        });
        callback();
      });
    },
    ...extra,
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: server.server.address().port,
    messages,
    auths,
    /** Cuts the TCP connection of a session, as a crashing or hostile server would. */
    drop(session) {
      for (const connection of server.connections) {
        if (connection.session === session || connection.id === session.id) connection._socket.destroy();
      }
    },
    /** How many connections the server has accepted, and the most open at once. */
    get connectionCount() {
      return connectionCount;
    },
    get maxConcurrent() {
      return maxConcurrent;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
