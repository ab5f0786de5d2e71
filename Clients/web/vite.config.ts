import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import preact from '@preact/preset-vite';

// Brotli and gzip copies of the hashed files under assets/ (x.js → x.js.br, x.js.gz), made once at build time at the
// highest levels: the server sends one of them to a browser that accepts it (the 0.9 MB script is 0.24 MB as Brotli).
function precompressAssets(): Plugin {
  let assets = '';
  return {
    name: 'messenger-precompress-assets',
    apply: 'build',
    configResolved(config) {
      assets = resolve(config.root, config.build.outDir, config.build.assetsDir);
    },
    closeBundle() {
      // A build that failed has no assets: its own error is the one to see.
      if (!existsSync(assets)) return;
      for (const name of readdirSync(assets)) {
        if (!/\.(js|css|svg|json|wasm)$/.test(name)) continue;
        const file = join(assets, name);
        const bytes = readFileSync(file);
        if (bytes.length < 1024) continue;
        writeFileSync(`${file}.br`, brotliCompressSync(bytes, {
          params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
        }));
        writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
      }
    },
  };
}

// `npm run dev` proxies the protocol to a locally running host (MESSENGER_DEV_SERVER overrides the address).
const server = process.env.MESSENGER_DEV_SERVER ?? 'http://127.0.0.1:5000';

export default defineConfig({
  base: '/',
  plugins: [preact(), precompressAssets()],
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
