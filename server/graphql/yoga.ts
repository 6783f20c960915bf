import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { createYoga, type Plugin } from 'graphql-yoga';
import type { Actor } from '../auth/actor.ts';
import { MAX_BODY_BYTES, tokenFromHeaders } from '../rest/http.ts';
import type { Services } from '../services.ts';
import type { GraphQLContext } from './context.ts';
import { maskError } from './errors.ts';
import { schema } from './schema.ts';

/** Set by the WebSocket server for operations over a socket: the actor resolved at connection time. */
export interface SocketServerContext {
  socketActor?: Actor;
}

const postOnly: Plugin = {
  onRequest({ request, endResponse, fetchAPI }) {
    if (request.method !== 'POST') {
      endResponse(
        new fetchAPI.Response(JSON.stringify({ errors: [{ message: 'GraphQL requests must use POST.' }] }), {
          status: 405,
          headers: { Allow: 'POST', 'Content-Type': 'application/json; charset=utf-8' },
        }),
      );
    }
  },
};

export function createGraphQLServer(services: Services) {
  return createYoga<SocketServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: false,
    batching: false,
    landingPage: false,
    maxRequestBodySize: MAX_BODY_BYTES,
    maskedErrors: { maskError },
    // Expected failures are not logged; maskError logs the unexpected ones.
    logging: false,
    plugins: [
      postOnly,
      useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf'] }),
      ...(services.config.dev ? [] : [useDisableIntrospection()]),
      EnvelopArmorPlugin({
        maxAliases: { n: 15, allowList: [] },
        maxDirectives: { n: 5 },
        maxDepth: { n: 8 },
        costLimit: { maxCost: 5000 },
        maxTokens: { n: 1000 },
        blockFieldSuggestion: { enabled: !services.config.dev },
      }),
    ],
    context: async (initial): Promise<GraphQLContext> => {
      if ('socketActor' in initial) return { actor: initial.socketActor ?? null, services };
      const request = (initial as { request?: Request }).request;
      if (!request) return { actor: null, services };
      const token = tokenFromHeaders({
        cookie: request.headers.get('cookie') ?? undefined,
        'coder-session-token': request.headers.get('coder-session-token') ?? undefined,
      });
      const actor = token ? await services.users.authenticate(token).catch(() => null) : null;
      return { actor, services };
    },
  });
}

export type GraphQLServer = ReturnType<typeof createGraphQLServer>;
