import type { CombinedError } from '@urql/core';

const EXPECTED_CODES = new Set(['BAD_USER_INPUT', 'CONFLICT', 'FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED', 'RATE_LIMITED']);

/**
 * The server's own message for an expected failure (a GraphQL error with a known code or a
 * variables/validation error), or undefined for network failures and masked internal errors.
 */
export function serverMessage(error: CombinedError | undefined): string | undefined {
  if (!error || error.networkError) return undefined;
  for (const e of error.graphQLErrors) {
    const code = e.extensions?.code;
    if (typeof code === 'string' && !EXPECTED_CODES.has(code)) continue;
    if (e.message) return e.message;
  }
  return undefined;
}

export function errorCode(error: CombinedError | undefined): string | undefined {
  const code = error?.graphQLErrors.find((e) => typeof e.extensions?.code === 'string')?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}
