import { useState } from 'preact/hooks';
import { errorText } from './format';

/** A settings form's outcome: the text its action returned, or its error. */
export function useStatus() {
  const [status, setStatus] = useState<{ text: string; error: boolean } | null>(null);
  const ok = (text: string) => setStatus({ text, error: false });
  const fail = (e: unknown) => setStatus({ text: errorText(e), error: true });
  return {
    status,
    ok,
    fail,
    clear: () => setStatus(null),
    /** A form's submit: runs `action` and shows the text it returns, or its error. */
    submit: (action: () => Promise<string>) => async (event: Event) => {
      event.preventDefault();
      try {
        ok(await action());
      } catch (e) {
        fail(e);
      }
    },
  };
}

export function StatusLine({ status }: { status: { text: string; error: boolean } | null }) {
  if (!status) return null;
  return (
    <p class={status.error ? 'form__error' : 'form__ok'} role={status.error ? 'alert' : 'status'}>
      {status.text}
    </p>
  );
}

