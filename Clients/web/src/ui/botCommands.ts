import type { BotCommand } from '../api/types';
import { api } from './connection';

/** Each bot's commands, fetched once per page (`bots.getCommands`); a bot that changes them shows the new ones after a reload. */
const known = new Map<number, Promise<BotCommand[]>>();

export function botCommands(botId: number): Promise<BotCommand[]> {
  let commands = known.get(botId);
  if (!commands) {
    commands = api()
      .bots.getCommands({ bot_id: botId })
      .then((r) => r.commands)
      .catch(() => {
        known.delete(botId);
        return [];
      });
    known.set(botId, commands);
  }
  return commands;
}

/** The commands a box's text asks for: while it is `/` and a word being typed (no space yet), those starting with it. */
export function matchingCommands(commands: BotCommand[], text: string): BotCommand[] {
  const typed = /^\/([a-z0-9_]*)$/i.exec(text);
  if (!typed) return [];
  const prefix = typed[1].toLowerCase();
  return commands.filter((c) => c.command.startsWith(prefix));
}
