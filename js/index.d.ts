// Types for the wasmtp npm package: createTransport, Transport, SmtpError,
// and the shapes of options, messages and results (DESIGN.md names them).

/** The plug-in's TLS types: implicit = BeforeConnect, starttls = AfterConnect. */
export type TlsType = 'none' | 'starttls' | 'implicit' | 'auto' | 'None' | 'AfterConnect' | 'BeforeConnect';

export type AuthMethod = 'PLAIN' | 'LOGIN' | 'CRAM-MD5' | 'XOAUTH2' | 'auto';

export interface AuthOptions {
  /** Default 'auto': CRAM-MD5 > LOGIN > PLAIN as offered; XOAUTH2 when accessToken is given. */
  method?: AuthMethod;
  user: string;
  pass?: string;
  /** OAuth 2 access token for XOAUTH2. */
  accessToken?: string;
}

export interface TlsOptions {
  /** Extra trusted CA certificates (PEM); the webpki roots are always trusted. */
  ca?: string | string[];
  /** The name sent in SNI and checked against the certificate (default: host). */
  servername?: string;
  /** false accepts any certificate. Only when set explicitly; default true. */
  rejectUnauthorized?: boolean;
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
}

/** Milliseconds. */
export interface Timeouts {
  /** TCP connect (default 15000). */
  connect?: number;
  /** The 220 greeting, and the TLS handshake for implicit TLS (default 15000). */
  greeting?: number;
  /** Each command's reply (default 60000). */
  command?: number;
  /** Writing the message and the reply to its final "." (default 120000). */
  data?: number;
  /** An unused open connection is closed with QUIT after this (default 5000). */
  idle?: number;
}

export interface TransportOptions {
  host: string;
  /** Default: 465 for implicit TLS, 587 for STARTTLS, else 25. */
  port?: number | string;
  /** Default 'auto': STARTTLS when offered (implicit on port 465). */
  tls?: TlsType;
  /** nodemailer's spelling: true = implicit TLS. */
  secure?: boolean;
  /** nodemailer's spelling: STARTTLS required. */
  requireTLS?: boolean;
  /** nodemailer's spelling: never STARTTLS. */
  ignoreTLS?: boolean;
  auth?: AuthOptions;
  /** The EHLO name (default: this machine's name when qualified, else [127.0.0.1]). */
  name?: string;
  tlsOptions?: TlsOptions;
  timeouts?: Timeouts;
  /** Record the session: results and errors get a transcript. */
  transcript?: boolean;
  /** Allow credentials over an unencrypted connection (default false). */
  allowInsecureAuth?: boolean;
  /** Signs every message that has no dkim option of its own. */
  dkim?: DkimOptions;
  /** Send through a pool of connections (nodemailer's meaning). */
  pool?: boolean;
  /** With pool: connections open at once (default 5). */
  maxConnections?: number;
  /** With pool: messages per connection before it is replaced (default 100). */
  maxMessages?: number;
  /** With pool: at most this many messages start per rateDelta ms (default: no limit). */
  rateLimit?: number;
  /** With pool: the rate window in ms (default 1000). */
  rateDelta?: number;
}

export interface DkimOptions {
  domainName: string;
  keySelector: string;
  /** PEM: PKCS#8 (RSA or Ed25519) or PKCS#1 RSA. */
  privateKey: string;
  /** Colon-separated header names to sign (nodemailer's default list when absent). */
  headerFieldNames?: string;
  /** Colon-separated header names never to sign. */
  skipFields?: string;
}

/** Anything read chunk by chunk: a Node Readable, a web ReadableStream, an async iterable. */
export type ContentStream = AsyncIterable<Uint8Array | string> | ReadableStream<Uint8Array>;

export interface Attachment {
  filename?: string;
  /** Text, bytes, or a stream read while the message is written. */
  content?: string | Uint8Array | ArrayBuffer | ContentStream;
  /** A file to read (Node, Deno, Bun); the filename defaults to its name. */
  path?: string;
  /** Guessed from the filename when absent. */
  contentType?: string;
  /** How a string content is encoded. */
  encoding?: 'base64' | 'hex' | 'utf-8' | 'utf8';
  /** Content-ID, referenced from html as `cid:...`: makes it an inline image. */
  cid?: string;
  contentDisposition?: 'inline' | 'attachment';
}

export interface DsnOptions {
  /** ENVID. */
  id?: string;
  /** RET: what a bounce returns. */
  return?: 'headers' | 'full';
  /** NOTIFY: when to report ('never', or any of the others). */
  notify?: 'never' | 'success' | 'failure' | 'delay' | Array<'success' | 'failure' | 'delay'>;
  /** ORCPT: the original recipient. */
  recipient?: string;
}

export type Address = string | { name?: string; address: string };
export type AddressList = Address | Address[];

