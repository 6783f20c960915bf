import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { percentile, request, type ServerProcess } from './harness.ts';

export interface FanoutResult {
  subscribers: number;
  events: number;
  p50Ms: number;
  p99Ms: number;
  /** The run start, the first event these subscriptions receive (a cold path in a fresh server). */
  firstEventP99Ms: number;
  warmupEvents: number;
  deliveriesPerSecond: number;
  /** V8 heap + external memory per idle subscription, after a full GC, before and after subscribing. */
  idleBytesPerSubscriber: number;
}

const QUERY = 'subscription($c: ID!) { chatDebugEvents(chatId: $c) { cursor kind step { stepNumber status } } }';

/**
 * `subscribers` graphql-ws clients (one socket each) subscribe to one chat; then steps are written
 * one at a time through the REST ingestion API. Latency is measured from just before the write
 * request to each delivery, all on this process's clock. The first event (the run start) is
 * reported on its own; `warmup` steps follow unmeasured, so the figures describe a server whose
 * delivery path has been compiled, as in a server that has been running; then `events` steps are measured.
 */
export async function benchFanout(server: ServerProcess, token: string, chatId: string, subscribers: number, events = 20, warmup = 5): Promise<FanoutResult> {
  const wsUrl = `${server.url.replace('http', 'ws')}/graphql`;
  const liveBefore = await server.liveBytes();
  const clients: Client[] = [];
  const latencies: number[] = [];
  let sentAt = 0;
  let received = 0;
  let ready = 0;
  let onAllReceived: (() => void) | undefined;
  for (let i = 0; i < subscribers; i++) {
    const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { sessionToken: token }, lazy: false });
    clients.push(client);
    await new Promise<void>((resolve, reject) => {
      client.on('connected', () => resolve());
      client.on('error', reject);
    });
    client.subscribe({ query: QUERY, variables: { c: chatId } }, {
      next: () => {
        latencies.push(performance.now() - sentAt);
        received++;
        if (received % subscribers === 0) onAllReceived?.();
      },
      error: (error) => console.error('subscriber error', error),
      complete: () => {},
    });
    ready++;
  }
  // Let every subscription register before measuring.
  await new Promise((r) => setTimeout(r, Math.min(5000, 500 + subscribers)));
  const idleBytesPerSubscriber = Math.round(((await server.liveBytes()) - liveBefore) / subscribers);
  const runs = `${server.url}/api/experimental/chats/${chatId}/debug/runs`;
  const firstDelivered = new Promise<void>((resolve) => (onAllReceived = resolve));
  sentAt = performance.now();
  const run = await request(runs, 'POST', { kind: 'chat_turn' }, token);
  await firstDelivered;
  const firstEventP99Ms = percentile(latencies, 99);
  const writeStep = async () => {
    const done = new Promise<void>((resolve) => (onAllReceived = resolve));
    sentAt = performance.now();
    await request(`${runs}/${run.json.id}/steps`, 'POST', { operation: 'stream', normalized_request: { messages: [] } }, token);
    await done;
  };
  for (let e = 0; e < warmup; e++) await writeStep();
  latencies.length = 0;
  received = 0;
  const started = performance.now();
  for (let e = 0; e < events; e++) await writeStep();
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((c) => c.dispose()));
  return {
    subscribers: ready,
    events,
    p50Ms: Math.round(percentile(latencies, 50) * 10) / 10,
    p99Ms: Math.round(percentile(latencies, 99) * 10) / 10,
    firstEventP99Ms: Math.round(firstEventP99Ms * 10) / 10,
    warmupEvents: warmup,
    deliveriesPerSecond: Math.round(latencies.length / seconds),
    idleBytesPerSubscriber,
  };
}
