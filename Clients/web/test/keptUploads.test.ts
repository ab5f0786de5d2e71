import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PeerKind, RpcError, type Message } from '../src/api/types';
import { freshStart, type FakeServer } from './fakeConnection';

const server = vi.hoisted(() => ({ sends: [], uploads: [], cancelled: [] }) as FakeServer);

vi.mock('../src/ui/connection', async () => (await import('./fakeConnection')).fakeConnection(server));
vi.mock('../src/ui/describeMedia', () => ({ describeMedia: () => Promise.resolve({}) }));

import { clearUploads, KEEP_UPLOAD_MAX_BYTES, KEEP_UPLOAD_MAX_BYTES_KEY, keepUpload, keptUploads, type KeptUpload } from '../src/ui/keptUploads';
import { dismissUpload, EMPTY_FILE, forgetUnsent, messageArrived, resendOutbox, sendFile } from '../src/ui/messages';
import { keepInOutbox, outboxEntries } from '../src/ui/outbox';
import { emptyHistory, getState, setState, type AppState } from '../src/ui/store';
import { sleep, until } from './helpers';

const key = 'u2';
const me = { id: 1 } as AppState['me'];
const kept = () => keptUploads(1);

/** What an earlier page of this browser kept: the file half uploaded when the tab was reloaded. */
const keptBefore = (randomId: number, caption: string): KeptUpload => ({
  userId: 1,
  randomId,
  fileId: 777,
  key,
  file: new Blob(['the bytes'], { type: 'text/plain' }),
  name: 'notes.txt',
  type: 'text/plain',
  caption,
  replyToId: null,
  quote: null,
  topicId: null,
  keptAt: 1,
});

async function untilAsync(probe: () => Promise<boolean>): Promise<void> {
  let last = false;
  await until(() => {
    void probe().then((value) => (last = value));
    return last;
  });
}

beforeEach(async () => {
  freshStart(server);
  await clearUploads(1);
  setState({ me, active: key, histories: { [key]: { ...emptyHistory, messages: [] as Message[] } }, uploads: {}, dialogs: [] } as Partial<AppState>);
});

afterEach(() => {
  forgetUnsent();
  vi.unstubAllGlobals();
});

