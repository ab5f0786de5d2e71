import { useEffect, useRef, useState } from 'preact/hooks';
import type { Message } from '../api/types';
import { Avatar } from './Avatar';
import { api } from './connection';
import { errorText } from './format';
import { messageArrived, openChat } from './messages';
import { peerFromKey, peerKey, peerPhoto, peerTitle } from './peers';
import { forwardTarget } from './permissions';
import { Modal } from './Modal';
import { useApp } from './store';

/** Forwards a message (with its media, by reference) to another of the user's chats, then opens that chat. */
export function ForwardDialog({ chatKey, message, onClose }: { chatKey: string; message: Message; onClose: () => void }) {
  const state = useApp((s) => s);
  const [filter, setFilter] = useState('');
  const [error, setError] = useState('');
  const [silent, setSilent] = useState(false);
  const needle = filter.trim().toLowerCase();
  const targets = state.dialogs
    .map((d) => peerKey(d.peer))
    .filter((key) => forwardTarget(state, key, message) && peerTitle(state, peerFromKey(key)).toLowerCase().includes(needle));
  const open = useRef(true);
  useEffect(() => () => void (open.current = false), []);
  const forward = async (to: string) => {
    setError('');
    try {
      const result = await api().messages.forward({ from_peer: peerFromKey(chatKey), ids: [message.id], to_peer: peerFromKey(to), silent });
      result.messages.forEach((m) => messageArrived(m));
      if (!open.current) return;
      onClose();
      openChat(to);
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <Modal title="Forward message" onClose={onClose}>
      <label class="field">
        <span class="field__label">Find a chat</span>
        <input class="field__input" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
      </label>
      <label class="check">
        <input type="checkbox" checked={silent} onChange={(e) => setSilent(e.currentTarget.checked)} />
        Send without sound
      </label>
      {error && (
        <p class="form__error" role="alert">
          {error}
        </p>
      )}
      <ul class="dialogs forward__list" aria-label="Chats to forward to">
        {targets.map((key) => {
          const peer = peerFromKey(key);
          const title = peerTitle(state, peer);
          return (
            <li key={key}>
              <button type="button" class="dialog" aria-label={`Forward to ${title}`} onClick={() => void forward(key)}>
                <Avatar id={peer.id} name={title} size="sm" photo={peerPhoto(state, peer)} />
                <span class="dialog__body">
                  <span class="dialog__title">{title}</span>
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      {targets.length === 0 && <p class="muted">No chat matches</p>}
    </Modal>
  );
}
