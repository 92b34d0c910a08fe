/**
 * The published package, as a user gets it: `npm pack`, the tarball installed into a fresh project
 * (offline, from the tarball and the npm cache), then `require` from CommonJS, `import` from ESM, a
 * type check against the shipped declarations (TypeScript 5 and 4.9, `moduleResolution` `node` and
 * `nodenext`) and `npx scf-bridge --help`. Also what the tarball must not hold: tests, sources, stray
 * source maps.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type InstalledPackage, installPackedPackage } from './runtimes/packed-package'
import { REPO_ROOT, typescript4Tsc } from './runtimes/toolchain'

let installed: InstalledPackage
let files: string[]
let manifest: Record<string, any>

beforeAll(() => {
  installed = installPackedPackage('package')
  files = installed.pack.files.map((f) => f.path)
  manifest = JSON.parse(readFileSync(join(installed.project, 'node_modules', 'scf-bridge', 'package.json'), 'utf8'))
  const kB = (n: number) => `${(n / 1024).toFixed(1)} kB`
  console.log(
    `${installed.pack.filename}: ${installed.pack.entryCount} files, ${kB(installed.pack.size)} packed, ` +
      `${kB(installed.pack.unpackedSize)} unpacked (dependencies installed ${installed.installMode})`,
  )
}, 180_000)

afterAll(() => installed?.remove())

/** Runs `node <file>` (or other args) in the consumer project; fails the test with its output if it fails. */
function run(command: string, args: string[], cwd = installed.project) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 120_000 })
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.status ?? result.signal}:\n${result.stdout}\n${result.stderr}`,
    )
  }
  return result.stdout
}

/** Every file path package.json points at: main, module, types, exports, bin, typesVersions. */
function referencedPaths(pkg: Record<string, any>): string[] {
  const out: string[] = []
  const walk = (value: unknown) => {
    if (typeof value === 'string') out.push(value)
    else if (Array.isArray(value)) value.forEach(walk)
    else if (value && typeof value === 'object') Object.values(value).forEach(walk)
  }
  walk([pkg.main, pkg.module, pkg.types, pkg.exports, pkg.bin, pkg.typesVersions])
  return [...new Set(out.filter(Boolean).map((p) => p.replace(/^\.\//, '')))]
}

describe('the tarball', () => {
  it('holds dist/, the manifest and the user documents, and no tests, sources or scratch files', () => {
    for (const file of files) {
      expect(file, 'only dist/ and top-level documents are published').toMatch(
        /^(dist\/[^/].*|package\.json|README\.md|LICENSE|CHANGELOG\.md|THIRD_PARTY_LICENSES\.md)$/,
      )
      expect(file).not.toMatch(/(^|\/)(test|tests|__tests__|fixtures)\//)
      expect(file).not.toMatch(/\.(test|spec)\.[cm]?[jt]sx?$/)
      expect(file).not.toMatch(/\.tsbuildinfo$|\.tgz$/)
    }
    for (const required of [
      'package.json',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      'THIRD_PARTY_LICENSES.md',
      'dist/index.js',
      'dist/index.mjs',
      'dist/index.d.ts',
      'dist/web-runner.js', // what a Web function's scf_bootstrap runs
    ]) {
      expect(files).toContain(required)
    }
  })

  it('has no source map that points at sources it does not ship', () => {
    const dist = join(installed.project, 'node_modules', 'scf-bridge')
    for (const file of files.filter((f) => f.endsWith('.map'))) {
      const map = JSON.parse(readFileSync(join(dist, file), 'utf8')) as {
        sources: string[]
        sourcesContent?: unknown[]
      }
      const dir = file.split('/').slice(0, -1).join('/')
      for (const [i, source] of map.sources.entries()) {
        const shipped = files.includes(join(dir, source)) || typeof map.sourcesContent?.[i] === 'string'
        expect(shipped, `${file} points at ${source}, which is not in the package`).toBe(true)
      }
    }
    for (const file of files.filter((f) => /\.(c|m)?js$/.test(f))) {
      const mapUrl = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(dist, file), 'utf8'))?.[1]
      if (mapUrl && !mapUrl.startsWith('data:'))
        expect(files, `${file} names ${mapUrl}`).toContain(join(file, '..', mapUrl))
    }
  })

  it('ships the license of every package bundled into dist/, and of light-my-request, which the engine derives from', () => {
    const dist = join(installed.project, 'node_modules', 'scf-bridge')
    const notices = readFileSync(join(dist, 'THIRD_PARTY_LICENSES.md'), 'utf8')
    const bundled = new Set<string>()
    const engine: string[] = []
    for (const file of files.filter((f) => /^dist\/.*\.(c|m)?js$/.test(f))) {
      const code = readFileSync(join(dist, file), 'utf8')
      // esbuild names each bundled module in a comment: "// node_modules/<package>/..." or "// vendor/<package>/...".
      for (const match of code.matchAll(/^\/\/ (?:node_modules|vendor)\/((?:@[^/]+\/)?[^/]+)\//gm))
        bundled.add(match[1])
      if (code.includes('// src/engine/index.ts')) engine.push(file)
    }
    expect([...bundled].sort()).toEqual([])
    for (const name of bundled) {
      expect(notices, `THIRD_PARTY_LICENSES.md holds ${name}'s license`).toContain(`## ${name} `)
      expect(notices).toContain(readFileSync(join(REPO_ROOT, 'node_modules', name, 'LICENSE'), 'utf8').trim())
    }
    // The engine (src/engine) is derived from light-my-request: its license ships, and its notice stays in the code.
    expect(engine.length, 'the engine is in dist/').toBeGreaterThan(0)
    expect(notices).toContain('## light-my-request ')
    expect(notices).toContain(readFileSync(join(REPO_ROOT, 'src', 'engine', 'LICENSE'), 'utf8').trim())
    for (const file of engine)
      expect(readFileSync(join(dist, file), 'utf8'), file).toContain('derived from light-my-request 6.6.0')
  })

  it('contains every file package.json points at', () => {
    const paths = referencedPaths(manifest)
    expect(paths.length).toBeGreaterThan(4)
    for (const path of paths) expect(files, `package.json points at ${path}`).toContain(path)
  })
})

