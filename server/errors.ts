/** Expected failures are values with a kind; each transport maps them once (rest/errors.ts, graphql/errors.ts). */
export type ErrorKind =
  | 'Unauthenticated'
  | 'Forbidden'
  | 'NotFound'
  | 'Validation'
  | 'Conflict'
  | 'TooLarge'
  | 'RateLimited'
  | 'Internal';

export interface FieldValidation {
  field: string;
  detail: string;
}

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly detail?: string,
    readonly validations?: FieldValidation[],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** Too many attempts: 429 with a Retry-After header over REST, RATE_LIMITED over GraphQL. */
export class RateLimitedError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('RateLimited', message);
  }
}

export const NOT_FOUND_MESSAGE = 'Resource not found or you do not have access to this resource';
export const FORBIDDEN_MESSAGE = 'Forbidden.';
export const FORBIDDEN_DETAIL =
  "You don't have permission to view this content. If you believe this is a mistake, please contact your administrator or try signing in with different credentials.";

export const notFound = () => new DomainError('NotFound', NOT_FOUND_MESSAGE);
export const forbidden = () => new DomainError('Forbidden', FORBIDDEN_MESSAGE, FORBIDDEN_DETAIL);
export const invalid = (message: string, detail?: string) => new DomainError('Validation', message, detail);
export const conflict = (message: string, detail?: string) => new DomainError('Conflict', message, detail);

/**
 * Runs a storage operation and turns any unexpected failure into an Internal error carrying the
 * endpoint's documented 500 message. Domain errors pass through unchanged.
 */
export async function storage<T>(message: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError) throw error;
    console.error(`${message}:`, error instanceof Error ? error.message : error);
    throw new DomainError('Internal', message, shortReason(error));
  }
}

/** A short reason for a 500 detail that never echoes credentials or stored payloads. */
function shortReason(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') {
    return `database error ${error.code}`;
  }
  return 'storage failure';
}
