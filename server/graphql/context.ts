import type { Actor } from '../auth/actor.ts';
import type { Services } from '../services.ts';

export interface GraphQLContext {
  /** Resolved once per HTTP request or WebSocket connection; null when signed out. */
  actor: Actor | null;
  services: Services;
}

export interface SignedInContext extends GraphQLContext {
  actor: Actor;
}
