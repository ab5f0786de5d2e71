// Uploads in 512 KiB parts, a few in parallel, and downloads in 1 MiB aligned ranges (like MediaMethods.cs).
import { randomId } from '../protocol/random';
import type { Methods } from './methods';
import { RpcError, type InputMedia, type InputThumb, type MessageMedia } from './types';

export const PART_SIZE = 512 * 1024;
export const DOWNLOAD_CHUNK = 1024 * 1024;

export interface UploadOptions {
  /** Bytes sent so far, after each part. */
  onProgress?: (sentBytes: number, totalBytes: number) => void;
  /** Aborting it gives the upload up: it fails with ABORTED at once, and the server drops what it has of it
   * (`upload.cancelUpload`, once the parts already sent have been answered). */
  signal?: AbortSignal;
  /** Resume an earlier upload of the same file: parts the server has are skipped. */
  fileId?: number;
  /** With `fileId`: false starts a new upload under that id (so a failed one can be resumed under it later). */
  resume?: boolean;
  parallelism?: number;
}

export interface DownloadOptions {
  onProgress?: (receivedBytes: number, totalBytes: number) => void;
  signal?: AbortSignal;
  parallelism?: number;
}

type UploadMethods = Methods['upload'];

/** The picture types the app shows as images and gives object URLs of under their own type. */
const SHOWN_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/** Whether `mime` (another user's word) is a picture the app shows: JPEG, PNG, GIF or WebP — never SVG, whose object
 * URL opened in a tab would run its script in this origin. */
export const isShownImage = (mime: string | null | undefined): boolean => !!mime && SHOWN_IMAGE_TYPES.has(mime.trim().toLowerCase());

/**
 * The type a Blob of another user's file gets, and so its object URL: the shown pictures' and the players' (`audio/*`,
 * `video/*`: a media document, no script) as they are, anything else `application/octet-stream`. A blob: URL belongs to
 * this origin: an uploader's `image/svg+xml` or `text/html`, opened in a tab, would run script beside the session.
 */
export function safeBlobType(mime: string | null | undefined): string {
  const type = (mime ?? '').trim().toLowerCase();
  if (SHOWN_IMAGE_TYPES.has(type) || /^(audio|video)\/[a-z0-9][a-z0-9.+-]*$/.test(type)) return type;
  return 'application/octet-stream';
}

/** What the client knows of a video or audio file: a frame to be its thumbnail, its duration (seconds) and size. */
export interface MediaDescription {
  thumb?: Blob | null;
  duration?: number | null;
  width?: number | null;
  height?: number | null;
}

/** The largest thumbnail image the server takes (`THUMB_INVALID` past it). */
export const THUMB_MAX_BYTES = 200 * 1024;

/** Characters the server refuses in a file name (as in any name: controls, bidi controls and marks, invisible ones), and
 * some real files carry (a left-to-right mark in an exported chat's file, a zero-width space pasted into a name). */
const REFUSED_IN_NAMES = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u206f\ufeff]/g;

/** A file's name as the server takes it: without the characters it refuses, at most 255 characters, "file" when
 * nothing is left. */
export function fileNameToSend(name: string): string {
  const clean = [...name.replace(REFUSED_IN_NAMES, '').trim()];
  return clean.length === 0 ? 'file' : clean.length <= 255 ? clean.join('') : clean.slice(0, 255).join('').trim();
}

/**
 * Files one client uploads at once. The server keeps at most `Messenger:Media:UploadsInProgressPerUser` (32 by default)
 * uploads unfinished per user (420 `UPLOADS_TOO_MANY`), a file with its thumbnail being two until the send that carries
 * them: forty files dropped at once go eight at a time (an album of ten is two turns of parallel files).
 */
export const FILES_UPLOADING_AT_ONCE = 8;

/** Runs at most `limit` of the tasks given to it at once and the others in turn, in order; one whose `signal` aborts
 * while it waits is not run (it fails ABORTED). */
export function taskQueue(limit: number): <T>(task: () => Promise<T>, signal?: AbortSignal) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  const done = () => {
    // The place goes straight to the next task in line, so a new one cannot take it in between.
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  return async (task, signal) => {
    if (running < limit) running++;
    else {
      await new Promise<void>((resolve, reject) => {
        const turn = () => {
          signal?.removeEventListener('abort', abort);
          resolve();
        };
        const abort = () => {
          waiting.splice(waiting.indexOf(turn), 1);
          reject(new RpcError('ABORTED', 0));
        };
        if (signal?.aborted) return reject(new RpcError('ABORTED', 0));
        waiting.push(turn);
        signal?.addEventListener('abort', abort, { once: true });
      });
    }
    try {
      return await task();
    } finally {
      done();
    }
  };
}

