import { useEffect, useState } from 'preact/hooks';
import type { InvitePreview } from '../api/types';
import { ChatKind, ErrorNames, RpcError } from '../api/types';
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
  const [preview, setPreview] = useState<InvitePreview | null>(null);
  const [sent, setSent] = useState(false);
  const bare = code.trim().replace(/^.*[#/]/, '');
  // What the code leads to, once the typing stops (a code that leads nowhere says so when joining).
  useEffect(() => {
    setPreview(null);
    setSent(false);
    setError(''); // an error was the code before this one's
    if (!bare) return;
    let current = true;
    const timer = setTimeout(() => {
      void api()
        .groups.checkInvite({ code: bare })
        .then((found) => current && (setPreview(found), setSent(found.requested)), () => undefined);
    }, 300);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [bare]);
  const join = async (event: Event) => {
    event.preventDefault();
    setError('');
    if (preview?.chat_id) {
      setState({ joinCode: null });
      openChat(`c${preview.chat_id}`);
      return;
    }
    try {
      const changed = await api().groups.joinByInvite({ code: bare });
      setState({ joinCode: null });
      chatChanged(changed);
      await loadDialogs();
      openChat(`c${changed.chat.id}`);
    } catch (e) {
      if (e instanceof RpcError && e.name === ErrorNames.InviteRequestSent) setSent(true);
      else setError(errorText(e));
    }
  };
  const noun = preview?.kind === ChatKind.Channel ? 'channel' : 'group';
  return (
    <Modal title="New chat" onClose={close}>
      <UserPicker label="Find people by name or username" onPick={(user) => openChat(`u${user.id}`)} actionLabel={(u) => `Message ${u.display_name} (@${u.username})`} />
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
        <button type="submit" class="btn" disabled={sent}>
          {preview?.chat_id ? 'Open chat' : preview?.request_needed ? 'Request to join' : `Join ${noun}`}
        </button>
      </form>
      {preview && (
        <p class="muted" data-testid="invite-preview">
          {preview.title} · {noun} · {preview.member_count} member{preview.member_count === 1 ? '' : 's'}
          {preview.chat_id ? ' · you are in it' : preview.request_needed ? ' · its admins approve new members' : ''}
        </p>
      )}
      {sent && (
        <p class="form__ok" role="status">
          Your request to join was sent to the {noun}'s admins: you will be in it once one approves.
        </p>
      )}
      {error && <p class="form__error" role="alert">{error}</p>}
    </Modal>
  );
}
