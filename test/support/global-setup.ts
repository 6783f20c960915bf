import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { TestProject } from 'vitest/node';
import { applyAllMigrations } from '../../server/db/schema-engine.ts';

/**
 * Migrates one in-memory PGlite and saves its data directory; each test file loads a copy (0.4 s).
 * Several projects (server, e2e) run this setup in the same process: the template is built once
 * per process, because two schema engines migrating at once share the wasm module and crash.
 */
export default async function setup(project: TestProject) {
  const shared = globalThis as { experimentsTemplate?: Promise<string> };
  shared.experimentsTemplate ??= buildTemplate();
  project.provide('pgliteTemplate', await shared.experimentsTemplate);
}

async function buildTemplate(): Promise<string> {
  const pglite = new PGlite('memory://');
  await applyAllMigrations(new PrismaPGlite(pglite));
  const dump = await pglite.dumpDataDir('gzip');
  await pglite.close();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'experiments-test-'));
  const file = path.join(dir, 'template.tar.gz');
  await writeFile(file, Buffer.from(await dump.arrayBuffer()));
  return file;
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}
