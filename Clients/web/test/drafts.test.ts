import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PeerKind, type Dialog } from '../src/api/types';

// messages.saveDraft answers when the test says so.
const server = vi.hoisted(() => ({ saves: [] as { text: string; answer(): void }[] }));

vi.mock('../src/ui/connection', () => ({
  api: () => ({
    messages: {
      saveDraft: (args: { text: string }) => new Promise<void>((resolve) => server.saves.push({ text: args.text, answer: resolve })),
    },
  }),
}));

import { draftChanged, loadDraft, saveDraft } from '../src/ui/drafts';
import { blankDialog, dialogOf } from '../src/ui/chats';
import { setState, type AppState } from '../src/ui/store';
import { emptyLocalStorage } from './fakeConnection';

const key = 'u2';
// The fake clock moves a millisecond at a time (running what falls due and the promises it settles) until the probe holds.
async function until(probe: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !probe(); i++) await vi.advanceTimersByTimeAsync(1);
  expect(probe()).toBe(true);
}

const settle = () => vi.advanceTimersByTimeAsync(1);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  emptyLocalStorage();
  server.saves = [];
  const dialog: Dialog = blankDialog({ kind: PeerKind.User, id: 2 });
  setState({ me: { id: 1 } as AppState['me'], dialogs: [dialog] } as Partial<AppState>);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('drafts kept on the server', () => {
  it('saves a text cleared while the typed one is on its way, and never makes the typed one the chat\'s draft', async () => {
    saveDraft(key, 'The report, resumed');
    await vi.advanceTimersByTimeAsync(2000);
    await until(() => server.saves.length === 1);

    // The caption leaves with its file before the server answered the save of it.
    saveDraft(key, '');
    await settle();
    expect(server.saves).toHaveLength(1);
    server.saves[0].answer();

    await until(() => server.saves.length === 2);
    expect(server.saves[1].text).toBe('');
    expect(dialogOf(key)?.draft ?? null).toBeNull();
    expect(loadDraft(key)).toBe('');
    server.saves[1].answer();
    await settle();
    expect(dialogOf(key)?.draft ?? null).toBeNull();
  });

  it('does not save again what the server has, and saves over a draft that came from another device', async () => {
    saveDraft(key, 'hello');
    await vi.advanceTimersByTimeAsync(2000);
    await until(() => server.saves.length === 1);
    server.saves[0].answer();
    await until(() => dialogOf(key)?.draft?.text === 'hello');

    saveDraft(key, 'hello');
    await vi.advanceTimersByTimeAsync(2000);
    await settle();
    expect(server.saves).toHaveLength(1);

    draftChanged(key, { text: 'from the phone', reply_to_id: null, date: 1 });
    expect(loadDraft(key)).toBe('from the phone');
    saveDraft(key, '');
    await until(() => server.saves.length === 2);
    expect(server.saves[1].text).toBe('');
  });
});
