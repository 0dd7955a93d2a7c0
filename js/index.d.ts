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
}

export type Address = string | { name?: string; address: string };
export type AddressList = Address | Address[];

export interface MailOptions {
  from: Address;
  to?: AddressList;
  cc?: AddressList;
  /** Receives the message; never appears in its headers. */
  bcc?: AddressList;
  replyTo?: AddressList;
  subject?: string;
  text?: string;
  /** Extra headers: an object (a value may be an array) or a list of { key, value }. */
  headers?: Record<string, string | string[]> | Array<{ key: string; value: string }>;
  /** `<id@domain>`; generated when absent. */
  messageId?: string;
  /** Overrides MAIL FROM / RCPT TO. */
  envelope?: { from?: Address; to?: AddressList };
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
