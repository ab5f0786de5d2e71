import { useEffect, useState } from 'preact/hooks';
import type { ChatInvite } from '../api/types';
import { ensureUsers } from './chats';
import { api } from './connection';
import { errorText, formatListTime } from './format';
import { userName } from './peers';
import { joinRequestsCounted } from './joinRequests';
import { useApp } from './store';

/** The link that opens this web app with the invite waiting in its New chat dialog (see App's takeJoinLink). */
export function inviteLink(code: string): string {
  return `${location.origin}/join/${encodeURIComponent(code)}`;
}

/** Admins' invite links: create one (optionally needing approval), see the chat's links with their use, revoke them. */
export function InviteSection({ chatId }: { chatId: number }) {
  const [latest, setLatest] = useState<ChatInvite | null>(null);
  const [invites, setInvites] = useState<ChatInvite[]>([]);
  const [approval, setApproval] = useState(false);
  const [error, setError] = useState('');
  const load = () =>
    api()
      .groups.getInvites({ chat_id: chatId })
      .then(({ invites }) => setInvites(invites), (e) => setError(errorText(e)));
  useEffect(() => void load(), [chatId]);
  const act = async (action: () => Promise<unknown>) => {
    setError('');
    try {
      await action();
      await load();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const now = Date.now() / 1000;
  const state = (invite: ChatInvite) =>
    invite.revoked
      ? 'revoked'
      : invite.expires_at !== null && invite.expires_at <= now
        ? 'expired'
        : invite.usage_limit !== null && invite.usage >= invite.usage_limit
          ? 'used up'
          : null;
  return (
    <section class="info-section" aria-label="Invite link">
      <h4>Invite links</h4>
      {latest && (
        <>
          <label class="field">
            <span class="field__label">Invite link</span>
            <input class="field__input mono" readOnly value={inviteLink(latest.code)} onFocus={(e) => e.currentTarget.select()} />
          </label>
          <label class="field">
            <span class="field__label">Invite code</span>
            <input class="field__input mono" readOnly value={latest.code} onFocus={(e) => e.currentTarget.select()} />
          </label>
        </>
      )}
      <label class="check">
        <input type="checkbox" checked={approval} onChange={(e) => setApproval(e.currentTarget.checked)} />
        Admins approve new members
      </label>
      <div class="button-row">
        <button type="button" class="btn" onClick={() => void act(async () => setLatest(await api().groups.exportInvite({ chat_id: chatId, request_needed: approval })))}>
          {latest ? 'New invite code' : 'Create invite code'}
        </button>
        {latest && navigator.clipboard && (
          <button type="button" class="btn btn--ghost" onClick={() => void navigator.clipboard.writeText(inviteLink(latest.code))}>
            Copy link
          </button>
        )}
      </div>
      {error && <p class="form__error" role="alert">{error}</p>}
      {invites.length > 0 && (
        <ul class="invite-list" aria-label="Invite links">
          {invites.map((invite) => {
            const gone = state(invite);
            return (
              <li key={invite.code} class="invite-row" data-testid="invite-row">
                <span class="invite-row__code mono" title={inviteLink(invite.code)}>
                  …{invite.code.slice(-6)}
                </span>
                <span class="muted">
                  {invite.usage} joined{invite.usage_limit !== null ? ` of ${invite.usage_limit}` : ''}
                  {invite.request_needed ? ' · approval' : ''}
                  {gone ? ` · ${gone}` : ''}
                  {invite.date ? ` · ${formatListTime(invite.date)}` : ''}
                </span>
                {!invite.revoked && (
                  <button type="button" class="btn btn--small btn--danger" aria-label={`Revoke invite …${invite.code.slice(-6)}`}
                    onClick={() => void act(() => api().groups.revokeInvite({ chat_id: chatId, code: invite.code }))}>
                    Revoke
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

/** Admins' list of who asked to join by a link that needs approval, each to approve or decline. */
export function JoinRequestsSection({ chatId, onChange }: { chatId: number; onChange: () => void }) {
  const count = useApp((s) => s.joinRequests[chatId]);
  const state = useApp((s) => s);
  const [requests, setRequests] = useState<number[]>([]);
  const [error, setError] = useState('');
  useEffect(() => {
    let current = true;
    api()
      .groups.getJoinRequests({ chat_id: chatId, limit: 200 })
      .then(async ({ requests, total }) => {
        await ensureUsers(requests.map((r) => r.user_id));
        if (!current) return;
        setRequests(requests.map((r) => r.user_id));
        joinRequestsCounted(chatId, total);
      })
      .catch((e) => current && setError(errorText(e)));
    return () => {
      current = false;
    };
  }, [chatId, count]);
  if (requests.length === 0 && !error) return null;
  const answer = async (userId: number, approved: boolean) => {
    setError('');
    try {
      await api().groups.hideJoinRequest({ chat_id: chatId, user_id: userId, approved });
      setRequests((list) => list.filter((id) => id !== userId));
      onChange();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <section class="info-section" aria-label="Requests to join" data-testid="join-requests">
      <h4>Requests to join</h4>
      {error && <p class="form__error" role="alert">{error}</p>}
      <ul class="members">
        {requests.map((userId) => {
          const name = userName(state, userId);
          return (
            <li key={userId} class="member">
              <span class="member__name">{name}</span>
              <button type="button" class="btn btn--small" aria-label={`Approve ${name}`} onClick={() => void answer(userId, true)}>
                Approve
              </button>
              <button type="button" class="btn btn--small btn--ghost" aria-label={`Decline ${name}`} onClick={() => void answer(userId, false)}>
                Decline
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
