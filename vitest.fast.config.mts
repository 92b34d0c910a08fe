import { configDefaults, defineConfig, mergeConfig } from 'vitest/config'
import base from './vitest.config.mts'

/**
 * `npm run test:fast`: the in-process suites, for the edit loop. Left out are the suites that pack, install or
 * spawn the CLI, other Node versions or a browser; `npm test` runs them with the rest.
 */
export const SPAWNING_SUITES = [
  'test/runtimes/**',
  'test/package.test.ts',
  'test/browser.test.ts',
  'test/examples.test.ts',
  'test/example-triggers.test.ts',
  'test/cli.test.ts',
  'test/trigger-testing.test.ts',
  'test/pack/pack-command.test.ts',
  'test/pack/examples-pack.test.ts',
  'test/pack/deploy-files.test.ts',
  'test/pack/deploy-auth-hints.test.ts',
  'test/pack/hostile-projects.test.ts',
  'test/robustness/memory.test.ts',
  'test/robustness/big-reply-memory.test.ts',
  'test/pack/web-deploy-files.test.ts',
  'test/web/web-pack.test.ts',
  'test/web/dev-web.test.ts',
  'test/web/browser-web.test.ts',
]

export default mergeConfig(
  base,
  defineConfig({
    test: { exclude: [...configDefaults.exclude, ...SPAWNING_SUITES] },
  }),
)
