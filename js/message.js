// Turns a sendMail() argument into what the wasm core reads: attachments
// given by path or as streams become numbered stream slots (read later, a
// chunk at a time, while the message is written), Dates become
// milliseconds, and onProgress is taken out. With DKIM every stream is
// read into memory first, because the signature covers the whole message.

import { SmtpError } from './errors.js';
import { isStream, readAll, toBytes } from './streams.js';

function messageError(message) {
  return new SmtpError({
    code: 'EMESSAGE', stage: 'data', message,
    hint: `The message cannot be sent as given: ${message}.`,
  });
}

function dateMs(value) {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw messageError('date: not a valid date');
  return ms;
}

/**
 * @param mail the sendMail argument
 * @param files `{ open(path) -> Promise<stream>, basename(path) }` from the runtime, or null
 * @param signed true when a DKIM key will sign the message
 * @returns `{ mail, sources, onProgress }`: `sources[slot]` is the stream for `{ stream: slot }`
 */
export async function prepareMessage(mail, files, signed) {
  if (mail == null || typeof mail !== 'object') throw messageError('the message must be an object');
  const { onProgress, ...rest } = mail;
  if (onProgress != null && typeof onProgress !== 'function') throw messageError('onProgress must be a function');
  const out = { ...rest };
  const sources = [];
  if (out.date != null) out.date = dateMs(out.date);
  if (out.raw != null && isStream(out.raw)) out.raw = await readAll(out.raw);
  if (out.raw instanceof ArrayBuffer || (ArrayBuffer.isView(out.raw) && !(out.raw instanceof Uint8Array))) out.raw = toBytes(out.raw);
  if (Array.isArray(out.attachments)) {
    out.attachments = await Promise.all(out.attachments.map(async (attachment, i) => {
      if (attachment == null || typeof attachment !== 'object') throw messageError(`attachments[${i}]: must be an object`);
      const { path, href, ...a } = attachment;
      if (href != null) throw messageError(`attachments[${i}].href: fetching URLs is not supported; pass the content or a stream`);
      if (path != null) {
        if (a.content != null) throw messageError(`attachments[${i}]: give content or path, not both`);
        if (!files) throw messageError(`attachments[${i}].path: this runtime has no file system; pass the content or a stream`);
        try {
          a.content = await files.open(String(path));
        } catch (err) {
          throw messageError(`attachments[${i}].path: ${err?.message ?? err}`);
        }
        a.filename ??= files.basename(String(path));
      }
      if (a.content instanceof ArrayBuffer || (ArrayBuffer.isView(a.content) && !(a.content instanceof Uint8Array))) {
        a.content = toBytes(a.content);
      }
      if (isStream(a.content)) {
        if (signed) {
          try {
            a.content = await readAll(a.content);
          } catch (err) {
            throw messageError(`attachments[${i}]: reading the stream failed: ${err?.message ?? err}`);
          }
        } else {
          sources.push(a.content);
          // A known length (a file's) lets the core declare SIZE and report a total.
          const size = Number.isFinite(a.content.size) ? a.content.size : undefined;
          a.content = { stream: sources.length - 1, size };
        }
      }
      return a;
    }));
  }
  return { mail: out, sources, onProgress: onProgress ?? null };
}
