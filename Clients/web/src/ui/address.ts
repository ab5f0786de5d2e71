// The open chat in the address and the browser's history: opening a chat from the list pushes `/?chat=<key>`, so Back
// (a phone's back gesture) closes it instead of leaving the app, and a reload reopens it (App's takeChatLink).
import { chatKeyOf } from './chatLink';

/** What this app's own history entries carry: the chat they show. */
export interface AddressState {
  messengerChat: string;
}

export type AddressStep = { kind: 'push' | 'replace'; url: string; state: AddressState } | { kind: 'back' } | { kind: 'root' } | null;

/** The address of the chat `key`, the form takeChatLink reads. */
export function chatAddress(key: string): string {
  return `/?chat=${encodeURIComponent(key)}`;
}

/** The entry's chat when it is one this app pushed, else null. */
export function chatOfState(state: unknown): string | null {
  return typeof state === 'object' && state !== null ? chatKeyOf((state as Partial<AddressState>).messengerChat) : null;
}

/**
 * What the history does when the open chat changes from `from` to `to` (not by Back or Forward): a chat opened from the
 * list is a new entry, one opened from another chat takes that entry's place (Back still goes to the list), the same
 * chat already in the address (a reload) is only marked; a chat closed in the app goes back from its entry when it is
 * this app's, else the address becomes `/`.
 */
export function addressStep(from: string | null, to: string | null, current: { state: unknown; search: string }): AddressStep {
  if (from === to) return null;
  if (to === null) return chatOfState(current.state) !== null ? { kind: 'back' } : current.search ? { kind: 'root' } : null;
  const url = chatAddress(to);
  const state = { messengerChat: to };
  if (chatOfState(current.state) === to) return null;
  const here = new URLSearchParams(current.search).get('chat');
  return { kind: from === null && here !== to ? 'push' : 'replace', url, state };
}
