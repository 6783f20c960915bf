import type { Actor } from '../auth/actor.ts';
import { DomainError } from '../errors.ts';
import { SIGNED_OUT_MESSAGE } from '../users/service.ts';
import { UuidError, parseUuid } from '../util/uuid.ts';
import type { GraphQLContext } from './context.ts';

export function requireActor(context: GraphQLContext): Actor {
  if (!context.actor) throw new DomainError('Unauthenticated', SIGNED_OUT_MESSAGE);
  return context.actor;
}

/** ID arguments take the same UUID forms as the REST paths and fail the same way. */
export function uuidArg(value: string | number, message = (raw: string) => `Invalid UUID ${JSON.stringify(raw)}.`): string {
  const raw = String(value);
  try {
    return parseUuid(raw);
  } catch (error) {
    if (error instanceof UuidError) throw new DomainError('Validation', message(raw), error.message);
    throw error;
  }
}
