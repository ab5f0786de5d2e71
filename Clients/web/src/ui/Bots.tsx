import { useEffect, useState } from 'preact/hooks';
import type { BotToken, User } from '../api/types';
import { api } from './connection';
import { Field } from './Field';
import { StatusLine, useStatus } from './StatusLine';

/**
 * Settings → Bots: the user's bots, driven by programs over the Bot HTTP API. A bot's token is shown once, right after
 * it is made or renewed, with a curl example; people then find the bot by its username and write to it.
 */
export function Bots() {
  const [bots, setBots] = useState<User[] | null>(null);
  const [username, setUsername] = useState('');
  const [name, setName] = useState('');
  const [token, setToken] = useState<BotToken | null>(null);
  const { status, fail, clear, submit } = useStatus();
  const load = () => api().bots.getMine().then((list) => setBots(list.users), fail);
  useEffect(() => void load(), []);
  const create = submit(async () => {
    const made = await api().bots.create({ username: username.trim(), display_name: name.trim() });
    setToken(made);
    setUsername('');
    setName('');
    await load();
    return `${made.bot.display_name} (@${made.bot.username}) created`;
  });
  const act = async (action: () => Promise<BotToken | null>) => {
    clear();
    try {
      setToken(await action());
      await load();
    } catch (e) {
      fail(e);
    }
  };
  const base = location.origin;
  return (
    <section class="settings__section" aria-labelledby="settings-bots">
      <h3 id="settings-bots">Bots</h3>
      <p class="muted">Programs that read what people send them and answer, over plain HTTP.</p>
      {bots && bots.length > 0 && (
        <ul class="devices" aria-label="Your bots">
          {bots.map((bot) => (
            <li class="device" key={bot.id} data-testid="my-bot">
              <span class="device__info">
                <span class="device__name">{bot.display_name}</span>
                <span class="muted">@{bot.username}</span>
              </span>
              <button
                type="button"
                class="btn btn--small"
                aria-label={`New token for ${bot.display_name}`}
                onClick={() => void act(() => api().bots.resetToken({ bot_id: bot.id }))}
              >
                New token
              </button>
              <button
                type="button"
                class="btn btn--small"
                aria-label={`Delete bot ${bot.display_name}`}
                onClick={() => void act(async () => (await api().bots.delete({ bot_id: bot.id }), null))}
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
      {token && (
        <div class="webhooks__made" role="status" data-testid="bot-token">
          <label class="field">
            <span class="field__label">Token of @{token.bot.username} (shown only now)</span>
            <input class="field__input mono" readOnly value={token.token} onFocus={(e) => e.currentTarget.select()} />
          </label>
          <pre class="webhooks__example mono">{`curl '${base}/bot/${token.token}/getUpdates?timeout=30'\ncurl -H 'Content-Type: application/json' -d '{"chat_id": …, "text": "Hello"}' ${base}/bot/${token.token}/sendMessage`}</pre>
        </div>
      )}
      <form class="form" onSubmit={create}>
        <Field label="Bot username" value={username} onInput={setUsername} required hint="5–32 letters, digits or _, ending in _bot" />
        <Field label="Bot name" value={name} onInput={setName} required />
        <button type="submit" class="btn">
          Create bot
        </button>
      </form>
      <StatusLine status={status} />
    </section>
  );
}