describe('package.json', () => {
  it('has the fields a published package needs', () => {
    expect(manifest.name).toBe('scf-bridge')
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/)
    expect(manifest.license).toBe('MIT')
    expect(manifest.description.length).toBeGreaterThan(20)
    expect(manifest.keywords).toEqual(expect.arrayContaining(['tencent', 'scf', 'serverless', 'express', 'koa']))
    expect(manifest.sideEffects).toBe(false)
    expect(manifest.engines.node).toBe('>=16.13')
    expect(manifest.bin).toEqual({ 'scf-bridge': './dist/cli.js' })
    for (const entry of ['.', './testing']) {
      const target = manifest.exports[entry]
      expect(Object.keys(target), `exports["${entry}"]`).toEqual(['import', 'require'])
      expect(Object.keys(target.import)[0], 'types first, as TypeScript requires').toBe('types')
      expect(Object.keys(target.require)[0]).toBe('types')
    }
  })

  it('pins every runtime dependency to an exact version (see README: Supported runtimes)', () => {
    const dependencies = Object.entries(manifest.dependencies ?? {})
    expect(dependencies.length).toBeGreaterThan(0)
    for (const [name, range] of dependencies) expect(range, name).toMatch(/^\d+\.\d+\.\d+$/)
  })

  it("leaves no HTTP engine to resolve: the engine is the bridge's own (src/engine), light-my-request is not a dependency", () => {
    expect(Object.keys(manifest.dependencies ?? {})).toEqual(['mime-types'])
    const engine = join(installed.project, 'node_modules', 'light-my-request')
    expect(
      spawnSync(process.execPath, ['-e', `require.resolve(${JSON.stringify(engine)})`]).status,
      'light-my-request is not installed',
    ).not.toBe(0)
  })
})

describe('the installed package', () => {
  it('loads with require() and serves a request', () => {
    writeFileSync(
      join(installed.project, 'check.cjs'),
      `const scf = require('scf-bridge')
const testing = require('scf-bridge/testing')
const handler = scf.bridge((req, res) => res.end('hello ' + req.url))
handler(testing.createApigwEvent({ path: '/cjs?x=1' }), testing.createScfContext()).then((r) => {
  console.log(JSON.stringify({
    exports: Object.keys(scf).sort(),
    testing: Object.keys(testing).sort(),
    version: require('scf-bridge/package.json').version,
    response: r,
  }))
})
`,
    )
    const out = JSON.parse(run(process.execPath, ['check.cjs']))
    expect(out.exports).toEqual(expect.arrayContaining(['bridge', 'getCurrentInvoke']))
    expect(out.testing).toEqual(expect.arrayContaining(['createApigwEvent', 'createScfContext', 'invoke']))
    expect(out.version).toBe(manifest.version)
    expect(out.response).toMatchObject({ statusCode: 200, isBase64Encoded: false, body: 'hello /cjs?x=1' })
  })

  it('loads with import, with the same named exports as require()', () => {
    writeFileSync(
      join(installed.project, 'check.mjs'),
      `import * as scf from 'scf-bridge'
import { bridge } from 'scf-bridge'
import * as testing from 'scf-bridge/testing'
import { createRequire } from 'node:module'
const require = createRequire(import.meta.url)
const handler = bridge((req, res) => res.end('hello ' + req.url))
const r = await handler(testing.createApigwEvent({ path: '/esm' }), testing.createScfContext())
console.log(JSON.stringify({
  exports: Object.keys(scf).sort(),
  cjsExports: Object.keys(require('scf-bridge')).sort(),
  testing: Object.keys(testing).sort(),
  cjsTesting: Object.keys(require('scf-bridge/testing')).sort(),
  response: r,
}))
`,
    )
    const out = JSON.parse(run(process.execPath, ['check.mjs']))
    expect(out.exports).toEqual(expect.arrayContaining(['bridge', 'getCurrentInvoke']))
    expect(out.exports).toEqual(out.cjsExports)
    expect(out.testing).toEqual(out.cjsTesting)
    expect(out.response).toMatchObject({ statusCode: 200, body: 'hello /esm' })
  })

  it('runs the CLI: npx scf-bridge --help', () => {
    const out = run('npx', ['--offline', 'scf-bridge', '--help'])
    expect(out).toMatch(/Usage: scf-bridge/)
    expect(out).toMatch(/\bdev\b/)
  })
})

