/**
 * Whether a request's `Origin` is this server's own (same host as the `Host` header) or one of the
 * configured origins (`--access-url`). No Origin (curl, scripts, agent runtimes) is allowed: the
 * check is against browsers, which always send one on WebSocket upgrades and on unsafe methods.
 * `null` (sandboxed frames, some redirects) and unparsable values are refused.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  return host !== undefined && parsed.host === host.toLowerCase();
}

/** The configured browser origins: that of `--access-url`, when set. */
export function configuredOrigins(accessUrl: string | undefined): string[] {
  if (!accessUrl) return [];
  try {
    return [new URL(accessUrl).origin];
  } catch {
    return [];
  }
}
