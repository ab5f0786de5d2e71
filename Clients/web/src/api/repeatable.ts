/**
 * The calls safe to run again, exactly those marked `IRepeatableCall` in Modules/Messenger.Contracts (the .NET SDK's
 * list): each carries its own key the server deduplicates on (a send's `random_id`, an upload part's file id and
 * number) or changes nothing a second run could double (reads, read marks, typing, ping). A call whose answer the
 * server let go before it reached this tab (RESULT_DROPPED) is sent once more when it is one of these (`client.call`).
 * Messenger.Tests' WebRepeatableCallsTests fails when this list and the marked contracts differ.
 */
export const REPEATABLE_METHODS: ReadonlySet<string> = new Set([
  'help.ping',
  'messages.createTopic',
  'messages.forward',
  'messages.getDialogs',
  'messages.getHistory',
  'messages.getPeerDialogs',
  'messages.readHistory',
  'messages.received',
  'messages.send',
  'messages.sendPoll',
  'messages.sendScheduled',
  'messages.setTyping',
  'secret.getChats',
  'secret.readHistory',
  'secret.requestChat',
  'secret.sendEncrypted',
  'secret.setTyping',
  'updates.getChannelDifference',
  'updates.getDifference',
  'updates.getState',
  'upload.getFile',
  'upload.saveFilePart',
]);
