import type { Config } from './config.ts';
import type { Db } from './db/database.ts';
import type { EventBus } from './events/bus.ts';
import type { SecretBox } from './providers/secret-box.ts';

/** What every service needs: storage, configuration, the event bus. */
export interface ServiceDeps {
  db: Db;
  config: Config;
  events: EventBus;
  secrets: SecretBox;
  now?: () => Date;
}
