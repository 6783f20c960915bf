// `npm run demo`: the server with a demo owner, a chat and a simulated agent recording runs live.
import '../production-env.ts';
import path from 'node:path';
import { buildApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { NIL_UUID } from '../util/uuid.ts';
import { startDemoAgent } from './agent.ts';
import { startFakeProvider } from './fake-provider.ts';

export const DEMO_EMAIL = 'demo@example.com';
export const DEMO_PASSWORD = 'demo-password';

const argv = process.argv.slice(2);
const config = loadConfig(argv.some((a) => a.startsWith('--data-dir')) ? argv : ['--data-dir', path.resolve('.data/demo'), ...argv]);
const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
const app = await buildApp({ config, database });
const url = await app.start();
const { users, chats, settings, advisor } = app.services;

const fresh = !(await users.hasAnyUser());
if (fresh) {
  await users.createFirstUser({ email: DEMO_EMAIL, username: 'demo', password: DEMO_PASSWORD, name: 'Demo Owner' });
}
let session;
try {
  session = await users.login(DEMO_EMAIL, DEMO_PASSWORD);
} catch {
  console.error(`The data directory ${config.dataDir} already has users but no ${DEMO_EMAIL}. Pass --data-dir with an empty directory.`);
  process.exit(1);
}
const actor = await users.authenticate(session.token);
// Open the recording gate the way an admin and a user would: allow opt-in, then opt in.
if (!settings.forcedByDeployment) {
  await settings.setDebugLoggingAdmin(actor, () => ({ allow_users: true }));
  await settings.setUserDebugLogging(actor, () => ({ debug_logging_enabled: true }));
}
// The agent asks the advisor now and then; a later change in Settings → Experiments is kept.
if (fresh) {
  await advisor.setConfig(actor, () => ({ enabled: true, max_uses_per_run: 2, max_output_tokens: 0, model_config_id: NIL_UUID, reasoning_effort: 'high' }));
}
const existing = (await chats.list(actor)).find((c) => c.title === 'Fix the flaky build');
const chat =
  existing ??
  (await chats.create(actor, () => ({ title: 'Fix the flaky build', parent_chat_id: NIL_UUID, model_config_id: NIL_UUID, workspace_template_modules: ['portabledesktop'] })));

const provider = await startFakeProvider({ streamDelayMs: 150 });
const stopAgent = startDemoAgent({ url: url.replace('localhost', '127.0.0.1'), token: session.token, chatId: chat.id, provider });

console.log(`
  Demo running at ${url}
  Sign in as ${DEMO_EMAIL} / ${DEMO_PASSWORD}, then open ${url}/agents/${chat.id}
  and the Debug tab: a simulated agent records a run every few seconds.
`);

const stop = async () => {
  stopAgent();
  await provider.close();
  await app.stop();
  await database.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
