import { useMemo } from 'preact/hooks';
import { fitsLength, overLength } from './rich';
import { splitMessage } from './split';

/**
 * The one length check of every box that sends a message or a caption (the composer, its edit and caption, a thread's
 * reply box, the secret chat's composer): as the text is typed, how far it is over `limit` ({@link overLength}), and,
 * where the box may send a long text as several messages (`splittable`), the parts it would go as.
 */
export function useLengthCheck(text: string, limit: number, splittable = false): { over: string | null; parts: string[] | null } {
  const over = useMemo(() => overLength(text, limit), [text, limit]);
  // Split only while over: a text that fits is one message, and splitting reads it through more than once.
  const parts = useMemo(() => (over && splittable ? splitMessage(text, limit) : null), [over, splittable, text, limit]);
  return { over, parts: parts && parts.length > 1 ? parts : null };
}

/** What Send (or Save, or attaching a file) says while the text is too long for `limit`; null when it fits. */
export function lengthRefusal(text: string, limit: number, what: 'message' | 'caption'): string | null {
  if (fitsLength(text, limit)) return null;
  const over = overLength(text, limit);
  return `A ${what} may show at most ${limit.toLocaleString('en-US')} characters${over ? ` (${over})` : ''}`;
}

/** The count under the box (left out while the box shows an error of its own, such as Send's refusal), and "Send as N
 * messages" beside it where the text may go in parts. */
export function TooLong(props: { over: string | null; showCount?: boolean; parts?: string[] | null; onSplit?: (parts: string[]) => void }) {
  const { over, showCount = true, parts, onSplit } = props;
  if (!over) return null;
  return (
    <div class="too-long">
      {showCount && (
        <p class="form__error too-long__count" role="status" data-testid="too-long">
          {over}
        </p>
      )}
      {parts && onSplit && (
        <button
          type="button"
          class="btn btn--small"
          data-testid="send-split"
          title="Cut at paragraph breaks, else line breaks, sentence ends or spaces; formatting is kept"
          onClick={() => onSplit(parts)}
        >
          Send as {parts.length} messages
        </button>
      )}
    </div>
  );
}
