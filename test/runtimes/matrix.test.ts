/**
 * The SCF runtime matrix: the built package, packed and installed as a user installs it, serving an
 * Express and a Koa app on each Node.js runtime SCF offers (Nodejs16.13, Nodejs18.15, Nodejs20.19, and
 * Nodejs22.21 and Nodejs24.11 as CloudBase, which runs on SCF, lists them), loaded with require() and
 * with import, and running `scf-bridge dev`. Node 16 gets Express 4 and Koa 2 (Express 5 and Koa 3
 * need Node 18); 18 and later get Express 5, Koa 3 and a Hono app
 * (fetch-style apps need Node 18). The example apps (examples/*) also run, as deployed, on every
 * runtime their package.json "engines" admits. The README's "Supported runtimes" table states what
 * this file proves.
 */
import { spawn, spawnSync } from 'node:child_process'
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type InstalledPackage, installPackedPackage } from './packed-package'
import { RUNTIMES, type Runtime } from './runtimes'
import { REPO_ROOT } from './toolchain'

interface Integrated {
  isBase64Encoded: boolean
  statusCode: number
  headers: Record<string, string | string[]>
  body: string
}

interface AppResults {
  json: Integrated
  echo: Integrated
  binary: Integrated
  rare: Integrated
  cookies: Integrated
  boom: Integrated
  scheme: Integrated
  builtEvent?: Integrated
  invoked?: { status: number; json: unknown }
  triggers: Record<string, unknown>
}

interface SmokeRecord {
  node: string
  loader: string
  testing: boolean
  express: string
  koa: string
  hono?: string
  binaryBase64: string
  secret: string
  apps: { express: AppResults; koa: AppResults; hono?: AppResults }
}

let installed: InstalledPackage
let exportsTesting: boolean

beforeAll(() => {
  installed = installPackedPackage('runtimes')
  cpSync(join(REPO_ROOT, 'test', 'runtimes', 'smoke'), join(installed.project, 'smoke'), { recursive: true })
  const manifest = JSON.parse(
    readFileSync(join(installed.project, 'node_modules', 'scf-bridge', 'package.json'), 'utf8'),
  )
  exportsTesting = Boolean(manifest.exports?.['./testing'])
}, 180_000)

afterAll(() => installed?.remove())

function runSmoke(runtime: Runtime, script: 'run.cjs' | 'run.mjs') {
  const result = spawnSync(runtime.binary(), [join('smoke', script)], {
    cwd: installed.project,
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      SMOKE_DEV_PACKAGE_JSON: join(REPO_ROOT, 'package.json'),
      SMOKE_EXPRESS: runtime.express,
      SMOKE_KOA: runtime.koa,
      SMOKE_HONO: runtime.major >= 18 ? '1' : '',
    },
  })
  if (result.status !== 0) {
    throw new Error(
      `${runtime.scf} ${script} exited ${result.status ?? result.signal}:\n${result.stderr}\n${result.stdout}`,
    )
  }
  return { record: JSON.parse(result.stdout) as SmokeRecord, stderr: result.stderr }
}

/** Starts `scf-bridge dev` (port 0) on the runtime's Node, makes one request, stops it (SIGTERM). */
async function devServerRequest(runtime: Runtime, path: string) {
  writeFileSync(
    join(installed.project, 'dev-handler.js'),
    `const { bridge } = require('scf-bridge')
exports.main_handler = bridge((req, res) => { res.setHeader('set-cookie', ['a=1', 'b=2']); res.end(req.method + ' ' + req.url) })
`,
  )
  const child = spawn(
    runtime.binary(),
    [
      join('node_modules', 'scf-bridge', 'dist', 'cli.js'),
      'dev',
      './dev-handler.js',
      '--trigger',
      'apigw',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
    ],
    {
      cwd: installed.project,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let log = ''
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  try {
    const base = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`scf-bridge dev did not start:\n${log}`)), 30_000)
      const onData = (chunk: Buffer) => {
        log += chunk.toString('utf8')
        const url = /Listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log)?.[1]
        if (url) {
          clearTimeout(timer)
          resolve(url)
        }
      }
      child.stdout.on('data', onData)
      child.stderr.on('data', onData)
      exited.then(() => reject(new Error(`scf-bridge dev exited:\n${log}`)))
    })
    const reply = await new Promise<{
      status: number
      headers: Record<string, string | string[] | undefined>
      body: string
    }>((resolve, reject) => {
      request(base + path, { agent: false }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        )
        res.on('error', reject)
      })
        .on('error', reject)
        .end()
    })
    // The access line may follow the reply by a moment.
    for (let waited = 0; !/ 200 /.test(log.split('Listening on')[1] ?? '') && waited < 5_000; waited += 20) {
      await new Promise((r) => setTimeout(r, 20))
    }
    return { ...reply, log }
  } finally {
    child.kill('SIGTERM')
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))])
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
}

