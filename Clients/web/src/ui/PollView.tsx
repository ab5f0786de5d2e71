import { useEffect, useState } from 'preact/hooks';
import type { Message } from '../api/types';
import { api } from './connection';
import { errorText } from './format';
import { Modal } from './Modal';
import { closePoll, percentages, resultsOf, vote } from './polls';
import { peerFromKey, userName } from './peers';
import { pollVotersListed } from './permissions';
import { ensureUsers } from './chats';
import { useApp, type AppState } from './store';

/**
 * A poll in its bubble. A quiz is answered once (no retracting); then, or once it is closed, it shows the right answer,
 * the user's if it was wrong, and the explanation. Before the user votes (and while it is open) its options are choices: a click votes in a
 * single-choice poll, a multiple-choice one is ticked and then sent with Vote. After voting, or once closed, each
 * option shows its share of the voters; Retract vote takes the user's back, Close poll (its author) ends it, and a poll
 * with public voters lists who chose what.
 */
export function PollView({ state, chatKey, message, canVote }: { state: AppState; chatKey: string; message: Message; canVote: boolean }) {
  const poll = message.poll!;
  const results = resultsOf(message);
  const [ticked, setTicked] = useState<number[]>([]);
  const [error, setError] = useState('');
  const [showVoters, setShowVoters] = useState(false);
  const voted = results.my_choices.length > 0;
  // A quiz whose answer this user knows without answering (they wrote it) shows its results, not choices.
  const choosing = canVote && !voted && !results.closed && !(poll.quiz && results.correct_option != null);
  const shares = percentages(results);
  const answer = poll.quiz ? results.correct_option : null;
  const act = (work: Promise<void>) => {
    setError('');
    work.catch((e) => setError(errorText(e)));
  };
  return (
    <div class="poll" role="group" aria-label={`Poll: ${poll.question}`} data-testid="poll">
      <div class="poll__question">{poll.question}</div>
      <div class="poll__kind muted">
        {results.closed
          ? 'Final results'
          : `${poll.public_voters ? 'Public' : 'Anonymous'} ${poll.quiz ? 'quiz' : 'poll'}${poll.multiple_choice ? ', several answers' : ''}`}
      </div>
      <ul class="poll__options">
        {poll.options.map((option, i) => {
          const mine = results.my_choices.includes(i);
          const right = answer != null && answer === i;
          const wrong = answer != null && mine && !right;
          const marks = `${mine ? ' poll__option--mine' : ''}${right ? ' poll__option--right' : ''}${wrong ? ' poll__option--wrong' : ''}`;
          return (
            <li key={i} class={`poll__option${marks}`}>
              {choosing ? (
                poll.multiple_choice ? (
                  <label class="poll__choice">
                    <input
                      type="checkbox"
                      checked={ticked.includes(i)}
                      onChange={(e) => setTicked(e.currentTarget.checked ? [...ticked, i] : ticked.filter((t) => t !== i))}
                    />
                    <span>{option}</span>
                  </label>
                ) : (
                  <button type="button" class="poll__choice poll__choice--button" onClick={() => act(vote(chatKey, message, [i]))}>
                    {option}
                  </button>
                )
              ) : (
                <div class="poll__result" aria-label={`${option}: ${results.counts[i]} ${results.counts[i] === 1 ? 'vote' : 'votes'}, ${shares[i]}%${mine ? ', your choice' : ''}${right ? ', the right answer' : ''}${wrong ? ', wrong' : ''}`}
                >
                  <span class="poll__share">{shares[i]}%</span>
                  <span class="poll__label">
                    {option}
                    {mine && !wrong && <span class="poll__tick"> ✓</span>}
                    {wrong && <span class="poll__cross"> ✗</span>}
                  </span>
                  <span class="poll__bar" style={{ width: `${shares[i]}%` }} />
                </div>
              )}
            </li>
          );
        })}
      </ul>
      {answer != null && results.solution && (
        <p class="poll__solution" data-testid="quiz-solution">
          {results.solution}
        </p>
      )}
      <div class="poll__footer">
        <span class="muted" data-testid="poll-voters">
          {results.voters} {results.voters === 1 ? 'vote' : 'votes'}
        </span>
        {choosing && poll.multiple_choice && (
          <button type="button" class="btn btn--small" disabled={ticked.length === 0} onClick={() => act(vote(chatKey, message, ticked))}>
            Vote
          </button>
        )}
        {canVote && voted && !results.closed && !poll.quiz && (
          <button type="button" class="btn btn--small btn--ghost" onClick={() => act(vote(chatKey, message, []).then(() => setTicked([])))}>
            Retract vote
          </button>
        )}
        {poll.public_voters && results.voters > 0 && pollVotersListed(state, chatKey) && (
          <button type="button" class="btn btn--small btn--ghost" onClick={() => setShowVoters(true)}>
            Voters
          </button>
        )}
        {canVote && !results.closed && message.from_id === state.me?.id && (
          <button type="button" class="btn btn--small btn--ghost" onClick={() => act(closePoll(chatKey, message))}>
            Close poll
          </button>
        )}
      </div>
      {error && (
        <p class="form__error" role="alert">
          {error}
        </p>
      )}
      {showVoters && <PollVotersDialog chatKey={chatKey} message={message} onClose={() => setShowVoters(false)} />}
    </div>
  );
}

/** Who chose each option of a poll with public voters (the first 50 of each, latest first). */
function PollVotersDialog({ chatKey, message, onClose }: { chatKey: string; message: Message; onClose: () => void }) {
  const state = useApp((s) => s);
  const [voters, setVoters] = useState<number[][] | null>(null);
  const [error, setError] = useState('');
  const poll = message.poll!;
  useEffect(() => {
    const peer = peerFromKey(chatKey);
    Promise.all(poll.options.map((_, option) => api().messages.getPollVoters({ peer, id: message.id, option })))
      .then(async (pages) => {
        await ensureUsers(pages.flatMap((p) => p.user_ids));
        setVoters(pages.map((p) => p.user_ids));
      })
      .catch((e) => setError(errorText(e)));
  }, [chatKey, message.id]);
  return (
    <Modal title="Voters" onClose={onClose}>
      {error && (
        <p class="form__error" role="alert">
          {error}
        </p>
      )}
      {voters && (
        <div class="poll-voters">
          {poll.options.map((option, i) => (
            <section key={i} aria-label={option}>
              <h3 class="poll-voters__option">{option}</h3>
              {voters[i].length === 0 ? (
                <p class="muted">Nobody</p>
              ) : (
                <ul class="poll-voters__list">
                  {voters[i].map((id) => (
                    <li key={id}>{userName(state, id)}</li>
                  ))}
                </ul>
              )}
            </section>
          ))}
        </div>
      )}
    </Modal>
  );
}
