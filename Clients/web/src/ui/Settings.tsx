import { useEffect, useRef, useState } from 'preact/hooks';
import QRCode from 'qrcode';
import { ErrorNames, RpcError, type AdminUser, type AuditEntry, type Authorization, type BackupList, type Invite, type PrivacySettings, type ServerConfig, type ServerStats, type TwoFactorSetup, type TwoFactorStatus, PrivacyRule } from '../api/types';
import { forgetSession, setMe, signOut } from './account';
import { Avatar } from './Avatar';
import { Bots } from './Bots';
import { PhotoPicker } from './PhotoPicker';
import { StatusLine, useStatus } from './StatusLine';
import { api } from './connection';
import { AccountName, Field } from './Field';
import { Folders } from './Folders';
import { exportAllChats } from './exportChat';
import { deviceDetails } from './devices';
import { errorText, formatBytes, formatDateTime } from './format';
import { disableNotifications, enableNotifications, notificationSetting, type NotificationSetting } from './notifications';
import { disablePush, enablePush, pushStatus, type PushStatus } from './push';
import { setState, useApp } from './store';
import { Icon } from './Icon';
import { saveBlob } from './media';
import { AdminReports } from './Reports';
import { reportsText } from './openReports';
import { acceptSignIn } from './signIns';

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
        <Notifications />
        <Folders />
        <Devices version={devicesVersion} />
        <AcceptLoginToken onAccepted={() => setDevicesVersion((n) => n + 1)} />
        <Privacy />
        <ChangePassword />
        <TwoStepVerification />
        <Bots />
        <ServerInfo />
        <Administration />
        <YourData />
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
        <Avatar id={me.id} name={me.display_name} size="lg" photo={me.photo} />
        <span>
          <span class="profile__name">{me.display_name}</span>
          <span class="muted"> @{me.username}</span>
        </span>
      </div>
      <ProfilePhoto />
      <Username />
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

/** The username others find the account by; a new one frees the old at once. */
function Username() {
  const me = useApp((s) => s.me);
  const [username, setUsername] = useState(me?.username ?? '');
  const { status, submit } = useStatus();
  const save = submit(async () => {
    setMe(await api().account.updateUsername({ username: username.trim() }));
    return 'Username saved';
  });
  return (
    <form class="form form--inline" onSubmit={save}>
      <Field label="Username" value={username} onInput={setUsername} required maxLength={32} />
      <button type="submit" class="btn" disabled={!username.trim() || username.trim() === me?.username}>
        Save username
      </button>
      <StatusLine status={status} />
    </form>
  );
}

/** Upload (an image of at most 10 MiB) or remove the profile photo everyone sees beside the name. */
function ProfilePhoto() {
  const me = useApp((s) => s.me);
  return (
    <PhotoPicker
      label="Profile photo"
      photo={me?.photo}
      save={async (media) => setMe(await api().account.updateProfilePhoto({ media }))}
    />
  );
}

const autoSignOutChoices: [number, string][] = [
  [7, '1 week'],
  [30, '1 month'],
  [90, '3 months'],
  [180, '6 months'],
  [365, '1 year'],
];

function Devices({ version }: { version: number }) {
  const [devices, setDevices] = useState<Authorization[] | null>(null);
  const [ttl, setTtl] = useState<number | null>(null);
  const { status, ok, fail, clear } = useStatus();
  // A device that signs in meanwhile (the notice above) shows in the list at once.
  const signInsHeard = useApp((s) => s.newSignIns.length);
  const load = () =>
    api().account.getAuthorizations().then(
      (result) => setDevices(result.authorizations),
      (e) => fail(e),
    );
  useEffect(() => void load(), [version, signInsHeard]);
  useEffect(() => void api().account.getAuthorizationTTL().then((result) => setTtl(result.authorization_ttl_days), fail), []);
  // A shorter limit signs out at once the devices unused that long: the list is read again.
  const saveTtl = async (days: number) => {
    clear();
    try {
      setTtl((await api().account.setAuthorizationTTL({ authorization_ttl_days: days })).authorization_ttl_days);
      await load();
      ok('Saved: devices inactive that long are signed out');
    } catch (e) {
      fail(e);
    }
  };
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
                <span class="muted" data-testid="device-details">
                  {deviceDetails(device)}
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
      {ttl !== null && (
        <label class="field">
          <span class="field__label">Automatically sign out devices inactive for</span>
          <select class="field__input" value={ttl} onChange={(e) => void saveTtl(Number(e.currentTarget.value))}>
            {autoSignOutChoices.map(([days, text]) => (
              <option key={days} value={days}>
                {text}
              </option>
            ))}
          </select>
        </label>
      )}
    </section>
  );
}

