// Runs the whole suite and ends with one plain "N passed, N failed" line that CI reads.
// Extra arguments go to Vitest (e.g. `npm test -- --project server test/server/settings`).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const report = path.join(await mkdtemp(path.join(os.tmpdir(), 'vitest-report-')), 'report.json');
const args = ['vitest', 'run', '--config', 'test/vitest.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)];
const child = spawn('npx', args, { stdio: 'inherit', env: process.env });
const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const summary = JSON.parse(await readFile(report, 'utf8'));
  passed = summary.numPassedTests;
  failed = summary.numFailedTests + (summary.numRuntimeErrorTestSuites ?? 0);
  skipped = (summary.numPendingTests ?? 0) + (summary.numTodoTests ?? 0);
} catch {
  failed = Math.max(failed, 1);
}
// A run that failed before or around the tests (global setup, a crash) still counts as a failure.
if (code !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(code !== 0 || failed > 0 ? 1 : 0);
