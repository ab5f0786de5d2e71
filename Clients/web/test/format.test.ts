import { describe, expect, it } from 'vitest';
import { RpcError } from '../src/api/types';
import { errorText } from '../src/ui/format';

describe('error text', () => {
  it('says a FLOOD_WAIT on sending is about sending, with the wait', () => {
    expect(errorText(new RpcError('FLOOD_WAIT', 420, 3, 'messages.send'))).toBe('Sending too fast, try again in 3 s');
    expect(errorText(new RpcError('FLOOD_WAIT', 420, 60, 'auth.signIn'))).toBe('Too many attempts, try again in 60 s');
  });

  it('reads any other error name as a sentence', () => {
    expect(errorText(new RpcError('MESSAGE_TOO_LONG', 400, undefined, 'messages.send'))).toBe('Message too long');
  });
});
