import { useState } from 'preact/hooks';
import { errorText } from './format';
import { Modal } from './Modal';
import { POLL_LIMITS, sendPoll } from './polls';
import { Icon } from './Icon';
import { publicVotersAllowed } from './permissions';
import { useApp } from './store';

/** Writing a poll: a question, 2–10 options (a new empty row appears as the last is typed in), and its kind; a quiz
 * marks its right answer and may explain it. A channel's polls are anonymous (its subscribers do not see one another),
 * so there it does not offer to show who voted. */
export function NewPollDialog({ chatKey, onClose }: { chatKey: string; onClose: () => void }) {
  const votersAllowed = useApp((s) => publicVotersAllowed(s, chatKey));
  const [question, setQuestion] = useState('');
  const [options, setOptions] = useState(['', '']);
  const [multiple, setMultiple] = useState(false);
  const [publicVoters, setPublicVoters] = useState(false);
  const [quiz, setQuiz] = useState(false);
  const [correct, setCorrect] = useState<number | null>(null);
  const [solution, setSolution] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const publicVotersSent = publicVoters && votersAllowed;
  const filled = options.map((o) => o.trim()).filter((o) => o.length > 0);
  // The right answer among the options sent (empty rows are left out).
  const correctOption =
    correct !== null && options[correct]?.trim() ? options.slice(0, correct).filter((o) => o.trim().length > 0).length : null;
  const setOption = (i: number, value: string) => {
    const next = options.slice();
    next[i] = value;
    // Typing in the last row offers another, up to the limit.
    if (i === next.length - 1 && value.trim() && next.length < POLL_LIMITS.maxOptions) next.push('');
    setOptions(next);
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      await sendPoll(
        chatKey,
        quiz
          ? {
              question: question.trim(),
              options: filled,
              multiple_choice: false,
              public_voters: publicVotersSent,
              quiz: true,
              correct_option: correctOption,
              solution: solution.trim() || null,
            }
          : { question: question.trim(), options: filled, multiple_choice: multiple, public_voters: publicVotersSent },
      );
      onClose();
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };
  return (
    <Modal title="New poll" onClose={onClose}>
      <form class="form" onSubmit={(e) => void submit(e)}>
        <label class="field">
          <span class="field__label">Question</span>
          <input
            class="field__input"
            required
            maxLength={POLL_LIMITS.question}
            value={question}
            onInput={(e) => setQuestion(e.currentTarget.value)}
          />
        </label>
        <fieldset class="poll-editor">
          <legend class="field__label">Options</legend>
          {options.map((option, i) => (
            <div class="poll-editor__row" key={i}>
              {quiz && (
                <input
                  type="radio"
                  name="correct-option"
                  aria-label={`Option ${i + 1} is the right answer`}
                  checked={correct === i}
                  onChange={() => setCorrect(i)}
                />
              )}
              <input
                class="field__input"
                aria-label={`Option ${i + 1}`}
                placeholder={`Option ${i + 1}`}
                maxLength={POLL_LIMITS.option}
                value={option}
                onInput={(e) => setOption(i, e.currentTarget.value)}
              />
              {options.length > POLL_LIMITS.minOptions && (
                <button
                  type="button"
                  class="icon-btn icon-btn--small"
                  aria-label={`Remove option ${i + 1}`}
                  onClick={() => {
                    setOptions(options.filter((_, j) => j !== i));
                    if (correct !== null) setCorrect(correct === i ? null : correct > i ? correct - 1 : correct);
                  }}
                >
                  <Icon name="close" />
                </button>
              )}
            </div>
          ))}
        </fieldset>
        <label class="check">
          <input type="checkbox" checked={multiple && !quiz} disabled={quiz} onChange={(e) => setMultiple(e.currentTarget.checked)} />
          <span>Allow several answers</span>
        </label>
        <label class="check">
          <input type="checkbox" checked={quiz} onChange={(e) => setQuiz(e.currentTarget.checked)} />
          <span>Quiz: one right answer</span>
        </label>
        {quiz && (
          <label class="field">
            <span class="field__label">Explanation (optional, shown after answering)</span>
            <input
              class="field__input"
              maxLength={POLL_LIMITS.solution}
              value={solution}
              onInput={(e) => setSolution(e.currentTarget.value)}
            />
          </label>
        )}
        {quiz && correctOption === null && <p class="muted">Mark the right answer.</p>}
        {votersAllowed && (
          <label class="check">
            <input type="checkbox" checked={publicVoters} onChange={(e) => setPublicVoters(e.currentTarget.checked)} />
            <span>Show who voted for what</span>
          </label>
        )}
        {error && (
          <p class="form__error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="btn" disabled={busy || !question.trim() || filled.length < POLL_LIMITS.minOptions || (quiz && correctOption === null)}
        >
          {quiz ? 'Create quiz' : 'Create poll'}
        </button>
      </form>
    </Modal>
  );
}