function AcceptLoginToken({ onAccepted }: { onAccepted: () => void }) {
  const [token, setToken] = useState('');
  // Filled in from a login link (a scanned QR code): said so, and still accepted only by a click.
  const [fromLink, setFromLink] = useState(false);
  const pending = useApp((s) => s.pendingLoginToken);
  useEffect(() => {
    if (!pending) return;
    setToken(pending);
    setFromLink(true);
    setState({ pendingLoginToken: null });
  }, [pending]);
  const { status, submit } = useStatus();
  const accept = submit(async () => {
    const device = await acceptSignIn(() => api().auth.acceptLoginToken({ token: token.trim() }));
    setToken('');
    setFromLink(false);
    onAccepted();
    return `Signed in ${device.device_name}`;
  });
  return (
    <section class="settings__section" aria-labelledby="settings-token">
      <h3 id="settings-token">Add a device</h3>
      <p class="muted">Paste the token a new device shows to sign it in to your account.</p>
      {fromLink && (
        <p class="login-link-note" role="note" data-testid="login-link-note">
          A link filled in this token. Accept it only if you just scanned the code on your own device: whoever shows it
          gets your chats.
        </p>
      )}
      <form class="form form--inline" onSubmit={accept}>
        <Field
          label="Login token"
          value={token}
          onInput={(value) => {
            setToken(value);
            setFromLink(false);
          }}
          required
        />
        <button type="submit" class="btn">
          Accept
        </button>
      </form>
      <StatusLine status={status} />
    </section>
  );
}

/** Desktop notifications on this browser: new messages in chats that are not muted, while this chat is not in view;
 * and, where the browser can receive pushes, also while no tab of the app is open (Web Push). */
function Notifications() {
  const [setting, setSetting] = useState<NotificationSetting>(notificationSetting());
  const [push, setPush] = useState<PushStatus>(pushStatus());
  const [pushError, setPushError] = useState<string | null>(null);
  const explain: Record<NotificationSetting, string> = {
    unsupported: 'This browser cannot show notifications.',
    denied: 'Notifications are blocked for this site in the browser’s settings.',
    off: 'New messages are not announced. Muted chats never are.',
    on: 'New messages are announced unless their chat is muted or open in front of you.',
  };
  const turnOnPush = async () => {
    try {
      await enablePush();
      setPushError(null);
    } catch (error) {
      setPushError(errorText(error));
    }
    setPush(pushStatus());
  };
  const turnOn = async () => {
    const next = await enableNotifications();
    setSetting(next);
    if (next === 'on' && pushStatus() !== 'unsupported') await turnOnPush();
  };
  const turnOff = async () => {
    disableNotifications();
    setSetting(notificationSetting());
    await disablePush();
    setPush(pushStatus());
  };
  return (
    <section class="settings__section" aria-labelledby="settings-notifications">
      <h3 id="settings-notifications">Notifications</h3>
      <p class="muted" data-testid="notifications-status">
        {explain[setting]}
      </p>
      {setting === 'on' && (
        <p class="muted" data-testid="push-status">
          {pushError
            ? `They cannot reach this browser while the app is closed: ${pushError}`
            : push === 'on'
              ? 'They reach this browser also while the app is closed.'
              : push === 'unsupported'
                ? 'This browser cannot receive them while the app is closed.'
                : 'They are shown only while the app is open.'}
        </p>
      )}
      {setting === 'off' && (
        <button type="button" class="btn" onClick={() => void turnOn()}>
          Turn on desktop notifications
        </button>
      )}
      {setting === 'on' && push === 'off' && (
        <button type="button" class="btn" onClick={() => void turnOnPush()}>
          Announce them also while the app is closed
        </button>
      )}
      {setting === 'on' && (
        <button type="button" class="btn" onClick={() => void turnOff()}>
          Turn off desktop notifications
        </button>
      )}
    </section>
  );
}

