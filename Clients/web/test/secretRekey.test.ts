// The steps of a key change on stored chats (protocol/secretRekey.ts), two sides simulated without a server: what each
// step queues is opened by the other side as the engine would.
import { beforeAll, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../src/protocol/bytes';
import { newSecretKeyPair, parseBody, type RekeyAction } from '../src/protocol/secret';
import { afterReceived, applyRekey, checkRekey, DEFAULT_REKEY_LIMITS, openReceived, withRekeyFields } from '../src/protocol/secretRekey';
import type { LocalSecretChat } from '../src/protocol/secretStore';
import { ready } from '../src/protocol/sodium';
import vectors from './secret-vectors.json';

beforeAll(() => ready());

const NOW = 1_764_900_000_000;
const c0 = vectors.cases[0]!;

function side(role: 'admin' | 'participant'): LocalSecretChat {
  return withRekeyFields(
    {
      id: c0.chat_id,
      role,
      peerId: role === 'admin' ? 2 : 1,
      state: 'ready',
      date: 1,
      secretKey: null,
      gA: fromHex(c0.g_a),
      gB: fromHex(c0.g_b),
      keyAdmin: fromHex(c0.key_admin_to_participant),
      keyParticipant: fromHex(c0.key_participant_to_admin),
      fingerprint: c0.key_fingerprint,
      verification: c0.verification,
      reason: null,
      ttl: 0,
      peerReadDate: 0,
      readDateSent: 0,
      lastDate: 1,
    },
    NOW,
  );
}

/** What `from` queued, handed to `to` as the engine does (opened under the keys it holds, counted, the step taken);
 * answers both, `from`'s queue emptied. */
function deliver(from: LocalSecretChat, to: LocalSecretChat, now = NOW): { from: LocalSecretChat; to: LocalSecretChat; actions: RekeyAction[] } {
  const actions: RekeyAction[] = [];
  let next = to;
  for (const sent of from.rekeySends ?? []) {
    const opened = openReceived(next, sent.randomId, sent.data);
    expect(opened, 'opens').not.toBeNull();
    const action = parseBody(opened!.plaintext)!.rekey!;
    actions.push(action);
    next = applyRekey(afterReceived(next, opened!.under, false, now), action, now);
  }
  return { from: { ...from, rekeySends: [] }, to: next, actions };
}

const due = (chat: LocalSecretChat) => checkRekey({ ...chat, keyUsed: 100 }, NOW, DEFAULT_REKEY_LIMITS);

describe('a key change between two sides', () => {
  it('request, accept, commit: both reach the next generation, the keys of the vectors\' derivation, the commit under the old keys', () => {
    let admin = due(side('admin'));
    let participant = side('participant');
    expect(admin.rekeyOutgoing).not.toBeNull();
    ({ from: admin, to: participant } = deliver(admin, participant));
    expect(participant.rekeyAccepted?.keys.generation).toBe(1);
    ({ from: participant, to: admin } = deliver(participant, admin));
    expect(admin).toMatchObject({ generation: 1, keyUsed: 0, keyCreated: NOW, rekeyOutgoing: null, previousKeys: { generation: 0 } });
    // The commit opens only under the old keys: the participant has not switched yet.
    const commit = admin.rekeySends![0]!;
    expect(openReceived({ ...participant, rekeyAccepted: null }, commit.randomId, commit.data)?.under).toBe('current');
    ({ from: admin, to: participant } = deliver(admin, participant));
    expect(participant).toMatchObject({ generation: 1, rekeyAccepted: null, previousKeys: { generation: 0 } });
    expect(toHex(participant.keyAdmin!)).toBe(toHex(admin.keyAdmin!));
    expect(toHex(participant.keyParticipant!)).toBe(toHex(admin.keyParticipant!));
    expect(admin.fingerprint).toBe(c0.key_fingerprint);
  });

  it('the larger id wins when both ask; the same id drawn by both is aborted', () => {
    const withOutgoing = (chat: LocalSecretChat, id: number) => ({ ...chat, rekeyOutgoing: { id, ...pair(), date: NOW } });
    const pair = () => {
      const own = newSecretKeyPair();
      return { secretKey: own.secretKey, g: own.publicKey };
    };
    const g = newSecretKeyPair().publicKey;
    const mine = withOutgoing(side('admin'), 50);
    // A smaller id: ignored (the other side accepts ours).
    expect(applyRekey(mine, { op: 'request', id: 49, g }, NOW)).toBe(mine);
    // A larger one: ours dropped, theirs accepted.
    const accepted = applyRekey(mine, { op: 'request', id: 51, g }, NOW);
    expect(accepted).toMatchObject({ rekeyOutgoing: null, rekeyAccepted: { id: 51 } });
    // The same: ours dropped, an abort, nothing accepted.
    const same = applyRekey(mine, { op: 'request', id: 50, g }, NOW);
    expect(same).toMatchObject({ rekeyOutgoing: null, rekeyAccepted: null });
    expect(deliver(same, side('participant')).actions).toEqual([{ op: 'abort', id: 50 }]);
  });

  it('answers the same request again with the same accept, and a newer request replaces an accepted one', () => {
    let admin = due(side('admin'));
    const request = admin.rekeySends!;
    let participant = side('participant');
    ({ from: admin, to: participant } = deliver({ ...admin, rekeySends: request }, participant));
    const first = deliver(participant, admin).actions[0] as Extract<RekeyAction, { op: 'accept' }>;
    ({ to: participant } = deliver({ ...admin, rekeySends: request }, { ...participant, rekeySends: [] }));
    const again = deliver(participant, admin).actions;
    expect(again).toEqual([first]);
    const newer = applyRekey(participant, { op: 'request', id: first.id + 1, g: newSecretKeyPair().publicKey }, NOW);
    expect(newer.rekeyAccepted?.id).toBe(first.id + 1);
    expect(toHex(newer.rekeyAccepted!.g)).not.toBe(toHex(first.g));
  });

  it('aborts on an accept whose fingerprint differs or whose key is low-order, and ignores a commit that does not match', () => {
    let admin = due(side('admin'));
    let participant = side('participant');
    ({ from: admin, to: participant } = deliver(admin, participant));
    const accept = deliver(participant, admin).actions[0] as Extract<RekeyAction, { op: 'accept' }>;
    for (const bad of [{ ...accept, fp: accept.fp ^ 1 }, { ...accept, g: fromHex(vectors.low_order_points[1]!) }]) {
      const refused = applyRekey(admin, bad, NOW);
      expect(refused).toMatchObject({ generation: 0, rekeyOutgoing: null });
      expect(deliver(refused, participant).actions).toEqual([{ op: 'abort', id: accept.id }]);
    }
    // An accept for another exchange: nothing.
    expect(applyRekey(admin, { ...accept, id: accept.id + 1 }, NOW)).toBe(admin);
    expect(applyRekey(participant, { op: 'commit', id: accept.id, fp: accept.fp ^ 1 }, NOW)).toBe(participant);
    expect(applyRekey(participant, { op: 'commit', id: accept.id + 1, fp: accept.fp }, NOW)).toBe(participant);
    // An abort drops the accepted exchange.
    expect(applyRekey(participant, { op: 'abort', id: accept.id }, NOW).rekeyAccepted).toBeNull();
  });

  it('starts nothing while an exchange waits, and only once the keys were used 100 times or are 7 days old', () => {
    const fresh = side('admin');
    expect(checkRekey({ ...fresh, keyUsed: 99 }, NOW + 7 * 86_400_000 - 1, DEFAULT_REKEY_LIMITS).rekeyOutgoing).toBeNull();
    expect(checkRekey({ ...fresh, keyUsed: 0 }, NOW + 7 * 86_400_000, DEFAULT_REKEY_LIMITS).rekeyOutgoing).not.toBeNull();
    const asking = due(fresh);
    expect(due(asking).rekeySends).toHaveLength(1);
    const accepting = applyRekey(side('participant'), deliver(asking, side('participant')).actions[0]!, NOW);
    expect(due({ ...accepting, rekeySends: [] }).rekeySends).toEqual([]);
    expect(checkRekey({ ...fresh, state: 'discarded', keyUsed: 100 }, NOW, DEFAULT_REKEY_LIMITS).rekeyOutgoing).toBeNull();
  });
});
