import { useEffect, useState } from 'preact/hooks';
import type { Message } from '../api/types';
import { api } from './connection';
import { errorText } from './format';
import { coordinates, mapLink } from './location';
import { MediaView } from './MediaView';
import { PhotoViewer, isViewerPhoto } from './PhotoViewer';
import { peerFromKey, peerKey } from './peers';
import { RichText } from './RichText';
import { useApp } from './store';

const Tabs = [
  { filter: 'photo', label: 'Photos' },
  { filter: 'video', label: 'Videos' },
  { filter: 'document', label: 'Files' },
  { filter: 'audio', label: 'Audio' },
  { filter: 'link', label: 'Links' },
  { filter: 'geo', label: 'Locations' },
] as const;

/** The chat's shared media in its info panel: one kind at a time (`messages.getSharedMedia`), the newest 50, read again
 * when the chat gets a message; photos and videos as a grid of thumbnails. */
export function SharedMedia({ chatKey }: { chatKey: string }) {
  const [filter, setFilter] = useState<string>('photo');
  const [messages, setMessages] = useState<Message[] | null>(null);
  const [error, setError] = useState('');
  const latest = useApp((s) => s.dialogs.find((d) => peerKey(d.peer) === chatKey)?.top_message?.id ?? 0);
  useEffect(() => {
    let live = true;
    setError('');
    api()
      .messages.getSharedMedia({ peer: peerFromKey(chatKey), filter, limit: 50 })
      .then(
        (list) => live && setMessages(list.messages),
        (e) => live && setError(errorText(e)),
      );
    return () => {
      live = false;
    };
  }, [chatKey, filter, latest]);
  // The Photos tab's photos open in the viewer, which goes through the grid's (oldest first there).
  const [viewing, setViewing] = useState<number | null>(null);
  const photos = (messages ?? []).filter(isViewerPhoto).sort((a, b) => a.id - b.id);
  const tab = Tabs.find((t) => t.filter === filter)!;
  const grid = filter === 'photo' || filter === 'video';
  return (
    <section class="shared" aria-label="Shared media" data-testid="shared-media">
      <div class="shared__tabs" role="tablist">
        {Tabs.map((t) => (
          <button
            key={t.filter}
            type="button"
            role="tab"
            class={`shared__tab${t.filter === filter ? ' shared__tab--on' : ''}`}
            aria-selected={t.filter === filter}
            onClick={() => {
              setMessages(null);
              setFilter(t.filter);
            }}
          >
            {t.label}
          </button>
        ))}
      </div>
      {error && <p class="form__error" role="alert">{error}</p>}
      {!messages ? (
        !error && <p class="muted">Loading…</p>
      ) : messages.length === 0 ? (
        <p class="muted">No {tab.label.toLowerCase()} yet</p>
      ) : (
        <ul class={`shared__list${grid ? ' shared__list--grid' : ''}`} role="tabpanel" aria-label={tab.label}>
          {messages.map((m) => (
            <li key={m.id} class="shared__item" data-testid="shared-item">
              {m.media ? (
                <MediaView media={m.media} tile={grid} onOpen={isViewerPhoto(m) ? () => setViewing(m.id) : undefined} />
              ) : m.geo ? (
                <a href={mapLink(m.geo)} target="_blank" rel="noopener noreferrer">
                  📍 {coordinates(m.geo)}
                </a>
              ) : (
                <>
                  {m.web_page?.title && <span class="shared__title">{m.web_page.title}</span>}
                  <RichText text={m.text} />
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {viewing !== null && (
        <PhotoViewer
          photos={photos}
          shownId={viewing}
          complete
          loading={false}
          onOlder={() => Promise.resolve()}
          onShow={setViewing}
          onClose={() => setViewing(null)}
        />
      )}
    </section>
  );
}
