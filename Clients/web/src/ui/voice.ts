/** A voice message being recorded from the microphone (MediaRecorder, Opus in WebM where the browser has it). */
export interface Recording {
  /** When recording started (ms, `Date.now()`). */
  readonly startedAt: number;
  /** Stops and gives the recorded file. */
  stop(): Promise<File>;
  /** Stops and throws the recording away. */
  cancel(): void;
}

/** The longest voice message recorded in one go (then it stops by itself and is offered as it is). */
export const MAX_VOICE_SECONDS = 15 * 60;

/** Whether this browser can record here (a secure page: HTTPS or localhost). */
export function canRecord(): boolean {
  return typeof MediaRecorder !== 'undefined' && !!navigator.mediaDevices?.getUserMedia;
}

/** Asks for the microphone and starts recording; throws when the user or the browser refuses. */
export async function startRecording(): Promise<Recording> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const mimeType = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/webm'].find((t) => MediaRecorder.isTypeSupported(t)) ?? '';
  const recorder = new MediaRecorder(stream, mimeType ? { mimeType } : undefined);
  const chunks: Blob[] = [];
  recorder.ondataavailable = (e) => e.data.size > 0 && chunks.push(e.data);
  const stopped = new Promise<void>((resolve) => (recorder.onstop = () => resolve()));
  recorder.start(1000);
  const startedAt = Date.now();
  const release = () => stream.getTracks().forEach((t) => t.stop());
  return {
    startedAt,
    async stop() {
      if (recorder.state !== 'inactive') recorder.stop();
      await stopped;
      release();
      const type = (recorder.mimeType || mimeType || 'audio/webm').split(';')[0];
      const extension = type === 'audio/ogg' ? 'ogg' : 'webm';
      const stamp = new Date(startedAt).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
      return new File(chunks, `voice-${stamp}.${extension}`, { type });
    },
    cancel() {
      if (recorder.state !== 'inactive') recorder.stop();
      release();
    },
  };
}

/** m:ss of a duration in seconds. */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}
