// The Cloudflare Workers (workerd) socket adapter: a plain TCP connection
// from connect() in cloudflare:sockets. TLS is done by the wasm core, never
// here (the runtime's startTls is not used).

import { connect as openSocket } from 'cloudflare:sockets';

export function connect({ host, port }, handlers) {
  let closed = false;
  const socket = openSocket({ hostname: host.replace(/^\[(.*)\]$/, '$1'), port });
  const writer = socket.writable.getWriter();
  socket.opened.then(
    () => {
      if (!closed) {
        handlers.onConnect();
        read();
      }
    },
    (err) => handlers.onError(err),
  );

  async function read() {
    const reader = socket.readable.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return handlers.onEnd();
        handlers.onData(value);
      }
    } catch (err) {
      if (!closed) handlers.onError(err);
    }
  }

  return {
    /** Returns false when the caller should wait for onDrain; `done` runs once the bytes are written. */
    write(bytes, done) {
      writer.write(bytes).then(
        () => done?.(),
        (err) => {
          if (!closed) handlers.onError(err);
        },
      );
      if (writer.desiredSize > 0) return true;
      writer.ready.then(() => handlers.onDrain(), () => {});
      return false;
    },
    close() {
      closed = true;
      socket.close().catch(() => {});
    },
    ref() {},
    unref() {},
  };
}

/** Workers do not say why a connection failed. */
export function classify() {
  return 'refused';
}
