import { HttpConnection } from '../support/http-connection.ts';

/** One request sent over and over: what a load window measures. */
export interface LoadTarget {
  name: string;
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoadPlan {
  targets: LoadTarget[];
  /** Rounds of one slice per target; the rounds go through every order of the targets in turn. */
  rounds: number;
  sliceMs: number;
  /** Connections per target, each sending its next request as soon as the last is answered. */
  concurrency: number;
}

export interface Slice {
  requests: number;
  errors: number;
  seconds: number;
}

/**
 * A closed-loop load generator, run in its own process with a LoadPlan as JSON argument; prints
 * { [target]: Slice[] } (one slice per round) as JSON. The targets take turns in short slices, so
 * a ratio between two targets compares measurements taken within a second of each other (these
 * machines' speed changes within seconds). Every order of the targets comes up equally often, so
 * none always follows another (and pays for its garbage). A slice counts the answers received
 * before its end; requests still in flight then finish before the next slice, uncounted. Requests are pre-built and answers read by length
 * (HttpConnection) rather than through fetch: the generator shares the two cores with the server,
 * and fetch's own cost per request (higher for a POST with a body than for a GET) would weigh on
 * some targets more than on others.
 */
async function main(plan: LoadPlan) {
  const prepared = plan.targets.map((target) => {
    const url = new URL(target.url);
    const head = [`${target.method} ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, ...Object.entries(target.headers).map(([k, v]) => `${k}: ${v}`)].join('\r\n');
    return { ...target, head, connections: Array.from({ length: plan.concurrency }, () => new HttpConnection(url)) };
  });
  const slices: Record<string, Slice[]> = Object.fromEntries(plan.targets.map((t) => [t.name, []]));
  const orders = permutations(prepared);
  // A first unmeasured round: connections open, server code paths warm.
  for (let round = -1; round < plan.rounds; round++) {
    for (const target of orders[Math.max(round, 0) % orders.length]) {
      let requests = 0;
      let errors = 0;
      const deadline = performance.now() + plan.sliceMs;
      await Promise.all(
        target.connections.map(async (connection) => {
          while (performance.now() < deadline) {
            const answer = await connection.send(target.head, target.body);
            if (performance.now() > deadline) break;
            if (answer.status >= 200 && answer.status < 300) requests++;
            else errors++;
          }
        }),
      );
      if (round >= 0) slices[target.name].push({ requests, errors, seconds: plan.sliceMs / 1000 });
    }
  }
  for (const target of prepared) for (const connection of target.connections) connection.close();
  return slices;
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

console.log(JSON.stringify(await main(JSON.parse(process.argv[2]) as LoadPlan)));
