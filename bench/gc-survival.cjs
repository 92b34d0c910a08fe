'use strict'
// Why every inject()-based path pays more GC than the peers: the same trivial (req, res) handler served
// N times through light-my-request's inject() and through a hand-made request/response pair (a Readable and
// an http.ServerResponse on a null Writable, as light-my-request builds them, minus its per-request closures).
// Prints the time per invocation, scavenge count and pause, and how much of the young generation survived.
// Usage: node bench/gc-survival.cjs [N]    (see "GC" in BENCHMARKS.md)
// LIGHT_MY_REQUEST=<dir> measures another copy instead, e.g. one with bench/light-my-request-6.6.0-gc.patch:
//   cp -r node_modules/light-my-request node_modules/.lmr-gc && patch -p1 -d node_modules/.lmr-gc < bench/light-my-request-6.6.0-gc.patch
//   LIGHT_MY_REQUEST=node_modules/.lmr-gc node bench/gc-survival.cjs    (inside node_modules: it finds its own dependencies there)
// (the bridge rows then run a copy of dist/index.js that requires that copy).
const fs = require('node:fs')
const http = require('node:http')
const path = require('node:path')
const { Readable, Writable } = require('node:stream')
const { PerformanceObserver, constants } = require('node:perf_hooks')
const engine = process.env.LIGHT_MY_REQUEST ? path.resolve(process.env.LIGHT_MY_REQUEST) : 'light-my-request'
const inject = require(engine)
const { tencentEvent, tencentContext, workloads } = require('./workloads.cjs')
const { koaApp } = require('./apps.cjs')

const count = Number(process.argv[2] || 20000)
const handler = (req, res) => {
  res.setHeader('content-type', 'application/json')
  res.end('{"ok":true}')
}
const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

const viaInject = () =>
  new Promise((resolve, reject) =>
    inject(handler, { method: 'GET', url: '/x?a=1', validate: false }, (error, reply) => (error ? reject(error) : resolve(reply))))

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

// The bridge from dist/ (npm run build first), on the same engine as the inject() row.
function bridgeBuild() {
  const built = path.join(__dirname, '..', 'dist', 'index.js')
  if (engine === 'light-my-request') return require(built)
  const copy = path.join(__dirname, '..', 'dist', '.gc-survival-bridge.js')
  fs.writeFileSync(copy, fs.readFileSync(built, 'utf8').split('require("light-my-request")').join(`require(${JSON.stringify(engine)})`))
  process.on('exit', () => fs.rmSync(copy, { force: true }))
  return require(copy)
}
const { bridge } = bridgeBuild()
const event = tencentEvent(workloads.find((w) => w.id === 'small'))
const context = tencentContext()
const bridgedHandler = bridge(handler)
const bridgedKoa = bridge(koaApp())
const viaBridge = () => bridgedHandler(event, context)
const viaBridgeKoa = () => bridgedKoa(event, context)

async function measure(name, call) {
  for (let i = 0; i < 1000; i++) await call(), await nextTurn()
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
  for (let i = 0; i < count; i++) await call(), await nextTurn()
  const micros = Number(process.hrtime.bigint() - started) / count / 1000
  await nextTurn()
  observer.disconnect()
  const pause = scavenges.reduce((sum, ms) => sum + ms, 0)
  console.log(`${name.padEnd(32)} ${micros.toFixed(1).padStart(6)} µs/invocation  ${String(scavenges.length).padStart(4)} scavenges  ` +
    `${pause.toFixed(1).padStart(7)} ms paused (${(pause / Math.max(1, scavenges.length)).toFixed(2)} ms each)  heap now ${((process.memoryUsage().heapUsed - heapBefore) / 1e6).toFixed(1)} MB above start`)
}

async function main() {
  console.log(`Node ${process.version}, ${count} invocations each, one per event-loop turn, engine: ${engine}`)
  // Alternated twice: the first run of each also warms the other's shared code paths.
  for (let round = 0; round < 2; round++) {
    await measure('light-my-request inject()', viaInject)
    await measure('plain Readable + ServerResponse', viaPlainPair)
    await measure('scf-bridge, same handler', viaBridge)
    await measure('scf-bridge, Koa small JSON', viaBridgeKoa)
  }
}
main().catch((error) => {
  console.error(error)
  process.exit(1)
})
