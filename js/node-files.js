// Attachments given by path, for runtimes with node:fs (Node, Electron,
// Bun): opened first, so a missing file fails before sending, then read
// into one reused buffer, so a large file leaves no garbage behind.

import { open } from 'node:fs/promises';
import { basename } from 'node:path';

/** Each chunk is valid until the next is read. */
export const files = {
  async open(path) {
    const handle = await open(path, 'r');
    const { size } = await handle.stat();
    const buffer = Buffer.allocUnsafe(64 * 1024);
    let closed = false;
    const close = () => {
      if (!closed) {
        closed = true;
        handle.close().catch(() => {});
      }
    };
    return {
      size,
      [Symbol.asyncIterator]() {
        return {
          async next() {
            const { bytesRead } = closed ? { bytesRead: 0 } : await handle.read(buffer, 0, buffer.length, null);
            if (bytesRead === 0) {
              close();
              return { done: true, value: undefined };
            }
            return { done: false, value: buffer.subarray(0, bytesRead) };
          },
          async return() {
            close();
            return { done: true, value: undefined };
          },
        };
      },
      destroy: close,
    };
  },
  basename,
};
