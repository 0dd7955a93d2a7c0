// Reading attachment content that arrives as a stream: Node Readable, web
// ReadableStream, or any async iterable of Uint8Array/string chunks. A
// chunk is used (copied into the core) before the next is asked for, so a
// source may reuse one buffer for every chunk.

const encoder = new TextEncoder();

/** True for anything read chunk by chunk. */
export function isStream(value) {
  return value != null && typeof value === 'object' && !(value instanceof Uint8Array) && !(value instanceof ArrayBuffer) &&
    (typeof value[Symbol.asyncIterator] === 'function' || typeof value.getReader === 'function');
}

/** A chunk as bytes. */
export function toBytes(chunk) {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return encoder.encode(chunk);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError(`a stream gave a ${typeof chunk}, not bytes or text`);
}

/** One chunk at a time: `{ next(): Promise<Uint8Array|null>, cancel() }`. */
export function chunkReader(stream) {
  if (typeof stream[Symbol.asyncIterator] === 'function') {
    const iterator = stream[Symbol.asyncIterator]();
    return {
      async next() {
        const { value, done } = await iterator.next();
        return done ? null : toBytes(value);
      },
      cancel() {
        iterator.return?.().catch(() => {});
        stream.destroy?.();
      },
    };
  }
  const reader = stream.getReader();
  return {
    async next() {
      const { value, done } = await reader.read();
      return done ? null : toBytes(value);
    },
    cancel() {
      reader.cancel().catch(() => {});
    },
  };
}

/** The whole stream as one Uint8Array (chunks are copied: a source may reuse its buffer). */
export async function readAll(stream) {
  const reader = chunkReader(stream);
  const chunks = [];
  let length = 0;
  for (let chunk; (chunk = await reader.next()) !== null;) {
    chunks.push(chunk.slice());
    length += chunk.length;
  }
  const all = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return all;
}

/**
 * A file-like source read into one reused 64 KiB buffer, so reading a large
 * file makes no garbage: `read(buffer)` resolves to the bytes read (0 at the
 * end), `close()` releases it. Each chunk is valid until the next is read.
 */
export function reusedBufferSource({ size, read, close }) {
  const buffer = new Uint8Array(64 * 1024);
  let closed = false;
  const end = () => {
    if (!closed) {
      closed = true;
      Promise.resolve(close()).catch(() => {});
    }
  };
  return {
    size,
    [Symbol.asyncIterator]() {
      return {
        async next() {
          const n = closed ? 0 : await read(buffer);
          if (!n) {
            end();
            return { done: true, value: undefined };
          }
          return { done: false, value: buffer.subarray(0, n) };
        },
        async return() {
          end();
          return { done: true, value: undefined };
        },
      };
    },
    destroy: end,
  };
}
