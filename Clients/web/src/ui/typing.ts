import { api } from './connection';
import { peerFromKey } from './peers';
import { getState, setState } from './store';

const typingSentAt = new Map<string, number>();

/** Tells the peer we type; at most every 4 s per chat (the server keeps it 6 s). */
export function notifyTyping(key: string): void {
  const now = Date.now();
  if (now - (typingSentAt.get(key) ?? 0) < 4000) return;
  typingSentAt.set(key, now);
  void api().messages.setTyping({ peer: peerFromKey(key), action: 'typing' }).catch(() => undefined);
}

export function stopTyping(key: string): void {
  if (!typingSentAt.has(key)) return;
  typingSentAt.delete(key);
  void api().messages.setTyping({ peer: peerFromKey(key), action: 'cancel' }).catch(() => undefined);
}

export function setTyping(key: string, userId: number, expiresAt: number | null): void {
  setState((s) => {
    const users = { ...(s.typing[key] ?? {}) };
    if (expiresAt === null) delete users[userId];
    else users[userId] = expiresAt;
    return { typing: { ...s.typing, [key]: users } };
  });
}

export function clearTyping(key: string, userId: number): void {
  if (getState().typing[key]?.[userId]) setTyping(key, userId, null);
}

setInterval(() => {
  const now = Date.now();
  for (const [key, users] of Object.entries(getState().typing)) {
    for (const [userId, expiresAt] of Object.entries(users)) if (expiresAt <= now) setTyping(key, Number(userId), null);
  }
}, 1000);
