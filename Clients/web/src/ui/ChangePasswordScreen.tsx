import { useState } from 'preact/hooks';
import { chooseNewPassword, knownTemporaryPassword, signOut } from './account';
import { AccountName, Field } from './Field';
import { useSubmit } from './form';
import { newPasswordProblem } from './passwordChange';
import { useApp } from './store';

/** Signed in with a temporary password an admin set: the one thing this device may do is choose a new password (the
 * server refuses everything else until then), so nothing else loads before it. */
export function ChangePasswordScreen() {
  const name = useApp((s) => s.me?.username ?? '');
  // Known when this tab signed in with it; after a reload it is asked for again (it is never stored).
  const known = knownTemporaryPassword();
  const [temporary, setTemporary] = useState(known ?? '');
  const [fresh, setFresh] = useState('');
  const [repeated, setRepeated] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    const problem = newPasswordProblem(temporary, fresh, repeated);
    if (problem) throw new Error(problem);
    await chooseNewPassword(temporary, fresh);
  });
  return (
    <div class="auth">
      <div class="auth__card">
        <h1 class="auth__title">Choose a new password</h1>
        <p class="muted">
          {name ? `${name}, you` : 'You'} signed in with a temporary password from your server's admin. Choose a password of your own to
          go on: the temporary one stops working.
        </p>
        <form class="form" onSubmit={submit}>
          <AccountName />
          {known === null && (
            <Field label="Temporary password" type="password" value={temporary} onInput={setTemporary} autoComplete="current-password" required />
          )}
          <Field label="New password" type="password" value={fresh} onInput={setFresh} autoComplete="new-password" required hint="At least 8 characters" />
          <Field label="New password again" type="password" value={repeated} onInput={setRepeated} autoComplete="new-password" required />
          {error && <p class="form__error" role="alert">{error}</p>}
          <button type="submit" class="btn btn--primary" disabled={busy}>
            Save and continue
          </button>
          <button type="button" class="btn btn--ghost" onClick={() => void signOut()}>
            Sign out
          </button>
        </form>
      </div>
    </div>
  );
}
