import path from 'node:path';
import { DEFAULT_LOGIN_THROTTLE, type LoginThrottleOptions } from './auth/rate-limit.ts';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  /** Deployment override: forces chat debug logging on for every chat. */
  chatDebugLoggingEnabled: boolean;
  accessUrl?: string;
  secretsKey?: string;
  /** Serve the built web app from this folder, when present. */
  webDist?: string;
  /** Development mode enables introspection. */
  dev: boolean;
  /** Environment fallbacks for provider API keys (ANTHROPIC_API_KEY, OPENAI_API_KEY). */
  providerEnvKeys: Record<string, string | undefined>;
  /** Run the retention purge and stale finalisation timers. */
  backgroundJobs: boolean;
  /** Sign-in throttling: failed attempts per email and per client address in a fixed window. */
  loginThrottle: LoginThrottleOptions;
  /** How long a looked-up key is remembered (0 = look it up on every request); see auth/key-cache.ts. */
  keyCacheMs: number;
}

const TRUE_WORDS = new Set(['1', 'true', 't', 'yes', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'f', 'no', 'off', '']);

export class ConfigError extends Error {}

function parseBool(name: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (TRUE_WORDS.has(v)) return true;
  if (FALSE_WORDS.has(v)) return false;
  throw new ConfigError(`${name} must be true or false, got "${value}".`);
}

function parsePort(name: string, value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`${name} must be a port number, got "${value}".`);
  return port;
}

function parseCount(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new ConfigError(`${name} must be a whole number ≥ 0, got "${value}".`);
  return n;
}

/** Flags win over the environment. Unknown flags are an error so typos do not pass silently. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): Config {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new ConfigError(`Unexpected argument "${arg}".`);
    const eq = arg.indexOf('=');
    if (eq > 0) flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    else if (arg === '--chat-debug-logging-enabled' || arg === '--dev' || arg === '--no-background-jobs') flags.set(arg.slice(2), 'true');
    else if (i + 1 < argv.length) flags.set(arg.slice(2), argv[++i]);
    else throw new ConfigError(`Flag ${arg} needs a value.`);
  }
  const known = new Set([
    'port', 'host', 'data-dir', 'database-url', 'chat-debug-logging-enabled', 'access-url', 'secrets-key', 'web-dist', 'dev', 'no-background-jobs',
    'login-rate-limit-email', 'login-rate-limit-address', 'login-rate-limit-window', 'key-cache-seconds',
  ]);
  for (const name of flags.keys()) if (!known.has(name)) throw new ConfigError(`Unknown flag --${name}.`);

  const pick = (flag: string, envName: string) => flags.get(flag) ?? env[envName];
  const override = pick('chat-debug-logging-enabled', 'CODER_CHAT_DEBUG_LOGGING_ENABLED');
  const port = pick('port', 'PORT');
  const count = (flag: string, envName: string, fallback: number) => {
    const value = pick(flag, envName);
    return value === undefined || value === '' ? fallback : parseCount(`--${flag}`, value);
  };
  return {
    port: port === undefined ? 3000 : parsePort('--port', port),
    host: pick('host', 'HOST') ?? '0.0.0.0',
    dataDir: path.resolve(pick('data-dir', 'DATA_DIR') ?? '.data'),
    databaseUrl: pick('database-url', 'DATABASE_URL') || undefined,
    chatDebugLoggingEnabled: override === undefined ? false : parseBool('CODER_CHAT_DEBUG_LOGGING_ENABLED', override),
    accessUrl: pick('access-url', 'ACCESS_URL'),
    secretsKey: pick('secrets-key', 'SECRETS_KEY') || undefined,
    webDist: pick('web-dist', 'WEB_DIST') ?? path.resolve('dist/web'),
    dev: flags.has('dev') || env.NODE_ENV === 'development',
    providerEnvKeys: { anthropic: env.ANTHROPIC_API_KEY || undefined, openai: env.OPENAI_API_KEY || undefined },
    backgroundJobs: !flags.has('no-background-jobs'),
    loginThrottle: {
      perEmail: count('login-rate-limit-email', 'LOGIN_RATE_LIMIT_EMAIL', DEFAULT_LOGIN_THROTTLE.perEmail),
      perAddress: count('login-rate-limit-address', 'LOGIN_RATE_LIMIT_ADDRESS', DEFAULT_LOGIN_THROTTLE.perAddress),
      windowMs: count('login-rate-limit-window', 'LOGIN_RATE_LIMIT_WINDOW_SECONDS', DEFAULT_LOGIN_THROTTLE.windowMs / 1000) * 1000,
    },
    keyCacheMs: count('key-cache-seconds', 'KEY_CACHE_SECONDS', 5) * 1000,
  };
}
