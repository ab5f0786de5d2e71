import { useState } from 'preact/hooks';
import type { BotCallbackAnswer, Message, ReplyMarkup } from '../api/types';
import { api } from './connection';
import { errorText } from './format';
import { peerFromKey } from './peers';

const WEB_ADDRESS = /^https?:\/\//i;

/**
 * A bot's buttons under its message: a link button opens its address in a new tab; a data button asks the bot, which
 * answers within 10 s with a line shown under the buttons (one that must be dismissed when the bot says so) or an
 * address to open.
 */
export function BotKeyboard({ chatKey, message, markup }: { chatKey: string; message: Message; markup: ReplyMarkup }) {
  const [pressed, setPressed] = useState<string | null>(null);
  const [answer, setAnswer] = useState<{ text: string; alert: boolean } | null>(null);
  const press = async (data: string) => {
    setPressed(data);
    setAnswer(null);
    try {
      const reply: BotCallbackAnswer = await api().messages.getBotCallbackAnswer({ peer: peerFromKey(chatKey), msg_id: message.id, data });
      if (reply.url && WEB_ADDRESS.test(reply.url)) window.open(reply.url, '_blank', 'noopener,noreferrer');
      if (reply.message) setAnswer({ text: reply.message, alert: reply.alert });
    } catch (error) {
      setAnswer({ text: errorText(error), alert: false });
    } finally {
      setPressed(null);
    }
  };
  return (
    <div class="keyboard" role="group" aria-label="Bot buttons" data-testid="bot-keyboard">
      {markup.inline_keyboard.map((row, i) => (
        <div class="keyboard__row" key={i}>
          {row.map((button, j) =>
            button.url ? (
              WEB_ADDRESS.test(button.url) && (
                <a key={j} class="keyboard__button" href={button.url} target="_blank" rel="noopener noreferrer nofollow">
                  {button.text}
                </a>
              )
            ) : (
              <button
                key={j}
                type="button"
                class="keyboard__button"
                disabled={pressed !== null}
                aria-busy={pressed === button.callback_data}
                onClick={() => button.callback_data && void press(button.callback_data)}
              >
                {button.text}
              </button>
            ),
          )}
        </div>
      ))}
      {answer && (
        <div class={`keyboard__answer${answer.alert ? ' keyboard__answer--alert' : ''}`} role={answer.alert ? 'alert' : 'status'} data-testid="bot-answer">
          <span>{answer.text}</span>
          {answer.alert && (
            <button type="button" class="btn" onClick={() => setAnswer(null)}>
              OK
            </button>
          )}
        </div>
      )}
    </div>
  );
}
