import { builder } from './builder.ts';
import './users.ts';
import './experiments.ts';
import './desktop.ts';
import './advisor.ts';
import './debug-logging.ts';
import './model-configs.ts';
import './providers.ts';
import './chats.ts';
import './debug.ts';

export const schema = builder.toSchema({ sortSchema: false });
