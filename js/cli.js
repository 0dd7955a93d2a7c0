#!/usr/bin/env node
// The wasmtp command line: send, verify and probe, with flags named after
// the JS options. The password comes from an environment variable
// (--pass-env) or a prompt, never from a flag. Exit codes tell bad
// settings, server refusals and network failures apart (see --help).

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';

import { createTransport, probe, SmtpError } from './node.js';

const EXIT = { ok: 0, internal: 1, usage: 2, settings: 3, refused: 4, network: 5 };

const HELP = `wasmtp: send mail and test SMTP settings (Rust core in WebAssembly)

Usage:
  wasmtp verify --host HOST [--port N] [--tls TYPE] [--user USER --pass-env VAR]
  wasmtp send   --host HOST ... --from ADDR --to ADDR [--subject S] [--text T] [--html-file F] [--attach FILE]...
  wasmtp probe  HOST [--port N]... [--user USER --pass-env VAR]

Connection flags (the JS options of the same names):
  --host HOST            mail server
  --port N               port (default: 465 implicit, 587 starttls, else 25)
  --tls TYPE             implicit | starttls | none | auto (also BeforeConnect, AfterConnect, None)
  --auth METHOD          PLAIN | LOGIN | CRAM-MD5 | XOAUTH2 | auto (default auto)
  --user USER            user name; the password is read from --pass-env or asked for
  --pass-env VAR         environment variable holding the password (or XOAUTH2 token)
  --ca FILE              extra trusted CA certificate(s), PEM
  --servername NAME      name for SNI and the certificate check
  --allow-insecure-auth  allow credentials without TLS
  --timeout MS           time-out for each step (connect, greeting, command)

Message flags (send):
  --from ADDR  --to ADDR  --cc ADDR  --bcc ADDR   (--to, --cc, --bcc may repeat)
  --subject TEXT  --text TEXT  --text-file FILE  --html-file FILE  --attach FILE (repeatable)

Output:
  --transcript           print the SMTP conversation (credentials redacted)
  --json                 print the result or error as JSON
  --help                 this text

Exit codes:
  0 success
  2 invalid flags or options, or a message that cannot be sent as given
  3 a setting is wrong (TLS type, port, certificate, authentication)
  4 the server refused the message, sender or recipients
  5 network failure (host not found, connection refused, time-out)
  1 anything else (a bug: please report it)

Examples:
  WASMTP_PASS=secret wasmtp verify --host smtp.example.com --port 587 --tls starttls --user me@example.com --pass-env WASMTP_PASS
  wasmtp send --host smtp.example.com --user me@example.com --from me@example.com --to you@example.org \\
      --subject "Report" --text "Attached." --attach report.pdf --transcript
  wasmtp probe smtp.example.com --user me@example.com --json
`;

const FLAGS = {
  host: { type: 'string' },
  port: { type: 'string', multiple: true },
  tls: { type: 'string' },
  auth: { type: 'string' },
  user: { type: 'string' },
  'pass-env': { type: 'string' },
  ca: { type: 'string', multiple: true },
  servername: { type: 'string' },
  'allow-insecure-auth': { type: 'boolean' },
  timeout: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string', multiple: true },
  cc: { type: 'string', multiple: true },
  bcc: { type: 'string', multiple: true },
  subject: { type: 'string' },
  text: { type: 'string' },
  'text-file': { type: 'string' },
  'html-file': { type: 'string' },
  attach: { type: 'string', multiple: true },
  transcript: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

class UsageError extends Error {}

/** The exit code for an error, by what it proves. */
export function exitCodeFor(err) {
  if (err instanceof UsageError) return EXIT.usage;
  if (!(err instanceof SmtpError)) return EXIT.internal;
  if (err.code === 'ECONFIG') return EXIT.usage;
  if (err.fromServer && ['EENVELOPE', 'EMESSAGE'].includes(err.code)) return EXIT.refused;
  if (['EENVELOPE', 'EMESSAGE'].includes(err.code)) return EXIT.usage;
  if (['EAUTH', 'ETLS', 'EPROTOCOL'].includes(err.code)) return EXIT.settings;
  if (err.code === 'ETIMEDOUT' && ['greeting', 'tls'].includes(err.stage)) return EXIT.settings;
  if (err.fromServer) return EXIT.refused;
  return EXIT.network;
}

/** Reads a password without echoing it (a terminal is required). */
async function prompt(question) {
  const { stdin, stderr } = process;
  if (!stdin.isTTY) throw new UsageError('a password is needed: set it in an environment variable and pass --pass-env VAR');
  stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  let answer = '';
  try {
    for await (const chunk of stdin) {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return answer;
        if (ch === '\u0003') throw new UsageError('cancelled');
        if (ch === '\u007f') answer = answer.slice(0, -1);
        else answer += ch;
      }
    }
    return answer;
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    stderr.write('\n');
  }
}

