import { useEffect, useState } from 'preact/hooks';
import type { Authorization, ServerConfig } from '../api/types';
import { forgetSession, setMe, signOut } from './account';
import { Avatar } from './Avatar';
import { api } from './connection';
import { Field } from './Field';
import { errorText, formatLastSeen } from './format';
import { setState, useApp } from './store';
import { Icon } from './Icon';

export function Settings() {
  const [devicesVersion, setDevicesVersion] = useState(0);
  return (
    <div class="settings">
      <header class="sidebar__header">
        <button type="button" class="icon-btn" aria-label="Back to chats" onClick={() => setState({ panel: null })}>
          <Icon name="back" />
        </button>
        <h2 class="sidebar__title">Settings</h2>
      </header>
      <div class="settings__body">
        <Profile />
        <Devices version={devicesVersion} />
        <AcceptLoginToken onAccepted={() => setDevicesVersion((n) => n + 1)} />
        <ChangePassword />
        <ServerInfo />
        <DeleteAccount />
        <section class="settings__section">
          <button type="button" class="btn btn--danger" onClick={() => void signOut()}>
            Sign out
          </button>
        </section>
      </div>
    </div>
  );
}

function useStatus() {
  const [status, setStatus] = useState<{ text: string; error: boolean } | null>(null);
  const ok = (text: string) => setStatus({ text, error: false });
  const fail = (e: unknown) => setStatus({ text: errorText(e), error: true });
  return {
    status,
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

function StatusLine({ status }: { status: { text: string; error: boolean } | null }) {
  if (!status) return null;
  return (
    <p class={status.error ? 'form__error' : 'form__ok'} role={status.error ? 'alert' : 'status'}>
      {status.text}
    </p>
  );
}

function Profile() {
  const me = useApp((s) => s.me);
  const [name, setName] = useState(me?.display_name ?? '');
  const [bio, setBio] = useState(me?.bio ?? '');
  const { status, submit } = useStatus();
  if (!me) return null;
  const save = submit(async () => {
    setMe(await api().account.updateProfile({ display_name: name.trim(), bio: bio.trim() }));
    return 'Profile saved';
  });
  return (
    <section class="settings__section" aria-labelledby="settings-profile">
      <h3 id="settings-profile">Profile</h3>
      <div class="profile profile--row">
        <Avatar id={me.id} name={me.display_name} size="lg" />
        <span>
          <span class="profile__name">{me.display_name}</span>
          <span class="muted"> @{me.username}</span>
        </span>
      </div>
      <form class="form" onSubmit={save}>
        <Field label="Display name" value={name} onInput={setName} required maxLength={64} />
        <Field label="Bio" value={bio} onInput={setBio} maxLength={140} />
        <StatusLine status={status} />
        <button type="submit" class="btn btn--primary">
          Save profile
        </button>
      </form>
    </section>
  );
}

function Devices({ version }: { version: number }) {
  const [devices, setDevices] = useState<Authorization[] | null>(null);
  const { status, fail, clear } = useStatus();
  const load = () =>
    api().account.getAuthorizations().then(
      (result) => setDevices(result.authorizations),
      (e) => fail(e),
    );
  useEffect(() => void load(), [version]);
  const terminate = async (id: number | null) => {
    clear();
    try {
      await (id === null ? api().account.resetOtherAuthorizations() : api().account.resetAuthorization({ id }));
      await load();
    } catch (e) {
      fail(e);
    }
  };
  const others = devices?.filter((d) => !d.current) ?? [];
  return (
    <section class="settings__section" aria-labelledby="settings-devices">
      <h3 id="settings-devices">Devices</h3>
      <StatusLine status={status} />
      {devices === null ? (
        <p class="muted">Loading…</p>
      ) : (
        <ul class="devices">
          {devices.map((device) => (
            <li class="device" key={device.id} data-testid="device">
              <span class="device__info">
                <span class="device__name">
                  {device.device_name}
                  {device.current && <span class="device__current"> · this device</span>}
                </span>
                <span class="muted">
                  {device.platform} · {device.client_address} · {formatLastSeen(device.last_active_at).replace('last seen', 'active')}
                </span>
              </span>
              {!device.current && (
                <button type="button" class="btn btn--small btn--danger" aria-label={`Terminate ${device.device_name}`} onClick={() => void terminate(device.id)}>
                  Terminate
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {others.length > 0 && (
        <button type="button" class="btn btn--danger" onClick={() => void terminate(null)}>
          Terminate all other sessions
        </button>
      )}
    </section>
  );
}

function AcceptLoginToken({ onAccepted }: { onAccepted: () => void }) {
  const [token, setToken] = useState('');
  const { status, submit } = useStatus();
  const accept = submit(async () => {
    const device = await api().auth.acceptLoginToken({ token: token.trim() });
    setToken('');
    onAccepted();
    return `Signed in ${device.device_name}`;
  });
  return (
    <section class="settings__section" aria-labelledby="settings-token">
      <h3 id="settings-token">Add a device</h3>
      <p class="muted">Paste the token a new device shows to sign it in to your account.</p>
      <form class="form form--inline" onSubmit={accept}>
        <Field label="Login token" value={token} onInput={setToken} required />
        <button type="submit" class="btn">
          Accept
        </button>
      </form>
      <StatusLine status={status} />
    </section>
  );
}

function ChangePassword() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const { status, submit } = useStatus();
  const change = submit(async () => {
    await api().account.changePassword({ old_password: current, new_password: next });
    setCurrent('');
    setNext('');
    return 'Password changed; other devices were signed out';
  });
  return (
    <section class="settings__section" aria-labelledby="settings-password">
      <h3 id="settings-password">Password</h3>
      <form class="form" onSubmit={change}>
        <Field label="Current password" type="password" value={current} onInput={setCurrent} autoComplete="current-password" required />
        <Field label="New password" type="password" value={next} onInput={setNext} autoComplete="new-password" required hint="At least 8 characters" />
        <StatusLine status={status} />
        <button type="submit" class="btn">
          Change password
        </button>
      </form>
    </section>
  );
}

function DeleteAccount() {
  const [password, setPassword] = useState('');
  const { status, fail } = useStatus();
  const remove = async (event: Event) => {
    event.preventDefault();
    try {
      await api().account.deleteAccount({ password });
      forgetSession();
    } catch (e) {
      fail(e);
    }
  };
  return (
    <section class="settings__section" aria-labelledby="settings-delete">
      <h3 id="settings-delete">Delete account</h3>
      <p class="muted">
        Signs out every device and frees your username. People you wrote to keep your messages, from “Deleted Account”.
        This cannot be undone.
      </p>
      <form class="form" onSubmit={remove}>
        <Field label="Password to delete" type="password" value={password} onInput={setPassword} autoComplete="current-password" required />
        <StatusLine status={status} />
        <button type="submit" class="btn btn--danger">
          Delete my account
        </button>
      </form>
    </section>
  );
}

function ServerInfo() {
  const [config, setConfig] = useState<ServerConfig | null>(null);
  useEffect(() => void api().help.getConfig().then(setConfig, () => undefined), []);
  return (
    <section class="settings__section" aria-labelledby="settings-server">
      <h3 id="settings-server">Server</h3>
      {config ? (
        <dl class="facts">
          <dt>Key fingerprint</dt>
          <dd class="mono" data-testid="server-fingerprint">
            {config.key_fingerprint}
          </dd>
          <dt>Version</dt>
          <dd>{config.version}</dd>
        </dl>
      ) : (
        <p class="muted">Loading…</p>
      )}
    </section>
  );
}
