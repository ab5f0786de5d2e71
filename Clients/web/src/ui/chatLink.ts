// The chat keys that links and notifications hand to the app (`/?chat=<key>&msg=<id>`, the service worker's
// 'open-chat' message): only the one form the app writes itself is taken, so a key never names one chat two ways.

const CHAT_KEY = /^[ucs][1-9]\d{0,15}$/;
const MESSAGE_ID = /^[1-9]\d{0,15}$/;

/** `u<user id>`, `c<chat id>` or `s<secret chat id>` as the app writes it (no sign, no leading zero, a safe integer),
 * or null. */
export function chatKeyOf(value: unknown): string | null {
  return typeof value === 'string' && CHAT_KEY.test(value) && Number.isSafeInteger(Number(value.slice(1))) ? value : null;
}

/** The chat, and the message to open it at, of a link's query (`?chat=c<id>&msg=<id>`), or null. A secret chat's link
 * names no message: its messages have no ids the server knows. */
export function chatLinkOf(search: string): { chat: string; message: number | null } | null {
  const query = new URLSearchParams(search);
  const chat = chatKeyOf(query.get('chat'));
  if (!chat) return null;
  const msg = query.get('msg');
  const message = chat.startsWith('s') || msg === null || !MESSAGE_ID.test(msg) || !Number.isSafeInteger(Number(msg)) ? null : Number(msg);
  return { chat, message };
}
