import { useEffect, useRef, useState } from 'preact/hooks';
import type { ForumTopic } from '../api/types';
import { TopicColors } from '../api/types';
import { api } from './connection';
import { errorText, formatTime } from './format';
import { Icon } from './Icon';
import { markRead, messageArrived } from './messages';
import { Modal } from './Modal';
import { peerFromKey, peerKey, previewText, userName } from './peers';
import { useApp } from './store';
import {
  canCreateTopics,
  canEditTopic,
  canPinTopic,
  closeTopic,
  isChatAdmin,
  isTopicMuted,
  loadTopics,
  openTopic,
  setTopicMuted,
  topicColor,
  topicOf,
} from './topics';

/** A topic's round icon: its colour and its first letter (General: #). */
function TopicIcon({ topic }: { topic: Pick<ForumTopic, 'id' | 'title' | 'icon_color'> }) {
  return (
    <span class="topic-icon" style={{ background: topicColor(topic.icon_color) }} aria-hidden="true">
      {topic.id === 0 ? '#' : [...topic.title][0]?.toUpperCase()}
    </span>
  );
}

/**
 * A forum's topics in place of its messages: General first, then the pinned topics (a pin), then by last activity, each
 * with its newest message, its unread count, a lock when closed and a crossed bell when the user muted it. Seeing the
 * list reads the chat (each topic keeps its own unread count).
 */
export function TopicList({ chatKey }: { chatKey: string }) {
  const peer = peerFromKey(chatKey);
  const list = useApp((s) => s.forumTopics[peer.id]);
  const state = useApp((s) => s);
  const latest = useApp((s) => s.dialogs.find((d) => peerKey(d.peer) === chatKey)?.top_message?.id ?? 0);
  // Messages deleted (a topic deleted) change the loaded history, not always the newest message: read the list again too.
  const loaded = useApp((s) => s.histories[chatKey]?.messages.length ?? 0);
  const mayCreate = useApp((s) => canCreateTopics(s, chatKey));
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState('');
  useEffect(() => {
    void loadTopics(chatKey).catch((e) => setError(errorText(e)));
  }, [chatKey]);
  // A new message moves its topic up and changes counts: the most active page again, once a burst is over. Messages
  // gone (a topic deleted, whose place in the list is unknown): every page.
  const seen = useRef({ chatKey, latest, loaded });
  useEffect(() => {
    const last = seen.current;
    seen.current = { chatKey, latest, loaded };
    if (last.chatKey !== chatKey || (last.latest === latest && last.loaded === loaded)) return;
    const gone = latest < last.latest || loaded < last.loaded;
    const timer = setTimeout(() => void loadTopics(chatKey, !gone).catch((e) => setError(errorText(e))), 300);
    return () => clearTimeout(timer);
  }, [chatKey, latest, loaded]);
  useEffect(() => {
    if (latest) markRead(chatKey, latest);
  }, [chatKey, latest]);
  return (
    <div class="topics" data-testid="topic-list">
      <div class="topics__bar">
        <h3 class="topics__heading">Topics</h3>
        {mayCreate && (
          <button type="button" class="btn btn--small" onClick={() => setCreating(true)}>
            New topic
          </button>
        )}
      </div>
      {error && (
        <p class="form__error" role="alert">
          {error}
        </p>
      )}
      <ul class="topics__list" aria-label="Topics">
        {(list?.topics ?? []).map((topic) => {
          const top = list?.messages.find((m) => m.id === topic.top_message);
          return (
            <li key={topic.id}>
              <button type="button" class="topic-row" data-testid="topic" onClick={() => openTopic(chatKey, topic.id)}>
                <TopicIcon topic={topic} />
                <span class="topic-row__body">
                  <span class="topic-row__title">
                    <span data-testid="topic-title">{topic.title}</span>
                    {topic.closed && (
                      <span class="topic-row__lock" role="img" aria-label="closed">
                        <Icon name="lock" />
                      </span>
                    )}
                    {isTopicMuted(topic) && (
                      <span class="topic-row__lock" role="img" aria-label="muted">
                        <Icon name="bellOff" />
                      </span>
                    )}
                    {topic.pinned && (
                      <span class="topic-row__lock topic-row__pin" role="img" aria-label="pinned" data-testid="topic-pinned">
                        <Icon name="pin" />
                      </span>
                    )}
                    {top && <time class="topic-row__time muted">{formatTime(top.date)}</time>}
                  </span>
                  <span class="topic-row__preview muted" data-testid="topic-preview">
                    {top ? `${top.action ? '' : `${top.from_id === state.me?.id ? 'You' : userName(state, top.from_id)}: `}${previewText(state, top)}` : 'No messages yet'}
                  </span>
                </span>
                {topic.unread_count > 0 && (
                  <span class={`badge${isTopicMuted(topic) ? ' badge--muted' : ''}`} aria-label={`${topic.unread_count} unread`} data-testid="topic-unread">
                    {topic.unread_count >= 999 ? '999+' : topic.unread_count}
                  </span>
                )}
              </button>
            </li>
          );
        })}
      </ul>
      {creating && <TopicDialog chatKey={chatKey} onClose={() => setCreating(false)} />}
    </div>
  );
}