/**
 * The calls an upload has sent and not had answered yet. An aborted call stops being waited for but may still run on
 * the server, where a part run after `upload.cancelUpload` would start the upload again: parts go without the upload's
 * signal (each is waited for with it), and a cancel goes once they are all answered, failed or timed out.
 */
class CallsInFlight {
  private readonly calls = new Set<Promise<unknown>>();

  /** `call`, waited for until `signal` aborts (then ABORTED), and kept until it settles. */
  wait<T>(call: Promise<T>, signal: AbortSignal): Promise<T> {
    this.calls.add(call);
    const settled = () => void this.calls.delete(call);
    call.then(settled, settled);
    if (signal.aborted) return Promise.reject(new RpcError('ABORTED', 0));
    return new Promise<T>((resolve, reject) => {
      const abort = () => reject(new RpcError('ABORTED', 0));
      signal.addEventListener('abort', abort, { once: true });
      call.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
    });
  }

  /** In the background: once the calls in flight have settled, gives `fileIds` up on the server; failures are ignored
   * (an upload left over expires on the server as it always did). */
  cancelWhenSettled(upload: UploadMethods, fileIds: number[]): void {
    void Promise.allSettled([...this.calls]).then(async () => {
      for (const fileId of fileIds) await upload.cancelUpload({ file_id: fileId }).catch(() => undefined);
    });
  }
}

/** Uploads `file` and returns the `InputMedia` to pass to `messages.send` (with `name`/`mimeType` of the file), with
 * the thumbnail uploaded after it and the duration and size given (`describe`). Aborting `signal` gives the file and its
 * thumbnail up on the server too (see UploadOptions.signal). */
export async function uploadFile(
  upload: UploadMethods,
  file: Blob,
  options: UploadOptions & { name?: string; mimeType?: string; describe?: MediaDescription } = {},
): Promise<InputMedia> {
  if (file.size === 0) throw new RangeError('an empty file cannot be uploaded');
  const fileId = options.fileId ?? randomId();
  const thumbId = randomId();
  const calls = new CallsInFlight();
  try {
    return await sendFile(upload, file, fileId, thumbId, calls, options);
  } catch (error) {
    if (options.signal?.aborted) calls.cancelWhenSettled(upload, options.describe?.thumb ? [fileId, thumbId] : [fileId]);
    throw error;
  }
}

async function sendFile(
  upload: UploadMethods,
  file: Blob,
  fileId: number,
  thumbId: number,
  calls: CallsInFlight,
  options: UploadOptions & { name?: string; mimeType?: string; describe?: MediaDescription },
): Promise<InputMedia> {
  const totalParts = Math.ceil(file.size / PART_SIZE);
  const partLength = (part: number) => Math.min(PART_SIZE, file.size - part * PART_SIZE);
  const present = new Set<number>();
  if (options.fileId !== undefined && options.resume !== false) {
    const uploaded = await upload.getUploadedParts({ file_id: fileId }, { signal: options.signal });
    if (uploaded.total_parts === totalParts) uploaded.parts.forEach((part) => present.add(part));
  }

  let sent = [...present].reduce((sum, part) => sum + partLength(part), 0);
  options.onProgress?.(sent, file.size);
  const failed = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, failed.signal]) : failed.signal;
  let next = 0;
  const worker = async () => {
    for (;;) {
      while (next < totalParts && present.has(next)) next++;
      if (next >= totalParts) return;
      const part = next++;
      const start = part * PART_SIZE;
      const bytes = new Uint8Array(await file.slice(start, start + partLength(part)).arrayBuffer());
      if (signal.aborted) throw new RpcError('ABORTED', 0);
      await calls.wait(upload.saveFilePart({ file_id: fileId, part, total_parts: totalParts, bytes }, { timeoutMs: 120_000 }), signal);
      sent += bytes.length;
      options.onProgress?.(sent, file.size);
    }
  };
  const workers = Array.from({ length: Math.min(options.parallelism ?? 4, totalParts) }, () =>
    worker().catch((error: unknown) => {
      failed.abort();
      throw error;
    }),
  );
  const results = await Promise.allSettled(workers);
  const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
  if (rejected.length > 0) {
    // The first real cause, not the aborts it caused in the other workers.
    throw rejected.find((e) => !(e instanceof RpcError && e.name === 'ABORTED')) ?? rejected[0];
  }
  const name = fileNameToSend(options.name ?? (file instanceof File ? file.name : 'file'));
  const mimeType = options.mimeType || file.type || 'application/octet-stream';
  const media: InputMedia = { file_id: fileId, total_parts: totalParts, name, mime_type: mimeType };
  const { thumb, duration, width, height } = options.describe ?? {};
  if (thumb && thumb.size > 0 && thumb.size <= THUMB_MAX_BYTES) media.thumb = await sendThumb(upload, thumb, thumbId, calls, options.signal);
  if (duration != null && Number.isFinite(duration) && duration >= 0) media.duration = Math.min(86_400, Math.round(duration));
  if (width && height && width <= 10_000 && height <= 10_000) {
    media.width = Math.round(width);
    media.height = Math.round(height);
  }
  return media;
}

