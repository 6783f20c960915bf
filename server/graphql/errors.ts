import { GraphQLError } from 'graphql';
import { DomainError, type ErrorKind } from '../errors.ts';
import { tooLarge } from '../rest/http.ts';
import { jsonParseReason } from '../util/json.ts';

export const CODES: Record<ErrorKind, string> = {
  Unauthenticated: 'UNAUTHENTICATED',
  Forbidden: 'FORBIDDEN',
  NotFound: 'NOT_FOUND',
  Validation: 'BAD_USER_INPUT',
  Conflict: 'CONFLICT',
  TooLarge: 'BAD_USER_INPUT',
  RateLimited: 'RATE_LIMITED',
  Internal: 'INTERNAL_SERVER_ERROR',
};

export const gqlError = (code: string, message: string) => new GraphQLError(message, { extensions: { code } });

function findDomainError(error: unknown): DomainError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (current instanceof DomainError) return current;
    current = (current as { originalError?: unknown }).originalError;
  }
  return undefined;
}

/**
 * Yoga's maskError: expected (domain) errors keep their message and get `extensions.code`;
 * internal ones, and anything unexpected, become "Unexpected error.".
 */
export function maskError(error: unknown, message: string): Error {
  const domain = findDomainError(error);
  if (domain && domain.kind !== 'Internal') {
    const base = error instanceof GraphQLError ? error : undefined;
    return new GraphQLError(domain.message, {
      nodes: base?.nodes,
      path: base?.path,
      extensions: {
        code: CODES[domain.kind],
        ...(domain.detail ? { detail: domain.detail } : {}),
        ...(domain.validations?.length ? { validations: domain.validations } : {}),
      },
    });
  }
  if (error instanceof GraphQLError && error.extensions?.code === 'REQUEST_ENTITY_TOO_LARGE') return sameAsRestTooLarge(error);
  if (error instanceof GraphQLError && isParseErrorWithText(error)) return withoutQuotedBody(error);
  if (!domain && error instanceof GraphQLError && !error.originalError) return withInputCode(error);
  if (!domain && error instanceof GraphQLError && error.originalError instanceof GraphQLError) {
    // An expected error raised as a GraphQLError (e.g. by scope auth): keep the field's location and path.
    const original = error.originalError;
    return withInputCode(
      new GraphQLError(original.message, {
        nodes: error.nodes ?? original.nodes,
        path: error.path ?? original.path,
        extensions: original.extensions,
      }),
    );
  }
  console.error('GraphQL internal error:', (error as { originalError?: unknown }).originalError ?? error);
  return new GraphQLError(message, {
    nodes: error instanceof GraphQLError ? error.nodes : undefined,
    path: error instanceof GraphQLError ? error.path : undefined,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  });
}

type ParseFailure = { name?: unknown; message: string };
const isParseErrorWithText = (error: GraphQLError) =>
  typeof (error.extensions?.originalError as ParseFailure | undefined)?.message === 'string';

/**
 * Yoga's "POST body sent invalid JSON." carries the parser's message, which quotes the body (all
 * of it, up to 4 MiB): kept is the reason only, as REST words it.
 */
function withoutQuotedBody(error: GraphQLError): GraphQLError {
  const original = error.extensions.originalError as ParseFailure;
  return new GraphQLError(error.message, {
    extensions: { ...error.extensions, originalError: { name: original.name, message: jsonParseReason(original.message) } },
  });
}

/** Yoga's body size refusal, worded as REST's (rest-api.md 1.1), keeping its 413. */
function sameAsRestTooLarge(error: GraphQLError): GraphQLError {
  const { message, detail } = tooLarge();
  return new GraphQLError(message, { extensions: { ...error.extensions, detail } });
}

/**
 * An error without a code and without a field path was raised before execution, while coercing the
 * request's variables (e.g. an Int variable of 2147483648 or 1.5): bad input, as REST's 400.
 */
function withInputCode(error: GraphQLError): GraphQLError {
  if (error.extensions?.code || error.path) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { ...error.extensions, code: 'BAD_USER_INPUT' },
  });
}

export const SUGGESTION_HIDDEN = '[Suggestion hidden]';

/**
 * Strips graphql-js's "Did you mean …?" hints (field, argument, type and enum value names) from
 * errors raised after validation, e.g. while coercing variables; armor's blockFieldSuggestion
 * covers validation errors only.
 */
export function hideSuggestions(mask: (error: unknown, message: string) => Error) {
  return (error: unknown, message: string): Error => {
    const masked = mask(error, message);
    if (!(masked instanceof GraphQLError) || !/Did you mean /.test(masked.message)) return masked;
    return new GraphQLError(masked.message.replace(/Did you mean .+\?/g, SUGGESTION_HIDDEN).trim(), {
      nodes: masked.nodes,
      source: masked.source,
      positions: masked.positions,
      path: masked.path,
      extensions: masked.extensions,
    });
  };
}