describe('a file being uploaded, kept across a reload', () => {
  it('keeps the file with its caption, file id and random id until its message is stored', async () => {
    void sendFile(key, new File(['the bytes'], 'notes.txt', { type: 'text/plain' }), 'the caption', null);
    await until(() => server.uploads.length === 1);
    await untilAsync(async () => (await kept()).length === 1);
    const [entry] = await kept();
    expect(entry).toMatchObject({ key, caption: 'the caption', name: 'notes.txt', type: 'text/plain', fileId: server.uploads[0].options.fileId });
    expect(await entry.file.text()).toBe('the bytes');

    server.uploads[0].done();
    await until(() => server.sends.length === 1);
    expect(server.sends[0].args).toMatchObject({ random_id: entry.randomId, text: 'the caption' });
    // The send is not answered yet: a reload now would still find the file.
    expect(await kept()).toHaveLength(1);
    server.sends[0].answer();
    await untilAsync(async () => (await kept()).length === 0);
  });

  it('resumes a kept upload after a reload under its file id, on its chat\u2019s upload row, and sends it with its random id behind the chat\u2019s older texts', async () => {
    await keepUpload(keptBefore(4242, 'sent after the reload'));
    keepInOutbox(1, { key, randomId: 41, text: 'written before', replyToId: null, media: null, date: 1 });
    resendOutbox();
    await until(() => server.uploads.length === 1);
    expect(server.uploads[0].options).toMatchObject({ fileId: 777, resume: true });
    expect(server.uploads[0].file.name).toBe('notes.txt');
    expect(await server.uploads[0].file.text()).toBe('the bytes');
    expect(getState().uploads[key]?.[0]).toMatchObject({ name: 'notes.txt', caption: 'sent after the reload' });
    // A second sign of the connection coming back does not start the same upload twice.
    resendOutbox();
    await until(() => server.sends.length === 1);
    expect(server.sends[0].args.text).toBe('written before');
    server.sends[0].answer();
    server.uploads[0].done();
    await until(() => server.sends.length === 2);
    expect(server.uploads).toHaveLength(1);
    expect(server.sends[1].args).toMatchObject({ random_id: 4242, text: 'sent after the reload', media: { file_id: 777 } });
    server.sends[1].answer();
    await untilAsync(async () => (await kept()).length === 0);
    expect(getState().uploads[key]).toEqual([]);
  });

  it('leaves to the outbox a kept upload whose message it holds already, and forgets the file when it is settled', async () => {
    await keepUpload(keptBefore(4343, 'uploaded already'));
    const media = { file_id: 777, total_parts: 1, name: 'notes.txt', mime_type: 'text/plain' };
    keepInOutbox(1, { key, randomId: 4343, text: 'uploaded already', replyToId: null, media, date: 1 });
    resendOutbox();
    await until(() => server.sends.length === 1);
    expect(server.sends[0].args).toMatchObject({ random_id: 4343, media: { file_id: 777 } });
    // Stored before the reload: the user's log tells it by its random id while its send waits for an answer.
    server.sends[0].fail(new RpcError('TIMEOUT', 0));
    await sleep(20);
    messageArrived({ id: 900, from_id: 1, to_peer: { kind: PeerKind.User, id: 2 }, date: 1, text: 'uploaded already' } as Message, 4343);
    await untilAsync(async () => (await kept()).length === 0);
    expect(server.uploads).toHaveLength(0);
    expect(outboxEntries(1)).toEqual([]);
  });

  it('forgets a kept file whose message is settled after a reload before the kept uploads are read, and never uploads it', async () => {
    await keepUpload(keptBefore(4646, 'stored before the reload'));
    // Catching up brings the message, stored before the tab closed, before the app reads what it kept.
    messageArrived({ id: 901, from_id: 1, to_peer: { kind: PeerKind.User, id: 2 }, date: 1, text: 'stored before the reload' } as Message, 4646);
    resendOutbox();
    await untilAsync(async () => (await kept()).length === 0);
    await sleep(50);
    expect(server.uploads).toHaveLength(0);
    expect(server.sends).toHaveLength(0);
  });

  it('forgets the file when its failed upload is dismissed, and on sign-out', async () => {
    void sendFile(key, new File(['x'], 'a.bin'), 'first', null);
    await until(() => server.uploads.length === 1);
    server.uploads[0].fail(new RpcError('FILE_PARTS_INVALID', 400));
    await until(() => getState().uploads[key]?.[0]?.error);
    expect(dismissUpload(key, getState().uploads[key]![0].id)).toBe('first');
    await untilAsync(async () => (await kept()).length === 0);
    // The server drops what it has of the file at once: its place among the uploads in progress is free again.
    await until(() => server.cancelled.length === 1);
    expect(server.cancelled).toEqual([server.uploads[0].options.fileId]);

    void sendFile(key, new File(['y'], 'b.bin'), 'second', null);
    await until(() => server.uploads.length === 2);
    await untilAsync(async () => (await kept()).length === 1);
    await clearUploads(1);
    forgetUnsent();
    expect(await kept()).toEqual([]);
  });

  it('leaves a kept upload to the other tab uploading it, and takes it up when that tab has let it go', async () => {
    await keepUpload(keptBefore(4545, 'from the other tab'));
    let otherTabHolds = true;
    vi.stubGlobal('navigator', {
      locks: {
        request: (_name: string, _options: unknown, work: (lock: object | null) => unknown) => Promise.resolve(work(otherTabHolds ? null : {})),
      },
    });
    resendOutbox();
    await sleep(50);
    expect(server.uploads).toHaveLength(0);
    expect(getState().uploads[key] ?? []).toEqual([]);
    otherTabHolds = false;
    resendOutbox();
    await until(() => server.uploads.length === 1);
    expect(server.uploads[0].options).toMatchObject({ fileId: 777, resume: true });
  });

  it('says on its row that a reload would lose a file over the cap (kept nowhere), and not of one under it', async () => {
    localStorage.setItem(KEEP_UPLOAD_MAX_BYTES_KEY, '5');
    void sendFile(key, new File(['six b.'], 'large.bin'), 'over the cap', null);
    void sendFile(key, new File(['five.'], 'small.bin'), 'at the cap', null);
    await until(() => server.uploads.length === 2);
    await until(() => getState().uploads[key]?.find((u) => u.name === 'large.bin')?.notKept);
    await untilAsync(async () => (await kept()).length === 1);
    expect((await kept())[0].name).toBe('small.bin');
    expect(getState().uploads[key]?.find((u) => u.name === 'small.bin')?.notKept).toBeUndefined();

    // The row, and the note with it, goes when the upload is done.
    server.uploads[0].done();
    await until(() => !getState().uploads[key]?.some((u) => u.name === 'large.bin'));
  });

  it('says on its row that a reload would lose a file the browser\u2019s storage refused', async () => {
    const put = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('the disk is full', 'QuotaExceededError');
    });
    try {
      void sendFile(key, new File(['the bytes'], 'notes.txt'), 'refused', null);
      await until(() => getState().uploads[key]?.[0]?.notKept);
      expect(await kept()).toEqual([]);
    } finally {
      put.mockRestore();
    }
  });

  it('keeps no file larger than the cap (it is sent from memory, as before)', async () => {
    const large = keptBefore(4444, 'too large');
    Object.defineProperty(large.file, 'size', { value: KEEP_UPLOAD_MAX_BYTES + 1 });
    expect(await keepUpload(large)).toBe(false);
    expect(await kept()).toEqual([]);
  });
});

describe('a file that cannot be sent', () => {
  it('refuses an empty file on its row at once: nothing uploaded or kept, no Retry, and Dismiss gives the caption back', async () => {
    await sendFile(key, new File([], 'empty.bin'), 'the caption', null);
    const [row] = getState().uploads[key] ?? [];
    expect(row).toMatchObject({ name: 'empty.bin', error: EMPTY_FILE });
    expect(row.waiting).toBeFalsy();
    expect(row.resume).toBeUndefined();
    await sleep(50);
    expect(server.uploads).toEqual([]);
    expect(await kept()).toEqual([]);
    expect(dismissUpload(key, row.id)).toBe('the caption');
    expect(getState().uploads[key]).toEqual([]);
  });

  it('waits for the user, not for the network, when the browser can no longer read the file', async () => {
    void sendFile(key, new File(['the bytes'], 'moved.txt'), 'the caption', null);
    await until(() => server.uploads.length === 1);
    server.uploads[0].fail(new DOMException('the file changed on disk', 'NotReadableError'));
    await until(() => getState().uploads[key]?.[0]?.error !== undefined);
    const [row] = getState().uploads[key] ?? [];
    expect(row.waiting).toBe(false);
    expect(row.resume).toBeDefined();
    await sleep(50);
    expect(server.uploads).toHaveLength(1);
  });
});
