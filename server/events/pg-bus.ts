import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { DEBUG_RESYNC_TOPIC } from '../debug/events.ts';
import { InProcessEventBus, type BusEvent, type EventBus } from './bus.ts';

export const NOTIFY_CHANNEL = 'experiments_events';
const MAX_BACKOFF_MS = 5000;

/**
 * Several server processes on one PostgreSQL: events go out with NOTIFY (after commit) and come
 * back through one dedicated LISTEN connection. Local subscribers get local events at once; the
 * process's own notifications are recognised by origin and skipped. After the LISTEN connection
 * is re-established, a resync event tells subscribers to catch up from their cursors.
 */
export class PgEventBus implements EventBus {
  private readonly local = new InProcessEventBus();
  private readonly origin = randomUUID();
  private readonly pool: pg.Pool;
  private listener?: pg.Client;
  /** The newest LISTEN client, connected or connecting: only its failures schedule a reconnect. */
  private current?: pg.Client;
  private closed = false;
  private backoff = 250;
  private reconnectTimer?: NodeJS.Timeout;
  readonly ready: Promise<void>;

  constructor(private readonly connectionString: string) {
    this.pool = new pg.Pool({ connectionString, max: 2 });
    this.pool.on('error', (error) => console.error('event bus pool error:', error.message));
    this.ready = this.connect(false);
  }

  private async connect(isReconnect: boolean): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString });
    this.current = client;
    client.on('notification', (message) => this.receive(message.payload));
    client.on('error', (error) => {
      console.error('event bus LISTEN connection lost:', error.message);
      this.scheduleReconnect(client);
    });
    client.on('end', () => this.scheduleReconnect(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(NOTIFY_CHANNEL)}`);
    } catch (error) {
      console.error('event bus could not LISTEN:', (error as Error).message);
      this.scheduleReconnect(client);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.listener = client;
    this.backoff = 250;
    if (isReconnect) this.local.publish(DEBUG_RESYNC_TOPIC, { reason: 'reconnected' });
  }

  private scheduleReconnect(client: pg.Client) {
    if (this.closed || client !== this.current) return;
    this.current = undefined;
    this.listener = undefined;
    client.removeAllListeners('end');
    client.end().catch(() => {});
    if (this.reconnectTimer) return;
    const delay = this.backoff;
    this.backoff = Math.min(MAX_BACKOFF_MS, this.backoff * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect(true);
    }, delay);
    this.reconnectTimer.unref();
  }

  private receive(raw: string | undefined) {
    if (!raw) return;
    try {
      const message = JSON.parse(raw) as { o: string; t: string; p: BusEvent['payload'] };
      if (message.o === this.origin) return;
      this.local.publish(message.t, message.p);
    } catch {
      console.error('event bus ignored a malformed notification');
    }
  }

  publish(topic: string, payload: BusEvent['payload']): void {
    this.local.publish(topic, payload);
    const message = JSON.stringify({ o: this.origin, t: topic, p: payload });
    this.pool.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, message]).catch((error: Error) => {
      console.error('event bus NOTIFY failed:', error.message);
    });
  }

  on(topic: string, listener: (payload: BusEvent['payload']) => void): () => void {
    return this.local.on(topic, listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.listener;
    this.listener = undefined;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
    }
    await this.pool.end().catch(() => {});
    await this.local.close();
  }
}
