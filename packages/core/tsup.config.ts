import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    tokens: 'src/tokens/index.ts',
    monitor: 'src/monitor/index.ts',
    sealed: 'src/sealed/index.ts',
    cookie: 'src/cookie/index.ts',
    store: 'src/store/index.ts',
    testing: 'src/testing/index.ts',
    'testing-portable': 'src/testing/portable.ts',
    webauthn: 'src/webauthn/index.ts',
    dbsc: 'src/dbsc/index.ts',
    dpop: 'src/dpop/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  external: ['vitest', '@simplewebauthn/server'],
});
