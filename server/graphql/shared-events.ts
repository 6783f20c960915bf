import {
  Kind,
  createSourceEventStream,
  execute,
  visit,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GraphQLContext } from './context.ts';

/**
 * Marks a Subscription field whose events may be executed once for every subscription that would
 * get the same result: its `resolve` returns the event as it is (the field's own arguments only
 * choose the stream, in `subscribe`), and its source hands every subscriber the same event object.
 */
export const SHARED_EVENT_RESULTS = { sharedEventResults: true } as const;

type Result = ExecutionResult | Promise<ExecutionResult>;

function operationOf(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName) return operations.find((o) => o.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}

/**
 * The variables an event's execution can read: those used anywhere but in the arguments of the
 * root fields (a resume cursor, say, differs between subscribers and changes nothing an event
 * resolves to). Undefined when the operation's events cannot be shared: a root selection that is
 * not a marked field.
 */
function eventVariableNames(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): string[] | undefined {
  const operation = operationOf(document, operationName);
  const fields = schema.getSubscriptionType()?.getFields();
  if (!operation || operation.operation !== 'subscription' || !fields) return undefined;
  const names = new Set<string>();
  const collect = (node: Parameters<typeof visit>[0]) =>
    visit(node, {
      Variable(variable) {
        names.add(variable.name.value);
      },
    });
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || fields[selection.name.value]?.extensions.sharedEventResults !== true) return undefined;
    for (const directive of selection.directives ?? []) collect(directive);
    if (selection.selectionSet) collect(selection.selectionSet);
  }
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) collect(definition);
  return [...names].sort();
}

/** Per parsed document (yoga's parser cache hands out one object per query text): a number, and what eventVariableNames found per operation. */
const documents = new WeakMap<DocumentNode, { id: number; variables: Map<string, string[] | undefined> }>();
let documentCount = 0;

/**
 * Subscriptions whose events get the same result: same user and role (access decides what a
 * result holds), same document and operation, same values of the variables an event reads.
 * Undefined when the operation's events are not shareable.
 */
export function sharingKey(args: ExecutionArgs): string | undefined {
  const actor = (args.contextValue as GraphQLContext | undefined)?.actor;
  if (!actor) return undefined;
  let document = documents.get(args.document);
  if (!document) documents.set(args.document, (document = { id: ++documentCount, variables: new Map() }));
  const operation = args.operationName ?? '';
  if (!document.variables.has(operation)) document.variables.set(operation, eventVariableNames(args.schema, args.document, args.operationName));
  const names = document.variables.get(operation);
  if (!names) return undefined;
  const values = names.map((name) => [name, args.variableValues?.[name] ?? null]);
  return JSON.stringify([actor.userId, actor.role, document.id, operation, values]);
}

function mapAsyncIterable<T, U>(source: AsyncIterable<T>, map: (value: T) => U | Promise<U>): AsyncIterableIterator<U> {
  const iterator = source[Symbol.asyncIterator]();
  const mapped = async (step: IteratorResult<T>): Promise<IteratorResult<U>> =>
    step.done ? { done: true, value: undefined } : { done: false, value: await map(step.value) };
  const result: AsyncIterableIterator<U> = {
    next: async () => mapped(await iterator.next()),
    return: async () => (iterator.return ? mapped(await iterator.return()) : { done: true, value: undefined }),
    throw: async (error?: unknown) => {
      if (iterator.throw) return mapped(await iterator.throw(error));
      await iterator.return?.();
      throw error;
    },
    [Symbol.asyncIterator]: () => result,
  };
  return result;
}

/**
 * Runs a shareable subscription like graphql-js `subscribe`, except that an event's result is
 * remembered against the event object, weakly (it goes when the event goes), and handed to every
 * subscription with the same sharing key. A chat's feed gives all its subscribers on this process
 * the same event object, so one execution serves all of them instead of one each; replayed events
 * are loaded per subscriber and executed for each.
 */
export function createSharedSubscribe() {
  const results = new WeakMap<object, Map<string, Result>>();
  return async (args: ExecutionArgs, key: string) => {
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) return source;
    return mapAsyncIterable(source, (event: unknown) => {
      if (typeof event !== 'object' || event === null) return execute({ ...args, rootValue: event });
      let byKey = results.get(event);
      if (!byKey) results.set(event, (byKey = new Map()));
      let result = byKey.get(key);
      if (!result) byKey.set(key, (result = execute({ ...args, rootValue: event })));
      return result;
    });
  };
}

/** The yoga plugin: shareable subscriptions go through createSharedSubscribe, the rest as before. */
export function useSharedEventResults(): Plugin {
  const subscribe = createSharedSubscribe();
  return {
    onSubscribe({ args, setSubscribeFn }) {
      // The actor and the variables the key is made of are the same in the arguments subscribe gets.
      const key = sharingKey(args);
      if (key !== undefined) setSubscribeFn((finalArgs) => subscribe(finalArgs, key));
    },
  };
}
