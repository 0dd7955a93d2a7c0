// The Node.js socket adapter (also Electron's main process): a plain TCP
// socket from node:net. TLS is done by the wasm core, never here.

import net from 'node:net';

export function connect({ host, port }, handlers) {
  const socket = net.connect({ host: host.replace(/^\[(.*)\]$/, '$1'), port });
  socket.setNoDelay(true);
  socket.on('connect', handlers.onConnect);
  socket.on('data', (chunk) => handlers.onData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
  socket.on('drain', handlers.onDrain);
  socket.on('end', handlers.onEnd);
  socket.on('error', handlers.onError);
  socket.on('close', handlers.onEnd);
  return {
    /** Returns false when the caller should wait for onDrain; `done` runs once the bytes are handed to the OS. */
    write: (bytes, done) => socket.write(bytes, done),
    close: () => socket.destroy(),
    ref: () => socket.ref(),
    unref: () => socket.unref(),
  };
}

/** "unresolved" when the host name did not resolve, else "refused". */
export function classify(err) {
  return ['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL'].includes(err?.code) ? 'unresolved' : 'refused';
}
