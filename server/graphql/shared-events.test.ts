import { GraphQLInt, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, parse, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../auth/actor.ts';
import { SHARED_EVENT_RESULTS, createSharedSubscribe, sharingKey } from './shared-events.ts';

interface Event {
  n: number;
}

/** A feed like the debug feed: every subscriber receives the same event objects. */
function fanOut() {
  const sinks = new Set<(event: Event) => void>();
  let closed = 0;
  return {
    publish: (event: Event) => sinks.forEach((sink) => sink(event)),
    get open() {
      return sinks.size;
    },
    get closed() {
      return closed;
    },
    stream(): AsyncIterableIterator<Event> {
      const queue: Event[] = [];
      let wake: (() => void) | undefined;
      const sink = (event: Event) => {
        queue.push(event);
        wake?.();
      };
      sinks.add(sink);
      const iterator: AsyncIterableIterator<Event> = {
        async next() {
          while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
          return { done: false, value: queue.shift()! };
        },
        async return() {
          if (sinks.delete(sink)) closed++;
          return { done: true, value: undefined };
        },
        [Symbol.asyncIterator]: () => iterator,
      };
      return iterator;
    },
  };
}

function setup() {
  const feed = fanOut();
  const executions: string[] = [];
  const Event = new GraphQLObjectType<Event, { actor: Actor }>({
    name: 'Event',
    fields: {
      n: { type: GraphQLInt },
      // What a field resolves to may depend on the caller and on a variable.
      seenBy: {
        type: GraphQLString,
        args: { prefix: { type: GraphQLString } },
        resolve: (event, args: { prefix?: string | null }, context) => {
          executions.push(`${event.n}:${context.actor.username}`);
          return `${args.prefix ?? ''}${context.actor.username}`;
        },
      },
    },
  });
  const field = (extensions?: typeof SHARED_EVENT_RESULTS) => ({
    type: Event,
    args: { topic: { type: new GraphQLNonNull(GraphQLString) }, after: { type: GraphQLString } },
    extensions,
    subscribe: () => feed.stream(),
    resolve: (event: Event) => event,
  });
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLInt } } }),
    subscription: new GraphQLObjectType({ name: 'Subscription', fields: { events: field(SHARED_EVENT_RESULTS), unmarked: field() } }),
  });
  return { feed, executions, schema };
}

const actor = (username: string, role: Actor['role'] = 'member'): Actor => ({ userId: `id-${username}`, username, email: `${username}@example.com`, role, keyId: `key-${username}` });

const SUBSCRIPTION = parse('subscription ($topic: String!, $after: String, $prefix: String) { events(topic: $topic, after: $after) { n seenBy(prefix: $prefix) } }');

function argsFor(schema: GraphQLSchema, who: Actor | null, variableValues: Record<string, unknown>, document = SUBSCRIPTION) {
  return { schema, document, variableValues, contextValue: { actor: who } };
}

async function nextOf(stream: unknown): Promise<ExecutionResult> {
  const step = await (stream as AsyncIterator<ExecutionResult>).next();
  return step.value as ExecutionResult;
}

describe('shared event results', () => {
  it('executes an event once for subscriptions of one user that differ only in the root arguments', async () => {
    const { feed, executions, schema } = setup();
    const subscribe = createSharedSubscribe();
    const a = argsFor(schema, actor('ann'), { topic: 't', after: 'c1' });
    const b = argsFor(schema, actor('ann'), { topic: 't' });
    expect(sharingKey(a)).toBeDefined();
    expect(sharingKey(a)).toBe(sharingKey(b));
    const streams = [await subscribe(a, sharingKey(a)!), await subscribe(b, sharingKey(b)!)];
    feed.publish({ n: 1 });
    feed.publish({ n: 2 });
    for (const stream of streams) {
      expect(await nextOf(stream)).toEqual({ data: { events: { n: 1, seenBy: 'ann' } } });
      expect(await nextOf(stream)).toEqual({ data: { events: { n: 2, seenBy: 'ann' } } });
    }
    expect(executions).toEqual(['1:ann', '2:ann']);
  });

  it('executes separately for another user, another role or another value of a variable the event reads', async () => {
    const { feed, executions, schema } = setup();
    const subscribe = createSharedSubscribe();
    const callers = [
      argsFor(schema, actor('ann'), { topic: 't' }),
      argsFor(schema, actor('bob'), { topic: 't' }),
      argsFor(schema, { ...actor('ann'), role: 'owner' }, { topic: 't' }),
      argsFor(schema, actor('ann'), { topic: 't', prefix: '> ' }),
    ];
    expect(new Set(callers.map(sharingKey)).size).toBe(4);
    const streams = await Promise.all(callers.map((args) => subscribe(args, sharingKey(args)!)));
    feed.publish({ n: 1 });
    const results = await Promise.all(streams.map(nextOf));
    expect(results.map((r) => (r.data as { events: { seenBy: string } }).events.seenBy)).toEqual(['ann', 'bob', 'ann', '> ann']);
    expect(executions).toEqual(['1:ann', '1:bob', '1:ann', '1:ann']);
  });

  it('shares nothing for unmarked fields, fragments at the root, unknown operations or signed-out callers', () => {
    const { schema } = setup();
    const ann = actor('ann');
    expect(sharingKey(argsFor(schema, ann, { topic: 't' }, parse('subscription ($topic: String!) { unmarked(topic: $topic) { n } }')))).toBeUndefined();
    expect(sharingKey(argsFor(schema, ann, { topic: 't' }, parse('subscription ($topic: String!) { ...F } fragment F on Subscription { events(topic: $topic) { n } }')))).toBeUndefined();
    expect(sharingKey({ ...argsFor(schema, ann, { topic: 't' }), operationName: 'Missing' })).toBeUndefined();
    expect(sharingKey(argsFor(schema, null, { topic: 't' }))).toBeUndefined();
  });

  it('counts variables read in fragments and directives below the root field', () => {
    const { schema } = setup();
    const document = parse(
      'subscription ($topic: String!, $p: String, $skip: Boolean!) { events(topic: $topic) { n ...F @skip(if: $skip) } } fragment F on Event { seenBy(prefix: $p) }',
    );
    const key = (variables: Record<string, unknown>) => sharingKey(argsFor(schema, actor('ann'), variables, document));
    expect(key({ topic: 'a', p: 'x', skip: false })).toBe(key({ topic: 'b', p: 'x', skip: false }));
    expect(key({ topic: 'a', p: 'x', skip: false })).not.toBe(key({ topic: 'a', p: 'y', skip: false }));
    expect(key({ topic: 'a', p: 'x', skip: false })).not.toBe(key({ topic: 'a', p: 'x', skip: true }));
  });

  it('answers a failing subscribe with its errors, and closes the source when the subscription ends', async () => {
    const { feed, schema } = setup();
    const subscribe = createSharedSubscribe();
    const bad = argsFor(schema, actor('ann'), {});
    const failed = (await subscribe(bad, 'key')) as ExecutionResult;
    expect(failed.errors?.[0].message).toBe('Variable "$topic" of required type "String!" was not provided.');
    const good = argsFor(schema, actor('ann'), { topic: 't' });
    const stream = (await subscribe(good, sharingKey(good)!)) as AsyncIterableIterator<ExecutionResult>;
    expect(feed.open).toBe(1);
    await stream.return!();
    expect(feed.open).toBe(0);
    expect(feed.closed).toBe(1);
  });
});
