// Attachments given by path, for runtimes with node:fs (Node, Electron,
// Bun): opened first, so a missing file fails before sending, then read
// into one reused buffer, so a large file leaves no garbage behind.

import { open } from 'node:fs/promises';
import { basename } from 'node:path';

import { reusedBufferSource } from './streams.js';

export const files = {
  async open(path) {
    const handle = await open(path, 'r');
    const { size } = await handle.stat();
    return reusedBufferSource({
      size,
      read: async (buffer) => (await handle.read(buffer, 0, buffer.length, null)).bytesRead,
      close: () => handle.close(),
    });
  },
  basename,
};
