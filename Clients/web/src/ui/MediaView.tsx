import { useEffect, useState } from 'preact/hooks';
import type { MessageMedia } from '../api/types';
import { download } from './connection';
import { errorText, formatBytes } from './format';
import { isShownImage } from '../api/media';
import { mediaUrl, photoBox, previewUrl, saveBlob, thumbUrl, videoThumbUrl } from './media';
import { formatDuration } from './voice';
import { Icon } from './Icon';
import { Modal } from './Modal';

/** Audio and video up to this size play in the bubble (downloaded whole first); larger ones are saved as files. */
const INLINE_PLAY_MAX_BYTES = 50 * 1024 * 1024;

/** A message's media; `tile` for the shared-media grid, where every video is a square of its thumbnail (or a plain one
 * when it has none) that opens it in a viewer rather than playing in place. `onOpen`: a photo opens in the chat's
 * viewer (PhotoViewer, which goes from photo to photo) rather than in one of its own. */
export function MediaView({ media, tile = false, onOpen }: { media: MessageMedia; tile?: boolean; onOpen?: () => void }) {
  // The server calls any image/* a photo; one of a type the app does not show (SVG, HEIC, a mislabelled file) is a file.
  if (media.kind === 'photo' && isShownImage(media.mime_type)) return <Photo media={media} onOpen={onOpen} />;
  if (media.kind === 'video' && (tile || media.thumb || media.preview?.length)) return <Video media={media} tile={tile} />;
  if ((media.kind === 'audio' || media.kind === 'video') && media.size <= INLINE_PLAY_MAX_BYTES) return <Player media={media} />;
  return <DocumentFile media={media} />;
}

/** A voice message, a song or a short video: Play downloads it (once per page) and plays it with the browser's controls. */
function Player({ media }: { media: MessageMedia }) {
  const [url, setUrl] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const load = () => {
    setBusy(true);
    setError('');
    mediaUrl(media).then(setUrl, (e) => setError(errorText(e))).finally(() => setBusy(false));
  };
  const label = media.name.startsWith('voice-') && media.kind === 'audio' ? 'Voice message' : media.name;
  if (url) {
    return media.kind === 'video' ? (
      <video class="player player--video" src={url} controls autoPlay aria-label={label} />
    ) : (
      <audio class="player player--audio" src={url} controls autoPlay aria-label={label} />
    );
  }
  return (
    <div class="document">
      <button type="button" class="document__icon" aria-label={`Play ${label}`} onClick={load} disabled={busy}>
        <Icon name="play" />
      </button>
      <span class="document__info">
        <span class="document__name">{label}</span>
        <span class="document__size muted">
          {busy ? (
            'Loading…'
          ) : media.duration != null ? (
            <>
              <span data-testid="media-duration">{formatDuration(media.duration)}</span> · {formatBytes(media.size)}
            </>
          ) : (
            formatBytes(media.size)
          )}
        </span>
        {error && <span class="form__error">{error}</span>}
      </span>
    </div>
  );
}

/**
 * A video sent with a thumbnail (the frame its sender's client took): the inline preview, then the thumbnail, with a
 * play button and the duration over it; a click plays it in the bubble (downloaded whole, up to 50 MiB) or saves it.
 * As a grid tile it plays in a viewer instead, since a 96 px square is no place to watch it.
 */
