import { useEffect, useRef } from 'preact/hooks';
import { CallScreen } from './CallScreen';
import { isMuted } from '../api/types';
import { errorText } from './format';
import { openChat } from './messages';
import { resumeSession } from './account';
import { watchPageHide } from './flush';
import { AuthScreen } from './AuthScreen';
import { ChangePasswordScreen } from './ChangePasswordScreen';
import { ChatList } from './ChatList';
import { Contacts } from './Contacts';
import { connect } from './connection';
import { Conversation } from './Conversation';
import { GroupInfo } from './GroupInfo';
import { ThreadPanel } from './ThreadPanel';
import { NewChat } from './NewChat';
import { NewGroup } from './NewGroup';
import { OfflineBanner } from './OfflineBanner';
import { chatLinkOf } from './chatLink';
import { addressStep, chatOfState } from './address';
import { listenToServiceWorker } from './push';
import { Settings } from './Settings';
import { dismissSignIn, openAddDevice, openDevices, signInText } from './signIns';
import { getState, setState, useApp } from './store';
import { SecretConversation, SecretInfo } from './SecretChat';
import { STORE_BLOCKED_TEXT } from '../protocol/secretStore';
import { isSecretKey, secretIdOf, secretUnread } from './secret';

let retryTimer: ReturnType<typeof setTimeout> | undefined;

/** Connects and resumes the session; while the server cannot be reached it tries again every 5 s. */
async function boot(): Promise<void> {
  clearTimeout(retryTimer);
  setState({ bootError: null });
  try {
    await connect();
    watchPageHide();
    await resumeSession();
  } catch (error) {
    setState({ bootError: errorText(error) });
    retryTimer = setTimeout(() => void boot(), 5_000);
  }
}

/** A group's invite link is `<server>/join/<code>`: the code waits in the state (and the address goes back to `/`). */
export function takeJoinLink(): void {
  const match = /^\/join\/([A-Za-z0-9_-]{8,64})\/?$/.exec(location.pathname);
  if (!match) return;
  setState({ joinCode: match[1] });
  history.replaceState(null, '', '/');
}

/** A push notification opens `<server>/?chat=<key>` when no tab is open (a secret message's: `s<chat id>`, shown if this
 * device holds the chat, never at a message), a message's link `<server>/?chat=c<id>&msg=<id>` (keys and ids in their
 * one canonical form, chatLinkOf):
 * the chat opens once signed in, at the message when there is one; a sign-in's notification opens
 * `<server>/?settings=devices`, Settings → Devices once signed in; a new device's QR code `<server>/?login=<token>`
 * (loginLinkOf), Settings → Add a device with the token filled in once signed in. */
export function takeChatLink(): void {
  const query = new URLSearchParams(location.search);
  const login = query.get('login');
  if (login) {
    setState({ pendingLoginToken: login });
    history.replaceState(null, '', '/');
    return;
  }
  if (query.get('settings') === 'devices') {
    setState({ pendingDevices: true });
    history.replaceState(null, '', '/');
    return;
  }
  if (query.get('chat') === null) return;
  const link = chatLinkOf(location.search);
  if (link) setState({ pendingChat: link.chat, pendingMessage: link.message });
  // A reload of the entry that opening the chat pushed (address.ts) keeps it: Back still closes the chat.
  if (!link || link.message !== null || chatOfState(history.state) !== link.chat) history.replaceState(null, '', '/');
}

/** The open chat follows the browser's Back and Forward through the entries address.ts pushes. */
function followHistory(event: PopStateEvent): void {
  const chat = chatOfState(event.state);
  if (getState().phase === 'ready' && getState().active !== chat) openChat(chat);
}

/** The address follows the open chat (address.ts). */
function useChatAddress(active: string | null): void {
  const shown = useRef<string | null>(null);
  useEffect(() => {
    const from = shown.current;
    shown.current = active;
    const step = addressStep(from, active, { state: history.state, search: location.search });
    if (step?.kind === 'push') history.pushState(step.state, '', step.url);
    else if (step?.kind === 'replace') history.replaceState(step.state, '', step.url);
    else if (step?.kind === 'back') history.back();
    else if (step?.kind === 'root') history.replaceState(null, '', '/');
  }, [active]);
}