async function secret(values) {
  if (values['pass-env']) {
    const value = process.env[values['pass-env']];
    if (value === undefined) throw new UsageError(`the environment variable ${values['pass-env']} is not set`);
    return value;
  }
  return prompt(`Password for ${values.user}: `);
}

function readText(file, flag) {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--${flag} ${file}: ${err.message}`);
  }
}

async function transportOptions(values) {
  if (!values.host) throw new UsageError('--host is required');
  if ((values.port ?? []).length > 1) throw new UsageError('--port may be given once here');
  const options = { host: values.host, transcript: Boolean(values.transcript) };
  if (values.port) options.port = values.port[0];
  if (values.tls) options.tls = values.tls;
  if (values.ca) options.tlsOptions = { ca: values.ca.map((f) => readText(f, 'ca')) };
  if (values.servername) options.tlsOptions = { ...options.tlsOptions, servername: values.servername };
  if (values['allow-insecure-auth']) options.allowInsecureAuth = true;
  if (values.timeout) {
    const ms = Number(values.timeout);
    options.timeouts = { connect: ms, greeting: ms, command: ms };
  }
  if (values.user) {
    const method = values.auth ?? 'auto';
    const value = await secret(values);
    options.auth = method.toUpperCase() === 'XOAUTH2' ? { method, user: values.user, accessToken: value } : { method, user: values.user, pass: value };
  } else if (values.auth) {
    throw new UsageError('--auth needs --user');
  }
  return options;
}

function message(values) {
  if (!values.from) throw new UsageError('--from is required');
  if (!values.to && !values.cc && !values.bcc) throw new UsageError('--to (or --cc, --bcc) is required');
  const mail = { from: values.from, to: values.to, cc: values.cc, bcc: values.bcc, subject: values.subject };
  if (values.text !== undefined && values['text-file']) throw new UsageError('give --text or --text-file, not both');
  mail.text = values['text-file'] ? readText(values['text-file'], 'text-file') : values.text;
  if (values['html-file']) mail.html = readText(values['html-file'], 'html-file');
  if (values.attach) mail.attachments = values.attach.map((path) => ({ path, filename: basename(path) }));
  return mail;
}

/** A progress bar on stderr, only on a terminal and only for large messages. */
function progressBar() {
  if (!process.stderr.isTTY) return { update: undefined, end() {} };
  let shown = false;
  const update = ({ sent, total }) => {
    if (!shown && sent < 1024 * 1024) return;
    shown = true;
    const mb = (sent / 1048576).toFixed(1);
    if (total) {
      const width = 30;
      const filled = Math.round((sent / total) * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${mb} of ${(total / 1048576).toFixed(1)} MB`);
    } else {
      process.stderr.write(`\r${mb} MB sent`);
    }
  };
  return {
    update,
    end() {
      if (shown) process.stderr.write('\n');
    },
  };
}

function printTranscript(lines) {
  if (lines) console.log(lines.join('\n'));
}

function errorJson(err) {
  const { code, stage, fromServer, responseCode, enhancedCode, response, proven, suspects, hint, transcript, message } = err;
  return { ok: false, error: { code, stage, message, fromServer, responseCode, enhancedCode, response, proven, suspects, hint, transcript } };
}

