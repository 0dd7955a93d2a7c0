// The Deno socket adapter: a plain TCP connection from Deno.connect. TLS is
// done by the wasm core, never here.

const HIGH_WATER = 64 * 1024;

export function connect({ host, port }, handlers) {
  let conn = null;
  let closed = false;
  let queued = 0;
  const opened = Deno.connect({ hostname: host.replace(/^\[(.*)\]$/, '$1'), port });
  let writing = opened;
  opened.then(
    (c) => {
      conn = c;
      if (closed) return c.close();
      handlers.onConnect();
      read();
    },
    (err) => handlers.onError(err),
  );

  async function read() {
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await conn.read(buffer);
        if (n === null) return handlers.onEnd();
        handlers.onData(buffer.subarray(0, n));
      }
    } catch (err) {
      if (!closed) handlers.onError(err);
    }
  }

  return {
    /** Returns false when the caller should wait for onDrain; `done` runs once the bytes are written. */
    write(bytes, done) {
      queued += bytes.length;
      writing = writing
        .then(async () => {
          for (let offset = 0; offset < bytes.length;) offset += await conn.write(bytes.subarray(offset));
        })
        .then(
          () => {
            queued -= bytes.length;
            done?.();
            if (queued === 0) handlers.onDrain();
          },
          (err) => {
            if (!closed) handlers.onError(err);
          },
        );
      return queued < HIGH_WATER;
    },
    close() {
      closed = true;
      try {
        conn?.close();
      } catch {
        // already closed
      }
    },
    ref: () => conn?.ref?.(),
    unref: () => conn?.unref?.(),
  };
}

/** "unresolved" when the host name did not resolve, else "refused". */
export function classify(err) {
  return /lookup|resolve|name or service not known|no address/i.test(String(err?.message)) ? 'unresolved' : 'refused';
}
