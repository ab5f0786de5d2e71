import { useState } from 'preact/hooks';
import type { DialogFilter, Peer } from '../api/types';
import { Field } from './Field';
import { MaxFolders, blankFolder, deleteFolder, folderProblem, freeFolderId, moveFolder, saveFolder } from './folders';
import { errorText } from './format';
import { Modal } from './Modal';
import { peerFromKey, peerKey, peerTitle } from './peers';
import { StatusLine, useStatus } from './StatusLine';
import { useApp } from './store';

const kinds = [
  ['private_chats', 'Private chats'],
  ['bots', 'Bots'],
  ['groups', 'Groups'],
  ['channels', 'Channels'],
] as const;

const leftOut = [
  ['exclude_muted', 'Muted chats'],
  ['exclude_read', 'Read chats'],
  ['exclude_archived', 'Archived chats'],
] as const;

/** Settings → Chat folders: the user's folders in their tabs' order, each to edit, move or delete, and a new one. */
export function Folders() {
  const folders = useApp((s) => s.folders);
  const [editing, setEditing] = useState<DialogFilter | null>(null);
  const { status, ok, fail } = useStatus();
  const act = (action: Promise<void>, done: string) => void action.then(() => ok(done), fail);
  const next = freeFolderId(folders);
  return (
    <section class="settings__section" aria-labelledby="settings-folders" data-testid="folders">
      <h3 id="settings-folders">Chat folders</h3>
      <p class="muted">Folders show as tabs above your chats, the same on each of your devices.</p>
      <ul class="folder-list">
        {folders.map((folder, index) => (
          <li key={folder.id} class="folder-row" data-testid="folder-row">
            <span class="folder-row__title">{folder.title}</span>
            <button type="button" class="btn btn--small" aria-label={`Move ${folder.title} up`} disabled={index === 0}
              onClick={() => act(moveFolder(folders, folder.id, -1), 'Folders reordered')}>
              ↑
            </button>
            <button type="button" class="btn btn--small" aria-label={`Move ${folder.title} down`} disabled={index === folders.length - 1}
              onClick={() => act(moveFolder(folders, folder.id, 1), 'Folders reordered')}>
              ↓
            </button>
            <button type="button" class="btn btn--small" onClick={() => setEditing(folder)}>
              Edit
            </button>
            <button type="button" class="btn btn--small btn--danger" aria-label={`Delete ${folder.title}`}
              onClick={() => act(deleteFolder(folder.id), 'Folder deleted')}>
              Delete
            </button>
          </li>
        ))}
      </ul>
      <button type="button" class="btn" disabled={folders.length >= MaxFolders || next === null} onClick={() => next !== null && setEditing(blankFolder(next))}>
        New folder
      </button>
      {folders.length >= MaxFolders && <p class="muted">You have {MaxFolders} folders, the most there may be.</p>}
      <StatusLine status={status} />
      {editing && (
        <FolderEditor
          folder={editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            ok('Folder saved');
          }}
        />
      )}
    </section>
  );
}

type Membership = 'auto' | 'always' | 'never';

