import { useEffect, useState } from 'preact/hooks';
import type { AdminUser, Message, Report } from '../api/types';
import { api } from './connection';
import { errorText, reportPlace } from './format';
import { Modal } from './Modal';
import { ensureUsers } from './chats';
import { peerFromKey, userName } from './peers';
import { useApp } from './store';

/** Why a message may be reported, as the server names them, and as the user reads them. */
const REASONS: [string, string][] = [
  ['spam', 'Spam'],
  ['violence', 'Violence'],
  ['pornography', 'Pornography'],
  ['child_abuse', 'Child abuse'],
  ['copyright', 'Copyright'],
  ['personal_details', 'Personal details'],
  ['illegal_drugs', 'Illegal drugs'],
  ['other', 'Other'],
];

const COMMENT_LIMIT = 512;
const PAGE = 50;

/** Reporting someone's message to the server's admins: a reason and an optional comment. */
export function ReportDialog({ chatKey, message, onClose }: { chatKey: string; message: Message; onClose: () => void }) {
  const [reason, setReason] = useState('spam');
  const [comment, setComment] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      await api().messages.report({ peer: peerFromKey(chatKey), ids: [message.id], reason, comment: comment.trim() || null });
      setDone(true);
    } catch (e) {
      setError(errorText(e));
    }
    setBusy(false);
  };
  return (
    <Modal title="Report message" onClose={onClose}>
      {done ? (
        <div class="form">
          <p role="status">Reported. The server's admins will look at it.</p>
          <button type="button" class="btn" onClick={onClose}>
            Done
          </button>
        </div>
      ) : (
        <form class="form" onSubmit={(e) => void submit(e)}>
          <p class="muted">The server's admins see this message as it is now, who sent it and where.</p>
          <label class="field">
            <span class="field__label">Reason</span>
            <select class="field__input" value={reason} onChange={(e) => setReason(e.currentTarget.value)}>
              {REASONS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span class="field__label">Comment (optional)</span>
            <textarea class="field__input" maxLength={COMMENT_LIMIT} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
          </label>
          {error && (
            <p class="form__error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" class="btn" disabled={busy}>
            Report
          </button>
        </form>
      )}
    </Modal>
  );
}

/** Admins: the reports still to look at, newest first (50 at a time), each with the reported message as it was;
 * Dismiss, Delete message (for everyone), or Block its author (the server-wide block). */
export function AdminReports({ users, onAction }: { users: AdminUser[]; onAction: () => void }) {
  const state = useApp((s) => s);
  const [page, setPage] = useState<{ reports: Report[]; open: number } | null>(null);
  const [error, setError] = useState('');
  const fetchPage = async (offsetId: number) => {
    const next = await api().admin.getReports({ offset_id: offsetId, limit: PAGE });
    await ensureUsers(next.reports.flatMap((r) => [r.reporter_id, r.from_id]));
    return next;
  };
  const load = () => fetchPage(0).then(setPage, (e) => setError(errorText(e)));
  const more = () => {
    const last = page?.reports[page.reports.length - 1];
    if (!page || !last) return;
    fetchPage(last.id).then(
      (next) => setPage({ reports: [...page.reports, ...next.reports], open: next.open }),
      (e) => setError(errorText(e)),
    );
  };
  // Read again whenever the count changes: a report filed, or resolved by another admin.
  useEffect(() => void load(), [state.openReports]);
  if (!page) return null;
  const name = (id: number) => userName(state, id);
  const act = async (work: () => Promise<unknown>) => {
    setError('');
    try {
      await work();
    } catch (e) {
      setError(errorText(e));
    }
    await load();
    onAction();
  };
  return (
    <div aria-labelledby="settings-reports" data-testid="admin-reports">
      <h4 id="settings-reports">Reports{page.open > 0 ? ` (${page.open} open)` : ''}</h4>
      {page.reports.length === 0 ? (
        <p class="muted">No open reports.</p>
      ) : (
        <ul class="devices" aria-label="Open reports">
          {page.reports.map((report) => {
            const listed = users.find((u) => u.id === report.from_id);
            const blockable = !state.users[report.from_id]?.deleted && !listed?.is_blocked && !listed?.is_admin;
            const label = REASONS.find(([value]) => value === report.reason)?.[1] ?? report.reason;
            return (
              <li class="device report" key={report.id} data-testid="report">
                <span class="device__info">
                  <span class="device__name">
                    {label}: {name(report.from_id)} {reportPlace(report, name)}
                  </span>
                  <span class="report__text">
                    {report.text}
                    {report.media && <span class="muted"> [{report.media}]</span>}
                  </span>
                  <span class="muted">
                    reported by {name(report.reporter_id)} {new Date(report.date * 1000).toLocaleString()}
                    {report.comment ? ` — “${report.comment}”` : ''}
                  </span>
                </span>
                <button type="button" class="btn btn--small btn--ghost" onClick={() => void act(() => api().admin.resolveReport({ id: report.id, action: 'dismiss' }))}>
                  Dismiss
                </button>
                {!report.chat_deleted && (
                  <button
                    type="button"
                    class="btn btn--small btn--danger"
                    onClick={() => void act(() => api().admin.resolveReport({ id: report.id, action: 'delete_message' }))}
                  >
                    Delete message
                  </button>
                )}
                {blockable && (
                  <button
                    type="button"
                    class="btn btn--small btn--danger"
                    onClick={() => void act(() => api().admin.setUserBlocked({ user_id: report.from_id, blocked: true }))}
                  >
                    Block author
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {page.reports.length < page.open && (
        <button type="button" class="btn btn--small btn--ghost" onClick={more}>
          Show more reports
        </button>
      )}
      {error && (
        <p class="form__error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
