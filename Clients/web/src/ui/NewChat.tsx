import { useState } from 'preact/hooks';
import { chatChanged, openChat } from './messages';
import { errorText } from './format';
import { loadDialogs } from './chats';
import { api } from './connection';
import { Modal } from './Modal';
import { getState, setState } from './store';
import { UserPicker } from './UserPicker';

/** Starts a private chat with a user found by username, or joins a group by its invite code. */
export function NewChat() {
  const close = () => setState({ panel: null, joinCode: null });
  const [invited] = useState(() => getState().joinCode);
  const [code, setCode] = useState(invited ?? '');
  const [error, setError] = useState('');
  const join = async (event: Event) => {
    event.preventDefault();
    setError('');
    try {
      const changed = await api().groups.joinByInvite({ code: code.trim().replace(/^.*[#/]/, '') });
      setState({ joinCode: null });
      chatChanged(changed);
      await loadDialogs();
      openChat(`c${changed.chat.id}`);
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <Modal title="New chat" onClose={close}>
      <UserPicker label="Find people by username" onPick={(user) => openChat(`u${user.id}`)} actionLabel={(u) => `Message ${u.display_name} (@${u.username})`} />
      {invited && (
        <p class="muted" role="status">
          You were invited to a group: join it with the code below.
        </p>
      )}
      <form class="form form--inline" onSubmit={join}>
        <label class="field">
          <span class="field__label">Invite code</span>
          <input class="field__input" value={code} onInput={(e) => setCode(e.currentTarget.value)} required />
        </label>
        <button type="submit" class="btn">
          Join group
        </button>
      </form>
      {error && <p class="form__error" role="alert">{error}</p>}
    </Modal>
  );
}
