import { defineConfig } from 'tsup'

export default defineConfig({
  // cli: the `scf-bridge` bin; its source starts with a hashbang, which esbuild keeps (and tsup makes it executable).
  // pack-probe: the child process `scf-bridge pack` proves a zip in.
  // web-runner: what a Web function's scf_bootstrap runs (src/web/).
  entry: {
    index: 'src/index.ts',
    testing: 'src/testing/index.ts',
    cli: 'src/cli/index.ts',
    'pack-probe': 'src/cli/pack/probe.ts',
    'web-runner': 'src/web/main.ts',
  },
  format: ['cjs', 'esm'],
  dts: true,
  // SCF's oldest supported Node runtime is Nodejs16.13: no syntax or API newer than that in dist/.
  target: 'node16',
  platform: 'node',
  clean: true,
  sourcemap: false,
  splitting: false,
  shims: false,
  // src/binary/is-binary.ts loads mime-types with a lazy require(): the ES module build defines one for this
  // module (esbuild's require shim then finds it). The CommonJS build keeps a plain require() bundlers follow.
  banner: ({ format }) =>
    format === 'esm'
      ? {
          js: "import { createRequire as __scfBridgeCreateRequire } from 'module';\nconst require = __scfBridgeCreateRequire(import.meta.url);",
        }
      : {},
})