/** Uploads a small image (one part) to be a media's thumbnail; the send that carries it uses it up. Aborting `signal`
 * gives it up on the server too. */
export async function uploadThumb(upload: UploadMethods, image: Blob, signal?: AbortSignal): Promise<InputThumb> {
  const fileId = randomId();
  const calls = new CallsInFlight();
  try {
    return await sendThumb(upload, image, fileId, calls, signal);
  } catch (error) {
    if (signal?.aborted) calls.cancelWhenSettled(upload, [fileId]);
    throw error;
  }
}

async function sendThumb(upload: UploadMethods, image: Blob, fileId: number, calls: CallsInFlight, signal = new AbortController().signal): Promise<InputThumb> {
  const bytes = new Uint8Array(await image.arrayBuffer());
  await calls.wait(upload.saveFilePart({ file_id: fileId, part: 0, total_parts: 1, bytes }), signal);
  return { file_id: fileId, total_parts: 1 };
}


/**
 * Reads the thumbnail of `media` (a JPEG, longest side ≤ 320 px) with upload.getFile's `thumb` flag, under the same
 * access rules as the file. Media without `thumb` in its descriptor may still have one (stored before thumbnails
 * existed); without one the server answers MEDIA_INVALID, thrown as RpcError.
 */
export async function downloadThumbnail(upload: UploadMethods, media: MessageMedia, options: { signal?: AbortSignal } = {}): Promise<Blob> {
  const chunks: Uint8Array[] = [];
  for (let offset = 0; ; offset += DOWNLOAD_CHUNK) {
    const { bytes } = await upload.getFile({ media_id: media.id, offset, limit: DOWNLOAD_CHUNK, thumb: true }, { signal: options.signal });
    chunks.push(bytes);
    if (bytes.length < DOWNLOAD_CHUNK) return new Blob(chunks as BlobPart[], { type: 'image/jpeg' });
  }
}

/** The inline preview's bytes (a tiny JPEG), or null: absent in older descriptors, nil or empty when there is none. */
export function previewBytes(media: MessageMedia): Uint8Array | null {
  const preview = media.preview;
  return preview instanceof Uint8Array && preview.length > 0 ? preview : null;
}

/** Whether the descriptor announces a thumbnail (older descriptors do not, though the server may have made one since). */
export function hasThumb(media: MessageMedia): boolean {
  return !!media.thumb && media.thumb.size > 0;
}

/** Reads the whole media file in 1 MiB ranges (a few in flight) into a Blob of its mime type as far as it is safe
 * (safeBlobType); each range becomes a Blob at once, so the file is not held in the JS heap. */
export async function downloadFile(upload: UploadMethods, media: MessageMedia, options: DownloadOptions = {}): Promise<Blob> {
  const chunks: Blob[] = [];
  const parallelism = options.parallelism ?? 4;
  let received = 0;
  let offset = 0;
  const inFlight: Promise<Uint8Array>[] = [];
  options.onProgress?.(0, media.size);
  while (offset < media.size || inFlight.length > 0) {
    if (options.signal?.aborted) {
      inFlight.forEach((p) => p.catch(() => undefined));
      options.signal.throwIfAborted();
    }
    while (offset < media.size && inFlight.length < parallelism) {
      inFlight.push(
        upload.getFile({ media_id: media.id, offset, limit: DOWNLOAD_CHUNK }, { signal: options.signal, timeoutMs: 120_000 }).then((r) => r.bytes),
      );
      offset += DOWNLOAD_CHUNK;
    }
    const bytes = await inFlight.shift()!;
    chunks.push(new Blob([bytes as BlobPart]));
    received += bytes.length;
    options.onProgress?.(received, media.size);
    // A short range is the end of the file (it may be smaller than announced): drop the rest.
    if (bytes.length < DOWNLOAD_CHUNK) {
      inFlight.forEach((p) => p.catch(() => undefined));
      break;
    }
  }
  return new Blob(chunks, { type: safeBlobType(media.mime_type) });
}
