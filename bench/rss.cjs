'use strict'
// Memory before, after N and after 2N invocations of GET small JSON through one adapter, in a fresh process.
// The second N shows the steady state: RSS can grow during the first N while V8's old generation settles at
// its working size (it keeps freed pages for reuse; the heap in use stays flat), then stays.
// Usage: node --expose-gc bench/rss.cjs <adapter-id> <express|koa> <N>
const { adapters } = require('./adapters.cjs')
const { workloads } = require('./workloads.cjs')

const [id, framework, count] = process.argv.slice(2)
const adapter = adapters.find((a) => a.id === id)
const total = Number(count) || 20000
if (!adapter || typeof global.gc !== 'function') {
  console.error('usage: node --expose-gc bench/rss.cjs <adapter-id> <express|koa> <N>')
  process.exit(2)
}

function settle() {
  for (let i = 0; i < 3; i++) global.gc()
  const { rss, heapUsed } = process.memoryUsage()
  return { rss, heapUsed }
}

// Each invocation starts on a fresh turn of the event loop, as on SCF (the runtime hands events over by I/O):
// a tight await loop would never run setImmediate callbacks, so replies pile up and the GC pays for it.
const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

async function main() {
  const subject = adapter.setup(framework)
  const call = subject.prepare(workloads.find((w) => w.id === 'small'))
  for (let i = 0; i < 2000; i++) {
    await call()
    await nextTurn()
  }
  await new Promise((resolve) => setTimeout(resolve, 100))
  const before = settle()
  for (let i = 0; i < total; i++) {
    await call()
    await nextTurn()
  }
  await new Promise((resolve) => setTimeout(resolve, 100))
  const after = settle()
  for (let i = 0; i < total; i++) {
    await call()
    await nextTurn()
  }
  await new Promise((resolve) => setTimeout(resolve, 100))
  const again = settle()
  if (subject.close) await subject.close()
  process.stdout.write(`${JSON.stringify({ before, after, again, invocations: total })}\n`)
  process.exit(0)
}
main().catch((error) => {
  console.error(error)
  process.exit(1)
})
