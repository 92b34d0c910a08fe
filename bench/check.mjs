// npm run bench:check: the CI guard. Every row of the benchmark (Express and Koa; small JSON, JSON echo,
// 1 MB PNG out, 1 MB binary in, cookies) is timed in one process, scf-bridge interleaved with the peers
// that read the same kind of event in memory, and the row fails when scf-bridge's median is more than
// LIMIT times the best peer's. Wide on purpose: CI machines are noisy, and this is here to catch the next
// tenfold regression, not to rank (npm run bench does that). A row over the limit is measured once more,
// longer, before it counts as failed. Exits 1 on a failed row or a wrong answer.
import { createRequire } from 'node:module'
import os from 'node:os'

const require = createRequire(import.meta.url)
const { adapters } = require('./adapters.cjs')
const { workloads } = require('./workloads.cjs')

const LIMIT = 2
const PEERS = ['serverless-http', 'serverless-express']
const HEAVY = new Set(['png', 'upload'])
// Enough warm-up for the JIT to settle on the code every adapter runs (V8 tiers up within a few hundred
// calls of a 1 MB body, a few thousand small ones), rounds rotated so no adapter always follows another.
const PLAN = {
  light: { warmup: 800, rounds: 5, batch: 80 },
  heavy: { warmup: 30, rounds: 5, batch: 6 },
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve))
const nowNs = () => process.hrtime.bigint()
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.max(0, Math.ceil(sorted.length / 2) - 1)]
}

async function timeRow(entries, { warmup, rounds, batch }) {
  for (const entry of entries)
    for (let i = 0; i < warmup; i++) {
      await entry.call()
      await nextTurn()
    }
  const samples = new Map(entries.map((entry) => [entry, []]))
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < entries.length; k++) {
      const entry = entries[(k + round) % entries.length]
      const into = samples.get(entry)
      for (let i = 0; i < batch; i++) {
        const start = nowNs()
        await entry.call()
        into.push(Number(nowNs() - start))
        await nextTurn()
      }
    }
  }
  return new Map(entries.map((entry) => [entry.id, median(samples.get(entry))]))
}

async function measure(subjects, workload, plan) {
  const entries = []
  for (const subject of subjects) {
    const call = subject.prepare(workload)
    let problem
    try {
      problem = workload.check(subject.normalise(await call()))
    } catch (error) {
      problem = `threw: ${error?.message}`
    }
    if (problem) return { wrong: `${subject.id} answers wrong: ${problem}` }
    entries.push({ id: subject.id, call })
  }
  const medians = await timeRow(entries, plan)
  const bridge = medians.get('scf-bridge')
  const peers = PEERS.map((id) => ({ id, median: medians.get(id) }))
  const best = peers.reduce((a, b) => (a.median <= b.median ? a : b))
  return { bridge, peers, best, ratio: bridge / best.median }
}

const us = (ns) => (ns / 1000).toFixed(ns < 100_000 ? 1 : 0)
const pad = (text, width) => String(text).padStart(width)

// For development: --only=png,upload and --frameworks=koa narrow the run (CI runs every row).
const option = (name) =>
  process.argv
    .find((a) => a.startsWith(`--${name}=`))
    ?.slice(name.length + 3)
    .split(',')
const only = option('only')
const frameworks = option('frameworks') ?? ['express', 'koa']

const started = Date.now()
const pool = adapters.filter((a) => a.id === 'scf-bridge' || PEERS.includes(a.id))
const rows = []
for (const framework of frameworks) {
  const subjects = pool.map((adapter) => ({ id: adapter.id, ...adapter.setup(framework) }))
  for (const workload of workloads.filter((w) => !only || only.includes(w.id))) {
    const plan = HEAVY.has(workload.id) ? PLAN.heavy : PLAN.light
    let result = await measure(subjects, workload, plan)
    let again = false
    if (!result.wrong && result.ratio > LIMIT) {
      // A burst of load on a shared machine can land on one adapter's batches: look again, twice as long.
      again = true
      result = await measure(subjects, workload, { ...plan, rounds: plan.rounds * 2 })
    }
    rows.push({ framework, workload, again, ...result })
    console.error(
      `${framework} / ${workload.label}: ${result.wrong ?? `${result.ratio.toFixed(2)}x the best peer${again ? ' (measured twice)' : ''}`}`,
    )
  }
  for (const subject of subjects) if (subject.close) await subject.close()
}

const head = `| row | scf-bridge µs | ${PEERS.map((id) => pool.find((a) => a.id === id).name).join(' µs | ')} µs | × best peer | limit ${LIMIT}× |`
const lines = [
  `bench:check on Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'CPU'}, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}: medians in one process, interleaved, in ${Math.round((Date.now() - started) / 1000)} s`,
  '',
  head,
  `|---|--:|${PEERS.map(() => '--:|').join('')}--:|---|`,
]
const failed = []
for (const row of rows) {
  const name = `${row.framework === 'koa' ? 'Koa' : 'Express'}: ${row.workload.label}`
  if (row.wrong) {
    failed.push(`${name}: ${row.wrong}`)
    lines.push(`| ${name} | ${row.wrong} | ${PEERS.map(() => '').join(' | ')} | | **FAIL** |`)
    continue
  }
  const ok = row.ratio <= LIMIT
  if (!ok)
    failed.push(
      `${name}: scf-bridge ${us(row.bridge)} µs is ${row.ratio.toFixed(2)}× ${row.best.id} (${us(row.best.median)} µs)`,
    )
  lines.push(
    `| ${name} | ${pad(us(row.bridge), 8)} | ${row.peers.map((p) => pad(us(p.median), 8)).join(' | ')} | ${pad(row.ratio.toFixed(2), 5)} | ${ok ? 'ok' : '**FAIL**'}${row.again ? ' (measured twice)' : ''} |`,
  )
}
console.log(lines.join('\n'))
if (failed.length) {
  console.log(`\nbench:check FAILED: ${failed.length} row(s) more than ${LIMIT}× the best peer or wrong:`)
  for (const line of failed) console.log(`  - ${line}`)
  process.exit(1)
}
console.log(`\nbench:check passed: every row within ${LIMIT}× the best peer.`)
