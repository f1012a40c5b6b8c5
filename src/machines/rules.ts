/**
 * Who may send which command to an elicitation. The machine's guards call these, and so
 * does the runtime for an elicitation that is already final and whose actor is gone, so
 * the rule is written once.
 */

export type CommandType = 'ACCEPT' | 'DECLINE' | 'CANCEL' | 'WITHDRAW';

export interface Parties {
  readonly requester: string;
  readonly responder: string;
}

/** The party each command belongs to. */
export const commandSender: Readonly<Record<CommandType, keyof Parties>> = {
  ACCEPT: 'responder',
  DECLINE: 'responder',
  CANCEL: 'responder',
  WITHDRAW: 'requester',
};

/** Tells whether `agent` is the party that may send `command`. */
export function maySend(parties: Parties, command: CommandType, agent: string): boolean {
  return parties[commandSender[command]] === agent;
}

/** Tells whether `command` must carry the response token when tokens are required. */
export function needsResponseToken(command: CommandType): boolean {
  return commandSender[command] === 'responder';
}

/** A command is taken only strictly before the deadline: one at the deadline is too late. */
export function isBeforeDeadline(deadline: number, at: number): boolean {
  return at < deadline;
}
