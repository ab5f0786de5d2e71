import { describe, expect, it } from 'vitest';
import { PeerKind, type User } from '../src/api/types';
import { contactNameFits, contactsByName } from '../src/ui/contacts';
import { peerTitle, userName } from '../src/ui/peers';
import { getState } from '../src/ui/store';

describe('contacts', () => {
  it('takes the names the server takes: 1–64 characters after trimming, no control characters', () => {
    expect(contactNameFits('  Bob from work ')).toBe(true);
    expect(contactNameFits('é'.repeat(64))).toBe(true);
    expect(contactNameFits('😀'.repeat(64))).toBe(true);
    expect(contactNameFits('x'.repeat(65))).toBe(false);
    expect(contactNameFits('   ')).toBe(false);
    expect(contactNameFits('tab\there')).toBe(false);
  });

  it('lists contacts by name whatever its case, the same name by id', () => {
    const list = contactsByName({
      3: { user_id: 3, name: 'carol', mutual: false },
      2: { user_id: 2, name: 'Bob', mutual: true },
      5: { user_id: 5, name: 'Anna', mutual: false },
      4: { user_id: 4, name: 'anna', mutual: false },
    });
    expect(list.map((c) => c.user_id)).toEqual([4, 5, 2, 3]);
  });

  it("names a person by the contact's name where there is one, else by their display name", () => {
    const state = {
      ...getState(),
      users: { 2: { id: 2, username: 'bob', display_name: 'Robert', bio: '' } as User, 3: { id: 3, username: 'carol', display_name: 'Carol', bio: '' } as User },
      contacts: { 2: { user_id: 2, name: 'Bobby', mutual: false } },
    };
    expect(userName(state, 2)).toBe('Bobby');
    expect(peerTitle(state, { kind: PeerKind.User, id: 2 })).toBe('Bobby');
    expect(userName(state, 3)).toBe('Carol');
  });
});
