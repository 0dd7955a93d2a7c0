// The Bun socket adapter: a plain TCP connection from Bun.connect. TLS is
// done by the wasm core, never here (Bun cannot upgrade a socket to TLS).

export function connect({ host, port }, handlers) {
  let socket = null;
  let closed = false;
  /** Bytes Bun did not take yet (copied: the caller reuses its buffer). */
  const backlog = [];

  function flush() {
    while (backlog.length) {
      const chunk = backlog[0];
      const n = socket.write(chunk);
      if (n < chunk.length) {
        backlog[0] = chunk.subarray(Math.max(n, 0));
        return false;
      }
      backlog.shift();
    }
    return true;
  }

  Bun.connect({
    hostname: host.replace(/^\[(.*)\]$/, '$1'),
    port,
    socket: {
      open(s) {
        socket = s;
        if (closed) return s.end();
        handlers.onConnect();
      },
      data(_s, chunk) {
        handlers.onData(chunk);
      },
      drain() {
        if (flush()) handlers.onDrain();
      },
      close() {
        if (!closed) handlers.onEnd();
      },
      error(_s, err) {
        if (!closed) handlers.onError(err);
      },
      connectError(_s, err) {
        handlers.onError(err);
      },
    },
  }).catch((err) => handlers.onError(err));

  return {
    /** Returns false when the caller should wait for onDrain; `done` runs once the bytes are taken. */
    write(bytes, done) {
      if (backlog.length) {
        backlog.push(bytes.slice());
      } else {
        const n = socket.write(bytes);
        if (n < bytes.length) backlog.push(bytes.slice(Math.max(n, 0)));
      }
      queueMicrotask(() => done?.());
      return backlog.length === 0;
    },
    close() {
      closed = true;
      socket?.end();
    },
    ref: () => socket?.ref?.(),
    unref: () => socket?.unref?.(),
  };
}

/** "unresolved" when the host name did not resolve, else "refused". */
export function classify(err) {
  return /ENOTFOUND|EAI_|lookup|DNS/i.test(`${err?.code} ${err?.message}`) ? 'unresolved' : 'refused';
}
