import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PeerKind, RpcError, type Message } from '../src/api/types';
import { freshStart, type FakeServer } from './fakeConnection';

const server = vi.hoisted(() => ({ sends: [], uploads: [], cancelled: [] }) as FakeServer);

vi.mock('../src/ui/connection', async () => (await import('./fakeConnection')).fakeConnection(server));
vi.mock('../src/ui/describeMedia', () => ({ describeMedia: () => Promise.resolve({}) }));

import { discardPending, dismissUpload, forgetUnsent, loadOlder, messageArrived, resendOutbox, resumeUploads, retryPending, sendFile, sendMessage } from '../src/ui/messages';
import { keepInOutbox, loadOutbox, outboxEntries } from '../src/ui/outbox';
import { emptyHistory, getState, setState, type AppState } from '../src/ui/store';
import { until } from './helpers';

const key = 'u2';
const me = { id: 1 } as AppState['me'];
const timeout = () => new RpcError('TIMEOUT', 0, undefined, 'messages.send');
const tooLong = () => new RpcError('MESSAGE_TOO_LONG', 400, undefined, 'messages.send');
const texts = () => server.sends.map((s) => s.args.text);
const bubbles = () => getState().histories[key]?.pending ?? [];
const bubble = (text: string) => bubbles().find((p) => p.text === text);
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  freshStart(server);
  setState({ me, active: key, histories: { [key]: { ...emptyHistory, messages: [] as Message[] } }, uploads: {}, dialogs: [], outbox: [] } as Partial<AppState>);
});

afterEach(() => vi.unstubAllGlobals());

describe('sending messages over a flaky link', () => {
  it('shows a fault of the server (INTERNAL) as not sent, with Retry, and sends the chat\'s next message', async () => {
    void sendMessage(key, 'broken', null).catch(() => undefined);
    void sendMessage(key, 'after it', null);
    await until(() => server.sends.length === 1);
    server.sends[0].fail(new RpcError('INTERNAL', 500, undefined, 'messages.send'));
    await until(() => bubble('broken')?.failed);
    await until(() => server.sends.length === 2);
    expect(texts()).toEqual(['broken', 'after it']);
    server.sends[1].answer();
    await until(() => !bubble('after it'));
    forgetUnsent();
  });

  it('keeps a send that got no answer as sending, and shows Retry only for a refusal by the server', async () => {
    void sendMessage(key, 'refused', null).catch(() => undefined);
    await until(() => server.sends.length === 1);
    server.sends[0].fail(tooLong());
    await until(() => bubble('refused')?.failed);
    expect(bubble('refused')?.error).toBeTruthy();

    void sendMessage(key, 'unanswered', null);
    await until(() => server.sends.length === 2);
    expect(server.sends[1].options?.timeoutMs).toBe(Infinity);
    server.sends[1].fail(timeout());
    await until(() => bubble('unanswered')?.waiting);
    expect(bubble('unanswered')?.failed).toBe(false);
    // It goes again by itself when the connection is back, with the same random id.
    resendOutbox();
    await until(() => server.sends.length === 3);
    expect(server.sends[2].args.random_id).toBe(server.sends[1].args.random_id);
    server.sends[2].answer();
    await until(() => !bubble('unanswered'));
    expect(bubble('refused')?.failed).toBe(true);
  });

  it('sends a chat\u2019s messages one at a time, oldest first, a new one waiting behind those not answered', async () => {
    for (const text of ['m1', 'm2', 'm3']) void sendMessage(key, text, null);
    await until(() => server.sends.length === 1);
    await settle();
    expect(texts()).toEqual(['m1']);
    server.sends[0].fail(timeout());
    await until(() => bubble('m1')?.waiting);
    // A new message sets the chat's queue going again: the unanswered m1 first (same random id), m4 last.
    void sendMessage(key, 'm4', null);
    for (let n = 2; n <= 5; n++) {
      await until(() => server.sends.length === n);
      await settle();
      expect(server.sends.length).toBe(n);
      server.sends[n - 1].answer();
    }
    await until(() => bubbles().length === 0);
    expect(texts()).toEqual(['m1', 'm1', 'm2', 'm3', 'm4']);
  });

  it('keeps a refusal in the outbox, so the bubble of a chat opened after a reload shows it not sent', async () => {
    setState({ histories: {} });
    keepInOutbox(1, { key, randomId: 42, text: 'blocked', replyToId: null, media: null, date: 1 });
    resendOutbox();
    await until(() => server.sends.length === 1);
    server.sends[0].fail(new RpcError('USER_IS_BLOCKED', 403, undefined, 'messages.send'));
    await until(() => outboxEntries(1)[0]?.error);
    resendOutbox();
    await loadOlder(key);
    await settle();
    expect(server.sends.length).toBe(1);
    expect(bubble('blocked')).toMatchObject({ failed: true });
    retryPending(key, 42);
    await until(() => server.sends.length === 2);
    expect(outboxEntries(1)[0]?.error).toBeUndefined();
    server.sends[1].answer();
    await until(() => outboxEntries(1).length === 0);
  });
});

