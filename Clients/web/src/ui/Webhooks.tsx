import { useEffect, useState } from 'preact/hooks';
import type { Webhook, WebhookCreated } from '../api/types';
import { api } from './connection';
import { errorText } from './format';

/**
 * A group's incoming webhooks, for its admins: each has a name (what its messages show) and a secret URL that anything
 * able to make an HTTP request posts to. The URL is shown once, right after the webhook is made, with a curl example.
 */
export function WebhooksSection({ chatId }: { chatId: number }) {
  const [hooks, setHooks] = useState<Webhook[]>([]);
  const [name, setName] = useState('');
  const [made, setMade] = useState<WebhookCreated | null>(null);
  const [error, setError] = useState('');
  const load = () => api().groups.getWebhooks({ chat_id: chatId }).then((list) => setHooks(list.webhooks), (e) => setError(errorText(e)));
  useEffect(() => void load(), [chatId]);
  const create = async (event: Event) => {
    event.preventDefault();
    setError('');
    try {
      setMade(await api().groups.createWebhook({ chat_id: chatId, name: name.trim() }));
      setName('');
      await load();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const remove = (hook: Webhook) => {
    setError('');
    api()
      .groups.deleteWebhook({ chat_id: chatId, id: hook.id })
      .then(() => {
        if (made?.webhook.id === hook.id) setMade(null);
        return load();
      }, (e) => setError(errorText(e)));
  };
  const url = made ? new URL(made.path, location.origin).href : '';
  return (
    <section class="info-section" aria-label="Webhooks">
      <h4>Webhooks</h4>
      <p class="muted">Scripts, CI jobs and monitors post here with an HTTP request to a webhook's secret URL.</p>
      {hooks.length > 0 && (
        <ul class="webhooks">
          {hooks.map((hook) => (
            <li key={hook.id} class="webhooks__item">
              <span class="webhooks__name">{hook.name}</span>
              <button type="button" class="btn btn--small btn--ghost" aria-label={`Delete webhook ${hook.name}`} onClick={() => remove(hook)}>
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
      {made && (
        <div class="webhooks__made" role="status">
          <label class="field">
            <span class="field__label">URL of {made.webhook.name} (shown only now)</span>
            <input class="field__input mono" readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
          </label>
          <pre class="webhooks__example mono">{`curl -H 'Content-Type: application/json' -d '{"text": "Build passed"}' ${url}`}</pre>
          {navigator.clipboard && (
            <button type="button" class="btn btn--ghost btn--small" onClick={() => void navigator.clipboard.writeText(url)}>
              Copy URL
            </button>
          )}
        </div>
      )}
      <form class="form form--inline" onSubmit={(e) => void create(e)}>
        <label class="field">
          <span class="field__label">Webhook name</span>
          <input class="field__input" maxLength={64} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <button type="submit" class="btn" disabled={!name.trim()}>
          Create webhook
        </button>
      </form>
      {error && (
        <p class="form__error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
