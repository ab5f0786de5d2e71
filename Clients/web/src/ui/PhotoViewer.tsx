import { useEffect, useRef, useState } from 'preact/hooks';
import type { Message } from '../api/types';
import { isShownImage } from '../api/media';
import { mediaUrl, thumbUrl } from './media';
import { Icon } from './Icon';
import { Modal } from './Modal';

/** Older pages read at most, one click of *Previous photo* at the first loaded photo, looking for an older one. */
const OLDER_PAGES_PER_STEP = 10;

/** A message the viewer shows: a photo of a type the app shows as a picture (the others are files). */
export const isViewerPhoto = (message: Message): boolean => message.media?.kind === 'photo' && isShownImage(message.media.mime_type);

interface PhotoViewerProps {
  /** The photos it goes through, oldest first (isViewerPhoto). */
  photos: Message[];
  /** The message whose photo is shown. */
  shownId: number;
  /** No older messages on the server: the first photo is the first. */
  complete: boolean;
  loading: boolean;
  /** Reads the next older page of the history, where an older photo may be. */
  onOlder: () => Promise<void>;
  onShow: (messageId: number) => void;
  onClose: () => void;
}

/**
 * A photo opened full size, with *Previous photo* and *Next photo* (and the Left and Right arrow keys) to the chat's
 * others; at the first loaded one, Previous reads older pages of the history until it finds one (disabled once the
 * history has none older). The thumbnail shows while the whole file downloads; Escape closes it.
 */
export function PhotoViewer({ photos, shownId, complete, loading, onOlder, onShow, onClose }: PhotoViewerProps) {
  const index = photos.findIndex((m) => m.id === shownId);
  const media = index >= 0 ? photos[index].media : null;
  const previous = index > 0 ? photos[index - 1] : undefined;
  const next = index >= 0 ? photos[index + 1] : undefined;
  const [seeking, setSeeking] = useState(false);
  const pages = useRef(0);
  const [full, setFull] = useState<{ id: number; url: string } | null>(null);
  const [thumb, setThumb] = useState<{ id: number; url: string } | null>(null);
  const [failed, setFailed] = useState<number | null>(null);

  // Deleted while shown: nothing left to show.
  useEffect(() => {
    if (index < 0) onClose();
  }, [index < 0]);

  useEffect(() => {
    if (!media) return;
    let live = true;
    thumbUrl(media).then(
      (url) => live && setThumb({ id: media.id, url }),
      () => undefined,
    );
    mediaUrl(media).then(
      (url) => live && setFull({ id: media.id, url }),
      () => live && setFailed(media.id),
    );
    return () => {
      live = false;
    };
  }, [media?.id]);

  useEffect(() => {
    if (!seeking) return;
    if (previous) {
      setSeeking(false);
      onShow(previous.id);
    } else if (complete || pages.current >= OLDER_PAGES_PER_STEP) {
      setSeeking(false);
    } else if (!loading) {
      pages.current++;
      onOlder().catch(() => setSeeking(false));
    }
  }, [seeking, previous, complete, loading]);

  const goPrevious = () => {
    if (previous) onShow(previous.id);
    else if (!complete && !seeking) {
      pages.current = 0;
      setSeeking(true);
    }
  };
  const goNext = () => {
    if (next) {
      setSeeking(false);
      onShow(next.id);
    }
  };
  const latest = useRef({ goPrevious, goNext });
  latest.current = { goPrevious, goNext };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      if (event.key === 'ArrowLeft') latest.current.goPrevious();
      else if (event.key === 'ArrowRight') latest.current.goNext();
      else return;
      event.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  if (!media) return null;
  const shown = full?.id === media.id ? full.url : null;
  return (
    <Modal title={media.name} onClose={onClose} wide>
      <div class="photo-viewer" data-testid="photo-viewer">
        <button
          type="button"
          class="icon-btn photo-viewer__step"
          aria-label="Previous photo"
          title="Previous photo (Left arrow)"
          disabled={!previous && (complete || seeking)}
          onClick={goPrevious}
        >
          <Icon name="back" />
        </button>
        <div class="photo-viewer__frame">
          {shown ? (
            <img class="photo-viewer__img" src={shown} alt={media.name} data-testid="photo-full" onError={() => setFailed(media.id)} />
          ) : (
            thumb?.id === media.id && <img class="photo-viewer__img photo-viewer__img--loading" src={thumb.url} alt="" />
          )}
          {(!shown || failed === media.id) && <p class="muted">{failed === media.id ? 'Image unavailable' : 'Loading image…'}</p>}
        </div>
        <button type="button" class="icon-btn photo-viewer__step" aria-label="Next photo" title="Next photo (Right arrow)" disabled={!next} onClick={goNext}>
          <Icon name="next" />
        </button>
      </div>
      {shown && (
        <a class="btn" href={shown} download={media.name}>
          Save image
        </a>
      )}
    </Modal>
  );
}
