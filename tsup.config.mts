import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['cjs', 'esm'],
  dts: true,
  // SCF's oldest supported Node runtime is Nodejs16.13: no syntax or API newer than that in dist/.
  target: 'node16',
  platform: 'node',
  clean: true,
  sourcemap: false,
  splitting: false,
  shims: false,
})