export function App() {
  const phase = useApp((s) => s.phase);
  const bootError = useApp((s) => s.bootError);
  const joinCode = useApp((s) => s.joinCode);
  const pendingChat = useApp((s) => s.pendingChat);
  const pendingDevices = useApp((s) => s.pendingDevices);
  const pendingLoginToken = useApp((s) => s.pendingLoginToken);
  useEffect(() => {
    takeJoinLink();
    takeChatLink();
    listenToServiceWorker((key) => openChat(key), openDevices);
    window.addEventListener('popstate', followHistory);
    void boot();
    return () => window.removeEventListener('popstate', followHistory);
  }, []);
  useEffect(() => {
    if (phase !== 'ready' || !pendingChat) return;
    const messageId = getState().pendingMessage;
    setState({ pendingChat: null, pendingMessage: null });
    openChat(pendingChat);
    if (messageId) setState({ focus: { key: pendingChat, messageId } });
  }, [phase, pendingChat]);
  useEffect(() => {
    if (phase !== 'ready' || !pendingDevices) return;
    setState({ pendingDevices: false });
    openDevices();
  }, [phase, pendingDevices]);
  useEffect(() => {
    if (phase === 'ready' && pendingLoginToken) openAddDevice();
  }, [phase, pendingLoginToken]);
  // Signed in with an invite link waiting: the New chat dialog offers to join (one click, never on its own).
  useEffect(() => {
    if (phase === 'ready' && joinCode) setState({ panel: 'newChat' });
  }, [phase, joinCode]);

  if (phase === 'boot') {
    return (
      <div class="splash" role="status">
        {bootError ? (
          <>
            <p>Cannot reach the server: {bootError}</p>
            <p class="muted">Trying again in a few seconds…</p>
            <button type="button" class="btn btn--primary" onClick={() => void boot()}>
              Retry
            </button>
          </>
        ) : (
          <p>Connecting…</p>
        )}
      </div>
    );
  }
  // The banner is the page's first row, above the screen it pushes down: it covers no header, title or button.
  return (
    <div class="app">
      <OfflineBanner />
      {phase === 'auth' ? <AuthScreen /> : phase === 'changePassword' ? <ChangePasswordScreen /> : <Workspace />}
    </div>
  );
}

function Workspace() {
  const active = useApp((s) => s.active);
  useChatAddress(active);
  const panel = useApp((s) => s.panel);
  const thread = useApp((s) => s.thread);
  // Muted and archived chats are left out of the count in the tab's title.
  const unread = useApp(
    (s) =>
      s.dialogs.reduce((sum, d) => sum + (isMuted(d) || d.archived ? 0 : d.unread_count), 0) +
      Object.values(s.secretMessages).reduce((sum, messages) => sum + secretUnread(messages, s.me?.id), 0),
  );
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) Messenger` : 'Messenger';
  }, [unread]);
  useEffect(() => {
    // Escape closes the info panel, then (on one-pane screens) goes back to the chat list.
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented || document.querySelector('[aria-modal="true"]')) return;
      const { panel: open, active: chat } = getState();
      if (open === 'info' || open === 'settings' || open === 'contacts' || open === 'thread') setState({ panel: null });
      else if (chat && matchMedia('(max-width: 720px)').matches) openChat(null);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  return (
    <div class={`workspace${active ? ' workspace--chat-open' : ''}`}>
      <aside class="sidebar" aria-label="Chats">
        <RecoveryNotice />
        <SignInNotices />
        <SecretStoreNotice />
        {panel === 'settings' ? <Settings /> : panel === 'contacts' ? <Contacts /> : <ChatList />}
      </aside>
      <main class="main">
        {active && isSecretKey(active) ? (
          <SecretConversation key={active} chatId={secretIdOf(active)} />
        ) : active ? (
          <Conversation key={active} chatKey={active} />
        ) : (
          <div class="main__empty">
            <p>Select a chat to start messaging</p>
          </div>
        )}
      </main>
      {panel === 'info' && active && isSecretKey(active) && <SecretInfo key={active} chatId={secretIdOf(active)} />}
      {panel === 'info' && active && !isSecretKey(active) && <GroupInfo key={active} chatKey={active} />}
      {panel === 'thread' && active && thread !== null && <ThreadPanel key={`${active}:${thread}`} chatKey={active} messageId={thread} />}
      {panel === 'newChat' && <NewChat />}
      {panel === 'newGroup' && <NewGroup />}
      <CallScreen />
    </div>
  );
}

/** After a sign-in by recovery code: how many are left, until dismissed (Settings makes new ones). */
function RecoveryNotice() {
  const left = useApp((s) => s.recoveryCodesLeft);
  if (left === null) return null;
  return (
    <p class="recovery-notice" role="status" data-testid="recovery-notice">
      <span>
        Signed in with a recovery code: {left === 1 ? '1 is' : `${left} are`} left. Settings → Two-step verification makes new ones.
      </span>
      <button type="button" class="btn btn--small btn--ghost" onClick={() => setState({ recoveryCodesLeft: null })}>
        Dismiss
      </button>
    </p>
  );
}

/** The secret chats' database waits for a tab of an older build to close (secret.ts): until then no secret chat shows,
 * and the user learns why. It goes once the database opened. */
function SecretStoreNotice() {
  const blocked = useApp((s) => s.secretStoreBlocked);
  if (!blocked) return null;
  return (
    <p class="recovery-notice" role="alert" data-testid="secret-store-blocked">
      {STORE_BLOCKED_TEXT}
    </p>
  );
}

/** Other devices that signed in to the account, each until dismissed; "Review devices" opens Settings where one is
 * terminated (the button's name leaves out "Settings", which names the chat list's button). */
function SignInNotices() {
  const signIns = useApp((s) => s.newSignIns);
  return (
    <>
      {signIns.map((signIn) => (
        <div class="recovery-notice sign-in-notice" role="alert" data-testid="sign-in-notice" key={signIn.authorizationId}>
          <span>
            {signInText(signIn)} Not you? Open Settings → Devices.
          </span>
          <button type="button" class="btn btn--small" onClick={openDevices}>
            Review devices
          </button>
          <button type="button" class="btn btn--small btn--ghost" aria-label={`Dismiss the sign-in of ${signIn.deviceName}`} onClick={() => dismissSignIn(signIn.authorizationId)}>
            Dismiss
          </button>
        </div>
      ))}
    </>
  );
}
