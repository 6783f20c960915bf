import type { Config } from './config.ts';
import type { Db } from './db/database.ts';
import type { Sql } from './db/sql.ts';
import type { EventBus } from './events/bus.ts';
import type { SecretBox } from './providers/secret-box.ts';

/** What every service needs: storage, configuration, the event bus. */
export interface ServiceDeps {
  db: Db;
  /** Raw SQL on the same database, for hot paths. */
  sql: Sql;
  config: Config;
  events: EventBus;
  secrets: SecretBox;
  now?: () => Date;
}

/** A request's decoded input, produced only when the service asks for it (after its checks). */
export type Lazy<T> = () => T | Promise<T>;
