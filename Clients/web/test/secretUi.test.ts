// How the app shows secret chats (ui/secret.ts, ui/format.ts): the list row, what a message's Delete offers, errors.
import { describe, expect, it, vi } from 'vitest';
import { RpcError } from '../src/api/types';
import type { SecretMessage } from '../src/protocol/secretStore';

vi.mock('../src/ui/connection', () => ({
  api: () => {
    throw new Error('no server here');
  },
}));

import { errorText } from '../src/ui/format';
import { deletesForBoth, keyChangesText, secretChatView, secretMessagePreview, secretPreview, whileShown, type SecretChatView } from '../src/ui/secret';
import { safeBlobType } from '../src/api/media';
import { SecretChatNotReadyError } from '../src/protocol/secretChats';
import { SecretFileTooBigError } from '../src/protocol/secretFile';

const ME = 1;
const PEER = 2;

const chat = (state: SecretChatView['state'], reason: string | null = null): SecretChatView => ({
  id: 7,
  role: 'admin',
  peerId: PEER,
  state,
  date: 1,
  fingerprint: 0,
  verification: '',
  reason,
  ttl: 0,
  peerReadDate: 0,
  readDateSent: 0,
  lastDate: 1,
});

const message = (from: number, status?: SecretMessage['status']): SecretMessage => ({
  chatId: 7,
  randomId: 3,
  from,
  date: 2,
  text: 'Hello **there**',
  ttl: 0,
  read: false,
  expires: null,
  replyTo: null,
  status,
});

describe('a secret chat in the list', () => {
  it('shows the newest message while it runs, and that it ended once it did, its history kept or not', () => {
    expect(secretPreview(chat('ready'), message(ME, 'sent'), ME, 'Bob')).toEqual({ sender: 'You', text: 'Hello there' });
    expect(secretPreview(chat('ready'), message(PEER), ME, 'Bob')).toEqual({ sender: '', text: 'Hello there' });
    expect(secretPreview(chat('ready'), undefined, ME, 'Bob')).toEqual({ sender: '', text: 'Bob joined your secret chat' });
    expect(secretPreview(chat('discarded', 'ended'), message(PEER), ME, 'Bob')).toEqual({ sender: '', text: 'Secret chat ended' });
    expect(secretPreview(chat('discarded', 'device_signed_out'), undefined, ME, 'Bob').text).toBe('Secret chat ended: a device was signed out');
    expect(secretPreview(chat('requested'), undefined, ME, 'Bob').text).toBe('Waiting for Bob to get online…');
  });

  it('names the sender as an ordinary chat does, apart from the text, so a right-to-left text keeps its direction', () => {
    const hebrew = { ...message(ME, 'sent'), text: 'שלום' };
    expect(secretPreview(chat('ready'), hebrew, ME, 'Bob')).toEqual({ sender: 'You', text: 'שלום' });
    expect(secretPreview(chat('ready'), { ...hebrew, from: PEER }, ME, 'Bob')).toEqual({ sender: '', text: 'שלום' });
    // Before this user is known (signing in), nobody is "You".
    expect(secretPreview(chat('ready'), hebrew, undefined, 'Bob').sender).toBe('');
  });
});

describe("a secret chat's key", () => {
  it('says how many times the keys changed, and nothing before the first change', () => {
    expect(keyChangesText(chat('ready'))).toBeNull();
    expect(keyChangesText({ generation: 0 })).toBeNull();
    expect(keyChangesText({ generation: 1 })).toBe('Key changed 1 time');
    expect(keyChangesText({ generation: 12 })).toBe('Key changed 12 times');
  });

  it('reaches the UI without any key: neither the current nor the previous, an exchange\'s or a sealed message', () => {
    const keys = { generation: 3, keyAdmin: new Uint8Array(32), keyParticipant: new Uint8Array(32) };
    const shown = secretChatView({
      ...chat('ready'),
      secretKey: new Uint8Array(32),
      gA: new Uint8Array(32),
      gB: new Uint8Array(32),
      keyAdmin: new Uint8Array(32),
      keyParticipant: new Uint8Array(32),
      generation: 4,
      previousKeys: keys,
      rekeyOutgoing: { id: 1, secretKey: new Uint8Array(32), g: new Uint8Array(32), date: 1 },
      rekeyAccepted: { id: 2, g: new Uint8Array(32), keys: { ...keys, generation: 5 }, fingerprint: 1 },
      rekeySends: [{ randomId: 3, data: new Uint8Array(41) }],
    });
    expect(shown.generation).toBe(4);
    expect(Object.values(shown as Record<string, unknown>).filter((v) => typeof v === 'object' && v !== null)).toEqual([]);
  });
});

