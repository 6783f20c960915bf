import { createContext, useContext } from 'solid-js';
import { STEADY_CONNECTION, type LiveConnection } from './client.ts';

/** The app's socket state, for views that show live data (the Debug tab). */
export const LiveConnectionContext = createContext<LiveConnection>(STEADY_CONNECTION);

export const useLiveConnection = (): LiveConnection => useContext(LiveConnectionContext);
