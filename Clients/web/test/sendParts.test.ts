import { beforeEach, describe, expect, it, vi } from 'vitest';
import { RpcError, type Message } from '../src/api/types';
import { freshStart, type FakeServer } from './fakeConnection';

const server = vi.hoisted(() => ({ sends: [], uploads: [], cancelled: [] }) as FakeServer);

vi.mock('../src/ui/connection', async () => (await import('./fakeConnection')).fakeConnection(server));
vi.mock('../src/ui/describeMedia', () => ({ describeMedia: () => Promise.resolve({}) }));

import { forgetUnsent, resendOutbox, sendParts } from '../src/ui/messages';
import { emptyHistory, getState, setState, type AppState } from '../src/ui/store';
import { until } from './helpers';

const key = 'g7';
const quote = { text: 'quoted', offset: 0 };

beforeEach(() => {
  freshStart(server);
  setState({ me: { id: 1 } as AppState['me'], active: key, histories: { [key]: { ...emptyHistory, messages: [] as Message[] } }, uploads: {}, dialogs: [], outbox: [] } as Partial<AppState>);
});

async function answerAll(count: number) {
  for (let n = 1; n <= count; n++) {
    await until(() => server.sends.length === n);
    server.sends[n - 1].answer();
  }
}

describe('a long text sent as several messages', () => {
  it('sends the parts in order, each with its own random id, the reply and its quote on the first only', async () => {
    const done = sendParts(key, ['one', 'two', 'three'], 55, { quote });
    await answerAll(3);
    await done;
    expect(server.sends.map((s) => s.args.text)).toEqual(['one', 'two', 'three']);
    expect(server.sends.map((s) => s.args.reply_to_id ?? null)).toEqual([55, null, null]);
    expect(server.sends.map((s) => s.args.quote ?? null)).toEqual([quote, null, null]);
    expect(new Set(server.sends.map((s) => s.args.random_id)).size).toBe(3);
  });

  it('answers the thread with every part in a thread', async () => {
    const done = sendParts(key, ['one', 'two'], 55, { replyToEach: true });
    await answerAll(2);
    await done;
    expect(server.sends.map((s) => s.args.reply_to_id)).toEqual([55, 55]);
  });

  it('sends a part that got no answer again with its own random id, so it is never stored twice', async () => {
    void sendParts(key, ['one', 'two'], null);
    await until(() => server.sends.length === 1);
    server.sends[0].fail(new RpcError('TIMEOUT', 0, undefined, 'messages.send'));
    await until(() => getState().histories[key]?.pending.find((p) => p.text === 'one')?.waiting);
    resendOutbox();
    await until(() => server.sends.length === 2);
    expect(server.sends[1].args.text).toBe('one');
    expect(server.sends[1].args.random_id).toBe(server.sends[0].args.random_id);
    server.sends[1].answer();
    await until(() => server.sends.length === 3);
    expect(server.sends[2].args.text).toBe('two');
    expect(server.sends[2].args.random_id).not.toBe(server.sends[0].args.random_id);
    server.sends[2].answer();
    forgetUnsent();
  });
});
