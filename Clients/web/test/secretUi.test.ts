// How the app shows secret chats (ui/secret.ts, ui/format.ts).
import { describe, expect, it, vi } from 'vitest';
import { RpcError } from '../src/api/types';

vi.mock('../src/ui/connection', () => ({
  api: () => {
    throw new Error('no server here');
  },
}));

import { errorText } from '../src/ui/format';

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
