import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Actor } from '../auth/actor.ts';
import { DomainError, forbidden } from '../errors.ts';
import { configuredOrigins, originAllowed } from '../http/origin.ts';
import type { Services } from '../services.ts';
import { ClientLeft, errorReply, readBody, send, tokenFromHeaders, type Reply } from './http.ts';

export interface RouteRequest {
  actor: Actor;
  params: Record<string, string>;
  query: URLSearchParams;
  /**
   * The raw body text, read (up to the size limit) only when first asked for: services check
   * authorization and state before they decode, so those answers come before 413 or a bad body.
   */
  body: () => Promise<string>;
  req: IncomingMessage;
  services: Services;
}

export interface PublicRouteRequest extends Omit<RouteRequest, 'actor'> {
  actor?: Actor;
}

export type Route =
  | { method: string; path: string; public?: false; handle: (r: RouteRequest) => Promise<Reply> }
  | { method: string; path: string; public: true; handle: (r: PublicRouteRequest) => Promise<Reply> };

interface CompiledRoute {
  route: Route;
  segments: string[];
}

function splitPath(pathname: string): string[] {
  return pathname.split('/').filter((s, i, all) => s !== '' || (i > 0 && i < all.length - 1));
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export class RestRouter {
  private readonly compiled: CompiledRoute[];

  constructor(routes: Route[], private readonly services: Services) {
    this.compiled = routes.map((route) => ({ route, segments: splitPath(route.path) }));
  }

  private match(pathname: string) {
    const parts = splitPath(pathname);
    const matches: { route: Route; params: Record<string, string>; specificity: string }[] = [];
    for (const { route, segments } of this.compiled) {
      if (segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < segments.length; i++) {
        if (segments[i].startsWith(':')) params[segments[i].slice(1)] = decodeSegment(parts[i]);
        else if (segments[i] !== parts[i]) {
          ok = false;
          break;
        }
      }
      if (ok) matches.push({ route, params, specificity: segments.map((seg) => (seg.startsWith(':') ? '0' : '1')).join('') });
    }
    // Static segments win over parameters ("/chats/model-configs" is not chat "model-configs").
    const best = matches.reduce((top, m) => (m.specificity > top ? m.specificity : top), '');
    return matches.filter((m) => m.specificity === best);
  }

  /** Handles /api/*; answers every request with a complete JSON or empty response. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    try {
      const reply = await this.dispatch(req, url);
      // Answered before a large body finished arriving (e.g. 403 without reading it): close rather
      // than read the rest only to throw it away.
      if (!req.complete) res.setHeader('Connection', 'close');
      send(res, reply);
    } catch (error) {
      if (error instanceof ClientLeft) return;
      if (error instanceof DomainError) {
        if (error.kind === 'TooLarge' || !req.complete) res.setHeader('Connection', 'close');
        send(res, errorReply(error));
        return;
      }
      console.error('REST handler failed:', error);
      send(res, errorReply(new DomainError('Internal', 'Internal error.', 'unexpected failure')));
    }
  }

  private async dispatch(req: IncomingMessage, url: URL): Promise<Reply> {
    const method = (req.method ?? 'GET').toUpperCase();
    const matches = this.match(url.pathname);
    const exact = matches.find((m) => m.route.method === method || (method === 'HEAD' && m.route.method === 'GET'));
    const isPublic = exact?.route.public === true;
    // Authentication comes before anything else, the path included.
    let actor: Actor | undefined;
    const token = tokenFromHeaders(req.headers);
    if (!isPublic) actor = await this.services.users.authenticate(token);
    else if (token) actor = await this.services.users.authenticate(token).catch(() => undefined);

    // CSRF: a browser sends Origin with every unsafe request; one from another site may not write,
    // whether it rides on the session cookie or signs in (login CSRF). Scripts send no Origin.
    if (exact && !SAFE_METHODS.has(method)) {
      const origin = req.headers.origin;
      if (!originAllowed(origin, req.headers.host, configuredOrigins(this.services.config.accessUrl))) {
        drain(req);
        throw forbidden();
      }
    }

    if (!exact) {
      drain(req);
      if (matches.length === 0) return { status: 404, body: { message: 'Route not found.' } };
      const allow = [...new Set(matches.map((m) => m.route.method))];
      if (allow.includes('GET')) allow.push('HEAD');
      return { status: 405, headers: { Allow: allow.join(', ') } };
    }
    let reading: Promise<string> | undefined;
    const body = () => (reading ??= readBody(req));
    const request = { actor, params: exact.params, query: url.searchParams, body, req, services: this.services };
    return exact.route.public ? exact.route.handle(request) : exact.route.handle({ ...request, actor: actor! });
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function drain(req: IncomingMessage) {
  req.resume();
}
