import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** On every response: no MIME sniffing, no framing, no full URLs leaked to other origins. */
export const BASE_SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
};

/** The web app's pages. */
export const SECURITY_HEADERS: Record<string, string> = {
  ...BASE_SECURITY_HEADERS,
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
};

/** JSON answers (REST, GraphQL, health): nothing in them may load or be framed. */
export const API_SECURITY_HEADERS: Record<string, string> = {
  ...BASE_SECURITY_HEADERS,
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Cache-Control': 'no-store',
};

/** Serves the built single-page app: files by path, index.html for every other GET (deep links). */
export async function serveWeb(root: string | undefined, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    res.writeHead(400).end();
    return;
  }
  const base = root ? path.resolve(root) : undefined;
  const file = base ? path.resolve(base, `.${path.posix.normalize(pathname)}`) : undefined;
  const info = file && file.startsWith(base + path.sep) ? await stat(file).catch(() => null) : null;
  const target = info?.isFile() ? file! : base ? path.join(base, 'index.html') : undefined;
  const targetInfo = info?.isFile() ? info : target ? await stat(target).catch(() => null) : null;
  if (!target || !targetInfo) {
    res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' }).end('The web app is not built. Run `npm run build`.\n');
    return;
  }
  const immutable = target.includes(`${path.sep}assets${path.sep}`);
  res.writeHead(200, {
    'Content-Type': TYPES[path.extname(target)] ?? 'application/octet-stream',
    'Content-Length': targetInfo.size,
    'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(target).pipe(res);
}
