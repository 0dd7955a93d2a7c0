// SmtpError: every failure wasmtp reports, with the diagnosis the core made
// (which settings are proven right, which may be wrong, and a hint).

export class SmtpError extends Error {
  /** @param {object} fields an error object from the wasm core */
  constructor(fields) {
    super(fields.message);
    this.name = 'SmtpError';
    this.code = fields.code;
    this.stage = fields.stage ?? null;
    this.fromServer = Boolean(fields.fromServer);
    this.responseCode = fields.responseCode ?? null;
    this.enhancedCode = fields.enhancedCode ?? null;
    this.response = fields.response ?? null;
    this.proven = fields.proven ?? [];
    this.suspects = fields.suspects ?? [];
    this.hint = fields.hint ?? '';
    if (fields.recipient) this.recipient = fields.recipient;
    if (fields.transcript && fields.transcript.length) this.transcript = fields.transcript;
  }
}

/** Turns whatever the core threw into an SmtpError (a JS bug stays as it is). */
export function toSmtpError(thrown) {
  if (thrown instanceof SmtpError) return thrown;
  if (thrown && typeof thrown === 'object' && typeof thrown.code === 'string' && 'hint' in thrown) {
    return new SmtpError(thrown);
  }
  return thrown;
}