function expectApp(app: AppResults, record: SmokeRecord, name: string) {
  const json = app.json
  expect(json.statusCode, `${name} /json`).toBe(200)
  expect(json.isBase64Encoded).toBe(false)
  expect(String(json.headers['content-type'])).toMatch(/^application\/json/)
  // invocation: getCurrentInvoke() inside the app (AsyncLocalStorage) on this Node.
  expect(JSON.parse(json.body)).toEqual({ name: 'scf', tag: ['a', 'b'], ip: '203.0.113.7', invocation: 'inv-json' })

  expect(app.echo.statusCode, `${name} POST /echo`).toBe(200)
  expect(JSON.parse(app.echo.body)).toEqual({ echo: { hello: '世界', n: 1 } })

  expect(app.binary.statusCode, `${name} /binary`).toBe(200)
  expect(app.binary.isBase64Encoded).toBe(true)
  expect(app.binary.body).toBe(record.binaryBase64)
  expect(Buffer.from(app.binary.body, 'base64')).toHaveLength(256)

  // Classified by mime-types, which the bridge loads on first use from the build this loader picked.
  expect(app.rare.statusCode, `${name} /rare`).toBe(200)
  expect(app.rare.isBase64Encoded, `${name} /rare is text by mime-types' charset`).toBe(false)
  expect(app.rare.body).toBe('decided by mime-types')

  const cookies = app.cookies.headers['set-cookie']
  expect(Array.isArray(cookies), `${name} set-cookie is an array`).toBe(true)
  expect((cookies as string[]).map((c) => c.split(';')[0])).toEqual(['a=1', 'b=2', 'c=3'])
  expect((cookies as string[])[1]).toMatch(/httponly/i)
  expect((cookies as string[])[2]).toMatch(/path=\/c/i)

  expect(app.boom.statusCode, `${name} /boom`).toBe(500)
  expect(app.boom.body).not.toContain(record.secret)
  expect(app.boom.body).not.toMatch(/\bat .*:\d+:\d+/)

  expect(JSON.parse(app.scheme.body), `${name} /scheme`).toEqual({ protocol: 'https', secure: true })
  expect(String(app.scheme.headers['set-cookie'])).toMatch(/^sid=s1;.*secure/i)

  // Other triggers through the events option: a function (getCurrentInvoke() inside it) and two paths.
  expect(app.triggers, `${name} triggers`).toEqual({
    timer: { trigger: 'timer', name: 'nightly', invocation: 'inv-timer' },
    cos: { trigger: 'cos', keys: ['/1250000000/b/a.png'] },
    cls: { trigger: 'cls', lines: ['GET / 200'] },
  })

  if (record.testing) {
    expect(app.builtEvent?.statusCode, `${name} createApigwEvent`).toBe(200)
    expect(JSON.parse(app.builtEvent!.body)).toMatchObject({ name: 'builder', tag: ['x', 'y'] })
    expect(app.invoked).toEqual({ status: 200, json: { echo: { via: 'invoke' } } })
  }
}

describe.each(RUNTIMES)('SCF runtime $scf on Node $node', (runtime) => {
  it.each(['run.cjs', 'run.mjs'] as const)(
    'serves Express, Koa (and Hono on 18+) through the installed package (%s)',
    (script) => {
      const { record, stderr } = runSmoke(runtime, script)

      expect(record.node).toBe(`v${runtime.node}`)
      expect(record.loader).toBe(script === 'run.cjs' ? 'require' : 'import')
      expect(record.testing, 'scf-bridge/testing loads when package.json exports it').toBe(exportsTesting)
      expect(Number(record.express.split('.')[0])).toBe(runtime.major === 16 ? 4 : 5)
      expect(Number(record.koa.split('.')[0])).toBe(runtime.major === 16 ? 2 : 3)

      expectApp(record.apps.express, record, `Express ${record.express} on ${record.node}`)
      expectApp(record.apps.koa, record, `Koa ${record.koa} on ${record.node}`)
      if (runtime.major >= 18) expectApp(record.apps.hono!, record, `Hono ${record.hono} on ${record.node}`)
      else expect(record.apps.hono).toBeUndefined()
      // The failure reached the log (stderr), not the client.
      expect(stderr).toContain(record.secret)
    },
    180_000,
  )

  it('runs the scf-bridge CLI: dev serves a handler over HTTP', async () => {
    const { status, headers, body, log } = await devServerRequest(runtime, '/release/hello?x=1')
    expect(status, log).toBe(200)
    expect(body).toBe('GET /hello?x=1')
    expect(headers['set-cookie']).toEqual(['a=1', 'b=2'])
    // The access line has the path only: query values are often secrets.
    expect(log).toMatch(/GET \/release\/hello 200/)
    expect(log).not.toContain('x=1')
  }, 60_000)

  it('runs the scf-bridge CLI: invoke runs one timer invocation and prints its result', () => {
    writeFileSync(
      join(installed.project, 'trigger-handler.js'),
      `const { bridge } = require('scf-bridge')
exports.main_handler = bridge((req, res) => res.end('http'), { events: { timer: (event) => ({ ran: event.TriggerName, type: event.Type }) } })
`,
    )
    const result = spawnSync(
      runtime.binary(),
      [join('node_modules', 'scf-bridge', 'dist', 'cli.js'), 'invoke', './trigger-handler.js', '--event', 'timer'],
      {
        cwd: installed.project,
        encoding: 'utf8',
        timeout: 60_000,
      },
    )
    expect(result.status, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({ ran: 'timer', type: 'Timer' })
    expect(result.stderr).toMatch(/a timer trigger event, request id/)
  })

  it("gives the engine's socket every member Node's HTTP code uses of a socket on this Node", () => {
    // test/engine-socket-probe.cjs finds those members through a recording socket under a real request and
    // response, then checks the socket of a request served by the installed package.
    const result = spawnSync(
      runtime.binary(),
      [
        join(REPO_ROOT, 'test', 'engine-socket-probe.cjs'),
        join(installed.project, 'node_modules', 'scf-bridge', 'dist', 'index.js'),
      ],
      { encoding: 'utf8', timeout: 60_000 },
    )
    expect(result.status, result.stderr).toBe(0)
    const record = JSON.parse(result.stdout)
    expect(record.node).toBe(`v${runtime.node}`)
    expect(record.status).toBe(200)
    expect(record.members).toEqual(expect.arrayContaining(['_httpMessage', 'write', 'cork', 'uncork', 'destroy']))
    expect(record.missing).toEqual([])
  })

  it('runs the scf-bridge CLI (--help)', () => {
    const result = spawnSync(runtime.binary(), [join('node_modules', 'scf-bridge', 'dist', 'cli.js'), '--help'], {
      cwd: installed.project,
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/Usage: scf-bridge dev/)
  })
})

/** The examples and the oldest Node major their package.json admits (`engines.node: ">=N"`). */
const EXAMPLES = readdirSync(join(REPO_ROOT, 'examples'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'examples', entry.name, 'package.json'), 'utf8'))
    const floor = /^>=\s*(\d+)/.exec(pkg.engines?.node ?? '')
    return { name: entry.name, minMajor: floor ? Number(floor[1]) : 0 }
  })

