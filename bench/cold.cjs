'use strict'
// One cold start, in a fresh process: require the framework and the adapter, build the app and the
// handler, serve one GET small JSON. Prints {"ms": …, "problem": …} on stdout.
// Usage: node bench/cold.cjs <adapter-id> <express|koa>
const { adapters } = require('./adapters.cjs')
const { workloads } = require('./workloads.cjs')

const [id, framework] = process.argv.slice(2)
const adapter = adapters.find((a) => a.id === id)
if (!adapter || !['express', 'koa'].includes(framework)) {
  console.error('usage: node bench/cold.cjs <adapter-id> <express|koa>')
  process.exit(2)
}
const small = workloads.find((w) => w.id === 'small')

const started = performance.now()
const subject = adapter.setup(framework)
subject
  .prepare(small)()
  .then(
    async (reply) => {
      const ms = performance.now() - started
      const problem = small.check(subject.normalise(reply))
      process.stdout.write(`${JSON.stringify({ ms, problem })}\n`)
      if (subject.close) await subject.close()
      process.exit(0)
    },
    (error) => {
      process.stdout.write(`${JSON.stringify({ problem: `threw ${error?.message}` })}\n`)
      process.exit(1)
    },
  )
