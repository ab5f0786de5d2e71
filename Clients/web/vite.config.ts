import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

const server = 'http://127.0.0.1:5000';

export default defineConfig({
  base: '/',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
  },
  server: {
    proxy: {
      '/rpc': { target: server, ws: true },
      '/.well-known': server,
    },
  },
});
