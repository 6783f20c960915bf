import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { ClientLeft, NOT_UTF8_BODY, readBody } from '../rest/http.ts';
import { DomainError } from '../errors.ts';

/** What the transport found while reading a POST body, for the plugin below to answer in yoga's shapes. */
export interface GraphQLHttpServerContext {
  bodyRefusal?: 'tooLarge' | 'notUtf8';
}

interface FetchHandler {
  fetchAPI: { Request: typeof Request };
  handleRequest(request: Request, context: GraphQLHttpServerContext & { req: IncomingMessage; res: ServerResponse }): Response | Promise<Response>;
}

/**
 * GraphQL over HTTP with the body read as REST reads it (capped at MAX_BODY_BYTES, UTF-8 checked)
 * and handed to yoga as text. Yoga's own Node adapter streams every body through a Web
 * TransformStream to count its bytes and builds an AbortSignal per request (the bench's GraphQL
 * reads were about 15% faster without it). Refusals are raised by `bodyRefusals` where yoga raised
 * them before.
 */
export async function serveGraphQL(yoga: FetchHandler, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const context: GraphQLHttpServerContext & { req: IncomingMessage; res: ServerResponse } = { req, res };
  let body: string | undefined;
  // Other methods are refused before anything reads a body (405).
  if (req.method === 'POST') {
    try {
      body = await readBody(req);
      if (body === NOT_UTF8_BODY) {
        context.bodyRefusal = 'notUtf8';
        body = undefined;
      }
    } catch (error) {
      if (error instanceof ClientLeft) return;
      if (!(error instanceof DomainError && error.kind === 'TooLarge')) throw error;
      context.bodyRefusal = 'tooLarge';
    }
  }
  const request = new yoga.fetchAPI.Request(url.href, {
    method: req.method,
    // Node's header object (repeated headers as arrays) is what yoga's own adapter passes too.
    headers: req.headers as unknown as HeadersInit,
    body,
  });
  await writeResponse(await yoga.handleRequest(request, context), res);
}

/**
 * Streams (text/event-stream, multipart) are written as they come, waiting for the socket to drain;
 * a client that leaves cancels them. (No AbortSignal per request, as yoga's adapter builds: an
 * operation whose client left runs to its end, as a REST request does.)
 */
async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  if (res.destroyed) {
    await response.body?.cancel().catch(() => {});
    return;
  }
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(response.status, headers);
  // Not `response.body` for a whole answer: on yoga's responses it turns the text into a stream.
  if (!/^(text\/event-stream|multipart\/)/i.test(response.headers.get('content-type') ?? '')) {
    res.end(await response.text());
    return;
  }
  if (!response.body) return void res.end();
  const reader = response.body.getReader();
  const closed = new Promise<void>((resolve) => res.once('close', resolve));
  void closed.then(() => reader.cancel().catch(() => {}));
  for (;;) {
    const { done, value } = await reader.read();
    if (done || res.destroyed) break;
    if (!res.write(value)) await Promise.race([once(res, 'drain'), closed]);
  }
  res.end();
}

/**
 * Answers the refusals found while reading the body, as yoga's body size limit and the UTF-8 check
 * answered them: after the other request checks (CSRF), with yoga's error shapes. Listed last.
 */
export const bodyRefusals: Plugin = {
  onRequestParse({ serverContext, requestParser, setRequestParser }) {
    const refusal = (serverContext as GraphQLHttpServerContext).bodyRefusal;
    if (refusal === 'tooLarge') {
      throw createGraphQLError('Request body too large', { extensions: { http: { status: 413 }, code: 'REQUEST_ENTITY_TOO_LARGE' } });
    }
    if (refusal === 'notUtf8' && requestParser) {
      setRequestParser(() => {
        throw createGraphQLError('POST body is not valid UTF-8.', { extensions: { http: { status: 400 }, code: 'BAD_REQUEST' } });
      });
    }
  },
};
