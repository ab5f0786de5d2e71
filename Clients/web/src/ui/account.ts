import type { SignedIn, User } from '../api/types';
import { ErrorNames, RpcError } from '../api/types';
import { loadDialogs } from './chats';
import { loadFolders } from './folders';
import { loadContacts } from './contacts';
import { loadOpenReports } from './openReports';
import { hangUp, joinRingingCall } from './calls';
import { dropGroupCall } from './groupCalls';
import { untrackAll } from './location';
import { api } from './connection';
import { forgetUnsent, resendOutbox } from './messages';
import { deviceNameOf } from './devices';
import { clearDrafts } from './drafts';
import { flushBeforeSignOut, replayDrafts, replayKept } from './flush';
import { clearPending } from './pending';
import { clearUploads } from './keptUploads';
import { clearOutbox, loadOutbox } from './outbox';
import { renewPush } from './push';
import { catchUpSecretChats, startSecretChats, stopSecretChats } from './secret';
import { getState, setState } from './store';

/** The temporary password this tab signed in with, kept in memory only (never stored) so that the "Choose a new password"
 * screen need not ask for it again; after a reload it does. */
let temporaryPassword: string | null = null;

export function knownTemporaryPassword(): string | null {
  return temporaryPassword;
}

/** Signed in with an admin's temporary password: nothing loads (the server would refuse it) until it is replaced. */
function mustChangePassword(user: User, password: string | null): void {
  temporaryPassword = password;
  setState((s) => ({ phase: 'changePassword', me: user, users: { ...s.users, [user.id]: user } }));
}

/** The new password replaced the temporary one: the app loads as after any sign-in. */
export async function chooseNewPassword(current: string, fresh: string): Promise<void> {
  await api().account.changePassword({ old_password: current, new_password: fresh });
  temporaryPassword = null;
  const stored = api().signedIn;
  if (stored) signedIn(stored);
}

/** This device is signed in: show the chats and start the update stream. */
export function signedIn(result: SignedIn): void {
  setState((s) => ({ phase: 'ready', me: result.user, users: { ...s.users, [result.user.id]: result.user } }));
  loadOutbox(result.user.id);
  startSecretChats(result.user.id);
  void api()
    .startUpdates()
    // What the server had not answered when the tab closed goes before anything else (flush.ts).
    .then(() => replayKept())
    .then(() => {
      void catchUpSecretChats(api().pts).catch(() => undefined);
      return loadDialogs();
    })
    .then(() => replayDrafts())
    .catch(() => undefined)
    // What this browser had not had stored before it was closed goes out now.
    .finally(resendOutbox);
  void loadFolders().catch(() => undefined);
  void loadContacts().catch(() => undefined);
  void loadOpenReports().catch(() => undefined);
  void renewPush();
  void joinRingingCall().catch(() => undefined);
}

export function setMe(user: User): void {
  setState((s) => ({ me: user, users: { ...s.users, [user.id]: user } }));
}

/** After a reload: the client remembers this device's sign-in; a 401 means it was signed out meanwhile. */
export async function resumeSession(): Promise<void> {
  const stored = api().signedIn;
  if (!stored) {
    setState({ phase: 'auth' });
    // Signed out: no secret chat database belongs here (one may be left by a sign-out cut short).
    void stopSecretChats(true);
    return;
  }
  if (stored.password_change_required) {
    mustChangePassword(stored.user, null);
    return;
  }
  signedIn(stored);
  try {
    const { users } = await api().users.getUsers({ ids: [stored.user.id] });
    if (users[0]) setMe(users[0]);
  } catch (error) {
    // A 401 arrives as the client's signed_out event; anything else keeps the stored profile. A sign-in stored by an
    // older build does not know it must change its password: the server says so.
    if (error instanceof RpcError && error.name === ErrorNames.PasswordChangeRequired) mustChangePassword(stored.user, null);
  }
}

/** Back to the sign-in screen with nothing of the previous account kept in memory, nor its unsent messages and drafts. */
export function forgetSession(): void {
  temporaryPassword = null;
  const me = getState().me?.id;
  if (me) clearOutbox(me);
  if (me) void clearUploads(me);
  // The drafts are on the server (a sign-out sends the last ones first): none stays readable in this browser's storage.
  if (me) clearDrafts(me);
  if (me) clearPending(me);
  forgetUnsent();
  // A call in progress goes with the session: the microphone is let go at once.
  dropGroupCall();
  void hangUp();
  // So does following the position for a live location: the next account must not move this one's.
  untrackAll();
  // Secret chats live on this device only for this sign-in: their keys and history are deleted with it.
  void stopSecretChats(true);
  setState({
    phase: 'auth',
    me: null,
    dialogs: [],
    outbox: [],
    folders: [],
    folder: 0,
    joinRequests: {},
    openReports: 0,
    threadReads: {},
    pinsTouched: {},
    deletedIds: [],
    pendingDevices: false,
    pendingLoginToken: null,
    groupCalls: {},
    groupCallError: null,
    users: {},
    contacts: {},
    chats: {},
    leftChats: {},
    presence: {},
    histories: {},
    scheduled: {},
    typing: {},
    uploads: {},
    active: null,
    focus: null,
    panel: null,
    recoveryCodesLeft: null,
    newSignIns: [],
  });
}

export async function signIn(username: string, password: string, code: string | null = null): Promise<void> {
  const args = { username, password, device_name: deviceName(), platform: 'web', code };
  try {
    signedInWith(await api().auth.signIn(args), password);
  } catch (error) {
    if (!(error instanceof RpcError && error.name === 'ALREADY_SIGNED_IN')) throw error;
    await api().auth.signOut();
    // That ended the session's secret chats (device_signed_out): their keys and history go before the next sign-in.
    await stopSecretChats(true);
    signedInWith(await api().auth.signIn(args), password);
  }
}

function signedInWith(result: SignedIn, password: string): void {
  if (result.password_change_required) {
    mustChangePassword(result.user, password);
    return;
  }
  signedIn(result);
  setState({ recoveryCodesLeft: result.recovery_codes_left ?? null });
}

export async function signOut(): Promise<void> {
  try {
    await flushBeforeSignOut();
    await api().auth.signOut();
  } finally {
    forgetSession();
  }
}

export function deviceName(): string {
  return deviceNameOf(navigator.userAgent);
}
