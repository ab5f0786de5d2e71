import { describe, expect, it } from 'vitest';
import type { Dialog, Peer } from '../src/api/types';
import { PeerKind } from '../src/api/types';
import { tickStatus } from '../src/ui/ticks';

const me = 7;
const dialog = (peer: Peer): Dialog =>
  ({ peer, top_message: null, unread_count: 0, read_inbox_max_id: 0, read_outbox_max_id: 10, delivered_max_id: 20, last_activity: 0 }) as Dialog;

describe("the ticks on one's own message", () => {
  it('follow the other side: read, delivered, then only sent', () => {
    const bob: Peer = { kind: PeerKind.User, id: 8 };
    expect(tickStatus({ id: 10, to_peer: bob }, dialog(bob), me)).toBe('read');
    expect(tickStatus({ id: 11, to_peer: bob }, dialog(bob), me)).toBe('delivered');
    expect(tickStatus({ id: 21, to_peer: bob }, dialog(bob), me)).toBe('sent');
    const group: Peer = { kind: PeerKind.Chat, id: 3 };
    expect(tickStatus({ id: 21, to_peer: group }, undefined, me)).toBe('sent');
  });

  it('are none in Saved Messages, where nobody else receives or reads them', () => {
    const saved: Peer = { kind: PeerKind.User, id: me };
    expect(tickStatus({ id: 30, to_peer: saved }, dialog(saved), me)).toBeNull();
    expect(tickStatus({ id: 5, to_peer: saved }, dialog(saved), me)).toBeNull();
    expect(tickStatus({ id: 30, to_peer: saved }, undefined, me)).toBeNull();
  });
});
