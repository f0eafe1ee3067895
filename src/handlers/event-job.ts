import type { RepoRef } from "../platform/types.js";

/** What every event's job starts with, read from the delivery alone (no API call). */
export interface EventJobBase {
  /** `X-GitHub-Delivery`: the de-duplication key of an event; a redelivery keeps it. */
  deliveryId: string;
  repo: RepoRef;
  installationId?: number;
  receivedAt: string;
}

export function eventJobBase(context: {
  id: string;
  payload: { repository: { name: string; owner: { login: string } }; installation?: { id: number } };
}): EventJobBase {
  const { repository, installation } = context.payload;
  return {
    deliveryId: context.id,
    repo: { owner: repository.owner.login, repo: repository.name },
    installationId: installation?.id,
    receivedAt: new Date().toISOString(),
  };
}

/** A comment author okstra never takes a command from: a bot, okstra itself included (SPEC §2). */
export function isBotComment(
  context: { isBot: boolean },
  user: { type?: string; login: string } | null | undefined,
): boolean {
  return context.isBot || user?.type === "Bot" || Boolean(user?.login.endsWith("[bot]"));
}
