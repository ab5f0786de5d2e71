/** Unsent text per chat, kept across reloads (this browser only). */
const storageKey = (chatKey: string) => `messenger.draft.${chatKey}`;

export function loadDraft(chatKey: string): string {
  return localStorage.getItem(storageKey(chatKey)) ?? '';
}

export function saveDraft(chatKey: string, text: string): void {
  if (text.trim()) localStorage.setItem(storageKey(chatKey), text);
  else localStorage.removeItem(storageKey(chatKey));
}