function table(endpoints) {
  const rows = endpoints.map((e) => [
    String(e.port),
    e.tls,
    e.ok ? 'works' : e.error ? `${e.error.code}${e.error.stage ? ` (${e.error.stage})` : ''}` : 'failed',
    e.tlsInfo ? `${e.tlsInfo.version} ${e.tlsInfo.verified ? 'verified' : 'NOT VERIFIED'}` : '-',
    e.authMechanisms.join(' ') || '-',
    e.authResult ? (e.authResult.ok ? `${e.authResult.method} ok` : 'failed') : '-',
  ]);
  const head = ['port', 'tls', 'result', 'certificate', 'auth offered', 'login'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

async function run(argv) {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(HELP);
    return EXIT.ok;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: FLAGS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err.message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  if (command === 'probe') {
    const host = positionals[0] ?? values.host;
    if (!host) throw new UsageError('probe needs a host: wasmtp probe HOST');
    const options = { ports: (values.port ?? []).map(Number), allowInsecureAuth: Boolean(values['allow-insecure-auth']) };
    if (values.ca) options.tlsOptions = { ca: values.ca.map((f) => readText(f, 'ca')) };
    if (values.timeout) options.timeouts = { connect: Number(values.timeout), greeting: Number(values.timeout) };
    if (values.user) {
      options.user = values.user;
      const value = await secret(values);
      if ((values.auth ?? '').toUpperCase() === 'XOAUTH2') options.accessToken = value;
      else options.pass = value;
    }
    const result = await probe(host, options);
    if (values.json) {
      console.log(JSON.stringify({ ...result, endpoints: result.endpoints.map((e) => ({ ...e, error: e.error && errorJson(e.error).error })) }, null, 2));
    } else {
      console.log(table(result.endpoints));
      console.log(`\n${result.explanation.join('\n')}`);
      if (result.recommended) console.log(`\nWorking settings:\n${JSON.stringify(result.recommended, null, 2)}`);
    }
    if (result.recommended) return EXIT.ok;
    return result.endpoints.some((e) => e.ok || e.error?.fromServer || e.error?.code === 'ETLS') ? EXIT.settings : EXIT.network;
  }
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  if (command === 'verify') {
    const transport = createTransport(await transportOptions(values));
    const info = await transport.verify();
    if (values.json) {
      console.log(JSON.stringify({ ok: true, ...info }, null, 2));
    } else {
      printTranscript(info.transcript);
      const tls = info.tls ? `${info.tls.version} ${info.tls.cipher}, certificate ${info.tls.subject}` : 'no TLS';
      console.log(`OK: the settings work (${tls}; authentication ${info.auth ?? 'none'}).`);
    }
    return EXIT.ok;
  }
  if (command === 'send') {
    const transport = createTransport(await transportOptions(values));
    try {
      const bar = progressBar();
      const info = await transport.sendMail({ ...message(values), onProgress: bar.update }).finally(() => bar.end());
      if (values.json) {
        console.log(JSON.stringify({ ok: true, ...info, rejectedErrors: info.rejectedErrors.map((e) => errorJson(e).error) }, null, 2));
      } else {
        printTranscript(info.transcript);
        console.log(`Sent ${info.messageId} to ${info.accepted.join(', ')}: ${info.response}`);
        for (const e of info.rejectedErrors) console.log(`Refused ${e.recipient}: ${e.response ?? e.message}`);
      }
      return EXIT.ok;
    } finally {
      await transport.close();
    }
  }
  throw new UsageError(`unknown command ${command}: use send, verify or probe (--help)`);
}

async function main() {
  const json = process.argv.includes('--json');
  try {
    process.exitCode = await run(process.argv.slice(2));
  } catch (err) {
    const code = exitCodeFor(err);
    if (json && err instanceof SmtpError) {
      console.log(JSON.stringify(errorJson(err), null, 2));
    } else if (err instanceof SmtpError) {
      printTranscript(err.transcript);
      console.error(`Error ${err.code}${err.stage ? ` at ${err.stage}` : ''}: ${err.message}\n${err.hint}`);
    } else if (err instanceof UsageError) {
      console.error(`wasmtp: ${err.message} (see wasmtp --help)`);
    } else {
      console.error(err?.stack ?? String(err));
    }
    process.exitCode = code;
  }
}

await main();
