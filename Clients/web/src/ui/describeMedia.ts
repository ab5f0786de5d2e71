import type { MediaDescription } from '../api/media';

/** The longest side of the frame sent as a video's thumbnail (the server makes its own 320 px JPEG of it). */
const FRAME_SIDE = 320;
/** How long the browser gets to open a file and show a frame before the file goes without one. */
const DESCRIBE_TIMEOUT_MS = 5000;

/** Where the frame is taken: at 1 s, or at a tenth of a shorter video (its first frame is often black). */
export function frameTime(duration: number): number {
  return Number.isFinite(duration) && duration > 0 ? Math.min(1, duration / 10) : 0;
}

/** The size a frame is drawn at: the longest side at most 320 px, never larger than the video. */
export function frameSize(width: number, height: number, side = FRAME_SIDE): { width: number; height: number } {
  const scale = Math.min(1, side / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * What the browser can tell of a video or audio file before it is sent: the duration, for a video its size and a frame
 * (a JPEG ≤ 320 px, taken by a hidden <video> and a canvas). Whatever fails (a codec this browser cannot play, a slow
 * decode) leaves that part out: the file is sent all the same, without a thumbnail or duration.
 */
export async function describeMedia(file: Blob): Promise<MediaDescription> {
  const video = file.type.startsWith('video/');
  if (!video && !file.type.startsWith('audio/')) return {};
  const element = document.createElement(video ? 'video' : 'audio');
  const url = URL.createObjectURL(file);
  element.preload = 'auto';
  element.muted = true;
  const timedOut = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), DESCRIBE_TIMEOUT_MS));
  const next = (event: string) =>
    Promise.race([
      new Promise<void>((resolve, reject) => {
        element.addEventListener(event, () => resolve(), { once: true });
        element.addEventListener('error', () => reject(new Error('cannot play')), { once: true });
      }),
      timedOut,
    ]);
  const description: MediaDescription = {};
  try {
    const loaded = next('loadedmetadata');
    element.src = url;
    await loaded;
    if (element.duration === Infinity) {
      // A file a browser recorded (MediaRecorder's WebM) states no duration: seeking past its end makes the browser find it.
      const atEnd = next('seeked');
      element.currentTime = Number.MAX_SAFE_INTEGER;
      await atEnd;
    }
    if (Number.isFinite(element.duration)) description.duration = element.duration;
    if (!(element instanceof HTMLVideoElement) || !element.videoWidth || !element.videoHeight) return description;
    description.width = element.videoWidth;
    description.height = element.videoHeight;
    const seeked = next('seeked');
    element.currentTime = frameTime(element.duration);
    await seeked;
    const size = frameSize(element.videoWidth, element.videoHeight);
    const canvas = document.createElement('canvas');
    canvas.width = size.width;
    canvas.height = size.height;
    canvas.getContext('2d')?.drawImage(element, 0, 0, size.width, size.height);
    description.thumb = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.8));
    return description;
  } catch {
    return description;
  } finally {
    element.removeAttribute('src');
    element.load();
    URL.revokeObjectURL(url);
  }
}
