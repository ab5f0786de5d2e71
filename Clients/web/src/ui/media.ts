import { previewBytes } from '../api/media';
import type { MessageMedia } from '../api/types';
import { download, downloadThumb } from './connection';

const urls = new Map<number, Promise<string>>();
const thumbUrls = new Map<number, Promise<string>>();
const previewUrls = new Map<number, string>();

/**
 * A blob: URL of a photo's thumbnail, downloaded once per page; the whole file when the server has no thumbnail (an
 * image it could not decode). Asked for even when the descriptor has no `thumb`: a descriptor stored before its
 * image's thumbnail was made lacks it until the server's passes rewrite the stored copies (and an old update keeps
 * lacking it), though the thumbnail may be there already.
 */
export function thumbUrl(media: MessageMedia): Promise<string> {
  let url = thumbUrls.get(media.id);
  if (!url) {
    url = downloadThumb(media).then(
      (blob) => URL.createObjectURL(blob),
      () => mediaUrl(media),
    );
    url.catch(() => thumbUrls.delete(media.id));
    thumbUrls.set(media.id, url);
  }
  return url;
}

/** A blob: URL of a video's thumbnail, downloaded once per page; no fallback to the file (a video is no picture). */
export function videoThumbUrl(media: MessageMedia): Promise<string> {
  let url = thumbUrls.get(media.id);
  if (!url) {
    url = downloadThumb(media).then((blob) => URL.createObjectURL(blob));
    url.catch(() => thumbUrls.delete(media.id));
    thumbUrls.set(media.id, url);
  }
  return url;
}

/** A blob: URL of the inline preview (shown blurred until the thumbnail is there), or null when there is none. */
export function previewUrl(media: MessageMedia): string | null {
  const cached = previewUrls.get(media.id);
  if (cached) return cached;
  const bytes = previewBytes(media);
  if (!bytes) return null;
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'image/jpeg' }));
  previewUrls.set(media.id, url);
  return url;
}

/** A blob: URL of a media file, downloaded once per page. */
export function mediaUrl(media: MessageMedia): Promise<string> {
  let url = urls.get(media.id);
  if (!url) {
    url = download(media).then((blob) => URL.createObjectURL(blob));
    url.catch(() => urls.delete(media.id));
    urls.set(media.id, url);
  }
  return url;
}

/** The size a photo is shown at: its own aspect ratio within the bubble's bounds. */
export function photoBox(media: MessageMedia, maxWidth = 320, maxHeight = 320): { width: number; height: number } {
  const width = media.width || maxWidth;
  const height = media.height || Math.round(maxWidth * 0.75);
  const scale = Math.min(1, maxWidth / width, maxHeight / height);
  return { width: Math.max(80, Math.round(width * scale)), height: Math.max(60, Math.round(height * scale)) };
}

/** Saves a blob under a name through a temporary link (the browser's download). */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