describe("a secret message's Delete", () => {
  it('deletes for both only in a running chat, and not an own message the server has not taken yet', () => {
    expect(deletesForBoth(chat('ready'), message(ME, 'sent'), ME)).toBe(true);
    expect(deletesForBoth(chat('ready'), message(PEER), ME)).toBe(true);
    expect(deletesForBoth(chat('ready'), message(ME, 'sending'), ME)).toBe(false);
    expect(deletesForBoth(chat('ready'), message(ME, 'failed'), ME)).toBe(false);
    expect(deletesForBoth(chat('discarded', 'ended'), message(PEER), ME)).toBe(false);
  });
});

describe('secret chat errors in words', () => {
  it('says what happened rather than the error name', () => {
    expect(errorText(new RpcError('ENCRYPTION_DECLINED', 400))).toBe('This secret chat has ended');
    expect(errorText(new RpcError('SECRET_CHATS_TOO_MUCH', 420))).toBe('Too many of your secret chat invitations are still unanswered');
    expect(errorText(new RpcError('ENCRYPTION_ID_INVALID', 400))).toBe('This secret chat is not available');
    expect(errorText(new RpcError('ENCRYPTION_DEVICE_INVALID', 403))).toBe('This secret chat is on another of your devices');
    expect(errorText(new RpcError('ENCRYPTED_MESSAGE_INVALID', 400))).toBe('The message is too long to send');
    expect(errorText(new RpcError('USER_IS_BLOCKED', 403))).toBe('This person does not accept your messages');
    expect(errorText(new RpcError('YOU_BLOCKED_USER', 403))).toBe('You blocked this person: unblock them first');
    expect(errorText(new RpcError('FLOOD_WAIT', 420, 7, 'secret.sendEncrypted'))).toBe('Sending too fast, try again in 7 s');
  });
});

describe("a secret message's file", () => {
  it('is a photo only as JPEG, PNG, GIF or WebP: an SVG with a thumb is a file by its name', () => {
    const file = (mime: string) => ({ ...message(PEER), text: '', file: { id: 1, encryptedSize: 48, key: new Uint8Array(32), name: 'x.svg', mime, size: 0, thumb: new Uint8Array([1]) } });
    expect(secretMessagePreview(file('image/jpeg'))).toBe('Photo');
    expect(secretMessagePreview(file('image/svg+xml'))).toBe('x.svg');
  });

  it('gets no object URL (nor is saved) once its view went during the download', async () => {
    const view = new AbortController();
    let finish: (blob: Blob) => void = () => undefined;
    const download = new Promise<Blob>((resolve) => (finish = resolve));
    const use = vi.fn((blob: Blob) => URL.createObjectURL(blob));
    const shown = whileShown(download, view.signal, use);
    view.abort();
    finish(new Blob(['decrypted']));
    expect(await shown).toBeNull();
    expect(use).not.toHaveBeenCalled();
    const kept = new AbortController();
    const url = await whileShown(Promise.resolve(new Blob(['decrypted'])), kept.signal, use);
    expect(url).toMatch(/^blob:/);
    URL.revokeObjectURL(url!);
  });

  it('says why a file cannot be sent or opened, and that a chat is not ready rather than ended', () => {
    expect(errorText(new SecretFileTooBigError(true))).toBe('Files over 256 MB cannot be sent in a secret chat from the browser');
    expect(errorText(new SecretFileTooBigError(false))).toBe('This file is over 256 MB: too big to open in a secret chat in the browser');
    expect(errorText(new SecretChatNotReadyError())).toBe('The secret chat is not ready yet: the other side has not joined');
  });
});

describe('object URLs of files from other users (ordinary media too)', () => {
  it('keep the type only for shown pictures and players, anything else is application/octet-stream', () => {
    expect(['image/jpeg', 'image/PNG', 'image/gif', 'image/webp', 'video/mp4', 'audio/ogg'].map(safeBlobType)).toEqual([
      'image/jpeg',
      'image/png',
      'image/gif',
      'image/webp',
      'video/mp4',
      'audio/ogg',
    ]);
    for (const bad of ['image/svg+xml', 'text/html', 'application/xhtml+xml', 'text/xml', 'application/pdf', 'video/mp4; x=<', '', 'image/svg+xml ']) {
      expect(safeBlobType(bad)).toBe('application/octet-stream');
    }
  });
});
