import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The production page's CSP (the host sends it): the check fails if anything needs more.
export const csp =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'";

const server = process.env.MESSENGER_URL ?? 'http://127.0.0.1:5077';

export default defineConfig({
  root: dirname(fileURLToPath(import.meta.url)),
  base: '/',
  logLevel: 'warn',
  build: { outDir: '/tmp/messenger-web-browser-check', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
  preview: {
    port: 5178,
    strictPort: true,
    headers: { 'Content-Security-Policy': csp },
    proxy: { '/rpc': { target: server, ws: true }, '/.well-known': server },
  },
});
