'use strict'
// Peak memory of one adapter answering GET 1 MB PNG, in a fresh process: N invocations, one per event-loop
// turn as on SCF. Two figures: what one invocation holds at its end, measured as the growth of the memory
// outside the JS heap (buffers, large strings) plus the JS heap across it (median: a GC inside a call
// shrinks that call's figure; nothing an invocation allocates is freed before it ends otherwise), and the
// process's peak resident set (`maxRSS`: what a function's memory limit sees, which also depends on when
// V8 collects the garbage of earlier invocations), with the resident set after the app's first answer.
// Usage: node --expose-gc bench/peak.cjs <adapter-id> <express|koa> <N>
const { adapters } = require('./adapters.cjs')
const { workloads } = require('./workloads.cjs')

const [id, framework, count] = process.argv.slice(2)
const adapter = adapters.find((a) => a.id === id)
const total = Number(count) || 200
if (!adapter || typeof global.gc !== 'function') {
  console.error('usage: node --expose-gc bench/peak.cjs <adapter-id> <express|koa> <N>')
  process.exit(2)
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

async function main() {
  const subject = adapter.setup(framework)
  const workload = workloads.find((w) => w.id === 'png')
  const call = subject.prepare(workload)
  const problem = workload.check(subject.normalise(await call()))
  if (problem) throw new Error(`${id} answers wrong: ${problem}`)
  await nextTurn()
  for (let i = 0; i < 3; i++) global.gc()
  const before = process.memoryUsage().rss
  const held = []
  for (let i = 0; i < total; i++) {
    const start = process.memoryUsage()
    await call()
    const end = process.memoryUsage()
    held.push(end.external - start.external + end.heapUsed - start.heapUsed)
    await nextTurn()
  }
  const peak = process.resourceUsage().maxRSS * 1024
  held.sort((a, b) => a - b)
  const perInvocation = held[Math.floor(held.length / 2)]
  if (subject.close) await subject.close()
  process.stdout.write(`${JSON.stringify({ before, peak, perInvocation, invocations: total })}\n`)
  process.exit(0)
}
main().catch((error) => {
  console.error(error)
  process.exit(1)
})
