import type { Message, Poll, PollResults } from '../api/types';
import { api } from './connection';
import { messageArrived, replaceMessage } from './messages';
import { peerFromKey } from './peers';
import { getState } from './store';
import { currentTopic } from './topics';

/** Most options a poll may have, and the longest question and option (the server's PollLimits). */
export const POLL_LIMITS = { minOptions: 2, maxOptions: 10, question: 255, option: 100, solution: 200 } as const;

/** Posts a poll to the chat; it shows when the server has stored it. The server's message never carries a quiz's
 * answer: its author knows it, so their results do from the start. */
export async function sendPoll(key: string, poll: Poll): Promise<void> {
  const sent = await api().messages.sendPoll({ peer: peerFromKey(key), poll, topic_id: currentTopic(key) });
  messageArrived(
    poll.quiz
      ? {
          ...sent.message,
          poll_results: { ...resultsOf(sent.message), correct_option: poll.correct_option ?? null, solution: poll.solution ?? null },
        }
      : sent.message,
  );
}

/** Votes for `options` in the poll `message` (none takes the vote back). */
export async function vote(key: string, message: Message, options: number[]): Promise<void> {
  const changed = await api().messages.sendVote({ peer: peerFromKey(key), id: message.id, options });
  setResults(key, message.id, changed.results);
}

/** Ends the voting of the user's own poll. */
export async function closePoll(key: string, message: Message): Promise<void> {
  const changed = await api().messages.closePoll({ peer: peerFromKey(key), id: message.id });
  setResults(key, message.id, changed.results);
}

/** A poll's counts changed (an update); `mine` is the user's own choices when they changed, undefined otherwise; a
 * quiz's answer comes once this user may know it, and is kept after that. */
export function pollChanged(
  key: string,
  messageId: number,
  counts: number[],
  voters: number,
  closed: boolean,
  mine?: number[],
  answer?: { correct_option?: number | null; solution?: string | null },
): void {
  const current = getState().histories[key]?.messages.find((m) => m.id === messageId);
  if (!current) return;
  const known = answer?.correct_option != null ? answer : current.poll_results;
  setResults(key, messageId, {
    msg_id: messageId,
    counts,
    voters,
    closed,
    my_choices: mine ?? current.poll_results?.my_choices ?? [],
    correct_option: known?.correct_option ?? null,
    solution: known?.solution ?? null,
  });
}

function setResults(key: string, messageId: number, results: PollResults): void {
  const current = getState().histories[key]?.messages.find((m) => m.id === messageId);
  if (current) replaceMessage(key, { ...current, poll_results: results });
}

/** The results a poll shows before any are known (a poll just sent or just arrived has no votes). */
export function resultsOf(message: Message): PollResults {
  return message.poll_results ?? { msg_id: message.id, counts: message.poll!.options.map(() => 0), voters: 0, my_choices: [], closed: false };
}

/** Whole percentages of the voters per option (several choices each may add up to more than 100). */
export function percentages(results: PollResults): number[] {
  return results.counts.map((count) => (results.voters ? Math.round((count * 100) / results.voters) : 0));
}
