import type { Message, MessageGeo } from '../api/types';
import { ensureUsers } from './chats';
import { api } from './connection';
import { peerFromKey, peerKey, peerTitle, serviceText, userName } from './peers';
import { getState } from './store';

/** Pages of this size are read until the chat's first message. */
const PAGE = 100;

/**
 * The whole history of a chat, as the user sees it, saved as a JSON file ("Export chat"): every message oldest first with
 * its author's name, time (ISO 8601, UTC), text, reply (and the part it quotes), edit, forward, file (name, type, size: the bytes stay on the
 * server), poll and location. Built in the browser from `messages.getHistory`: the server keeps no copy of the export.
 */
export async function exportChat(key: string, title: string): Promise<number> {
  const record = await chatRecord(key, title);
  download(`${fileName(title)}-${today()}.json`, { chat: record.chat, exported_at: new Date().toISOString(), messages: record.messages });
  return record.messages.length;
}

/**
 * Every chat in the user's list (the archive too) in one JSON file ("Export all chats" in Settings): the account, then
 * each chat as "Export chat" writes it. One chat at a time, so a long history never holds more than one page in flight.
 */
export async function exportAllChats(onProgress?: (done: number, total: number) => void): Promise<{ chats: number; messages: number }> {
  const { dialogs, me } = getState();
  const chats = [];
  for (const [index, dialog] of dialogs.entries()) {
    const key = peerKey(dialog.peer);
    chats.push({ key, ...(await chatRecord(key, peerTitle(getState(), dialog.peer))) });
    onProgress?.(index + 1, dialogs.length);
  }
  download(`messenger-${fileName(me?.username ?? 'account')}-${today()}.json`, {
    account: me && { id: me.id, username: me.username, display_name: me.display_name },
    exported_at: new Date().toISOString(),
    chats,
  });
  return { chats: chats.length, messages: chats.reduce((sum, c) => sum + c.messages.length, 0) };
}

async function chatRecord(key: string, title: string) {
  const peer = peerFromKey(key);
  const newestFirst: Message[] = [];
  for (let offset_id = 0; ; ) {
    const page = await api().messages.getHistory({ peer, offset_id, limit: PAGE });
    newestFirst.push(...page.messages);
    if (page.messages.length < PAGE) break;
    offset_id = page.messages[page.messages.length - 1].id;
  }
  const messages = newestFirst.reverse();
  await ensureUsers(messages.flatMap((m) => [m.from_id, m.fwd_from_id ?? 0]));
  const state = getState();
  return {
    chat: title,
    messages: messages.map((m) => ({
      id: m.id,
      date: iso(m.date),
      from: userName(state, m.from_id),
      from_id: m.from_id,
      ...(m.action ? { service: serviceText(state, m) } : { text: m.text }),
      ...(m.reply_to_id ? { reply_to_id: m.reply_to_id } : {}),
      ...(m.reply_to_id && m.reply_quote ? { reply_quote: m.reply_quote.text } : {}),
      ...(m.edit_date ? { edited: iso(m.edit_date) } : {}),
      ...(m.fwd_from_id ? { forwarded_from: userName(state, m.fwd_from_id) } : {}),
      ...(m.media ? { file: { name: m.media.name, mime_type: m.media.mime_type, size: m.media.size } } : {}),
      ...(m.poll ? { poll: { question: m.poll.question, options: m.poll.options } } : {}),
      ...(m.geo ? { location: exportedGeo(m.geo) } : {}),
    })),
  };
}

const iso = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString();

/** A location as it was: its point, and for a live one its period and when it ended (or was last moved). */
function exportedGeo(geo: MessageGeo) {
  return {
    latitude: geo.lat,
    longitude: geo.long,
    ...(geo.accuracy_radius != null ? { accuracy_radius: geo.accuracy_radius } : {}),
    ...(geo.live_period != null ? { live_period: geo.live_period } : {}),
    ...(geo.live_until != null ? { live_until: iso(geo.live_until) } : {}),
    ...(geo.move_date != null ? { moved: iso(geo.move_date) } : {}),
  };
}

const fileName = (title: string) => title.replace(/[^\p{L}\p{N}_-]+/gu, '_');
const today = () => new Date().toISOString().slice(0, 10);

function download(name: string, data: unknown): void {
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
