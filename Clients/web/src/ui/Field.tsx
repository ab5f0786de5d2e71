import { useId } from 'preact/hooks';

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
