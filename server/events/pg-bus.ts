import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { DEBUG_RESYNC_TOPIC } from '../debug/events.ts';
import { InProcessEventBus, type BusEvent, type EventBus } from './bus.ts';

export const NOTIFY_CHANNEL = 'experiments_events';
const MAX_BACKOFF_MS = 5000;
/** NOTIFY payloads must stay under PostgreSQL's 8000 bytes. */
const MAX_NOTIFY_BYTES = 7000;
/**
 * How long events wait to leave together. A NOTIFY is a transaction with its own commit; under
 * load one per loop turn cost PostgreSQL about a fifth of its time per write. Local subscribers are
 * not delayed; other processes see events up to this much later.
 */
const NOTIFY_BATCH_MS = 5;

/**
 * Several server processes on one PostgreSQL: events go out with NOTIFY (after commit) and come
 * back through one dedicated LISTEN connection. Local subscribers get local events at once; the
 * process's own notifications are recognised by origin and skipped. After the LISTEN connection
 * is re-established, a resync event tells subscribers to catch up from their cursors.
 *
 * Events published within NOTIFY_BATCH_MS leave in one statement, packed several to a notification:
 * under load that is one round trip and one commit for many writes instead of one each.
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
  private outbox: string[] = [];
  private flushing?: Promise<void>;
  private flushTimer?: NodeJS.Timeout;
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
      const message = JSON.parse(raw) as { o: string; e: [topic: string, payload: BusEvent['payload']][] };
      if (message.o === this.origin) return;
      for (const [topic, payload] of message.e) this.local.publish(topic, payload);
    } catch {
      console.error('event bus ignored a malformed notification');
    }
  }

  publish(topic: string, payload: BusEvent['payload']): void {
    this.local.publish(topic, payload);
    if (this.closed) return;
    this.outbox.push(JSON.stringify([topic, payload]));
    if (this.outbox.length === 1) this.flushTimer = setTimeout(() => void this.flush(), NOTIFY_BATCH_MS);
  }

  /** Sends what is queued as notifications of at most MAX_NOTIFY_BYTES, in one statement. */
  private async flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const events = this.outbox;
    this.outbox = [];
    if (events.length === 0) return;
    const prefix = `{"o":${JSON.stringify(this.origin)},"e":[`;
    const messages: string[] = [];
    let batch: string[] = [];
    let size = prefix.length + 2;
    for (const event of events) {
      if (batch.length > 0 && size + event.length + 1 > MAX_NOTIFY_BYTES) {
        messages.push(`${prefix}${batch.join(',')}]}`);
        batch = [];
        size = prefix.length + 2;
      }
      batch.push(event);
      size += event.length + 1;
    }
    messages.push(`${prefix}${batch.join(',')}]}`);
    const sending = this.pool
      .query('SELECT pg_notify($1, message) FROM unnest($2::text[]) WITH ORDINALITY AS m(message, n) ORDER BY n', [NOTIFY_CHANNEL, messages])
      .then(() => undefined, (error: Error) => console.error('event bus NOTIFY failed:', error.message));
    this.flushing = sending;
    await sending;
  }

  on(topic: string, listener: (payload: BusEvent['payload']) => void): () => void {
    return this.local.on(topic, listener);
  }

  async close(): Promise<void> {
    await this.flush();
    await this.flushing;
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
