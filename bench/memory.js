// Memory and time: wasmtp against nodemailer, in the same run, sending the
// same file as an attachment (by path, and as a stream) over STARTTLS to a
// local smtp-server that discards what it receives. Each send runs in a
// fresh process; the table shows medians of the runs and the growth over a
// process that only loads both libraries. wasmtp's peak must not grow with
// the attachment.
//
//   node bench/memory.js [runs=3] [sizes in MB=5,25]

import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, writeSync, closeSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SMTPServer } from 'smtp-server';

const runs = Number(process.argv[2] ?? 3);
const sizes = (process.argv[3] ?? '5,25').split(',').map(Number);
const root = process.env.WASMTP_TEST_DIR ?? '/tmp/wasmtp-test';
execFileSync('bash', [fileURLToPath(new URL('../scripts/servers/make-certs.sh', import.meta.url))]);
const caFile = join(root, 'ca', 'ca.pem');

const server = new SMTPServer({
  key: readFileSync(join(root, 'ca', 'server-key.pem')),
  cert: readFileSync(join(root, 'ca', 'server-chain.pem')),
  authOptional: true,
  logger: false,
  size: 100 * 1024 * 1024,
  onData(stream, session, callback) {
    stream.resume();
    stream.on('end', () => callback());
  },
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = server.server.address().port;

const dir = mkdtempSync(join(tmpdir(), 'wasmtp-bench-'));
function makeFile(mb) {
  const path = join(dir, `${mb}mb.bin`);
  const fd = openSync(path, 'w');
  for (let i = 0; i < mb; i++) writeSync(fd, randomBytes(1024 * 1024));
  closeSync(fd);
  return path;
}

const child = fileURLToPath(new URL('./send-once.js', import.meta.url));

/** `runs` sends of `file`, one after another, each in a fresh process. */
async function sequential(library, how, file) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    out.push(await new Promise((resolve, reject) => {
      execFile(process.execPath, [child, library, how, file, String(port), caFile], (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout))));
    }));
  }
  return out;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
const firstFile = makeFile(1);
const baseline = median((await sequential('baseline', 'path', firstFile)).map((r) => r.maxRssKb)) / 1024;
for (const mb of sizes) {
  const file = makeFile(mb);
  for (const how of ['path', 'stream']) {
    for (const library of ['wasmtp', 'nodemailer']) {
      const results = await sequential(library, how, file);
      const rss = median(results.map((r) => r.maxRssKb)) / 1024;
      rows.push({ library, how, mb, rss, growth: rss - baseline, seconds: median(results.map((r) => r.ms)) / 1000 });
    }
  }
}
server.close();


console.log(`\nStreamed attachment over STARTTLS to a local smtp-server; medians of ${runs} runs, each in a fresh process.`);
console.log(`Baseline (both libraries loaded, nothing sent): ${baseline.toFixed(1)} MB peak RSS.\n`);
console.log('| attachment | given as | library | peak RSS (MB) | over baseline (MB) | time (s) | wasmtp / nodemailer |');
console.log('|---|---|---|---|---|---|---|');
for (const mb of sizes) {
  for (const how of ['path', 'stream']) {
    const w = rows.find((r) => r.library === 'wasmtp' && r.mb === mb && r.how === how);
    const n = rows.find((r) => r.library === 'nodemailer' && r.mb === mb && r.how === how);
    for (const r of [w, n]) {
      const ratio = r === w ? `RSS ${(w.rss / n.rss).toFixed(2)}×, time ${(w.seconds / n.seconds).toFixed(2)}×` : '';
      console.log(`| ${mb} MB | ${how} | ${r.library} | ${r.rss.toFixed(1)} | ${r.growth.toFixed(1)} | ${r.seconds.toFixed(2)} | ${ratio} |`);
    }
  }
}
