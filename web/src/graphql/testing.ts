// Test support: a real urql Client whose only exchange answers from per-operation handlers, and
// records every operation it receives (stack.md section 6). Only tests import this module.
import { Client, getOperationName, makeErrorResult, makeResult, type Exchange, type Operation, type OperationResult } from '@urql/core';
import { filter, fromPromise, makeSubject, mergeMap, never, pipe, type Source, type Subject } from 'wonka';

export type MockReply =
  /** A GraphQL result: data, and/or errors carrying extensions.code. */
  | { data?: unknown; errors?: { message: string; code?: string }[]; stale?: boolean }
  /** A network failure. */
  | { networkError: string }
  /** Never answers: the operation stays in flight (loading, saving). */
  | 'pending'
  /** Answers whatever a test pushes into this source. */
  | { source: Source<MockReply> };

export type MockOperation = Operation & { variables: Record<string, unknown> };
export type MockHandler = MockReply | ((operation: MockOperation) => MockReply);

export interface MockClient {
  client: Client;
  /** Every query, mutation and subscription the client sent, in order. */
  operations: Operation[];
  named(name: string): Operation[];
  /** The variables of each operation with that name. */
  variablesOf(name: string): unknown[];
}

export function toResult(operation: Operation, reply: Exclude<MockReply, 'pending' | { source: unknown }>): OperationResult {
  if ('networkError' in reply) return makeErrorResult(operation, new Error(reply.networkError));
  const result = makeResult(operation, {
    data: (reply.data ?? null) as never,
    errors: reply.errors?.map((e) => ({ message: e.message, extensions: e.code ? { code: e.code } : {} })) as never,
  });
  return reply.stale ? { ...result, stale: true } : result;
}

export function createMockClient(handlers: Record<string, MockHandler>): MockClient {
  const operations: Operation[] = [];
  const exchange: Exchange = () => (operations$) =>
    pipe(
      operations$,
      filter((operation) => operation.kind !== 'teardown'),
      mergeMap((operation): Source<OperationResult> => {
        operations.push(operation);
        const name = getOperationName(operation.query) ?? '';
        const handler = handlers[name];
        if (handler === undefined) return fromPromise(Promise.resolve(toResult(operation, { networkError: `No mock for operation ${name}` })));
        const reply = typeof handler === 'function' ? handler({ ...operation, variables: (operation.variables ?? {}) as Record<string, unknown> }) : handler;
        if (reply === 'pending') return never;
        if ('source' in reply) {
          return pipe(
            reply.source,
            mergeMap((r) => (r === 'pending' || 'source' in r ? never : fromPromise(Promise.resolve(toResult(operation, r))))),
          );
        }
        return fromPromise(Promise.resolve(toResult(operation, reply)));
      }),
    );
  const client = new Client({ url: 'http://localhost/graphql', preferGetMethod: false, exchanges: [exchange] });
  const named = (name: string) => operations.filter((o) => getOperationName(o.query) === name);
  return { client, operations, named, variablesOf: (name) => named(name).map((o) => o.variables) };
}

/** A source a test pushes replies into (subscriptions, or results it wants to release later). */
export function createReplySubject(): Subject<MockReply> {
  return makeSubject<MockReply>();
}

export { getOperationName, type Operation };
