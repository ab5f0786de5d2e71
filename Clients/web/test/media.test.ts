import { describe, expect, it } from 'vitest';
import { DOWNLOAD_CHUNK, PART_SIZE, THUMB_MAX_BYTES, downloadFile, downloadThumbnail, fileNameToSend, hasThumb, previewBytes, taskQueue, uploadFile } from '../src/api/media';
import { frameSize, frameTime } from '../src/ui/describeMedia';
import { decodePayload, encodePayload } from '../src/protocol/codec';
import type { Methods } from '../src/api/methods';
import { RpcError, type MessageMedia } from '../src/api/types';
import { sleep, until } from './helpers';

type Upload = Methods['upload'];

function fakeUpload(stored = new Map<number, Uint8Array>(), fail?: (part: number) => RpcError | undefined) {
  let inFlight = 0;
  let maxInFlight = 0;
  const saved: number[] = [];
  const cancelled: number[] = [];
  const upload: Upload = {
    saveFilePart: async (a) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight--;
      const error = fail?.(a.part);
      if (error) throw error;
      stored.set(a.part, a.bytes.slice());
      saved.push(a.part);
      return [];
    },
    getUploadedParts: async () => ({ parts: [...stored.keys()].sort((x, y) => x - y), total_parts: 3 }),
    cancelUpload: async (a) => {
      cancelled.push(a.file_id);
      return [];
    },
    getFile: async () => ({ bytes: new Uint8Array(0) }),
  };
  return { upload, saved, stored, cancelled, maxInFlight: () => maxInFlight };
}

describe('uploadFile', () => {
  it('sends 512 KiB parts, a few at a time, and reports progress up to the size', async () => {
    const bytes = new Uint8Array(2 * PART_SIZE + 100).map((_, i) => i & 0xff);
    const { upload, stored, maxInFlight } = fakeUpload();
    const progress: number[] = [];
    const media = await uploadFile(upload, new Blob([bytes], { type: 'image/png' }), { name: 'a.png', onProgress: (sent) => progress.push(sent) });
    expect(media).toMatchObject({ total_parts: 3, name: 'a.png', mime_type: 'image/png' });
    expect(media.file_id).not.toBe(0);
    expect([...stored.keys()].sort()).toEqual([0, 1, 2]);
    expect(stored.get(0)!.length).toBe(PART_SIZE);
    expect(stored.get(2)!.length).toBe(100);
    expect(maxInFlight()).toBeGreaterThan(1);
    expect(progress.at(-1)).toBe(bytes.length);
  });

  it('resumes: parts the server has are not sent again', async () => {
    const stored = new Map([[1, new Uint8Array(PART_SIZE)]]);
    const { upload, saved } = fakeUpload(stored);
    await uploadFile(upload, new Blob([new Uint8Array(2 * PART_SIZE + 1)]), { fileId: 42 });
    expect(saved.sort()).toEqual([0, 2]);
  });

  it('sends a file name without the characters the server refuses in names', async () => {
    const { upload } = fakeUpload();
    const media = await uploadFile(upload, new Blob([new Uint8Array(10)]), { name: '\u200eChat\u200b export\u202e.txt' });
    expect(media.name).toBe('Chat export.txt');
    expect(fileNameToSend('\u200f\u200b ')).toBe('file');
    expect(fileNameToSend('שלום 👨\u200d👩\u200d👧.png')).toBe('שלום 👨\u200d👩\u200d👧.png');
    expect([...fileNameToSend('😀'.repeat(300))]).toHaveLength(255);
  });

  it('fails with the server error, not the aborts it caused, and leaves the upload to be resumed', async () => {
    const { upload, cancelled } = fakeUpload(undefined, (part) => (part === 1 ? new RpcError('QUOTA_EXCEEDED', 400) : undefined));
    await expect(uploadFile(upload, new Blob([new Uint8Array(3 * PART_SIZE)]))).rejects.toMatchObject({ name: 'QUOTA_EXCEEDED' });
    await sleep(20);
    expect(cancelled).toEqual([]);
  });
});

