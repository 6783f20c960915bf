// `npm run dev`: the API server on port 3001 plus Vite's dev server on 3000, which proxies
// /api and /graphql (WebSocket included) to it. Extra flags go to the API server, e.g.
// `npm run dev -- --data-dir /tmp/dev-data --chat-debug-logging-enabled`.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';
import { buildApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { openDatabase } from '../server/db/database.ts';
import { DEV_API_PORT } from './vite.config.ts';

const webRoot = path.dirname(fileURLToPath(import.meta.url));

async function main() {
  const config = loadConfig(['--port', String(DEV_API_PORT), '--host', '127.0.0.1', '--dev', ...process.argv.slice(2)]);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const app = await buildApp({ config, database });
  const apiUrl = await app.start();
  console.log(`API server: ${apiUrl} (${database.kind === 'postgres' ? 'PostgreSQL' : `PGlite in ${config.dataDir}`})`);

  const vite = await createServer({ configFile: path.join(webRoot, 'vite.config.ts') });
  await vite.listen();
  vite.printUrls();

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    try {
      await vite.close();
      await app.stop();
      await database.close();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error) => {
  console.error('error: the dev servers could not start:', error);
  process.exit(1);
});