interface ExampleRecord {
  node: string
  logoBase64: string
  results: Record<'home' | 'hello' | 'echo' | 'logo' | 'login' | 'missing' | 'whoami', Integrated>
}

/** Each example on each runtime its "engines" admits (one Node per major). */
const EXAMPLE_RUNS = RUNTIMES.filter((r, i, all) => all.findIndex((o) => o.major === r.major) === i).flatMap(
  (runtime) =>
    EXAMPLES.filter((example) => runtime.major >= example.minMajor).map((example) => ({
      ...example,
      runtime,
      major: runtime.major,
    })),
)

describe('the examples, as deployed', () => {
  it('include the Express example on Node 18 to 24 (its engines admit them), so this is not vacuous', () => {
    expect(EXAMPLE_RUNS.filter((run) => run.name === 'express-app').map((run) => run.major)).toEqual(
      expect.arrayContaining([18, 20, 22, 24]),
    )
  })

  it.each(EXAMPLE_RUNS)(
    '$name on Node $major serves its pages, API, static PNG and login cookies',
    ({ runtime, ...example }) => {
      const result = spawnSync(
        runtime.binary(),
        [join(REPO_ROOT, 'test', 'runtimes', 'smoke', 'examples.cjs'), join(REPO_ROOT, 'examples', example.name)],
        {
          cwd: REPO_ROOT,
          encoding: 'utf8',
          timeout: 60_000,
        },
      )
      expect(result.status, result.stderr).toBe(0)
      const { node, logoBase64, results } = JSON.parse(result.stdout) as ExampleRecord
      expect(Number(node.slice(1).split('.')[0])).toBe(runtime.major)
      const failures = Object.entries(results).filter(([, r]) => r.statusCode >= 500)
      expect(
        failures.map(([name, r]) => `${name}: ${r.statusCode} ${r.body}`),
        `${example.name} on ${node}; stderr:\n${result.stderr}`,
      ).toEqual([])

      expect(results.home.statusCode).toBe(200)
      expect(String(results.home.headers['content-type'])).toMatch(/^text\/html/)
      expect(JSON.parse(results.hello.body)).toEqual({ hello: 'scf' })
      expect(JSON.parse(results.echo.body)).toMatchObject({ body: { hello: '世界' } })
      expect(results.logo).toMatchObject({ statusCode: 200, isBase64Encoded: true, body: logoBase64 })
      expect(results.login.statusCode).toBe(200)
      const cookieNames = ([] as string[]).concat(results.login.headers['set-cookie'] ?? []).map((c) => c.split('=')[0])
      expect(cookieNames).toEqual(expect.arrayContaining(['session', 'user']))
      expect(results.missing.statusCode).toBe(404)
      expect(JSON.parse(results.whoami.body)).toMatchObject({
        servedBy: 'scf',
        ip: '203.0.113.9',
        requestId: 'inv-whoami',
      })
    },
    120_000,
  )
})
