'use strict'
// One adapter, one workload, N invocations: for `node --cpu-prof bench/hot.cjs scf-bridge express small 20000`.
const { adapters } = require('./adapters.cjs')
const { workloads } = require('./workloads.cjs')

const [id = 'scf-bridge', framework = 'express', workloadId = 'small', count = '20000'] = process.argv.slice(2)
const adapter = adapters.find((a) => a.id === id)
const workload = workloads.find((w) => w.id === workloadId)
if (!adapter || !workload) {
  console.error('usage: node bench/hot.cjs <adapter-id> <express|koa> <workload-id> [N]')
  process.exit(2)
}

// Each invocation starts on a fresh turn of the event loop, as on SCF (the runtime hands events over by I/O):
// a tight await loop would never run setImmediate callbacks, so replies pile up and the GC pays for it.
const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

async function main() {
  const subject = adapter.setup(framework)
  const call = subject.prepare(workload)
  const problem = workload.check(subject.normalise(await call()))
  if (problem) throw new Error(`${id} answers ${workloadId} wrong: ${problem}`)
  for (let i = 0; i < 500; i++) {
    await call()
    await nextTurn()
  }
  const started = process.hrtime.bigint()
  const cpu = process.cpuUsage()
  for (let i = 0; i < Number(count); i++) {
    await call()
    await nextTurn()
  }
  const ns = Number(process.hrtime.bigint() - started)
  const { user, system } = process.cpuUsage(cpu)
  // CPU time is steadier than wall time on a shared machine: report both.
  console.log(
    `${id} ${framework} ${workloadId}: ${count} invocations, ${(ns / Number(count) / 1000).toFixed(1)} µs wall, ${((user + system) / Number(count)).toFixed(1)} µs CPU per invocation`,
  )
  if (subject.close) await subject.close()
}
main().catch((error) => {
  console.error(error)
  process.exit(1)
})
