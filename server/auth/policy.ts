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
