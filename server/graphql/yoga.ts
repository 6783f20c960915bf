import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { BREAK, NoSchemaIntrospectionCustomRule, visit, type DocumentNode } from 'graphql';
import { createGraphQLError, createYoga, type Plugin } from 'graphql-yoga';
import type { Actor } from '../auth/actor.ts';
import { tokenFromHeaders } from '../rest/http.ts';
import { MAX_JSON_DEPTH, NUL_REASON, containsNul, jsonDepthExceeds } from '../util/json.ts';
import type { Services } from '../services.ts';
import type { GraphQLContext } from './context.ts';
import { hideSuggestions, maskError } from './errors.ts';
import { bodyRefusals, type GraphQLHttpServerContext } from './http.ts';
import { useMaxFieldRepeats } from './limits.ts';
import { schema } from './schema.ts';
import { useSharedEventResults } from './shared-events.ts';

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

/**
 * Introspection off, over HTTP and WebSocket alike. (`useDisableIntrospection` decides per HTTP
 * request in `onRequestParse`, which operations over a socket never pass through.)
 */
const noIntrospection: Plugin = {
  onValidate({ addValidationRule }) {
    addValidationRule(NoSchemaIntrospectionCustomRule);
  },
};

/**
 * Subscriptions only over the WebSocket, where the connection-init timeout, 1 MiB frames, the
 * Origin check and logout closing apply. Yoga would otherwise stream them over a POST (SSE or a
 * response that never ends). Operations over a socket carry no `request` in their context.
 */
const subscriptionsOverWebSocketOnly: Plugin = {
  onSubscribe({ args, setResultAndStopExecution }) {
    if (!(args.contextValue as { request?: unknown }).request) return;
    setResultAndStopExecution({
      errors: [
        createGraphQLError('Subscriptions are served over WebSocket (graphql-transport-ws) at /graphql.', {
          extensions: { http: { status: 400 }, code: 'BAD_REQUEST' },
        }),
      ],
    });
  },
};

/** Per parsed document: yoga's parser cache hands out the same document for the same text. */
const documentsWithNul = new WeakMap<DocumentNode, boolean>();

function documentHasNul(document: DocumentNode): boolean {
  let found = documentsWithNul.get(document);
  if (found !== undefined) return found;
  found = false;
  visit(document, {
    StringValue(node) {
      if (!node.value.includes('\0')) return undefined;
      found = true;
      return BREAK;
    },
  });
  documentsWithNul.set(document, found);
  return found;
}

/**
 * A NUL (U+0000) in a variable or a string literal is bad input, refused before execution, over
 * HTTP and WebSocket alike, rather than a masked internal error when PostgreSQL refuses to store it.
 */
const noNulInInput: Plugin = {
  onExecute({ args, setResultAndStopExecution }) {
    const refuse = (reason: string) =>
      setResultAndStopExecution({ errors: [createGraphQLError(`Input is not valid: ${reason}.`, { extensions: { code: 'BAD_USER_INPUT' } })] });
    // First, so the walks below (and the services' own) never meet input deep enough to overflow the
    // stack. The variables map and an input object add two levels: a payload gets 1000, as over REST.
    if (jsonDepthExceeds(args.variableValues, MAX_JSON_DEPTH + 2)) refuse(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    else if (containsNul(args.variableValues) || documentHasNul(args.document)) refuse(NUL_REASON);
  },
};

export function createGraphQLServer(services: Services) {
  return createYoga<SocketServerContext & GraphQLHttpServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: false,
    batching: false,
    // No file uploads: one parser less for a scanner to probe.
    multipart: false,
    landingPage: false,
    // Same origin only: the web app is served from here. Yoga's default reflects any Origin and
    // allows credentials.
    cors: false,
    // serveGraphQL reads the body, capped as REST's; bodyRefusals answers what it refused.
    maxRequestBodySize: false,
    // Outside development, "Did you mean …?" would tell a scanner the names introspection hides.
    maskedErrors: { maskError: services.config.dev ? maskError : hideSuggestions(maskError) },
    // Expected failures are not logged; maskError logs the unexpected ones.
    logging: false,
    plugins: [
      postOnly,
      subscriptionsOverWebSocketOnly,
      noNulInInput,
      useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf'] }),
      ...(services.config.dev ? [] : [noIntrospection]),
      EnvelopArmorPlugin({
        maxAliases: { n: 15, allowList: [] },
        maxDirectives: { n: 5 },
        maxDepth: { n: 6 },
        costLimit: { maxCost: 5000 },
        maxTokens: { n: 1000 },
        blockFieldSuggestion: { enabled: !services.config.dev },
      }),
      useMaxFieldRepeats(10),
      useSharedEventResults(),
      bodyRefusals,
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
