import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { InProcessEventBus } from '../events/bus.ts';
import { PgEventBus } from '../events/pg-bus.ts';
import { SecretBox } from '../providers/secret-box.ts';
import { createServices } from '../services.ts';

/** `purge`: one pass of the debug-retention and chat-retention purges, now. */
export async function purgeCommand(argv: string[]): Promise<number> {
  const config = loadConfig(argv);
  // Takes the data-directory lock like the server: a running server purges on its own timer.
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const events = database.kind === 'postgres' && database.connectionString ? new PgEventBus(database.connectionString) : new InProcessEventBus();
  try {
    const services = createServices({ db: database.prisma, sql: database.sql, config, events, secrets: SecretBox.fromPassphrase('unused-by-purge') });
    const result = await services.maintenance.purgeNow();
    console.log(`Deleted ${result.chats} archived ${result.chats === 1 ? 'chat' : 'chats'} and ${result.debugRuns} debug ${result.debugRuns === 1 ? 'run' : 'runs'}.`);
    return 0;
  } finally {
    await events.close();
    await database.close();
  }
}