describe('cancelling an upload', () => {
  /** Parts that wait until the test answers them, and the order in which the server saw parts and cancels. */
  function heldUpload() {
    const seen: string[] = [];
    const waiting: (() => void)[] = [];
    const upload = {
      saveFilePart: (a: { file_id: number; part: number }) =>
        new Promise((resolve) =>
          waiting.push(() => {
            seen.push(`part ${a.file_id}:${a.part}`);
            resolve([]);
          }),
        ),
      cancelUpload: async (a: { file_id: number }) => {
        seen.push(`cancel ${a.file_id}`);
        return [];
      },
    } as unknown as Upload;
    const answerAll = () => waiting.splice(0).forEach((answer) => answer());
    return { upload, seen, waiting, answerAll };
  }

  it('fails at once, and gives the upload up on the server once the parts already sent are answered', async () => {
    const { upload, seen, waiting, answerAll } = heldUpload();
    const cancel = new AbortController();
    const uploading = uploadFile(upload, new Blob([new Uint8Array(3 * PART_SIZE)]), { fileId: 42, resume: false, parallelism: 2, signal: cancel.signal });
    await until(() => waiting.length === 2);

    cancel.abort();
    await expect(uploading).rejects.toMatchObject({ name: 'ABORTED' });
    await sleep(20);
    expect(seen).toEqual([]);

    answerAll();
    await until(() => seen.length === 3);
    expect(seen.slice(0, 2).sort()).toEqual(['part 42:0', 'part 42:1']);
    expect(seen[2]).toBe('cancel 42');
  });

  it('gives the thumbnail up too when it is cancelled while the thumbnail goes', async () => {
    const { upload, seen, waiting, answerAll } = heldUpload();
    const cancel = new AbortController();
    const uploading = uploadFile(upload, new Blob([new Uint8Array(10)], { type: 'video/webm' }), {
      fileId: 43,
      resume: false,
      signal: cancel.signal,
      describe: { thumb: new Blob([new Uint8Array(100)], { type: 'image/jpeg' }) },
    });
    await until(() => waiting.length === 1);
    answerAll();
    await until(() => waiting.length === 1 && seen.length === 1);

    cancel.abort();
    await expect(uploading).rejects.toMatchObject({ name: 'ABORTED' });
    answerAll();
    await until(() => seen.length === 4);
    const thumbId = Number(seen[1].slice('part '.length).split(':')[0]);
    expect(thumbId).not.toBe(43);
    expect(seen.slice(2)).toEqual(['cancel 43', `cancel ${thumbId}`]);
  });
});

describe('taskQueue', () => {
  it('runs at most its limit of uploads at once, the others in turn, and drops one aborted while it waits', async () => {
    const queue = taskQueue(2);
    let running = 0;
    let most = 0;
    const finished: number[] = [];
    const task = (n: number) => async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 2));
      running--;
      finished.push(n);
      return n;
    };
    const aborted = new AbortController();
    const dropped = queue(task(99), aborted.signal);
    const results = Promise.all([1, 2, 3, 4, 5].map((n) => queue(task(n))));
    aborted.abort();
    await expect(dropped).resolves.toBe(99);
    const later = new AbortController();
    const waits = queue(task(98), later.signal);
    later.abort();
    await expect(waits).rejects.toMatchObject({ name: 'ABORTED' });
    expect(await results).toEqual([1, 2, 3, 4, 5]);
    expect(most).toBe(2);
    expect(finished).not.toContain(98);
  });
});

describe('downloadFile', () => {
  it('reads 1 MiB aligned ranges and joins them into a Blob, typed only when the type is safe for an object URL', async () => {
    const size = 2 * DOWNLOAD_CHUNK + 5000;
    const content = new Uint8Array(size).map((_, i) => (i * 7) & 0xff);
    const requests: [number, number][] = [];
    const upload = {
      getFile: async (a: { media_id: number; offset: number; limit: number }) => {
        requests.push([a.offset, a.limit]);
        return { bytes: content.slice(a.offset, a.offset + a.limit) };
      },
    } as unknown as Upload;
    const media: MessageMedia = { id: 5, kind: 'document', name: 'x.bin', mime_type: 'application/x-test', size, width: null, height: null };
    const blob = await downloadFile(upload, media);
    // The uploader's word: an unknown type (or SVG, HTML) would be this origin's page once opened from its blob: URL.
    expect(blob.type).toBe('application/octet-stream');
    expect(Buffer.from(await blob.arrayBuffer()).equals(Buffer.from(content))).toBe(true);
    expect(requests.map(([offset]) => offset)).toEqual([0, DOWNLOAD_CHUNK, 2 * DOWNLOAD_CHUNK]);
    expect(requests.every(([offset, limit]) => offset % 4096 === 0 && limit === DOWNLOAD_CHUNK)).toBe(true);
    expect((await downloadFile(upload, { ...media, mime_type: 'image/svg+xml' })).type).toBe('application/octet-stream');
    expect((await downloadFile(upload, { ...media, mime_type: 'video/mp4' })).type).toBe('video/mp4');
  });
});

