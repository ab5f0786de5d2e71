import { describe, expect, it } from 'vitest';
import { addressStep, chatOfState } from '../src/ui/address';
import { chatLinkOf } from '../src/ui/chatLink';

const at = (state: unknown, search = '') => ({ state, search });

describe('the open chat in the address and the browser history', () => {
  it('pushes an entry when a chat opens from the list, whose address takeChatLink reads back', () => {
    const step = addressStep(null, 'u7', at(null));
    expect(step).toEqual({ kind: 'push', url: '/?chat=u7', state: { messengerChat: 'u7' } });
    expect(chatLinkOf(step && 'url' in step ? step.url.slice(1) : '')).toEqual({ chat: 'u7', message: null });
  });

  it('takes the entry\u2019s place when another chat opens from an open one, so Back still goes to the list', () => {
    expect(addressStep('u7', 'c5', at({ messengerChat: 'u7' }, '?chat=u7'))).toEqual({ kind: 'replace', url: '/?chat=c5', state: { messengerChat: 'c5' } });
  });

  it('goes back from its own entry when the app closes the chat, and does nothing after Back or on a reload of the entry', () => {
    expect(addressStep('u7', null, at({ messengerChat: 'u7' }, '?chat=u7'))).toEqual({ kind: 'back' });
    // Back already left the entry: the state is the list's.
    expect(addressStep('u7', null, at(null))).toBeNull();
    // Forward, or a reload: the entry already shows the chat.
    expect(addressStep(null, 'u7', at({ messengerChat: 'u7' }, '?chat=u7'))).toBeNull();
    expect(addressStep('u7', 'u7', at(null))).toBeNull();
  });

  it('only takes entries it pushed, with a key in its one form', () => {
    expect(chatOfState({ messengerChat: 'c5' })).toBe('c5');
    expect(chatOfState({ messengerChat: 'c05' })).toBeNull();
    expect(chatOfState({ chat: 'c5' })).toBeNull();
    expect(chatOfState(null)).toBeNull();
    expect(addressStep('u7', null, at(null, '?chat=u7'))).toEqual({ kind: 'root' });
  });
});
