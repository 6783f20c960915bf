import { writeFile } from 'node:fs/promises';
import { exportFileName, MAX_EXPORTED_RUNS } from '../debug/export-format.ts';

interface ExportOptions {
  chat: string;
  run?: string;
  url: string;
  token: string;
  out?: string;
}

export const EXPORT_USAGE = `Usage: npm run export -- --chat <chat id> [--run <run id>] [--url <server URL>] [--token <token>] [--out <file>]

Writes the chat's newest runs (at most ${MAX_EXPORTED_RUNS}), or one run with --run, as the Debug tab's export does.
--chat    or CHAT_ID
--url     or CODER_URL (default http://localhost:3000)
--token   or CODER_SESSION_TOKEN: a session token or an API key of the chat's owner or a reader
--out     the file to write (default: the browser export's file name, in the current directory)`;

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): ExportOptions {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    if (!arg.startsWith('--')) throw new Error(`Unexpected argument "${arg}".`);
    if (eq > 0) flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    else if (i + 1 < argv.length) flags.set(arg.slice(2), argv[++i]);
    else throw new Error(`Flag ${arg} needs a value.`);
  }
  for (const name of flags.keys()) if (!['chat', 'run', 'url', 'token', 'out'].includes(name)) throw new Error(`Unknown flag --${name}.`);
  const chat = flags.get('chat') ?? env.CHAT_ID;
  const url = flags.get('url') ?? env.CODER_URL ?? 'http://localhost:3000';
  const token = flags.get('token') ?? env.CODER_SESSION_TOKEN;
  if (!chat) throw new Error('Pass --chat <chat id> (or set CHAT_ID).');
  if (!token) throw new Error('Pass --token <session token or key> (or set CODER_SESSION_TOKEN).');
  // Only --run picks one run: a RUN_ID left in the environment (as the README's walkthrough leaves
  // one) must not turn a chat export into a run export.
  return { chat, run: flags.get('run'), url: url.replace(/\/+$/, ''), token, out: flags.get('out') };
}

async function getJson(options: ExportOptions, path: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${options.url}${path}`, { headers: { 'Coder-Session-Token': options.token } });
  } catch (error) {
    // Node's connection errors carry the reason in `cause` (an AggregateError with an empty message
    // when a name resolves to several addresses).
    const cause = (error as { cause?: { message?: string; code?: string } }).cause;
    const reason = cause?.message || cause?.code || (error as Error).message;
    throw new Error(`Cannot reach ${options.url}: ${reason}`);
  }
  const text = await response.text();
  if (!response.ok) {
    let message = text.trim();
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {
      // keep the raw text
    }
    throw new Error(`GET ${path} answered ${response.status}: ${message}`);
  }
  return JSON.parse(text);
}

/**
 * `export --chat <id> [--run <id>] [--url <url>] [--token <token>] [--out <file>]`: writes the same
 * envelope and file name as the browser export (web-ui.md section 5).
 */
export async function exportCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(EXPORT_USAGE);
    return 0;
  }
  const options = parseArgs(argv, env);
  const base = `/api/experimental/chats/${encodeURIComponent(options.chat)}/debug/runs`;
  const exportedAt = new Date().toISOString();
  let envelope: Record<string, unknown>;
  let id: string;
  if (options.run) {
    const run = await getJson(options, `${base}/${encodeURIComponent(options.run)}`);
    envelope = { version: 1, scope: 'run', exported_at: exportedAt, chat_id: options.chat, run_id: options.run, run };
    id = options.run;
  } else {
    const list = (await getJson(options, base)) as { id: string }[];
    const runs: unknown[] = [];
    const failed: { run_id: string; message: string }[] = [];
    for (const item of list.slice(0, MAX_EXPORTED_RUNS)) {
      try {
        runs.push(await getJson(options, `${base}/${item.id}`));
      } catch (error) {
        failed.push({ run_id: item.id, message: (error as Error).message });
      }
    }
    if (list.length > 0 && runs.length === 0) throw new Error('No debug run details could be fetched.');
    envelope = {
      version: 1,
      scope: 'chat',
      exported_at: exportedAt,
      chat_id: options.chat,
      run_count: runs.length,
      requested_run_count: list.length,
      limited_to_most_recent: MAX_EXPORTED_RUNS,
      ...(failed.length ? { failed_runs: failed } : {}),
      runs,
    };
    id = options.chat;
  }
  const file = options.out ?? exportFileName(options.run ? 'run' : 'chat', id, exportedAt);
  await writeFile(file, JSON.stringify(envelope, null, 2));
  console.log(`Wrote ${file}`);
  return 0;
}
