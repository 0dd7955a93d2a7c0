// The connection pool: 500 messages through Postfix, each delivered exactly
// once; a server that drops connections mid-stream loses or doubles no
// message silently; limits on connections, messages per connection and rate.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';

import { createTransport } from '../../js/node.js';
import { ca, mailDir, pass, ports, user } from './helpers/postfix.js';
import { startSmtpServer } from './helpers/smtp-server.js';

/** Message-ID -> number of delivered copies, for the IDs wanted. */
function deliveredCounts(ids) {
  const counts = new Map(ids.map((id) => [id, 0]));
  for (const name of readdirSync(mailDir)) {
    if (!name.endsWith('.eml')) continue;
    const id = readFileSync(join(mailDir, name), 'utf8').match(/^Message-ID: (.*)$/m)?.[1];
    if (counts.has(id)) counts.set(id, counts.get(id) + 1);
  }
  return counts;
}

describe('pool', () => {
  it('500 messages through Postfix over 5 connections: each delivered exactly once', async () => {
    const transport = createTransport({
      host: 'localhost', port: ports.starttls, tls: 'starttls', auth: { user, pass }, tlsOptions: { ca },
      pool: true, maxConnections: 5, maxMessages: 200,
    });
    const run = randomBytes(4).toString('hex');
    const sends = Array.from({ length: 500 }, (_, i) => transport.sendMail({
      from: 'alice@wasmtp.test', to: 'bob@example.org', subject: `pool ${i}`, text: `message ${i}`,
      messageId: `<pool-${run}-${i}@wasmtp.test>`,
    }));
    const infos = await Promise.all(sends);
    await transport.close();
    assert.equal(infos.length, 500);
    const ids = infos.map((i) => i.messageId);
    let counts;
    for (let waited = 0; waited < 120_000; waited += 500) {
      counts = deliveredCounts(ids);
      if ([...counts.values()].every((n) => n >= 1)) break;
      await sleep(500);
    }
    const missing = [...counts].filter(([, n]) => n === 0).length;
    const doubled = [...counts].filter(([, n]) => n > 1).length;
    assert.equal(missing, 0, `${missing} messages never arrived`);
    assert.equal(doubled, 0, `${doubled} messages arrived twice`);
  });

  it('keeps to maxConnections and maxMessages per connection', async () => {
    const server = await startSmtpServer('plain', { authOptional: true });
    try {
      const transport = createTransport({ host: 'localhost', port: server.port, tls: 'none', pool: true, maxConnections: 2, maxMessages: 5 });
      await Promise.all(Array.from({ length: 30 }, (_, i) => transport.sendMail({ from: 'a@x.test', to: 'b@y.test', subject: `n${i}`, text: 'x' })));
      await transport.close();
      assert.equal(server.messages.length, 30);
      // 30 messages, at most 5 per connection: at least 6 connections, never more than 2 at once.
      assert.ok(server.connectionCount >= 6, `${server.connectionCount} connections`);
      assert.ok(server.maxConcurrent <= 2, `${server.maxConcurrent} at once`);
    } finally {
      await server.close();
    }
  });

  it('honours rateLimit across the pool', async () => {
    const server = await startSmtpServer('plain', { authOptional: true });
    try {
      const transport = createTransport({ host: 'localhost', port: server.port, tls: 'none', pool: true, maxConnections: 3, rateLimit: 4, rateDelta: 500 });
      const started = Date.now();
      await Promise.all(Array.from({ length: 12 }, (_, i) => transport.sendMail({ from: 'a@x.test', to: 'b@y.test', subject: `r${i}`, text: 'x' })));
      await transport.close();
      // 12 messages at 4 per 500 ms need at least two further windows.
      assert.ok(Date.now() - started >= 1000, `took ${Date.now() - started} ms`);
      assert.equal(server.messages.length, 12);
    } finally {
      await server.close();
    }
  });

  it('a server that drops connections mid-stream: nothing lost or doubled silently', async () => {
    let handle;
    let count = 0;
    const received = new Map();
    handle = await startSmtpServer('plain', {
      authOptional: true,
      onData(stream, session, callback) {
        const chunks = [];
        stream.on('data', (c) => chunks.push(c));
        stream.on('end', () => {
          const subject = Buffer.concat(chunks).toString().match(/^Subject: (.*)$/m)[1];
          count += 1;
          if (count % 5 === 0) {
            handle.drop(session); // dropped before accepting: not delivered
            return;
          }
          received.set(subject, (received.get(subject) ?? 0) + 1);
          if (count % 7 === 0) {
            handle.drop(session); // accepted, but the reply never goes out
            return;
          }
          callback();
        });
      },
    });
    try {
      const transport = createTransport({ host: 'localhost', port: handle.port, tls: 'none', pool: true, maxConnections: 3 });
      const results = await Promise.all(Array.from({ length: 60 }, (_, i) => transport
        .sendMail({ from: 'a@x.test', to: 'b@y.test', subject: `d${i}`, text: 'x' })
        .then((info) => ({ subject: `d${i}`, info }), (error) => ({ subject: `d${i}`, error }))));
      await transport.close();
      let resolved = 0;
      for (const { subject, info, error } of results) {
        const copies = received.get(subject) ?? 0;
        assert.ok(copies <= 1, `${subject} arrived ${copies} times`);
        if (info) {
          resolved += 1;
          assert.equal(copies, 1, `${subject} reported sent but the server did not keep it`);
        } else if (copies === 1) {
          assert.match(error.message, /may or may not have accepted/, `${subject} was delivered but reported plainly failed`);
        } else {
          assert.ok(error.code, `${subject}: ${error}`);
        }
      }
      assert.ok(resolved >= 40, `only ${resolved} of 60 went through`);
    } finally {
      await handle.close();
    }
  });
});
