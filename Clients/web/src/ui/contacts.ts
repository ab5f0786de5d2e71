import type { Contact } from '../api/types';
import { MaxContactName } from '../api/types';
import { ensureUsers } from './chats';
import { api } from './connection';
import { setState } from './store';

/** The user's contact list, kept on the server: the same names on each of their devices. */
export async function loadContacts(): Promise<void> {
  const { contacts } = await api().contacts.getContacts();
  setState({ contacts: Object.fromEntries(contacts.map((c) => [c.user_id, c])) });
  await ensureUsers(contacts.map((c) => c.user_id));
}

/** A contact was added, renamed or taken out (here or on another device), or its mutual flag changed. */
export function contactChanged(userId: number, contact: Contact | null): void {
  setState((s) => {
    const contacts = { ...s.contacts };
    if (contact) contacts[userId] = contact;
    else delete contacts[userId];
    return { contacts };
  });
  if (contact) void ensureUsers([userId]).catch(() => undefined);
}

/** Adds the person under `name`, or renames them; shown at once as the server stored it. */
export async function saveContact(userId: number, name: string): Promise<void> {
  const { contact } = await api().contacts.addContact({ user_id: userId, name: name.trim() });
  contactChanged(userId, contact);
}

export async function deleteContact(userId: number): Promise<void> {
  await api().contacts.deleteContacts({ user_ids: [userId] });
  contactChanged(userId, null);
}

/** By name as people read it, then by id. */
export function contactsByName(contacts: Record<number, Contact>): Contact[] {
  return Object.values(contacts).sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }) || a.user_id - b.user_id);
}

/** The server's rule for a contact's name: 1–64 characters after trimming, no control characters. */
export function contactNameFits(name: string): boolean {
  const trimmed = name.trim();
  return trimmed.length > 0 && [...trimmed].length <= MaxContactName && !/\p{Cc}/u.test(trimmed);
}
