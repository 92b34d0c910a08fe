'use strict'
// Interleaved A/B of scf-bridge builds in one process: each build serves its own app instance.
// Usage: node bench/ab.cjs <express|koa> <workload-id> <rounds> <batch> <build.js>...
// e.g. cp dist/index.js /tmp/before.js; (edit, build); node bench/ab.cjs koa small 20 500 /tmp/before.js dist/index.js
// An adapter id from adapters.cjs (direct, direct-stream, serverless-http, ...) in place of a build adds it as a reference.
const path = require('node:path')
const { workloads, tencentEvent, tencentContext } = require('./workloads.cjs')
const { expressApp, koaApp } = require('./apps.cjs')
const { adapters } = require('./adapters.cjs')

const [framework, workloadId, rounds, batch, ...builds] = process.argv.slice(2)
const workload = workloads.find((w) => w.id === workloadId)
if (!workload || builds.length === 0) {
  console.error('usage: node bench/ab.cjs <express|koa> <workload-id> <rounds> <batch> <build.js>...')
  process.exit(2)
}

// Each invocation starts on a fresh turn of the event loop, as on SCF (the runtime hands events over by I/O):
// a tight await loop would never run setImmediate callbacks, so replies pile up and the GC pays for it.
const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

async function main() {
  const subjects = builds.map((file) => {
    const reference = adapters.find((a) => a.id === file)
    if (reference) {
      const { prepare } = reference.setup(framework)
      const call = prepare(workload)
      return { file, call: async () => ({ statusCode: (await call()).statusCode }), samples: [] }
    }
    const { bridge } = require(path.resolve(file))
    const handler = bridge(framework === 'koa' ? koaApp() : expressApp())
    const event = tencentEvent(workload)
    const context = tencentContext()
    return { file, call: () => handler(event, context), samples: [] }
  })
  for (const s of subjects) {
    const r = await s.call()
    if (r.statusCode !== 200) throw new Error(`${s.file}: status ${r.statusCode}`)
    for (let i = 0; i < Number(batch); i++) {
      await s.call()
      await nextTurn()
    }
  }
  for (let round = 0; round < Number(rounds); round++) {
    for (let k = 0; k < subjects.length; k++) {
      const s = subjects[(k + round) % subjects.length]
      for (let i = 0; i < Number(batch); i++) {
        const t = process.hrtime.bigint()
        await s.call()
        s.samples.push(Number(process.hrtime.bigint() - t))
        await nextTurn()
      }
    }
  }
  const base = subjects[0]
  for (const s of subjects) {
    s.samples.sort((a, b) => a - b)
    s.median = s.samples[s.samples.length >> 1]
    s.p90 = s.samples[Math.floor(s.samples.length * 0.9)]
  }
  for (const s of subjects) {
    console.log(
      `${(s.median / 1000).toFixed(1).padStart(8)} µs median ${(s.p90 / 1000).toFixed(1).padStart(8)} µs p90  ${(s.median / base.median).toFixed(3)}x  ${s.file}`,
    )
  }
}
main().catch((error) => {
  console.error(error)
  process.exit(1)
})