/** A consumer's TypeScript: every public type used, plus mistakes the declarations must reject. */
const CONSUMER_TS = `
import { bridge, getCurrentInvoke } from 'scf-bridge'
import type { BridgeOptions, IntegratedResponse, ScfApigwEvent, ScfContext, ScfHandler, ScfHttpEvent } from 'scf-bridge'
import { createApigwEvent, createScfContext, invoke } from 'scf-bridge/testing'

const listener = (_req: unknown, res: { end(body: string): void }) => res.end('ok')
const options: BridgeOptions = {
  basePath: '/api',
  binaryTypes: ['image/*'],
  timeoutMarginMs: 500,
  waitForEmptyEventLoop: false,
  onError: (error, { context }) => ({
    isBase64Encoded: false,
    statusCode: 500,
    headers: { 'content-type': 'text/plain' },
    body: String(context.request_id) + String(error),
  }),
}
export const main_handler: ScfHandler = bridge(listener, options)

export async function check(): Promise<number> {
  const event: ScfApigwEvent = createApigwEvent({ method: 'POST', path: '/', body: { a: 1 } })
  const context: ScfContext = createScfContext()
  const response: IntegratedResponse = await main_handler(event as ScfHttpEvent, context)
  const res = await invoke(main_handler, { path: '/' })
  const invocation = getCurrentInvoke()
  return response.statusCode + res.status + (invocation ? 1 : 0)
}

// @ts-expect-error timeoutMarginMs is a number
bridge(listener, { timeoutMarginMs: '300' })
// @ts-expect-error statusCode is a number
export const wrong: IntegratedResponse = { isBase64Encoded: false, statusCode: '200', headers: {}, body: '' }
`

describe.each([
  { ts: 'TypeScript 5', tsc: () => join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), bundler: true },
  { ts: 'TypeScript 4.9', tsc: typescript4Tsc, bundler: false },
])('the declarations with $ts', ({ ts, tsc, bundler }) => {
  const compilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    target: 'ES2020',
    lib: ['ES2020'],
    types: ['node'],
    typeRoots: [join(REPO_ROOT, 'node_modules', '@types')],
  }

  it.each([
    { resolution: 'node', module: 'commonjs', files: ['consumer.ts'] },
    { resolution: 'nodenext', module: 'nodenext', files: ['consumer.ts', 'consumer-esm.mts'] },
    // moduleResolution bundler (Vite, esbuild projects) exists since TypeScript 5.0.
    ...(bundler ? [{ resolution: 'bundler', module: 'esnext', files: ['consumer.ts'] }] : []),
  ])(
    'type-check a consumer with moduleResolution $resolution',
    ({ resolution, module, files: sources }) => {
      const dir = join(installed.project, `ts-${ts.replace(/\W/g, '')}-${resolution}`)
      mkdirSync(dir, { recursive: true })
      for (const file of sources) writeFileSync(join(dir, file), CONSUMER_TS)
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify(
          { compilerOptions: { ...compilerOptions, module, moduleResolution: resolution }, files: sources },
          null,
          2,
        ),
      )
      const result = spawnSync(process.execPath, [tsc(), '-p', 'tsconfig.json', '--listFiles'], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 120_000,
      })
      expect(
        result.stdout
          .split('\n')
          .filter((l) => /error TS/.test(l))
          .join('\n'),
        `${ts} ${resolution}`,
      ).toBe('')
      expect(result.status).toBe(0)
      // The consumer was checked against the shipped declarations, not something else called scf-bridge.
      const listed = result.stdout.split('\n').filter((l) => l.includes('node_modules/scf-bridge/dist/'))
      if (resolution !== 'bundler') expect(listed.some((l) => l.endsWith('/index.d.ts'))).toBe(true)
      if (resolution !== 'node') expect(listed.some((l) => l.endsWith('/index.d.mts'))).toBe(true)
    },
    120_000,
  )
})
