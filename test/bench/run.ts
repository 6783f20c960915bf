// `npm run bench`: figures reported, never asserted. Writes bench/results.json and prints a table.
// The reads part serves from this process, configured as the server's entry point configures it.
import '../../server/production-env.ts';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createPostgresDatabase, dropPostgresDatabase } from '../../server/db/database.ts';
import { POSTGRES_ADMIN_URL } from '../support/database.ts';
import { benchFanout } from './fanout.ts';
import { ROOT, request, setupOwnerAndChat, startFloorProcess, startServerProcess } from './harness.ts';
import { benchIngestion, type IngestionResult } from './ingestion.ts';
import { benchColdStart } from './cold-start.ts';
import { cpuPerUnit, sampleCpu } from './cpu.ts';
import { benchReads } from './reads.ts';

const only = process.argv.slice(2);
const wants = (name: string) => only.length === 0 || only.includes(name);
const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
};
const rows: string[][] = [];

/** Concurrent writers, each an agent recording its own chat. */
const WRITERS = [1, 4, 16];

/**
 * The store-and-echo floor at the most writers, on the same database, right after the product:
 * what the machine gives a server doing next to nothing (floor-server.ts).
 */
async function floorOn(databaseUrl: string, product: IngestionResult) {
  const floor = await startFloorProcess(databaseUrl);
  try {
    const writers = Math.max(...WRITERS);
    const chats = Array.from({ length: writers }, () => randomUUID());
    await benchIngestion(floor.url, 'none', chats.slice(0, 4), 3000); // warm-up
    const before = sampleCpu(floor.child.pid!);
    const result = await benchIngestion(floor.url, 'none', chats, 10_000);
    const cpuPerStep = cpuPerUnit(before, sampleCpu(floor.child.pid!), result.steps);
    const ratio = Math.round((product.stepsPerSecond / result.stepsPerSecond) * 100) / 100;
    results.ingestion_PostgreSQL_floor = { ...result, cpuPerStep, productRatio: ratio };
    rows.push([
      `Ingestion, PostgreSQL, store-and-echo floor, ${writers} writers`,
      `${result.stepsPerSecond} steps/s`,
      `the product reached ${ratio} of it; CPU per step: server ${cpuPerStep.serverMs} ms, PostgreSQL ${cpuPerStep.postgresMs} ms`,
    ]);
  } finally {
    await floor.stop();
  }
}

/** Returns the result at the most writers. */
async function ingestionOn(label: string, databaseUrl?: string): Promise<IngestionResult> {
  const server = await startServerProcess({ databaseUrl });
  try {
    const { token, chatId } = await setupOwnerAndChat(server.url);
    const chats = [chatId];
    while (chats.length < Math.max(...WRITERS)) chats.push((await request(`${server.url}/api/experimental/chats`, 'POST', {}, token)).json.id);
    await benchIngestion(server.url, token, chats.slice(0, 4), 3000); // warm-up
    const byWriters: Record<string, IngestionResult & { cpuPerStep: ReturnType<typeof cpuPerUnit> }> = {};
    for (const writers of WRITERS) {
      const before = sampleCpu(server.child.pid!);
      const result = await benchIngestion(server.url, token, chats.slice(0, writers), 10_000);
      // Where each step's CPU went: with two cores shared by all three, this is what bounds throughput.
      const cpuPerStep = cpuPerUnit(before, sampleCpu(server.child.pid!), result.steps);
      byWriters[`writers${writers}`] = { ...result, cpuPerStep };
      rows.push([
        `Ingestion, ${label}, ${writers} writer${writers === 1 ? '' : 's'}`,
        `${result.stepsPerSecond} steps/s`,
        `${result.stepsPerSecond * 2} writes/s; append p50 ${result.appendP50Ms} ms, p99 ${result.appendP99Ms} ms; ` +
          `CPU per step: server ${cpuPerStep.serverMs} ms, PostgreSQL ${cpuPerStep.postgresMs} ms, load generator ${cpuPerStep.loadGeneratorMs} ms`,
      ]);
    }
    results[`ingestion_${label}`] = byWriters;
    return byWriters[`writers${Math.max(...WRITERS)}`];
  } finally {
    await server.stop();
  }
}

if (wants('ingestion') || wants('ingestion-pglite')) await ingestionOn('PGlite');
if (wants('ingestion') || wants('ingestion-postgres')) {
  const name = `exp_bench_${Date.now()}`;
  const url = await createPostgresDatabase(POSTGRES_ADMIN_URL, name);
  try {
    await floorOn(url, await ingestionOn('PostgreSQL', url));
  } finally {
    await dropPostgresDatabase(POSTGRES_ADMIN_URL, name);
  }
}

if (wants('fanout')) {
  const fanout: unknown[] = [];
  for (const n of [100, 1000, 5000]) {
    const server = await startServerProcess({ memoryProbe: true });
    try {
      const { token, chatId } = await setupOwnerAndChat(server.url);
      const r = await benchFanout(server, token, chatId, n);
      fanout.push(r);
      rows.push([
        `Fan-out to ${n} subscribers`,
        `p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms`,
        `${r.deliveriesPerSecond} deliveries/s, first event p99 ${r.firstEventP99Ms} ms, ${Math.round(r.idleBytesPerSubscriber / 1024)} KiB per idle subscriber`,
      ]);
    } finally {
      await server.stop();
    }
  }
  results.fanout = fanout;
}

if (wants('reads')) {
  const reads = await benchReads();
  results.reads = reads;
  const rounds = (range: [number, number]) => `median of ${reads.rounds} rounds, ${range[0]}–${range[1]}`;
  rows.push(['REST list of 100 runs', `${reads.restRps} req/s`, `${reads.restRatio} × baseline (${rounds(reads.restRatioRange)}; baseline ${reads.baselineRps} req/s, one SQL query + JSON.stringify)`]);
  rows.push(['GraphQL chat { debugRuns }', `${reads.graphqlRps} req/s`, `${reads.graphqlRatio} × baseline (${rounds(reads.graphqlRatioRange)})`]);
}

if (wants('cold-start')) {
  const cold = await benchColdStart();
  results.coldStart = cold;
  rows.push(['Cold start, empty database', `${cold.emptyMs} ms`, 'process start to first answered request']);
  rows.push([`Cold start, ${cold.steps.toLocaleString('en-US')} steps`, `${cold.fullMs} ms`, 'same, embedded PGlite']);
}

await mkdir(path.join(ROOT, 'bench'), { recursive: true });
// A partial run (`npm run bench -- ingestion`) replaces only its own figures in the file.
const file = path.join(ROOT, 'bench/results.json');
const previous = only.length === 0 ? {} : (JSON.parse(await readFile(file, 'utf8').catch(() => '{}')) as Record<string, unknown>);
await writeFile(file, `${JSON.stringify({ ...previous, ...results }, null, 2)}\n`);
const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length), 6));
console.log(`\n${results.machine}\n`);
for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i])).join('  '));
console.log('\nWrote bench/results.json');
process.exit(0);