describe('the chat list\u2019s view of the outbox', () => {
  const listed = () => getState().outbox.map((e) => ({ text: e.text, error: e.error }));

  it('holds a message from when it is written until it is stored, refused (marked) or discarded', async () => {
    void sendMessage(key, 'stored later', null);
    expect(listed()).toEqual([{ text: 'stored later', error: undefined }]);
    await until(() => server.sends.length === 1);
    server.sends[0].fail(timeout());
    await until(() => bubble('stored later')?.waiting);
    expect(listed()).toEqual([{ text: 'stored later', error: undefined }]);
    resendOutbox();
    await until(() => server.sends.length === 2);
    server.sends[1].answer();
    await until(() => getState().outbox.length === 0);

    void sendMessage(key, 'refused', null).catch(() => undefined);
    await until(() => server.sends.length === 3);
    server.sends[2].fail(tooLong());
    await until(() => getState().outbox[0]?.error);
    expect(listed()).toEqual([{ text: 'refused', error: 'The message is too long' }]);
    discardPending(key, bubble('refused')!.randomId);
    expect(getState().outbox).toEqual([]);
  });

  it('is read from the browser\u2019s storage at sign-in, the messages an earlier page left unsent', () => {
    setState({ me: { id: 7 } as AppState['me'], outbox: [] });
    keepInOutbox(7, { key, randomId: 42, text: 'left by the last page', replyToId: null, media: null, date: 1 });
    setState({ outbox: [] });
    loadOutbox(7);
    expect(getState().outbox.map((e) => e.text)).toEqual(['left by the last page']);
  });
});

describe('uploading a file over a flaky link', () => {
  it('resumes an upload that got no answer under the same file id when the connection is back, then sends its caption', async () => {
    const sending = sendFile(key, new File(['x'], 'big.bin'), 'the caption', null);
    await until(() => server.uploads.length === 1);
    server.uploads[0].fail(timeout());
    await until(() => getState().uploads[key]?.[0]?.waiting);
    expect(getState().uploads[key]?.[0]?.resume).toBeTypeOf('function');
    resumeUploads();
    await until(() => server.uploads.length === 2);
    expect(server.uploads[1].options).toMatchObject({ fileId: server.uploads[0].options.fileId, resume: true });
    server.uploads[1].done();
    await until(() => server.sends.length === 1);
    expect(server.sends[0].args).toMatchObject({ text: 'the caption', media: { file_id: server.uploads[0].options.fileId } });
    server.sends[0].answer();
    await sending;
    expect(getState().uploads[key]).toEqual([]);
  });

  it('gives the caption back when a failed upload is dismissed, and sends nothing', async () => {
    const sending = sendFile(key, new File(['x'], 'big.bin'), 'the caption', null);
    await until(() => server.uploads.length === 1);
    server.uploads[0].fail(new RpcError('FILE_PARTS_INVALID', 400));
    await until(() => getState().uploads[key]?.[0]?.error);
    expect(getState().uploads[key]?.[0]?.resume).toBeTypeOf('function');
    const id = getState().uploads[key]![0].id;
    expect(dismissUpload(key, id)).toBe('the caption');
    await sending;
    expect(server.sends).toEqual([]);
    expect(getState().uploads[key]).toEqual([]);
  });
});

