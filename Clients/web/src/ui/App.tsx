import { useEffect } from 'preact/hooks';
import { errorText, resumeSession } from './actions';
import { AuthScreen } from './AuthScreen';
import { ChatList } from './ChatList';
import { connect } from './connection';
import { Conversation } from './Conversation';
import { GroupInfo } from './GroupInfo';
import { NewChat } from './NewChat';
import { NewGroup } from './NewGroup';
import { OfflineBanner } from './OfflineBanner';
import { Settings } from './Settings';
import { setState, useApp } from './store';

async function boot(): Promise<void> {
  setState({ bootError: null });
  try {
    await connect();
    await resumeSession();
  } catch (error) {
    setState({ bootError: errorText(error) });
  }
}

export function App() {
  const phase = useApp((s) => s.phase);
  const bootError = useApp((s) => s.bootError);
  useEffect(() => void boot(), []);

  if (phase === 'boot') {
    return (
      <div class="splash" role="status">
        {bootError ? (
          <>
            <p>Cannot reach the server: {bootError}</p>
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
  return (
    <>
      <OfflineBanner />
      {phase === 'auth' ? <AuthScreen /> : <Workspace />}
    </>
  );
}

function Workspace() {
  const active = useApp((s) => s.active);
  const panel = useApp((s) => s.panel);
  return (
    <div class={`workspace${active ? ' workspace--chat-open' : ''}`}>
      <aside class="sidebar" aria-label="Chats">
        {panel === 'settings' ? <Settings /> : <ChatList />}
      </aside>
      <main class="main">
        {active ? (
          <Conversation key={active} chatKey={active} />
        ) : (
          <div class="main__empty">
            <p>Select a chat to start messaging</p>
          </div>
        )}
      </main>
      {panel === 'info' && active && <GroupInfo key={active} chatKey={active} />}
      {panel === 'newChat' && <NewChat />}
      {panel === 'newGroup' && <NewGroup />}
    </div>
  );
}
