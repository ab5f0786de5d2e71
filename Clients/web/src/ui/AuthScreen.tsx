import QRCode from 'qrcode';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { LoginToken, ServerConfig } from '../api/types';
import { ErrorNames, RpcError } from '../api/types';
import { deviceName, signIn } from './account';
import { errorText } from './format';
import { api } from './connection';
import { Field } from './Field';
import { useSubmit } from './form';
import { useApp } from './store';
import { loginLinkOf } from './signIns';

type Mode = 'signIn' | 'register' | 'qr';

export function AuthScreen() {
  const [mode, setMode] = useState<Mode>('signIn');
  // Typed once: switching between Sign in and Create account keeps it.
  const [username, setUsername] = useState('');
  const invited = useApp((s) => !!s.joinCode);
  const [registration, setRegistration] = useState<ServerConfig['registration'] | null>(null);
  const [firstAccount, setFirstAccount] = useState(false);
  const chosen = useRef(false);
  const choose = (next: Mode) => {
    chosen.current = true;
    setMode(next);
  };
  // A server without accounts yet: its first visitor is its self-hoster, whose first step is to create the account
  // that becomes the admin (unless they chose a tab or went into the form before the answer came: the form is not
  // taken away from under their typing).
  useEffect(() => {
    let cancelled = false;
    api()
      .help.getConfig()
      .then((config) => {
        if (cancelled) return;
        setRegistration(config.registration);
        setFirstAccount(!config.has_accounts);
        if (!config.has_accounts && !chosen.current) setMode('register');
      }, () => undefined);
    return () => {
      cancelled = true;
    };
  }, []);
  return (
    <div class="auth">
      <div class="auth__card" data-registration={registration ?? undefined}>
        <h1 class="auth__title">Messenger</h1>
        {invited && (
          <p class="muted" role="status">
            You were invited to a group: sign in or create an account to join it.
          </p>
        )}
        {firstAccount && (
          <p class="muted" role="status" data-testid="first-account">
            This server has no accounts yet: the first one you create becomes its admin.
          </p>
        )}
        <div class="tabs" role="tablist" aria-label="Sign-in method">
          <Tab mode="signIn" current={mode} onSelect={choose} label="Sign in" />
          <Tab mode="register" current={mode} onSelect={choose} label="Create account" />
          <Tab mode="qr" current={mode} onSelect={choose} label="Log in by QR code" />
        </div>
        <div role="tabpanel" onFocusIn={() => (chosen.current = true)}>
          {mode === 'signIn' && <SignInForm username={username} setUsername={setUsername} />}
          {mode === 'register' &&
            (registration === 'closed' ? (
              <p class="muted" role="status" data-testid="registration-closed">
                This server does not take new accounts. Ask its admin to create one for you.
              </p>
            ) : (
              <RegisterForm username={username} setUsername={setUsername} registration={registration} />
            ))}
          {mode === 'qr' && <LoginTokenPanel />}
        </div>
      </div>
    </div>
  );
}

function Tab({ mode, current, onSelect, label }: { mode: Mode; current: Mode; onSelect: (m: Mode) => void; label: string }) {
  return (
    <button type="button" role="tab" aria-selected={mode === current} class="tabs__tab" onClick={() => onSelect(mode)}>
      {label}
    </button>
  );
}

interface UsernameProps {
  username: string;
  setUsername: (value: string) => void;
}

