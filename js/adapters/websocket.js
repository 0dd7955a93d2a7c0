// The browser socket adapter: bytes go through a WebSocket to the relay
// (js/relay.js), which opens the TCP connection. TLS is done by the wasm
// core in the page, so the relay only ever sees ciphertext.

export function connect({ host, port, relay }, handlers) {
  if (!relay) throw new Error('in a browser, createTransport needs the relay option: the ws:// URL of wasmtp-relay');
  let closed = false;
  let opened = false;
  const url = new URL(relay);
  url.searchParams.set('host', host.replace(/^\[(.*)\]$/, '$1'));
  url.searchParams.set('port', String(port));
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  ws.onmessage = (e) => {
    if (typeof e.data === 'string') {
      // The relay's own word: "connected", or why it refused.
      if (e.data === 'connected') {
        opened = true;
        handlers.onConnect();
      } else {
        handlers.onError(new Error(e.data));
      }
      return;
    }
    handlers.onData(new Uint8Array(e.data));
  };
  ws.onerror = () => {
    if (!closed) handlers.onError(new Error(`the relay at ${relay} cannot be reached`));
  };
  ws.onclose = () => {
    if (!closed && opened) handlers.onEnd();
  };
  return {
    write(bytes, done) {
      ws.send(bytes.slice());
      queueMicrotask(() => done?.());
      return ws.bufferedAmount < 256 * 1024 || (setTimeout(function wait() {
        if (ws.bufferedAmount < 256 * 1024) handlers.onDrain();
        else setTimeout(wait, 10);
      }, 10), false);
    },
    close() {
      closed = true;
      ws.close();
    },
    ref() {},
    unref() {},
  };
}

/** The relay says "unresolved" when the host name did not resolve. */
export function classify(err) {
  return /unresolved/.test(String(err?.message)) ? 'unresolved' : 'refused';
}
