import { vi } from 'vitest';
import { PeerKind } from '../src/api/types';

/** The server as far as sends and uploads go: each call waits until the test answers it. */
export interface FakeServer {
  sends: { args: { text: string; random_id: number; media?: unknown; reply_to_id?: number | null; quote?: unknown }; options?: { timeoutMs?: number }; answer(): void; fail(e: unknown): void }[];
  uploads: { file: File; options: { fileId?: number; resume?: boolean }; done(): void; fail(e: unknown): void }[];
  /** The file ids given up with `upload.cancelUpload`, in order. */
  cancelled: number[];
}

/** `ui/connection` over `server` (for `vi.mock`): `messages.send` and `upload` wait for the test; any other call fails. */
export function fakeConnection(server: FakeServer) {
  const missing = (): Promise<never> => Promise.reject(new Error('not faked'));
  const anything: object = new Proxy({}, { get: () => missing });
  let nextId = 100;
  const messages = new Proxy(
    {
      send: (args: { text: string; random_id: number }, options?: { timeoutMs?: number }) =>
        new Promise((resolve, reject) =>
          server.sends.push({
            args,
            options,
            answer: () => resolve({ message: { id: ++nextId, from_id: 1, to_peer: { kind: PeerKind.User, id: 2 }, date: 1, text: args.text } }),
            fail: reject,
          }),
        ),
      getHistory: () => Promise.resolve({ messages: [], count: 0 }),
    },
    { get: (target, name: string) => (target as Record<string, unknown>)[name] ?? missing },
  );
  const uploadMethods = new Proxy(
    {
      cancelUpload: (args: { file_id: number }) => {
        server.cancelled.push(args.file_id);
        return Promise.resolve([]);
      },
    },
    { get: (target, name: string) => (target as Record<string, unknown>)[name] ?? missing },
  );
  return {
    api: () => new Proxy({ messages, upload: uploadMethods }, { get: (target, name: string) => (target as Record<string, unknown>)[name] ?? anything }),
    upload: (file: File, options: { fileId?: number; resume?: boolean }) =>
      new Promise((resolve, reject) =>
        server.uploads.push({ file, options, done: () => resolve({ file_id: options.fileId, total_parts: 1, name: file.name, mime_type: file.type }), fail: reject }),
      ),
  };
}

/** Before each test: an empty localStorage of its own (the outbox lives there) and a server with nothing waiting. */
export function freshStart(server: FakeServer): void {
  emptyLocalStorage();
  server.sends = [];
  server.uploads = [];
  server.cancelled = [];
}

/** A localStorage of the test's own, empty (undone by `vi.unstubAllGlobals`). */
export function emptyLocalStorage(): void {
  const stored = new Map<string, string>();
  vi.stubGlobal('localStorage', {
    getItem: (k: string) => stored.get(k) ?? null,
    setItem: (k: string, v: string) => void stored.set(k, v),
    removeItem: (k: string) => void stored.delete(k),
    key: (i: number) => [...stored.keys()][i] ?? null,
    get length() {
      return stored.size;
    },
  });
}
