import { HttpConnection } from './http-client.ts';

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
  /** Rounds of one slice per target, in an order rotated every round. */
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
 * machines' speed changes within seconds). Requests are pre-built and answers read by length
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
  // A first unmeasured round: connections open, server code paths warm.
  for (let round = -1; round < plan.rounds; round++) {
    for (let turn = 0; turn < prepared.length; turn++) {
      const target = prepared[(Math.max(round, 0) + turn) % prepared.length];
      let requests = 0;
      let errors = 0;
      const started = performance.now();
      const deadline = started + plan.sliceMs;
      // Each connection sends until the slice ends; the slice lasts until its last answer.
      await Promise.all(
        target.connections.map(async (connection) => {
          while (performance.now() < deadline) {
            const answer = await connection.send(target.head, target.body);
            if (answer.status >= 200 && answer.status < 300) requests++;
            else errors++;
          }
        }),
      );
      if (round >= 0) slices[target.name].push({ requests, errors, seconds: (performance.now() - started) / 1000 });
    }
  }
  for (const target of prepared) for (const connection of target.connections) connection.close();
  return slices;
}

console.log(JSON.stringify(await main(JSON.parse(process.argv[2]) as LoadPlan)));