/** New topic (no `topic`), or a topic's new name and colour. */
function TopicDialog({ chatKey, topic, onClose }: { chatKey: string; topic?: ForumTopic; onClose: () => void }) {
  const [title, setTitle] = useState(topic?.title ?? '');
  const [color, setColor] = useState<number>(topic?.icon_color ?? TopicColors[0]);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const peer = peerFromKey(chatKey);
  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      if (topic) {
        const renamed = title.trim() !== topic.title;
        const sent = await api().messages.editTopic({
          peer,
          topic_id: topic.id,
          title: renamed ? title.trim() : null,
          icon_color: color !== topic.icon_color ? color : null,
        });
        messageArrived(sent.message);
        await loadTopics(chatKey);
      } else {
        const sent = await api().messages.createTopic({ peer, title: title.trim(), icon_color: color });
        messageArrived(sent.message);
        await loadTopics(chatKey);
        openTopic(chatKey, sent.message.id);
      }
      onClose();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const unchanged = topic && title.trim() === topic.title && color === topic.icon_color;
  return (
    <Modal title={topic ? 'Edit topic' : 'New topic'} onClose={onClose}>
      <form class="form" onSubmit={save}>
        <label class="field">
          <span class="field__label">Topic name</span>
          <input class="field__input" value={title} maxLength={128} onInput={(e) => setTitle(e.currentTarget.value)} required />
        </label>
        <fieldset class="topic-colors">
          <legend class="field__label">Icon colour</legend>
          {TopicColors.map((c, i) => (
            <label key={c} class="topic-colors__choice" style={{ background: topicColor(c) }}>
              <input type="radio" name="topic-color" aria-label={`Colour ${i + 1}`} checked={color === c} onChange={() => setColor(c)} />
            </label>
          ))}
        </fieldset>
        {error && (
          <p class="form__error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="btn btn--primary" disabled={busy || !title.trim() || !!unchanged}>
          {topic ? 'Save topic' : 'Create topic'}
        </button>
      </form>
    </Modal>
  );
}

/**
 * Above an open topic's messages: back to the list, its name, and what the user may do with it: mute it for themselves
 * (anyone), pin it for everyone (admins, or members the group lets manage topics), and what its creator or an admin may.
 */
export function TopicBar({ chatKey, topicId }: { chatKey: string; topicId: number }) {
  const topic = useApp((s) => topicOf(s, chatKey, topicId));
  const mayEdit = useApp((s) => !!topic && canEditTopic(s, chatKey, topic));
  const mayPin = useApp((s) => !!topic && canPinTopic(s, chatKey, topic));
  const muted = isTopicMuted(topic);
  const admin = useApp((s) => isChatAdmin(s, chatKey));
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState('');
  const peer = peerFromKey(chatKey);
  useEffect(() => {
    if (!topic) void loadTopics(chatKey).catch(() => undefined);
  }, [chatKey, topicId, !!topic]);
  const run = async (action: () => Promise<unknown>) => {
    setError('');
    try {
      await action();
      await loadTopics(chatKey);
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <div class="topic-bar" data-testid="topic-bar">
      <button type="button" class="icon-btn" aria-label="Back to topics" onClick={closeTopic}>
        <Icon name="back" />
      </button>
      {topic && <TopicIcon topic={topic} />}
      <h3 class="topic-bar__title" data-testid="topic-heading">
        {topic?.title ?? ''}
      </h3>
      {topic?.closed && (
        <span class="topic-row__lock" role="img" aria-label="closed">
          <Icon name="lock" />
        </span>
      )}
      <span class="topic-bar__actions">
        {topic && (
          <button
            type="button"
            class="icon-btn"
            aria-label={muted ? 'Unmute topic' : 'Mute topic'}
            title={muted ? 'Unmute this topic' : 'Mute this topic (mentions still notify)'}
            aria-pressed={muted}
            onClick={() => void run(() => setTopicMuted(chatKey, topicId, !muted))}
          >
            <Icon name={muted ? 'bellOff' : 'bell'} />
          </button>
        )}
        {topic && mayPin && (
          <button
            type="button"
            class="icon-btn"
            aria-label={topic.pinned ? 'Unpin topic' : 'Pin topic'}
            title={topic.pinned ? 'Unpin this topic from the top of the list' : 'Pin this topic to the top of the list for everyone'}
            aria-pressed={!!topic.pinned}
            onClick={() =>
              void run(async () =>
                messageArrived((await api().messages.updatePinnedTopic({ peer, topic_id: topicId, pinned: !topic.pinned })).message),
              )
            }
          >
            <Icon name="pin" />
          </button>
        )}
        {topic && mayEdit && (
          <button type="button" class="btn btn--small" onClick={() => setEditing(true)}>
            Edit topic
          </button>
        )}
        {topic && mayEdit && (
          <button
            type="button"
            class="btn btn--small"
            onClick={() =>
              void run(async () => messageArrived((await api().messages.editTopic({ peer, topic_id: topicId, closed: !topic.closed })).message))
            }
          >
            {topic.closed ? 'Reopen topic' : 'Close topic'}
          </button>
        )}
        {topic && topicId !== 0 && admin && (
          <button type="button" class="btn btn--small btn--danger" onClick={() => setDeleting(true)}>
            Delete topic
          </button>
        )}
      </span>
      {error && (
        <p class="form__error" role="alert">
          {error}
        </p>
      )}
      {editing && topic && <TopicDialog chatKey={chatKey} topic={topic} onClose={() => setEditing(false)} />}
      {deleting && topic && (
        <Modal title="Delete topic" onClose={() => setDeleting(false)}>
          <p>Delete “{topic.title}” and every message in it for everyone?</p>
          <button
            type="button"
            class="btn btn--danger"
            onClick={() => {
              setDeleting(false);
              closeTopic();
              void run(() => api().messages.deleteTopic({ peer, topic_id: topicId }));
            }}
          >
            Delete
          </button>
        </Modal>
      )}
    </div>
  );
}