describe('one\u2019s own message arriving by push without a random id', () => {
  it('settles nothing, whatever its text: the send\u2019s own answer does', async () => {
    void sendMessage(key, 'first', null);
    void sendMessage(key, 'second', null);
    await until(() => server.sends.length === 1);
    // The same texts from the user's own messages without a random id (a service message's, or entries logged before the
    // server told it) are not taken for the sends: the server tells the random id of every message one sends.
    messageArrived({ id: 900, from_id: 1, to_peer: { kind: PeerKind.User, id: 2 }, date: 1, text: 'second' } as Message);
    messageArrived({ id: 901, from_id: 1, to_peer: { kind: PeerKind.User, id: 2 }, date: 1, text: 'first' } as Message);
    expect(bubble('first')).toBeDefined();
    expect(bubble('second')).toBeDefined();
    server.sends[0].answer();
    await until(() => server.sends.length === 2);
    server.sends[1].answer();
    await until(() => bubbles().length === 0);
  });
});

describe('one\u2019s own message arriving with its random id', () => {
  const own = (id: number, text: string) => ({ id, from_id: 1, to_peer: { kind: PeerKind.User, id: 2 }, date: 1, text }) as Message;

  it('settles the send of that random id, and a same-text message of another device\u2019s settles nothing', async () => {
    void sendMessage(key, 'same words', null);
    await until(() => server.sends.length === 1);
    const mine = server.sends[0].args.random_id;
    // The user's other device sent the same text: its own random id tells it apart from the send in flight.
    messageArrived(own(900, 'same words'), mine + 1);
    expect(bubble('same words')).toBeDefined();
    messageArrived(own(901, 'same words'), mine);
    expect(bubble('same words')).toBeUndefined();
    server.sends[0].answer();
    await until(() => outboxEntries(1).length === 0);
  });

  it('takes messages the server stored out of the outbox after a reload, so they are not sent again', async () => {
    setState({ histories: {} });
    keepInOutbox(1, { key, randomId: 42, text: 'stored before the reload', replyToId: null, media: null, date: 1 });
    keepInOutbox(1, { key, randomId: 43, text: 'this one too', replyToId: null, media: null, date: 1 });
    keepInOutbox(1, { key, randomId: 44, text: 'never reached the server', replyToId: null, media: null, date: 1 });
    await loadOlder(key);
    expect(bubbles().map((p) => p.randomId)).toEqual([42, 43, 44]);
    // Catching up (updates.getDifference) brings the user's own messages with the random ids they were sent with.
    messageArrived(own(902, 'stored before the reload'), 42);
    messageArrived(own(903, 'this one too'), 43);
    expect(bubbles().map((p) => p.randomId)).toEqual([44]);
    expect(outboxEntries(1).map((e) => e.randomId)).toEqual([44]);
    resendOutbox();
    await until(() => server.sends.length === 1);
    await settle();
    expect(server.sends.map((s) => s.args.random_id)).toEqual([44]);
    server.sends[0].answer();
    await until(() => bubbles().length === 0);
  });

  it('settles a send still queued behind the one in flight, and resolves its caller', async () => {
    void sendMessage(key, 'first', null);
    const second = sendMessage(key, 'second', null);
    await until(() => server.sends.length === 1);
    const queued = bubble('second')!.randomId;
    messageArrived(own(904, 'second'), queued);
    await second;
    expect(bubble('second')).toBeUndefined();
    server.sends[0].answer();
    await until(() => bubbles().length === 0);
    await settle();
    expect(texts()).toEqual(['first']);
  });
});

describe('signing out', () => {
  it('sends none of the account\u2019s queued messages afterwards, whoever signs in next', async () => {
    void sendMessage(key, 'in flight', null);
    void sendMessage(key, 'queued', null);
    await until(() => server.sends.length === 1);
    forgetUnsent();
    setState({ me: { id: 3 } as AppState['me'] });
    server.sends[0].answer();
    resendOutbox();
    await settle();
    await settle();
    expect(texts()).toEqual(['in flight']);
  });
});
