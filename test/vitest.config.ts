import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import solid from 'vite-plugin-solid';
import { defineConfig } from 'vitest/config';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// One graphql module for our code and for Pothos/yoga (which load its CommonJS entry); otherwise
// Vite resolves our imports to index.mjs and graphql-js rejects types "from another realm".
const graphqlEntry = createRequire(import.meta.url).resolve('graphql');
const nodeResolve = { alias: [{ find: /^graphql$/, replacement: graphqlEntry }] };

export default defineConfig({
  root,
  test: {
    // PGlite instances cost hundreds of MB each: two workers at most.
    maxWorkers: 2,
    projects: [
      {
        resolve: nodeResolve,
        test: {
          name: 'server',
          root,
          environment: 'node',
          include: ['server/**/*.test.ts', 'test/server/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins: [solid()],
        test: {
          name: 'web',
          root,
          environment: 'jsdom',
          include: ['web/**/*.test.tsx', 'web/**/*.test.ts'],
          testTimeout: 15_000,
        },
      },
      {
        resolve: nodeResolve,
        test: {
          name: 'e2e',
          root,
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          // The second one checks for Chromium and builds the web app when it is stale.
          globalSetup: ['test/support/global-setup.ts', 'test/e2e/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
