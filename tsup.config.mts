import { defineConfig } from 'tsup'

export default defineConfig({
  // cli: the `scf-bridge` bin; its source starts with a hashbang, which esbuild keeps (and tsup makes it executable).
  entry: { index: 'src/index.ts', testing: 'src/testing.ts', cli: 'src/cli/index.ts' },
  format: ['cjs', 'esm'],
  dts: true,
  // SCF's oldest supported Node runtime is Nodejs16.13: no syntax or API newer than that in dist/.
  target: 'node16',
  platform: 'node',
  clean: true,
  sourcemap: false,
  splitting: false,
  shims: false,
  // src/binary/is-binary.ts reads import.meta.url only where it exists (the ES module build) and
  // falls back to __filename: esbuild's warning that import.meta is empty in CommonJS is expected there.
  esbuildOptions(options) {
    options.logOverride = { ...options.logOverride, 'empty-import-meta': 'silent' }
  },
})
