import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { SCHEMA_FILE, printedSchema } from '../../server/graphql/print-schema.ts';

describe('schema.graphql', () => {
  it('matches the schema the server builds (run `npm run schema:print` after changing it)', async () => {
    expect(await readFile(SCHEMA_FILE, 'utf8')).toBe(printedSchema());
  });

  it('keeps the names clients depend on', () => {
    const sdl = printedSchema();
    for (const name of ['me: User', 'experiments: [Experiment!]', 'advisorConfig: AdvisorConfig', 'chats: [Chat!]', 'chat(id: ID!): Chat']) {
      expect(sdl).toContain(name);
    }
    expect(sdl).toMatch(/enum ExperimentId {\s+ADVISOR\s+DEBUG_LOGGING\s+VIRTUAL_DESKTOP\s+}/);
  });
});
