import { defineConfig, type Options } from 'tsup'

// cli: the `scf-bridge` bin; its source starts with a hashbang, which esbuild keeps (and tsup makes it executable).
// It is built apart: CommonJS only (nothing imports it) and minified, since it carries the libraries the CLI
// bundles (argument parsing, git's ignore rules, semver, the zip writer) and the package's size must not grow.
const cli = defineConfig({
  entry: { cli: 'src/cli/index.ts' },
  format: ['cjs'],
  minify: true,
  target: 'node16',
  platform: 'node',
  clean: ['cli.*'],
  sourcemap: false,
  splitting: false,
  shims: false,
})

// pack-probe: the child process `scf-bridge pack` proves a zip in. web-runner: what a Web function's
// scf_bootstrap runs (src/web/). Both are run as programs by path, never imported: CommonJS only, minified.
const programs = defineConfig({
  entry: { 'pack-probe': 'src/cli/pack/probe.ts', 'web-runner': 'src/web/main.ts' },
  format: ['cjs'],
  minify: true,
  target: 'node16',
  platform: 'node',
  clean: ['pack-probe.*', 'web-runner.*'],
  sourcemap: false,
  splitting: false,
  shims: false,
})

export default defineConfig([
  cli as Options,
  programs as Options,
  {
    entry: {
      index: 'src/index.ts',
      testing: 'src/testing/index.ts',
    },
    format: ['cjs', 'esm'],
    dts: true,
    // SCF's oldest supported Node runtime is Nodejs16.13: no syntax or API newer than that in dist/.
    target: 'node16',
    platform: 'node',
    clean: ['**/*', '!cli.*', '!pack-probe.*', '!web-runner.*'],
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
  },
])
