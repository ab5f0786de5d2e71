import { useEffect, useState } from 'preact/hooks';
import type { Contact } from '../api/types';
import { Avatar } from './Avatar';
import { loadPresence } from './chats';
import { contactNameFits, contactsByName, deleteContact, loadContacts, saveContact } from './contacts';
import { errorText, presenceText } from './format';
import { Icon } from './Icon';
import { openChat } from './messages';
import { Modal } from './Modal';
import { getState, setState, useApp } from './store';

/** The sidebar's contact list: each person under the name the user gave them, with their presence; a click opens the chat. */
export function Contacts() {
  const contacts = useApp((s) => s.contacts);
  const [error, setError] = useState('');
  useEffect(() => {
    loadContacts()
      .then(() => loadPresence(Object.keys(getState().contacts).map(Number)))
      .catch((e) => setError(errorText(e)));
  }, []);
  const list = contactsByName(contacts);
  return (
    <div class="chat-list">
      <header class="sidebar__header">
        <button type="button" class="icon-btn" aria-label="Back to chats" onClick={() => setState({ panel: null })}>
          <Icon name="back" />
        </button>
        <h2 class="sidebar__title">Contacts</h2>
      </header>
      {error && (
        <p class="form__error" role="alert">
          {error}
        </p>
      )}
      {list.length === 0 ? (
        <p class="chat-list__empty muted">No contacts yet. Add someone from their chat's header or their info.</p>
      ) : (
        <ul class="dialogs" aria-label="Contacts">
          {list.map((contact) => (
            <ContactRow key={contact.user_id} contact={contact} />
          ))}
        </ul>
      )}
    </div>
  );
}

function ContactRow({ contact }: { contact: Contact }) {
  const user = useApp((s) => s.users[contact.user_id]);
  const presence = useApp((s) => s.presence[contact.user_id]);
  const status = presence ? presenceText(presence) : user ? `@${user.username}` : '';
  return (
    <li>
      <button type="button" class="dialog" data-testid="contact" onClick={() => openChat(`u${contact.user_id}`)}>
        <Avatar id={contact.user_id} name={contact.name} online={presence?.online} photo={user?.photo} />
        <span class="dialog__body">
          <span class="dialog__top">
            <span class="dialog__title">{contact.name}</span>
            {contact.mutual && <span class="dialog__time" title="You are in their contacts too">mutual</span>}
          </span>
          <span class="dialog__bottom">
            <span class={`dialog__preview${presence?.online ? ' dialog__preview--typing' : ''}`}>{status}</span>
          </span>
        </span>
      </button>
    </li>
  );
}

/** Adds a person to the contacts under a name (their display name to begin with), or renames one. */
export function ContactDialog({ userId, onClose }: { userId: number; onClose: () => void }) {
  const existing = useApp((s) => s.contacts[userId]);
  const displayName = useApp((s) => s.users[userId]?.display_name ?? '');
  const [name, setName] = useState(existing?.name ?? displayName);
  const [error, setError] = useState('');
  const [saving, setSaving] = useState(false);
  const save = async (event: Event) => {
    event.preventDefault();
    setError('');
    setSaving(true);
    try {
      await saveContact(userId, name);
      onClose();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal title={existing ? 'Edit contact' : 'Add to contacts'} onClose={onClose}>
      <form class="form" onSubmit={save}>
        <label class="field">
          <span class="field__label">Contact name</span>
          <input class="field__input" value={name} maxLength={128} onInput={(e) => setName(e.currentTarget.value)} required />
        </label>
        <p class="muted">Only you see this name; they are not told you added them.</p>
        {error && (
          <p class="form__error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="btn btn--primary" disabled={saving || !contactNameFits(name)}>
          {existing ? 'Save contact' : 'Add contact'}
        </button>
      </form>
    </Modal>
  );
}

/** The contact buttons of a person's info: add, or rename and delete. */
export function ContactButtons({ userId }: { userId: number }) {
  const contact = useApp((s) => s.contacts[userId]);
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState('');
  const remove = () => {
    setError('');
    deleteContact(userId).catch((e) => setError(errorText(e)));
  };
  return (
    <>
      {error && (
        <p class="form__error" role="alert">
          {error}
        </p>
      )}
      <div class="contact-buttons">
        <button type="button" class="btn" onClick={() => setEditing(true)}>
          {contact ? 'Edit contact' : 'Add to contacts'}
        </button>
        {contact && (
          <button type="button" class="btn btn--danger" onClick={remove}>
            Delete contact
          </button>
        )}
      </div>
      {editing && <ContactDialog userId={userId} onClose={() => setEditing(false)} />}
    </>
  );
}
