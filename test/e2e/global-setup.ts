// E2E global setup: the browser tests need Debian's Chromium and the built web app (the server
// serves dist/web). Chromium missing is a loud failure, never a skip; the app is rebuilt when
// dist/web/index.html is missing or older than any web source.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_PATH, assertChromium } from './support.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const INDEX = path.join(root, 'dist/web/index.html');

function newestSourceTime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceTime(full));
    // Tests are not part of the bundle.
    else if (!/\.test\.tsx?$/.test(entry.name)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

export default function setup() {
  assertChromium();
  const sources = Math.max(newestSourceTime(path.join(root, 'web')), statSync(path.join(root, 'package.json')).mtimeMs);
  if (existsSync(INDEX) && statSync(INDEX).mtimeMs >= sources) return;
  console.log(`e2e: building the web app (dist/web is ${existsSync(INDEX) ? 'older than web/' : 'missing'}); Chromium at ${CHROMIUM_PATH}`);
  const result = spawnSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`e2e: building the web app failed (exit ${result.status}).`);
}