const privacyChoices: [PrivacyRule, string][] = [
  [PrivacyRule.Everybody, 'Everybody'],
  [PrivacyRule.Chats, 'People I chat with'],
  [PrivacyRule.Contacts, 'My contacts'],
  [PrivacyRule.Nobody, 'Nobody'],
];

/** Who sees when the user is online and was last seen, and who may add them to groups; each choice saves at once. */
function Privacy() {
  const [settings, setSettings] = useState<PrivacySettings | null>(null);
  // The newest choices, shown at once; one save on its way at a time, and a choice made meanwhile goes when it answers,
  // with all the choices: two saves on their way could run in either order, and a choice made before the first was
  // saved once went with the first one's old value and undid it.
  const chosen = useRef<PrivacySettings | null>(null);
  const saving = useRef(false);
  const { status, ok, fail } = useStatus();
  const show = (next: PrivacySettings) => {
    chosen.current = next;
    setSettings(next);
  };
  useEffect(() => void api().account.getPrivacy().then(show, fail), []);
  if (!settings) return null;
  const send = () => {
    const sent = chosen.current!;
    saving.current = true;
    const answered = (after: () => void) => {
      saving.current = false;
      if (chosen.current !== sent) send();
      else after();
    };
    void api()
      .account.setPrivacy({ settings: sent })
      .then(
        (saved) =>
          answered(() => {
            show(saved);
            ok('Privacy saved');
          }),
        (e) =>
          answered(() => {
            fail(e);
            // What the server holds, shown again in place of the choice it refused.
            void api().account.getPrivacy().then(show, () => undefined);
          }),
      );
  };
  const save = (next: PrivacySettings) => {
    show(next);
    if (!saving.current) send();
  };
  const choice = (label: string, key: keyof PrivacySettings) => (
    <label class="field">
      <span class="field__label">{label}</span>
      <select
        class="field__input"
        value={settings[key]}
        onChange={(e) => save({ ...(chosen.current ?? settings), [key]: Number(e.currentTarget.value) as PrivacyRule })}
      >
        {privacyChoices.map(([rule, text]) => (
          <option key={rule} value={rule}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <section class="settings__section" aria-labelledby="settings-privacy">
      <h3 id="settings-privacy">Privacy</h3>
      {choice('Who sees when I am online', 'last_seen')}
      {choice('Who may add me to groups', 'group_invites')}
      {choice('Who may call me', 'calls')}
      <p class="muted">
        Hidden presence shows as "last seen recently"; anyone may still send you an invite link. "My contacts" are the people you added to your
        contacts.
      </p>
      <StatusLine status={status} />
    </section>
  );
}

/** Every chat in one JSON file, built in this browser (the server keeps no copy). */
function YourData() {
  const { status, ok, fail } = useStatus();
  const [progress, setProgress] = useState<string | null>(null);
  const run = async () => {
    try {
      const { chats, messages } = await exportAllChats((done, total) => setProgress(`Exporting chat ${done} of ${total}…`));
      ok(`Exported ${messages} message${messages === 1 ? '' : 's'} from ${chats} chat${chats === 1 ? '' : 's'}`);
    } catch (e) {
      fail(e);
    } finally {
      setProgress(null);
    }
  };
  return (
    <section class="settings__section" aria-labelledby="settings-data">
      <h3 id="settings-data">Your data</h3>
      <p class="muted">All your chats as one JSON file: each message with its author, time, text, replies and files' names (the files stay on the server).</p>
      <button type="button" class="btn" disabled={progress !== null} onClick={() => void run()}>
        Export all chats
      </button>
      {progress && <p class="muted">{progress}</p>}
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
        <AccountName />
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

/**
 * Two-step verification: Turn on asks for the password, shows the secret as a QR code and as text for an authenticator
 * app, and turns it on with the app's first code, then shows the recovery codes once (copy, download); Turn off asks
 * for the password and a code (or a recovery code); New recovery codes asks for the password and a code of the app.
 */
function TwoStepVerification() {
  const [enabled, setEnabled] = useState<boolean | null>(null);
  const [left, setLeft] = useState(0);
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [setup, setSetup] = useState<TwoFactorSetup | null>(null);
  const [qr, setQr] = useState('');
  // Codes just made: the server never tells them again.
  const [codes, setCodes] = useState<string[] | null>(null);
  const [renewing, setRenewing] = useState(false);
  const { status, clear, submit } = useStatus();
  const show = (s: TwoFactorStatus) => {
    setEnabled(s.enabled);
    setLeft(s.recovery_codes_left ?? 0);
    if (s.recovery_codes) setCodes(s.recovery_codes);
  };
  useEffect(() => void api().account.getTwoFactor().then(show, () => setEnabled(false)), []);
  useEffect(() => {
    if (setup) void QRCode.toDataURL(setup.uri, { margin: 1, width: 180 }).then(setQr, () => setQr(''));
  }, [setup]);
  const start = submit(async () => {
    setSetup(await api().account.setupTwoFactor({ password }));
    setPassword('');
    return 'Scan the code with your authenticator app, then enter the code it shows';
  });
  const confirm = submit(async () => {
    show(await api().account.enableTwoFactor({ code: code.trim() }));
    setSetup(null);
    setCode('');
    return 'Two-step verification is on: new devices need a code from your app';
  });
  const stop = submit(async () => {
    show(await api().account.disableTwoFactor({ password, code: code.trim() }));
    setCodes(null);
    setPassword('');
    setCode('');
    return 'Two-step verification is off';
  });
  const renew = submit(async () => {
    show(await api().account.regenerateRecoveryCodes({ password, code: code.trim() }));
    setRenewing(false);
    setPassword('');
    setCode('');
    return 'New recovery codes made: the old ones no longer work';
  });
  const toggleRenewing = () => {
    clear();
    setPassword('');
    setCode('');
    setRenewing(!renewing);
  };
  if (enabled === null) return null;
  return (
    <section class="settings__section" aria-labelledby="settings-two-step">
      <h3 id="settings-two-step">Two-step verification</h3>
      <p class="muted" data-testid="two-step-status">
        {enabled
          ? 'On: signing in a new device needs a code from your authenticator app, or one of your recovery codes.'
          : 'Off: your password alone signs in a new device.'}
      </p>
      {enabled && (
        <p class="muted" data-testid="recovery-codes-left">
          {left === 1 ? '1 recovery code left' : `${left} recovery codes left`}
        </p>
      )}
      {codes && <RecoveryCodeList codes={codes} onDone={() => setCodes(null)} />}
      {setup ? (
        <form class="form" onSubmit={confirm}>
          {qr && <img class="two-step__qr" src={qr} alt="QR code for your authenticator app" width={180} height={180} />}
          <label class="field">
            <span class="field__label">Secret key</span>
            <input class="field__input mono" readOnly value={setup.secret} onFocus={(e) => e.currentTarget.select()} />
          </label>
          <Field label="Code from the app" value={code} onInput={setCode} autoComplete="one-time-code" required />
          <StatusLine status={status} />
          <button type="submit" class="btn">
            Turn on two-step verification
          </button>
        </form>
      ) : renewing ? (
        <form class="form" onSubmit={renew}>
          <AccountName />
          <Field label="Password for new recovery codes" type="password" value={password} onInput={setPassword} autoComplete="current-password" required />
          <Field label="Code from the app" value={code} onInput={setCode} autoComplete="one-time-code" required />
          <StatusLine status={status} />
          <div class="form__actions">
            <button type="submit" class="btn">
              Make new recovery codes
            </button>
            <button type="button" class="btn btn--ghost" onClick={toggleRenewing}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <form class="form" onSubmit={enabled ? stop : start}>
          <AccountName />
          <Field label="Password for two-step verification" type="password" value={password} onInput={setPassword} autoComplete="current-password" required />
          {enabled && (
            <Field label="Code from the app" value={code} onInput={setCode} autoComplete="one-time-code" required hint="Or one of your recovery codes" />
          )}
          <StatusLine status={status} />
          <button type="submit" class="btn">
            {enabled ? 'Turn off two-step verification' : 'Set up two-step verification'}
          </button>
          {enabled && (
            <button type="button" class="btn btn--ghost" onClick={toggleRenewing}>
              New recovery codes
            </button>
          )}
        </form>
      )}
    </section>
  );
}

/** Recovery codes just made, shown this once: to copy or save as a text file before they are gone. */
function RecoveryCodeList({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const me = useApp((s) => s.me);
  const [copied, setCopied] = useState(false);
  const text = [
    `Messenger recovery codes${me ? ` of @${me.username}` : ''} (${location.host})`,
    'Each code signs in once in place of a code from your authenticator app.',
    '',
    ...codes,
    '',
  ].join('\n');
  return (
    <div class="recovery-codes" role="region" aria-label="Recovery codes" data-testid="recovery-codes">
      <p>
        <strong>Save your recovery codes now: they are shown only this once.</strong> If you lose your phone, each of them
        signs you in once in place of a code from the app. Keep them somewhere safe, away from this device.
      </p>
      <ul class="recovery-codes__list mono">
        {codes.map((c) => (
          <li key={c} data-testid="recovery-code">
            {c}
          </li>
        ))}
      </ul>
      <div class="form__actions">
        {navigator.clipboard && (
          <button
            type="button"
            class="btn btn--small"
            onClick={() => void navigator.clipboard.writeText(text).then(() => setCopied(true), () => setCopied(false))}
          >
            {copied ? 'Copied' : 'Copy'}
          </button>
        )}
        <button
          type="button"
          class="btn btn--small"
          onClick={() => saveBlob(new Blob([text], { type: 'text/plain' }), `messenger-recovery-codes${me ? `-${me.username}` : ''}.txt`)}
        >
          Download
        </button>
        <button type="button" class="btn btn--small btn--ghost" onClick={onDone}>
          I saved them
        </button>
      </div>
    </div>
  );
}

/** The server's administration, for admins only: the section stays hidden when the server says the caller is not one. */
function Administration() {
  const me = useApp((s) => s.me);
  const openReports = useApp((s) => s.openReports);
  const [users, setUsers] = useState<{ list: AdminUser[]; total: number } | null>(null);
  const [allowed, setAllowed] = useState(true);
  const [uses, setUses] = useState('1');
  const [invite, setInvite] = useState<Invite | null>(null);
  const [temporary, setTemporary] = useState<{ name: string; password: string; expiresAt: number } | null>(null);
  // The user whose messages an admin is about to delete everywhere (asked once more first).
  const [purging, setPurging] = useState<AdminUser | null>(null);
  // Bumped by every admin action here: the audit log reads itself again.
  const [actions, setActions] = useState(0);
  const { status, ok, fail, clear, submit } = useStatus();
  const load = () =>
    api().admin.listUsers({ offset: 0, limit: 100 }).then(
      (page) => setUsers({ list: page.users, total: page.total }),
      (e) => (e instanceof RpcError && e.name === ErrorNames.AdminRequired ? setAllowed(false) : fail(e)),
    );
  useEffect(() => void load(), []);
  const [stats, setStats] = useState<ServerStats | null>(null);
  useEffect(() => void api().admin.getServerStats().then(setStats, () => undefined), []);
  if (!allowed) return null;
  const create = submit(async () => {
    const created = await api().admin.createInvite({ uses: Number(uses) });
    setInvite(created);
    setActions((n) => n + 1);
    return `Invite for ${created.uses} ${created.uses === 1 ? 'person' : 'people'} created`;
  });
  const change = async (action: () => Promise<unknown>) => {
    clear();
    try {
      await action();
      await load();
    } catch (e) {
      fail(e);
    }
    setActions((n) => n + 1);
  };
  return (
    <section class="settings__section" aria-labelledby="settings-admin">
      <h3 id="settings-admin">
        Administration
        {openReports > 0 && (
          <span class="badge badge--inline" data-testid="admin-reports-badge" title={`${reportsText(openReports)} to review`}>
            {openReports}
          </span>
        )}
      </h3>
      <Registration mode={stats?.registration_mode} />
      <form class="form" onSubmit={create}>
        <Field label="Invite uses" type="number" value={uses} onInput={setUses} required hint="1–1000 registrations, no expiry" />
        <button type="submit" class="btn">
          Create invite
        </button>
      </form>
      {invite && (
        <div class="field">
          <label class="field__label" for="admin-invite-code">
            Invite code
          </label>
          <input id="admin-invite-code" class="field__input mono" readOnly value={invite.code} data-testid="invite-code" />
        </div>
      )}
      <StatusLine status={status} />
      {temporary && (
        <div class="field" role="status">
          <label class="field__label" for="admin-temporary-password">
            Temporary password for {temporary.name} (shown only now: they sign in with it and must change it at once)
          </label>
          <input id="admin-temporary-password" class="field__input mono" readOnly value={temporary.password} data-testid="temporary-password" />
          <span class="field__hint">Signs in until {formatDateTime(temporary.expiresAt)}; after that they ask you again.</span>
        </div>
      )}
      {users === null ? (
        <p class="muted">Loading…</p>
      ) : (
        <ul class="devices" aria-label="Users">
          {users.list.map((user) => {
            const name = user.deleted ? 'Deleted Account' : `${user.display_name} (@${user.username})`;
            const facts = [
              user.bot && 'bot',
              user.is_admin && 'admin',
              user.is_blocked && 'blocked',
              user.deleted && 'deleted',
              user.two_factor && 'two-step verification',
              `${user.devices} ${user.devices === 1 ? 'device' : 'devices'}`,
            ].filter(Boolean);
            const self = user.id === me?.id;
            return (
              <li class="device" key={user.id} data-testid="admin-user">
                <span class="device__info">
                  <span class="device__name">{name}</span>
                  <span class="muted">{facts.join(' · ')}</span>
                </span>
                {!user.deleted && !self && (
                  <UserAction
                    label={user.is_blocked ? 'Unblock' : 'Block'}
                    user={user}
                    onClick={() => void change(() => api().admin.setUserBlocked({ user_id: user.id, blocked: !user.is_blocked }))}
                  />
                )}
                {!user.deleted && !user.bot && !self && (
                  <UserAction
                    label="Reset password"
                    user={user}
                    onClick={() =>
                      void change(async () => {
                        const { password, expires_at } = await api().admin.resetPassword({ user_id: user.id });
                        setTemporary({ name: user.display_name, password, expiresAt: expires_at });
                      })
                    }
                  />
                )}
                {user.two_factor && (
                  <UserAction
                    label="Reset two-step"
                    user={user}
                    onClick={() => void change(() => api().admin.resetTwoFactor({ user_id: user.id }))}
                  />
                )}
                {!self && (
                  <UserAction label="Delete messages" user={user} onClick={() => setPurging(user)} />
                )}
                {!user.deleted && (
                  <UserAction
                    label={user.is_admin ? 'Remove admin' : 'Make admin'}
                    user={user}
                    onClick={() => void change(() => api().admin.setUserAdmin({ user_id: user.id, is_admin: !user.is_admin }))}
                  />
                )}
              </li>
            );
          })}
        </ul>
      )}
      {users && users.total > users.list.length && <p class="muted">and {users.total - users.list.length} more</p>}
      {purging && (
        <div class="field" role="alertdialog" aria-label="Delete every message" data-testid="purge-confirm">
          <p>
            Delete every message {purging.display_name} posted, in every chat, for everyone? This cannot be undone.
          </p>
          <div class="form__actions">
            <button
              type="button"
              class="btn btn--small btn--danger"
              onClick={() =>
                void change(async () => {
                  const { deleted } = await api().admin.deleteUserMessages({ user_id: purging.id });
                  setPurging(null);
                  ok(`${deleted} ${deleted === 1 ? 'message' : 'messages'} of ${purging.display_name} deleted`);
                })
              }
            >
              Delete all
            </button>
            <button type="button" class="btn btn--small btn--ghost" onClick={() => setPurging(null)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      <AdminReports users={users?.list ?? []} onAction={() => void load().then(() => setActions((n) => n + 1))} />
      <Usage stats={stats} />
      <Backups onBackedUp={() => setActions((n) => n + 1)} />
      <AuditLog users={users?.list ?? []} actions={actions} />
    </section>
  );
}

/** Who may create an account on this server, and the setting that decides it: an Open server takes anyone who reaches it. */
function Registration({ mode }: { mode: ServerStats['registration_mode'] | undefined }) {
  if (!mode) return null;
  const meaning = {
    Open: 'open: anyone who can reach this server can create an account. To admit only people you invite, set it to InviteOnly.',
    InviteOnly: 'invite only: new accounts need an invite code created here.',
    Closed: 'closed: nobody can create an account, not even with an invite code.',
  }[mode];
  return (
    <p class="muted" data-testid="registration-mode">
      Registration is {meaning} The setting is <code>Messenger:Session:RegistrationMode</code> in appsettings.json (the server reads it when it
      starts).
    </p>
  );
}

/** What the server holds and the room it has left (admins): the numbers a self-hoster watches. */
function Usage({ stats }: { stats: ServerStats | null }) {
  if (!stats) return null;
  return (
    <div aria-labelledby="settings-usage">
      <h4 id="settings-usage">Usage</h4>
      <dl class="facts" data-testid="server-stats">
        <dt>Accounts</dt>
        <dd>{stats.accounts.toLocaleString()}{stats.bots > 0 ? ` (and ${stats.bots.toLocaleString()} bots)` : ''}</dd>
        <dt>Messages</dt>
        <dd>{stats.messages.toLocaleString()} in {stats.chats.toLocaleString()} chats</dd>
        <dt>Database</dt>
        <dd>{formatBytes(stats.database_bytes)}</dd>
        <dt>Files</dt>
        <dd>{stats.media_files.toLocaleString()} ({formatBytes(stats.media_bytes)})</dd>
        <dt>Free disk</dt>
        <dd>{formatBytes(stats.disk_free_bytes)}</dd>
      </dl>
      {stats.storage_problem && (
        <p class="form__error" role="alert">
          Storage: {stats.storage_problem}
        </p>
      )}
    </div>
  );
}

/** The server's scheduled backups (admins): where and how often, the ones kept, the latest failure, and "Back up now". */
function Backups({ onBackedUp }: { onBackedUp: () => void }) {
  const [list, setList] = useState<BackupList | null>(null);
  const [running, setRunning] = useState(false);
  const { status, fail, clear } = useStatus();
  useEffect(() => void api().admin.getBackups().then(setList, fail), []);
  if (!list) return null;
  const backUpNow = async () => {
    clear();
    setRunning(true);
    try {
      setList(await api().admin.backupNow());
    } catch (e) {
      fail(e);
    } finally {
      setRunning(false);
      onBackedUp();
    }
  };
  const when = (unixSeconds: number) => new Date(unixSeconds * 1000).toLocaleString();
  const every = list.interval_minutes % 60 === 0 ? `${list.interval_minutes / 60} h` : `${list.interval_minutes} min`;
  return (
    <div class="backups" aria-labelledby="settings-backups" data-testid="backups">
      <h4 id="settings-backups">Backups</h4>
      {list.directory === '' ? (
        <p class="muted">
          Off. Set <code>Messenger:Backup:Directory</code> in appsettings.json (outside the data directory, best on another disk) and the
          server backs itself up.
        </p>
      ) : (
        <>
          <p class="muted">
            Every {every} into <code>{list.directory}</code>; the newest {list.keep} are kept.
          </p>
          {list.last_failure && (
            <p class="form__error" role="alert">
              The last backup failed ({when(list.last_failure.at)}): {list.last_failure.reason}
            </p>
          )}
          {list.backups.length === 0 ? (
            <p class="muted">No backup yet.</p>
          ) : (
            <ul class="devices" aria-label="Backups kept">
              {list.backups.map((b) => (
                <li class="device" key={b.name} data-testid="backup">
                  <span class="device__info">
                    <span class="device__name mono">{b.name}</span>
                    <span class="muted">{when(b.taken_at)}</span>
                  </span>
                </li>
              ))}
            </ul>
          )}
          <button type="button" class="btn" disabled={running} onClick={() => void backUpNow()}>
            {running ? 'Backing up…' : 'Back up now'}
          </button>
        </>
      )}
      <StatusLine status={status} />
    </div>
  );
}

/** What admins did, newest first (the latest 50): who, what, to whom, when. */
function AuditLog({ users, actions }: { users: AdminUser[]; actions: number }) {
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  useEffect(() => void api().admin.getAuditLog({ limit: 50 }).then((log) => setEntries(log.entries), () => undefined), [actions]);
  if (!entries) return null;
  const name = (id: number | null) => (id === null ? '' : (users.find((u) => u.id === id)?.display_name ?? `user ${id}`));
  const said = (e: AuditEntry): string => {
    const who = e.actor_id === 0 ? 'The console' : name(e.actor_id);
    const whom = name(e.user_id);
    switch (e.action) {
      case 'create_invite':
        return `${who} created an invite (${e.detail ?? ''})`;
      case 'block_user':
        return `${who} blocked ${whom}`;
      case 'unblock_user':
        return `${who} unblocked ${whom}`;
      case 'grant_admin':
        return `${who} made ${whom} an admin`;
      case 'revoke_admin':
        return `${who} removed ${whom} from admins`;
      case 'reset_password':
        return `${who} reset the password of ${whom}`;
      case 'reset_two_factor':
        return `${who} turned off two-step verification of ${whom}`;
      case 'dismiss_report':
        return `${who} dismissed a report about ${whom}`;
      case 'delete_reported_message':
        return `${who} deleted a reported message of ${whom}`;
      case 'delete_user_messages':
        return `${who} deleted every message of ${whom} (${e.detail ?? ''})`;
      case 'backup_now':
        return e.detail === 'failed' ? `${who} asked for a backup, which failed` : `${who} took a backup (${e.detail ?? ''})`;
      default:
        return `${who}: ${e.action} ${whom}`;
    }
  };
  return (
    <div aria-labelledby="settings-audit" data-testid="audit-log">
      <h4 id="settings-audit">Audit log</h4>
      {entries.length === 0 ? (
        <p class="muted">No admin action yet.</p>
      ) : (
        <ul class="devices" aria-label="Admin actions">
          {entries.map((e) => (
            <li class="device" key={e.id} data-testid="audit-entry">
              <span class="device__info">
                <span class="device__name">{said(e)}</span>
                <span class="muted">{new Date(e.date * 1000).toLocaleString()}</span>
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A button on an account's row, named for the screen reader with the account ("Block Bob Builder"). */
function UserAction({ label, user, onClick }: { label: string; user: AdminUser; onClick: () => void }) {
  return (
    <button type="button" class="btn btn--small" aria-label={`${label} ${user.display_name}`} onClick={onClick}>
      {label}
    </button>
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
        <AccountName />
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
          <dd class="mono fingerprint" data-testid="server-fingerprint">
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
