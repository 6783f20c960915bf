import type { Actor } from './actor.ts';

/** Every access rule lives here; services call these, transports never decide on their own. */

export const canUpdateDeploymentConfig = (actor: Actor) => actor.role === 'owner';
export const canReadDeploymentGate = (actor: Actor) => actor.role === 'owner' || actor.role === 'auditor';
export const canSeeDisabledModelConfigs = canReadDeploymentGate;
export const canManageUsers = (actor: Actor) => actor.role === 'owner';
export const canCreateKeyFor = (actor: Actor, userId: string) => actor.userId === userId || actor.role === 'owner';
export const canReadUserEmail = (actor: Actor, userId: string) => actor.userId === userId || actor.role === 'owner';

/** Ownership and sharing of a chat are those of its root chat. */
export interface ChatAccessFacts {
  rootOwnerId: string;
  rootReaderIds: readonly string[];
}

/** Read a chat and its debug data: the root's owner and the root's `read` sharees. Nobody else. */
export function canReadChat(actor: Actor, facts: ChatAccessFacts): boolean {
  return facts.rootOwnerId === actor.userId || facts.rootReaderIds.includes(actor.userId);
}

/** Write to a chat (rename, archive, delete, share, record debug runs): the root's owner only. */
export function canWriteChat(actor: Actor, facts: ChatAccessFacts): boolean {
  return facts.rootOwnerId === actor.userId;
}

/**
 * canWriteChat as a SQL condition, for writes decided in a single statement: `chat` is the alias of
 * a `chats` row, `actor` the parameter holding the caller's user id. Same rule, same facts: the
 * root's owner (the chat's own owner when it is its own root).
 */
export const chatWritableSql = (chat: string, actor: string) =>
  `COALESCE((SELECT root.owner_id FROM chats root WHERE root.id = ${chat}.root_chat_id), ${chat}.owner_id) = ${actor}::uuid`;
