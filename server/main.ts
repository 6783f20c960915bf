import './production-env.ts';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase } from './db/database.ts';
import { DataDirLockedError } from './db/lock.ts';
import { exportCommand } from './cli/export.ts';
import { purgeCommand } from './cli/purge.ts';

const SERVER_USAGE = `Usage: npm start -- [flags]   (or: node --import tsx server/main.ts [flags])

Serves the API and the web app. The flags and their environment variables are listed in README.md
under "Configuration", e.g. --port / PORT, --data-dir / DATA_DIR, --database-url / DATABASE_URL.
Commands: \`purge\` (retention now; npm run purge -- --help) and \`export\` (npm run export -- --help).`;

const PURGE_USAGE = `Usage: npm run purge -- [flags]

Deletes, now, debug runs past debug retention and archived chats past chat retention, as the
server does at start and every 10 minutes. Takes the server's flags and environment (--data-dir, DATABASE_URL, …);
on the embedded database it needs the data directory unlocked (the server stopped).`;

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const wantsHelp = (args: string[]) => args.includes('--help') || args.includes('-h');
  if (command === 'purge' && wantsHelp(rest)) return console.log(PURGE_USAGE);
  if (command !== 'export' && wantsHelp(process.argv.slice(2))) return console.log(SERVER_USAGE);
  if (command === 'purge') process.exit(await purgeCommand(rest));
  if (command === 'export') process.exit(await exportCommand(rest));
  const config = loadConfig(process.argv.slice(2));
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const app = await buildApp({ config, database });
  const url = await app.start();
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received: shutting down.`);
    try {
      await app.stop();
      await database.close();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  // Announced only once a signal can stop the server gracefully: a supervisor may send SIGTERM as
  // soon as it reads this line, and without the handlers Node would die without releasing the lock.
  const storage = database.kind === 'postgres' ? 'PostgreSQL' : `embedded PGlite in ${config.dataDir}`;
  console.log(`Experiments is serving ${url} (${storage})`);
  if (config.chatDebugLoggingEnabled) console.log('Chat debug logging is forced on for every chat by the deployment override.');
}

process.on('uncaughtException', (error) => console.error('uncaught exception:', error));

main().catch((error) => {
  if (error instanceof ConfigError || error instanceof DataDirLockedError) console.error(`error: ${error.message}`);
  else if (['purge', 'export'].includes(process.argv[2] ?? '')) console.error(`error: ${error instanceof Error ? error.message : error}`);
  else console.error('error: the server could not start:', error);
  process.exit(1);
});
