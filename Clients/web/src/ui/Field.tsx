import { useId } from 'preact/hooks';
import { useApp } from './store';

interface FieldProps {
  label: string;
  value: string;
  onInput: (value: string) => void;
  type?: string;
  autoComplete?: string;
  required?: boolean;
  hint?: string;
  maxLength?: number;
}

/** A labelled text input. */
export function Field({ label, value, onInput, type = 'text', autoComplete, required, hint, maxLength }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div class="field">
      <label class="field__label" for={id}>
        {label}
      </label>
      <input
        id={id}
        class="field__input"
        type={type}
        value={value}
        onInput={(e) => onInput(e.currentTarget.value)}
        autoComplete={autoComplete}
        required={required}
        maxLength={maxLength}
        aria-describedby={hint ? hintId : undefined}
      />
      {hint && (
        <span class="field__hint" id={hintId}>
          {hint}
        </span>
      )}
    </div>
  );
}

/** The signed-in account's username, hidden, in a form that asks for its password: password managers (and Chromium's
 * form check) then know which account the password belongs to. */
export function AccountName() {
  const username = useApp((s) => s.me?.username ?? '');
  return <input type="text" name="username" autoComplete="username" value={username} readOnly hidden tabIndex={-1} aria-hidden="true" />;
}
