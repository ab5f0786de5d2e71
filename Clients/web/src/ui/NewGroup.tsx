import { useId, useState } from 'preact/hooks';
import type { User } from '../api/types';
import { chatChanged, openChat } from './messages';
import { api } from './connection';
import { Field } from './Field';
import { useSubmit } from './form';
import { Modal } from './Modal';
import { setState } from './store';
import { UserPicker } from './UserPicker';
import { Icon } from './Icon';

type Kind = 'group' | 'large' | 'channel';

export function NewGroup() {
  const close = () => setState({ panel: null });
  const [title, setTitle] = useState('');
  const [kind, setKind] = useState<Kind>('group');
  const [members, setMembers] = useState<User[]>([]);
  const { busy, error, submit: create } = useSubmit(async () => {
    const changed = await api().groups.create({
      title: title.trim(),
      user_ids: members.map((m) => m.id),
      large: kind !== 'group',
      broadcast: kind === 'channel',
    });
    chatChanged(changed);
    openChat(`c${changed.chat.id}`);
  });
  const channel = kind === 'channel';
  return (
    <Modal title={channel ? 'New channel' : 'New group'} onClose={close} wide>
      <form class="form" onSubmit={create}>
        <Field label={channel ? 'Channel name' : 'Group name'} value={title} onInput={setTitle} required maxLength={128} />
        <fieldset class="radio-group">
          <legend>Kind</legend>
          <Radio value="group" current={kind} onSelect={setKind} label="Group" hint="Up to a few hundred members" />
          <Radio value="large" current={kind} onSelect={setKind} label="Large group" hint="Many members, one shared log" />
          <Radio value="channel" current={kind} onSelect={setKind} label="Channel" hint="Only admins post" />
        </fieldset>
        <UserPicker
          label={channel ? 'Add subscribers' : 'Add members'}
          exclude={members.map((m) => m.id)}
          onPick={(user) => setMembers((list) => [...list, user])}
          actionLabel={(u) => `Add ${u.display_name} (@${u.username})`}
        />
        {members.length > 0 && (
          <ul class="chips" aria-label={channel ? 'Subscribers to add' : 'Members to add'}>
            {members.map((m) => (
              <li key={m.id} class="chip">
                {m.display_name}
                <button
                  type="button"
                  class="chip__remove"
                  aria-label={`Remove ${m.display_name}`}
                  onClick={() => setMembers((list) => list.filter((x) => x.id !== m.id))}
                >
                  <Icon name="close" />
                </button>
              </li>
            ))}
          </ul>
        )}
        {error && <p class="form__error" role="alert">{error}</p>}
        <button type="submit" class="btn btn--primary" disabled={busy || !title.trim()}>
          {channel ? 'Create channel' : 'Create group'}
        </button>
      </form>
    </Modal>
  );
}

function Radio({ value, current, onSelect, label, hint }: { value: Kind; current: Kind; onSelect: (k: Kind) => void; label: string; hint: string }) {
  const hintId = useId();
  return (
    <label class="radio">
      <input
        type="radio"
        name="group-kind"
        aria-label={label}
        aria-describedby={hintId}
        checked={value === current}
        onChange={() => onSelect(value)}
      />
      <span>
        <span aria-hidden="true">{label}</span>{' '}
        <span class="muted" id={hintId}>
          — {hint}
        </span>
      </span>
    </label>
  );
}
