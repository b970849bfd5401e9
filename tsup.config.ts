import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'tss-lib': 'src/interop/tss-lib/index.ts',
    bitcoin: 'src/chains/bitcoin/index.ts',
    ethereum: 'src/chains/ethereum/index.ts',
    file: 'src/adapters/file/index.ts',
    postgres: 'src/adapters/postgres/index.ts',
    redis: 'src/adapters/redis/index.ts',
    testing: 'src/testing/index.ts',
    grpc: 'src/adapters/grpc/index.ts',
    // The worker thread script of createWorkerPool (not a public subpath export).
    'session-worker': 'src/session/worker-entry.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: true,
  treeshake: true,
  // import.meta.url in the CJS build (src/session/worker.ts locates the worker script with it).
  shims: true,
});