describe('thumbnails and previews', () => {
  const base = { id: 9, kind: 'photo', name: 'p.jpg', mime_type: 'image/jpeg', size: 5_000_000, width: 3000, height: 4000 };

  it('decodes descriptors with the new keys, nil keys, or without them (older messages)', () => {
    const preview = new Uint8Array([0xff, 0xd8, 0xff, 0xd9]);
    const withKeys = decodePayload(encodePayload({ ...base, thumb: { width: 240, height: 320, size: 12_345 }, preview })) as MessageMedia;
    expect(withKeys.thumb).toEqual({ width: 240, height: 320, size: 12_345 });
    expect(previewBytes(withKeys)).toEqual(preview);
    expect(hasThumb(withKeys)).toBe(true);

    const nil = decodePayload(encodePayload({ ...base, thumb: null, preview: null })) as MessageMedia;
    expect(previewBytes(nil)).toBeNull();
    expect(hasThumb(nil)).toBe(false);

    const older = decodePayload(encodePayload(base)) as MessageMedia;
    expect(older.thumb).toBeUndefined();
    expect(previewBytes(older)).toBeNull();
    expect(hasThumb(older)).toBe(false);
    expect(previewBytes({ ...older, preview: new Uint8Array(0) })).toBeNull();
  });

  it('downloadThumbnail asks for the thumb in 1 MiB ranges and returns a JPEG blob', async () => {
    const thumb = new Uint8Array(DOWNLOAD_CHUNK + 10).map((_, i) => (i * 7) & 0xff);
    const asked: { offset: number; thumb?: boolean }[] = [];
    const { upload } = fakeUpload();
    upload.getFile = async (a) => {
      asked.push({ offset: a.offset, thumb: a.thumb });
      return { bytes: thumb.slice(a.offset, a.offset + a.limit) };
    };
    const blob = await downloadThumbnail(upload, { ...base, thumb: { width: 240, height: 320, size: thumb.length } });
    expect(blob.type).toBe('image/jpeg');
    const got = new Uint8Array(await blob.arrayBuffer());
    expect(got.length).toBe(thumb.length);
    expect(got.every((b, i) => b === thumb[i])).toBe(true);
    expect(asked).toEqual([
      { offset: 0, thumb: true },
      { offset: DOWNLOAD_CHUNK, thumb: true },
    ]);
  });

  it('downloadThumbnail passes MEDIA_INVALID on (no thumbnail)', async () => {
    const { upload } = fakeUpload();
    upload.getFile = async () => {
      throw new RpcError('MEDIA_INVALID', 404);
    };
    await expect(downloadThumbnail(upload, base)).rejects.toMatchObject({ name: 'MEDIA_INVALID' });
  });
});

describe('videos: thumbnail, duration and size from the client', () => {
  function recordingUpload() {
    const calls: { file_id: number; part: number; total_parts: number; length: number }[] = [];
    const upload = {
      saveFilePart: async (a: { file_id: number; part: number; total_parts: number; bytes: Uint8Array }) => {
        calls.push({ file_id: a.file_id, part: a.part, total_parts: a.total_parts, length: a.bytes.length });
        return [];
      },
    } as unknown as Upload;
    return { upload, calls };
  }

  it('uploads the frame as its own one-part upload after the file and sends the keys, the duration in whole seconds', async () => {
    const { upload, calls } = recordingUpload();
    const media = await uploadFile(upload, new Blob([new Uint8Array(1000)], { type: 'video/webm' }), {
      name: 'clip.webm',
      describe: { thumb: new Blob([new Uint8Array(3000)], { type: 'image/jpeg' }), duration: 74.6, width: 1280, height: 720 },
    });
    expect(media).toMatchObject({ mime_type: 'video/webm', duration: 75, width: 1280, height: 720, thumb: { total_parts: 1 } });
    expect(media.thumb!.file_id).not.toBe(media.file_id);
    expect(calls.at(-1)).toEqual({ file_id: media.thumb!.file_id, part: 0, total_parts: 1, length: 3000 });
    const wire = decodePayload(encodePayload(media)) as Record<string, unknown>;
    expect(Object.keys(wire).sort()).toEqual(['duration', 'file_id', 'height', 'mime_type', 'name', 'thumb', 'total_parts', 'width']);
  });

  it('leaves out what the server would refuse: a frame over 200 KiB, an endless (live) duration, a size past 10,000', async () => {
    const { upload, calls } = recordingUpload();
    const media = await uploadFile(upload, new Blob([new Uint8Array(10)], { type: 'audio/webm' }), {
      describe: { thumb: new Blob([new Uint8Array(THUMB_MAX_BYTES + 1)]), duration: Infinity, width: 20_000, height: 100 },
    });
    expect(media.thumb).toBeUndefined();
    expect(media.duration).toBeUndefined();
    expect(media.width).toBeUndefined();
    expect(calls).toHaveLength(1);
  });

  it('decodes a descriptor with a duration, and one without (older messages)', () => {
    const video = { id: 3, kind: 'video', name: 'v.mp4', mime_type: 'video/mp4', size: 9, width: 640, height: 360, duration: 0 };
    expect((decodePayload(encodePayload(video)) as MessageMedia).duration).toBe(0);
    const { duration: _, ...older } = video;
    expect((decodePayload(encodePayload(older)) as MessageMedia).duration).toBeUndefined();
  });

  it('takes the frame at 1 s, or a tenth into a shorter video, and draws it at most 320 px on its longest side', () => {
    expect(frameTime(60)).toBe(1);
    expect(frameTime(5)).toBe(0.5);
    expect(frameTime(Infinity)).toBe(0);
    expect(frameTime(NaN)).toBe(0);
    expect(frameSize(1920, 1080)).toEqual({ width: 320, height: 180 });
    expect(frameSize(1080, 1920)).toEqual({ width: 180, height: 320 });
    expect(frameSize(160, 90)).toEqual({ width: 160, height: 90 });
  });
});
