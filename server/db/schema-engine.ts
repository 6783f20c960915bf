import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';

// The package root imports the .wasm as an ES module, which Node 20 cannot load: use the JS glue
// and instantiate the module by hand (see shared/stack.md §2).
import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg';

export const PRISMA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../prisma');
export const MIGRATIONS_DIR = path.join(PRISMA_DIR, 'migrations');
export const SCHEMA_PATH = path.join(PRISMA_DIR, 'schema.prisma');

const filters = { externalTables: [], externalEnums: [] };
// Once per process, not per module instance: every instance shares the one glue module, and a
// second instantiation would swap the wasm under an engine in use.
const shared = globalThis as { experimentsSchemaWasm?: Promise<void> };

function loadWasm(): Promise<void> {
  shared.experimentsSchemaWasm ??= (async () => {
    const gluePath = createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bytes = await readFile(gluePath.replace(/\.js$/, '.wasm'));
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { './schema_engine_bg.js': glue });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start: () => void }).__wbindgen_start();
  })();
  return shared.experimentsSchemaWasm;
}

export interface MigrationsList {
  baseDir: string;
  lockfile: { path: string; content: string | null };
  shadowDbInitScript: string;
  migrationDirectories: { path: string; migrationFile: { path: string; content: { tag: 'ok'; value: string } } }[];
}

export async function readMigrationsList(baseDir = MIGRATIONS_DIR): Promise<MigrationsList> {
  const entries = await readdir(baseDir, { withFileTypes: true }).catch(() => []);
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const migrationDirectories = await Promise.all(
    names.map(async (name) => ({
      path: name,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok' as const, value: await readFile(path.join(baseDir, name, 'migration.sql'), 'utf8') },
      },
    })),
  );
  const lock = await readFile(path.join(baseDir, 'migration_lock.toml'), 'utf8').catch(() => null);
  return { baseDir, lockfile: { path: 'migration_lock.toml', content: lock }, shadowDbInitScript: '', migrationDirectories };
}

export interface SchemaEngine {
  applyMigrations(list: MigrationsList): Promise<string[]>;
  devDiagnostic(list: MigrationsList): Promise<{ tag: string; reason?: string }>;
  createMigration(list: MigrationsList, name: string): Promise<{ generatedMigrationName: string; migrationScript: string | null }>;
  free(): void;
}

export async function openSchemaEngine(factory: SqlMigrationAwareDriverAdapterFactory): Promise<SchemaEngine> {
  await loadWasm();
  const schemaText = await readFile(SCHEMA_PATH, 'utf8');
  const engine = await glue.SchemaEngine.new(
    { datamodels: [[SCHEMA_PATH, schemaText]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(factory),
  );
  return {
    async applyMigrations(migrationsList) {
      const result = await engine.applyMigrations({ migrationsList, filters });
      return result.appliedMigrationNames;
    },
    async devDiagnostic(migrationsList) {
      const result = await engine.devDiagnostic({ migrationsList, filters });
      return result.action;
    },
    async createMigration(migrationsList, migrationName) {
      return engine.createMigration({
        draft: false,
        migrationName,
        migrationsList,
        schema: { files: [{ path: SCHEMA_PATH, content: schemaText }] },
        filters,
      });
    },
    free: () => engine.free(),
  };
}

/** Applies every pending migration in prisma/migrations ("migrate deploy"). */
export async function applyAllMigrations(factory: SqlMigrationAwareDriverAdapterFactory): Promise<string[]> {
  const engine = await openSchemaEngine(factory);
  try {
    return await engine.applyMigrations(await readMigrationsList());
  } finally {
    engine.free();
  }
}
