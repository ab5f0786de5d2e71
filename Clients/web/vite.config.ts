import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// `npm run dev` proxies the protocol to a locally running host (MESSENGER_DEV_SERVER overrides the address).
const server = process.env.MESSENGER_DEV_SERVER ?? 'http://127.0.0.1:5000';

export default defineConfig({
  base: '/',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    // libsodium (WebAssembly embedded in its module) is most of the bundle.
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: {
      '/rpc': { target: server, ws: true },
      '/.well-known': server,
    },
  },
});
