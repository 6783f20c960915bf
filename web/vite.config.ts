import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

const webRoot = path.dirname(fileURLToPath(import.meta.url));
/** The API server `web/dev.ts` starts beside Vite. */
export const DEV_API_PORT = Number(process.env.DEV_API_PORT ?? 3001);
const apiTarget = `http://127.0.0.1:${DEV_API_PORT}`;

export default defineConfig({
  root: webRoot,
  plugins: [solid()],
  build: {
    outDir: path.resolve(webRoot, '../dist/web'),
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    port: 3000,
    strictPort: true,
    // No changeOrigin: the API server checks that a WebSocket's Origin matches its Host.
    proxy: {
      '/api': { target: apiTarget },
      '/graphql': { target: apiTarget, ws: true },
    },
  },
});
