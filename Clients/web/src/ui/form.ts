import { useState } from 'preact/hooks';
import { errorText } from './format';

/**
 * A form's submit: busy while the action runs, its error shown until the next try. On success the form stays busy:
 * the action has moved the app on (signed in, opened the new chat).
 */
export function useSubmit(action: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      await action();
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };
  return { busy, error, submit };
}
