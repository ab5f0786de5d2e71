import { useEffect, useState } from 'preact/hooks';
import type { MessageMedia } from '../api/types';
import { download } from './connection';
import { errorText, formatBytes } from './format';
import { mediaUrl, photoBox, saveBlob } from './media';
import { Icon } from './Icon';
import { Modal } from './Modal';

export function MediaView({ media }: { media: MessageMedia }) {
  return media.kind === 'photo' ? <Photo media={media} /> : <DocumentFile media={media} />;
}

function Photo({ media }: { media: MessageMedia }) {
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    mediaUrl(media).then(
      (u) => live && setUrl(u),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [media.id]);
  const [open, setOpen] = useState(false);
  const box = photoBox(media);
  return (
    <>
      <button type="button" class="photo" style={{ width: box.width, height: box.height }} onClick={() => setOpen(true)} aria-label={`Open ${media.name}`}>
        {url ? (
          <img class="photo__img" src={url} alt={media.name} width={box.width} height={box.height} />
        ) : (
          <span class="photo__placeholder">{failed ? 'Image unavailable' : 'Loading image…'}</span>
        )}
      </button>
      {open && (
        <Modal title={media.name} onClose={() => setOpen(false)} wide>
          {url ? (
            <>
              <img class="photo-viewer__img" src={url} alt={media.name} />
              <a class="btn" href={url} download={media.name}>
                Save image
              </a>
            </>
          ) : (
            <p class="muted">{failed ? 'Image unavailable' : 'Loading image…'}</p>
          )}
        </Modal>
      )}
    </>
  );
}

function DocumentFile({ media }: { media: MessageMedia }) {
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState('');
  const save = async () => {
    setError('');
    setProgress(0);
    try {
      saveBlob(await download(media, setProgress), media.name);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setProgress(null);
    }
  };
  return (
    <div class="document">
      <button type="button" class="document__icon" aria-label={`Download ${media.name}`} onClick={save} disabled={progress !== null}>
        <Icon name="download" />
      </button>
      <span class="document__info">
        <span class="document__name">{media.name}</span>
        <span class="document__size muted">
          {progress !== null ? `${Math.round(progress * 100)}% of ${formatBytes(media.size)}` : formatBytes(media.size)}
        </span>
        {progress !== null && <progress class="progress" value={progress} max={1} aria-label={`Downloading ${media.name}`} />}
        {error && <span class="form__error">{error}</span>}
      </span>
    </div>
  );
}
