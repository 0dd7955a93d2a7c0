// Facts about the Postfix instance scripts/servers/postfix.sh starts, and
// reading back what it delivered.

import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';

export const root = process.env.WASMTP_TEST_DIR ?? '/tmp/wasmtp-test';
export const mailDir = join(root, 'postfix', 'mail');
export const ca = readFileSync(join(root, 'ca', 'ca.pem'), 'utf8');
export const ports = { plain: 10025, starttls: 10587, implicit: 10465 };
export const user = 'alice';
export const pass = 'alice-secret';

/**
 * Waits until Postfix delivered `count` copies of the message with this
 * Message-ID; returns { recipient: { path, text } } (LF line ends, as the
 * pipe writes them).
 */
export async function delivered(messageId, count = 1, waitMs = 15000) {
  const until = Date.now() + waitMs;
  for (;;) {
    const found = {};
    for (const name of readdirSync(mailDir)) {
      if (!name.endsWith('.eml')) continue;
      const path = join(mailDir, name);
      const text = readFileSync(path, 'utf8');
      if (text.includes(`Message-ID: ${messageId}`)) {
        found[name.replace(/^[^-]+-/, '').replace(/\.eml$/, '')] = { path, text };
      }
    }
    if (Object.keys(found).length >= count) return found;
    if (Date.now() > until) throw new Error(`Postfix delivered ${Object.keys(found).length} of ${count} copies of ${messageId}`);
    await sleep(100);
  }
}

/** The message as sent: drops the Received header Postfix prepends. */
export function withoutReceived(text) {
  return text.replace(/^Received:.*\n(?:[ \t].*\n)*/, '');
}
