'use strict'
// Why the published light-my-request costs more GC than the peers, and what the bridge's own engine changes:
// the same trivial (req, res) handler served N times through the published engine's inject(), through the
// bridge's engine (src/engine, built here with esbuild), through a hand-made request/response pair (a Readable
// and an http.ServerResponse on a null Writable, as light-my-request builds them, minus its per-request
// closures) and through the bridge. Prints the time per invocation, scavenge count and pause, and how much of the young
// generation survived. Usage: node bench/gc-survival.cjs [N]    (npm run build first; "GC" in BENCHMARKS.md)
const { spawnSync } = require('node:child_process')
const http = require('node:http')
const path = require('node:path')
const { Readable, Writable } = require('node:stream')
const { PerformanceObserver, constants } = require('node:perf_hooks')
const published = require('light-my-request')
const { inject } = loadEngine()
const { tencentEvent, tencentContext, workloads } = require('./workloads.cjs')
const { koaApp } = require('./apps.cjs')

const count = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) || 20000)
const handler = (_req, res) => {
  res.setHeader('content-type', 'application/json')
  res.end('{"ok":true}')
}
const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

const viaInject = (inject) => () =>
  new Promise((resolve, reject) =>
    inject(handler, { method: 'GET', url: '/x?a=1', validate: false }, (error, reply) =>
      error ? reject(error) : resolve(reply),
    ),
  )

const viaEngine = () =>
  new Promise((resolve, reject) =>
    inject(
      handler,
      { method: 'GET', url: '/x?a=1', headers: { host: 'localhost:80' }, body: undefined, remoteAddress: undefined },
      { reply: resolve, broken: reject },
    ),
  )

/** src/engine is not exported by dist/: bundle it on its own. */
function loadEngine() {
  const out = path.join(require('node:os').tmpdir(), `scf-bridge-engine-${process.pid}.cjs`)
  require('esbuild').buildSync({
    entryPoints: [path.join(__dirname, '..', 'src', 'engine', 'index.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node16',
    outfile: out,
    logLevel: 'warning',
  })
  try {
    return require(out)
  } finally {
    require('node:fs').rmSync(out, { force: true })
  }
}

const viaPlainPair = () =>
  new Promise((resolve) => {
    const req = new Readable({ autoDestroy: false, read() {} })
    Object.assign(req, { method: 'GET', url: '/x?a=1', httpVersionMajor: 1, httpVersionMinor: 1, httpVersion: '1.1' })
    req.headers = { host: 'localhost:80' }
    req.rawHeaders = ['host', 'localhost:80']
    const res = new http.ServerResponse(req)
    res.assignSocket(new Writable({ write: (_chunk, _encoding, done) => setImmediate(done) }))
    res.once('finish', () => process.nextTick(resolve, { statusCode: res.statusCode, headers: res.getHeaders() }))
    handler(req, res)
  })

const { bridge } = require(path.join(__dirname, '..', 'dist', 'index.js'))
const event = tencentEvent(workloads.find((w) => w.id === 'small'))
const context = tencentContext()
const bridgedHandler = bridge(handler)
const bridgedKoa = bridge(koaApp())
const viaBridge = () => bridgedHandler(event, context)
const viaBridgeKoa = () => bridgedKoa(event, context)

async function measure(name, call) {
  for (let i = 0; i < 1000; i++) {
    await call()
    await nextTurn()
  }
  const scavenges = []
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = entry.detail ? entry.detail.kind : entry.kind
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges.push(entry.duration)
    }
  })
  observer.observe({ entryTypes: ['gc'] })
  const heapBefore = process.memoryUsage().heapUsed
  const started = process.hrtime.bigint()
  for (let i = 0; i < count; i++) {
    await call()
    await nextTurn()
  }
  const micros = Number(process.hrtime.bigint() - started) / count / 1000
  await nextTurn()
  observer.disconnect()
  const pause = scavenges.reduce((sum, ms) => sum + ms, 0)
  console.log(
    `${name.padEnd(32)} ${micros.toFixed(1).padStart(6)} µs/invocation  ${String(scavenges.length).padStart(4)} scavenges  ` +
      `${pause.toFixed(1).padStart(7)} ms paused (${(pause / Math.max(1, scavenges.length)).toFixed(2)} ms each)  heap now ${((process.memoryUsage().heapUsed - heapBefore) / 1e6).toFixed(1)} MB above start`,
  )
}

const rows = {
  'light-my-request 6.6.0 inject()': viaInject(published),
  'scf-bridge engine inject()': viaEngine,
  'plain Readable + ServerResponse': viaPlainPair,
  'scf-bridge, same handler': viaBridge,
  'scf-bridge, Koa small JSON': viaBridgeKoa,
}

// Each row in a process of its own, alternated twice: the published engine's per-request hidden classes stay in
// the old generation until a full GC and slow every later scavenge of the process, whoever allocates.
async function main() {
  const row = process.argv.find((a) => a.startsWith('--row='))?.slice(6)
  if (row) return measure(row, rows[row])
  console.log(
    `Node ${process.version}, ${count} invocations each, one per event-loop turn, each row in a fresh process`,
  )
  for (let round = 0; round < 2; round++) {
    for (const name of Object.keys(rows)) {
      const child = spawnSync(process.execPath, [__filename, String(count), `--row=${name}`], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      })
      process.stdout.write(child.stdout || `${name}: failed (${child.status ?? child.signal})\n`)
    }
  }
}
main().catch((error) => {
  console.error(error)
  process.exit(1)
})
