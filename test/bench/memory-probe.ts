// Preloaded into the server process by the fan-out bench (never by the product): on SIGUSR2 it
// collects garbage and appends the V8 heap and external memory to $MEMORY_PROBE_FILE as one JSON line.
import { appendFileSync } from 'node:fs';

const file = process.env.MEMORY_PROBE_FILE;
const gc = (globalThis as { gc?: () => void }).gc;
if (file && gc) {
  process.on('SIGUSR2', () => {
    gc();
    gc();
    const { heapUsed, external, rss } = process.memoryUsage();
    appendFileSync(file, `${JSON.stringify({ heapUsed, external, rss })}\n`);
  });
}