export interface MailOptions {
  from?: Address;
  to?: AddressList;
  cc?: AddressList;
  /** Receives the message; never appears in its headers. */
  bcc?: AddressList;
  replyTo?: AddressList;
  subject?: string;
  text?: string;
  html?: string;
  attachments?: Attachment[];
  /** Extra headers: an object (a value may be an array) or a list of { key, value }. */
  headers?: Record<string, string | string[]> | Array<{ key: string; value: string }>;
  /** `<id@domain>`; generated when absent. */
  messageId?: string;
  /** Overrides MAIL FROM / RCPT TO. */
  envelope?: { from?: string; to?: AddressList };
  /** The Date header (default: now). */
  date?: Date | string | number;
  inReplyTo?: string;
  references?: string | string[];
  priority?: 'high' | 'normal' | 'low';
  dsn?: DsnOptions;
  /** RFC 8689 REQUIRETLS: every hop must use TLS (needs TLS and the server extension). */
  requiretls?: boolean;
  /** A complete RFC 5322 message sent as it is (with envelope, or from/to). */
  raw?: string | Uint8Array;
  dkim?: DkimOptions;
  /** Called as the message is written: bytes sent, of total when known (null with streams). */
  onProgress?: (progress: { sent: number; total: number | null }) => void;
}

export type ErrorCode = 'ECONNECTION' | 'ETIMEDOUT' | 'ETLS' | 'EAUTH' | 'EENVELOPE' | 'EMESSAGE' | 'EPROTOCOL' | 'ECONFIG';
export type Stage = 'connect' | 'greeting' | 'ehlo' | 'starttls' | 'tls' | 'auth' | 'mail' | 'rcpt' | 'data' | 'quit';
export type SettingName =
  | 'host' | 'port' | 'tls' | 'auth.method' | 'auth.user' | 'auth.pass'
  | 'tlsOptions.ca' | 'tlsOptions.servername' | 'from' | 'to';

export class SmtpError extends Error {
  name: 'SmtpError';
  code: ErrorCode;
  stage: Stage | null;
  /** True only when an SMTP reply carried the error. */
  fromServer: boolean;
  responseCode: number | null;
  /** e.g. '5.7.8'. */
  enhancedCode: string | null;
  response: string | null;
  /** Settings how far the session got proves right. */
  proven: SettingName[];
  /** Settings that may be wrong. */
  suspects: SettingName[];
  /** The diagnosis in plain words. */
  hint: string;
  /** The refused recipient, for RCPT errors. */
  recipient?: string;
  transcript?: string[];
}

export interface Capabilities {
  serverName: string;
  keywords: string[];
  size: number | null;
  auth: string[];
  pipelining: boolean;
  starttls: boolean;
  eightBitMime: boolean;
  smtputf8: boolean;
  dsn: boolean;
  chunking: boolean;
  enhancedStatusCodes: boolean;
  requiretls: boolean;
}

export interface TlsInfo {
  version: string;
  cipher: string;
  subject: string | null;
  issuer: string | null;
  validFrom: string | null;
  validTo: string | null;
}

export interface VerifyResult {
  capabilities: Capabilities;
  tls: TlsInfo | null;
  /** The SASL mechanism used, or null. */
  auth: string | null;
  transcript?: string[];
}

export interface SentMessageInfo {
  messageId: string;
  envelope: { from: string; to: string[] };
  accepted: string[];
  rejected: string[];
  rejectedErrors: SmtpError[];
  /** The server's reply to the end of the message. */
  response: string;
  transcript?: string[];
}

export interface Transport {
  /** Connects, sets up TLS, authenticates and QUITs: tests the settings. */
  verify(): Promise<VerifyResult>;
  /** Sends one message, reusing the open connection when there is one. */
  sendMail(mail: MailOptions): Promise<SentMessageInfo>;
  sendMail(mail: MailOptions, callback: (err: SmtpError | null, info?: SentMessageInfo) => void): void;
  /** QUITs the open connection after any queued message. */
  close(): Promise<void>;
}

/** Checks the options at once (throws SmtpError ECONFIG) and returns a transport. */
export function createTransport(options: TransportOptions): Transport;

export interface ProbeOptions {
  user?: string;
  pass?: string;
  accessToken?: string;
  /** Ports to try besides 465, 587, 25 and 2525. */
  ports?: number[];
  timeouts?: Timeouts;
  tlsOptions?: TlsOptions;
  /** Try the password on an unencrypted endpoint too (default false). */
  allowInsecureAuth?: boolean;
  name?: string;
}

export interface ProbeEndpoint {
  port: number;
  tls: 'implicit' | 'starttls' | 'none' | 'auto';
  ok: boolean;
  error: SmtpError | null;
  greeting: string | null;
  capabilities: Capabilities | null;
  tlsInfo: (TlsInfo & { verified: boolean }) | null;
  authMechanisms: string[];
  authResult: { ok: boolean; method: string | null; tried: Array<{ method: string; error: SmtpError | null }>; reason?: string | null } | null;
}

export interface ProbeResult {
  /** Ready-to-use createTransport options (no password), or null. */
  recommended: (Pick<TransportOptions, 'host' | 'port' | 'tls' | 'tlsOptions'> & { auth?: { method: AuthMethod; user: string } }) | null;
  endpoints: ProbeEndpoint[];
  /** What the results prove, in plain words. */
  explanation: string[];
}

/** Tries the usual ports and TLS types (and, with credentials, the mechanisms) and says which settings work. */
export function probe(host: string, options?: ProbeOptions): Promise<ProbeResult>;