function SignInForm({ username, setUsername }: UsernameProps) {
  const [password, setPassword] = useState('');
  // Asked for once the server says the account has two-step verification.
  const [code, setCode] = useState<string | null>(null);
  const { busy, error, submit } = useSubmit(() =>
    signIn(username.trim(), password, code?.trim() || null).catch((e) => {
      if (e instanceof RpcError && e.name === ErrorNames.TwoFactorCodeRequired && code === null) {
        setCode('');
        throw new Error('Enter the code from your authenticator app, or one of your recovery codes.');
      }
      throw e;
    }),
  );
  return (
    <form class="form" onSubmit={submit}>
      <Field label="Username" value={username} onInput={setUsername} autoComplete="username" required />
      <Field label="Password" type="password" value={password} onInput={setPassword} autoComplete="current-password" required />
      {code !== null && (
        <Field label="Code" value={code} onInput={setCode} autoComplete="one-time-code" required hint="6 digits from your authenticator app, or a recovery code (xxxxx-xxxxx)" />
      )}
      {error && <p class="form__error" role="alert">{error}</p>}
      <button type="submit" class="btn btn--primary" disabled={busy}>
        Sign in
      </button>
    </form>
  );
}

/** `registration`: what the server asks of a new account (null until help.getConfig answers): an invite code, or none. */
function RegisterForm({ username, setUsername, registration }: UsernameProps & { registration: ServerConfig['registration'] | null }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [invite, setInvite] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    await api().auth.register({ username: username.trim(), password, display_name: name.trim(), invite_code: invite.trim() || null });
    await signIn(username.trim(), password);
  });
  return (
    <form class="form" onSubmit={submit}>
      <Field label="Username" value={username} onInput={setUsername} autoComplete="username" required hint="5–32 letters, digits or _" />
      <Field label="Display name" value={name} onInput={setName} autoComplete="name" required />
      <Field label="Password" type="password" value={password} onInput={setPassword} autoComplete="new-password" required hint="At least 8 characters" />
      {registration === 'invite_only' && (
        <Field label="Invite code" value={invite} onInput={setInvite} required hint="This server takes new accounts by invite: ask its admin for a code" />
      )}
      {registration === null && <Field label="Invite code (if the server asks for one)" value={invite} onInput={setInvite} />}
      {error && <p class="form__error" role="alert">{error}</p>}
      <button type="submit" class="btn btn--primary" disabled={busy}>
        Register
      </button>
    </form>
  );
}

/** Shows a login token (QR and text) another signed-in device accepts; the client then signs this device in. */
function LoginTokenPanel() {
  const [token, setToken] = useState<LoginToken | null>(null);
  const [qr, setQr] = useState('');
  const [error, setError] = useState('');
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    let cancelled = false;
    let refresh: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const next = await api().auth.exportLoginToken({ device_name: deviceName(), platform: 'web' });
        const image = await QRCode.toDataURL(loginLinkOf(location.origin, next.token), { margin: 1, width: 240 });
        if (cancelled) return;
        setToken(next);
        setQr(image);
        setError('');
        refresh = setTimeout(load, Math.max(5_000, next.expires_at * 1000 - Date.now() - 2_000));
      } catch (e) {
        if (!cancelled) setError(errorText(e));
      }
    };
    void load();
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      cancelled = true;
      clearTimeout(refresh);
      clearInterval(tick);
    };
  }, []);

  const secondsLeft = token ? Math.max(0, Math.round(token.expires_at - now / 1000)) : 0;
  return (
    <div class="qr-login">
      <ol class="qr-login__steps">
        <li>Open Messenger on a device where you are signed in.</li>
        <li>Go to Settings → “Add a device”.</li>
        <li>Scan this code with its camera (it opens this page there), or paste the token below.</li>
      </ol>
      {error && <p class="form__error" role="alert">{error}</p>}
      {token ? (
        <>
          <img class="qr-login__code" src={qr} alt="Login QR code" width={240} height={240} />
          <label class="field">
            <span class="field__label">Login token</span>
            <input class="field__input mono" readOnly value={token.token} onFocus={(e) => e.currentTarget.select()} />
          </label>
          <p class="muted" aria-live="polite">
            Refreshes in {secondsLeft} s. Waiting for another device to accept it…
          </p>
        </>
      ) : (
        !error && <p class="muted">Preparing a login token…</p>
      )}
    </div>
  );
}