function Video({ media, tile = false }: { media: MessageMedia; tile?: boolean }) {
  const preview = previewUrl(media);
  const [thumb, setThumb] = useState<string | null>(null);
  useEffect(() => {
    if (!media.thumb && !media.preview?.length) return;
    let live = true;
    videoThumbUrl(media).then(
      (u) => live && setThumb(u),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [media.id]);
  const [url, setUrl] = useState<string | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState('');
  const playable = media.size <= INLINE_PLAY_MAX_BYTES;
  const open = async () => {
    setError('');
    setProgress(0);
    try {
      if (playable) setUrl(await mediaUrl(media));
      else saveBlob(await download(media, setProgress), media.name);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setProgress(null);
    }
  };
  if (url && !tile) return <video class="player player--video" src={url} controls autoPlay aria-label={media.name} />;
  const box = photoBox(media);
  return (
    <>
      <button
        type="button"
        class="photo video"
        style={{ width: box.width, height: box.height }}
        onClick={() => void open()}
        disabled={progress !== null}
        aria-label={`${playable ? 'Play' : 'Download'} ${media.name}`}
      >
        {thumb ? (
          <img class="photo__img" src={thumb} alt="" width={box.width} height={box.height} data-testid="video-thumb" />
        ) : (
          preview && <img class="photo__img photo__img--preview" src={preview} alt="" width={box.width} height={box.height} data-testid="video-preview" />
        )}
        <span class="video__play">
          <Icon name={playable ? 'play' : 'download'} />
        </span>
        {media.duration != null && (
          <span class="video__duration" data-testid="media-duration">
            {progress !== null ? (playable ? 'Loading…' : `${Math.round(progress * 100)}%`) : formatDuration(media.duration)}
          </span>
        )}
      </button>
      {error && <span class="form__error">{error}</span>}
      {url && tile && (
        <Modal title={media.name} onClose={() => setUrl(null)} wide>
          <video class="video-viewer" src={url} controls autoPlay aria-label={media.name} data-testid="video-viewer" />
        </Modal>
      )}
    </>
  );
}

/**
 * A photo in a bubble or the shared-media grid: the inline preview (blurred) at once, in a box sized from the photo's
 * width and height so nothing moves; then the 320 px thumbnail; the whole file only when the photo is opened (by
 * `onOpen`'s viewer when given, else in a dialog of its own).
 */
function Photo({ media, onOpen }: { media: MessageMedia; onOpen?: () => void }) {
  const preview = previewUrl(media);
  const [thumb, setThumb] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const [broken, setBroken] = useState(false);
  useEffect(() => {
    let live = true;
    thumbUrl(media).then(
      (u) => live && setThumb(u),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [media.id]);
  const [open, setOpen] = useState(false);
  const [full, setFull] = useState<string | null>(null);
  const [fullFailed, setFullFailed] = useState(false);
  useEffect(() => {
    if (!open) return;
    let live = true;
    mediaUrl(media).then(
      (u) => live && setFull(u),
      () => live && setFullFailed(true),
    );
    return () => {
      live = false;
    };
  }, [open, media.id]);
  // A descriptor from before thumbnails has the header's size, not turned by the EXIF orientation as its thumbnail is:
  // once that loads, its own shape sizes the box.
  const [shape, setShape] = useState<{ width: number; height: number } | null>(null);
  const box = photoBox(shape ? { ...media, ...shape } : media);
  const measure = (event: Event) => {
    const img = event.currentTarget as HTMLImageElement;
    if (!media.thumb && img.naturalWidth > 0) setShape({ width: img.naturalWidth, height: img.naturalHeight });
  };
  // Bytes the browser cannot decode though their type says JPEG, PNG, GIF or WebP: offered as the file they are.
  if (broken) return <DocumentFile media={media} />;
  return (
    <>
      <button type="button" class="photo" style={{ width: box.width, height: box.height }} onClick={() => (onOpen ? onOpen() : setOpen(true))} aria-label={`Open ${media.name}`}>
        {thumb ? (
          <img class="photo__img" src={thumb} alt={media.name} width={box.width} height={box.height} data-testid="photo-thumb" onLoad={measure} onError={() => setBroken(true)} />
        ) : preview && !failed ? (
          <img class="photo__img photo__img--preview" src={preview} alt="" width={box.width} height={box.height} data-testid="photo-preview" />
        ) : (
          <span class="photo__placeholder">{failed ? 'Image unavailable' : 'Loading image…'}</span>
        )}
      </button>
      {open && (
        <Modal title={media.name} onClose={() => setOpen(false)} wide>
          {full ? (
            <>
              <img class="photo-viewer__img" src={full} alt={media.name} data-testid="photo-full" onError={() => setBroken(true)} />
              <a class="btn" href={full} download={media.name}>
                Save image
              </a>
            </>
          ) : (
            <>
              {thumb && <img class="photo-viewer__img photo-viewer__img--loading" src={thumb} alt="" />}
              <p class="muted">{fullFailed ? 'Image unavailable' : 'Loading image…'}</p>
            </>
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