function FolderEditor({ folder, onClose, onSaved }: { folder: DialogFilter; onClose: () => void; onSaved: () => void }) {
  const [draft, setDraft] = useState(folder);
  const [error, setError] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const state = useApp((s) => s);
  const membership = (peer: Peer): Membership =>
    draft.include_peers.some((p) => peerKey(p) === peerKey(peer)) ? 'always' : draft.exclude_peers.some((p) => peerKey(p) === peerKey(peer)) ? 'never' : 'auto';
  const setMembership = (peer: Peer, choice: Membership) => {
    const key = peerKey(peer);
    const without = (peers: Peer[]) => peers.filter((p) => peerKey(p) !== key);
    setDraft({
      ...draft,
      include_peers: choice === 'always' ? [...without(draft.include_peers), peer] : without(draft.include_peers),
      exclude_peers: choice === 'never' ? [...without(draft.exclude_peers), peer] : without(draft.exclude_peers),
    });
  };
  const save = async (event: Event) => {
    event.preventDefault();
    const problem = folderProblem(draft);
    if (problem) {
      setError(problem);
      return;
    }
    try {
      await saveFolder(draft);
      onSaved();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const needle = query.trim().toLowerCase();
  const chats = state.dialogs.filter((d) => !needle || peerTitle(state, d.peer).toLowerCase().includes(needle));
  return (
    <Modal title={folder.title ? `Edit folder ${folder.title}` : 'New folder'} onClose={onClose} wide>
      <form class="form" onSubmit={save} data-testid="folder-editor">
        <Field label="Folder name" value={draft.title} onInput={(title) => setDraft({ ...draft, title })} required maxLength={32} />
        <Checks legend="Chats of these kinds" choices={kinds} draft={draft} onChange={setDraft} />
        <Checks legend="Leave out" choices={leftOut} draft={draft} onChange={setDraft} />
        <fieldset class="fieldset">
          <legend>Chats always in or never in it</legend>
          <input class="field__input" type="search" placeholder="Find a chat" aria-label="Find a chat" value={query}
            onInput={(e) => setQuery(e.currentTarget.value)} />
          <ul class="folder-chats">
            {chats.map((d) => {
              const title = peerTitle(state, d.peer);
              return (
                <li key={peerKey(d.peer)} class="folder-chats__row">
                  <span>{title}</span>
                  <select class="field__input" aria-label={`${title} in this folder`} value={membership(d.peer)}
                    onChange={(e) => setMembership(d.peer, e.currentTarget.value as Membership)}>
                    <option value="auto">By its kind</option>
                    <option value="always">Always</option>
                    <option value="never">Never</option>
                  </select>
                </li>
              );
            })}
          </ul>
        </fieldset>
        {error && (
          <p class="form__error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="btn btn--primary">
          Save folder
        </button>
      </form>
    </Modal>
  );
}

type Flag = (typeof kinds)[number][0] | (typeof leftOut)[number][0];

/** A group of the folder's yes/no choices. */
function Checks(props: { legend: string; choices: readonly (readonly [Flag, string])[]; draft: DialogFilter; onChange: (next: DialogFilter) => void }) {
  return (
    <fieldset class="fieldset">
      <legend>{props.legend}</legend>
      {props.choices.map(([key, label]) => (
        <label class="check" key={key}>
          <input type="checkbox" checked={props.draft[key]} onChange={(e) => props.onChange({ ...props.draft, [key]: e.currentTarget.checked })} />
          {label}
        </label>
      ))}
    </fieldset>
  );
}

/** Which folders always hold this chat, to change: opened by the chat header's *Folders* (when the user has folders). */
export function ChatFoldersDialog({ chatKey, onClose }: { chatKey: string; onClose: () => void }) {
  const folders = useApp((s) => s.folders);
  const [error, setError] = useState('');
  const peer = peerFromKey(chatKey);
  const holds = (folder: DialogFilter) => folder.include_peers.some((p) => peerKey(p) === chatKey);
  const toggle = async (folder: DialogFilter, on: boolean) => {
    setError('');
    const others = (peers: Peer[]) => peers.filter((p) => peerKey(p) !== chatKey);
    try {
      await saveFolder({
        ...folder,
        include_peers: on ? [...others(folder.include_peers), peer] : others(folder.include_peers),
        exclude_peers: others(folder.exclude_peers),
      });
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <Modal title="Folders" onClose={onClose}>
      <p class="muted">Folders that always hold this chat:</p>
      {folders.map((folder) => (
        <label class="check" key={folder.id}>
          <input type="checkbox" checked={holds(folder)} onChange={(e) => void toggle(folder, e.currentTarget.checked)} />
          {folder.title}
        </label>
      ))}
      {error && <p class="form__error" role="alert">{error}</p>}
    </Modal>
  );
}
