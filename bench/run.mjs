// npm run bench [-- --quick] [--write] [--only=small,png] [--frameworks=express] [--skip=cold,rss,zip,isolated]
// Measures scf-bridge against its peers and the floors, interleaved in one process; cold start and
// memory in fresh processes. A complete full run (no --quick, no filter) rewrites the generated part of BENCHMARKS.md.

import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const { adapters } = require('./adapters.cjs')
const { workloads } = require('./workloads.cjs')
const { measure: packageSize } = require('./size.cjs')
const { PNG } = require('./fixtures.cjs')

const HERE = path.dirname(fileURLToPath(import.meta.url))
const ROOT = path.join(HERE, '..')
const args = process.argv.slice(2)
const flag = (name) => args.includes(`--${name}`)
const list = (name) =>
  args
    .find((a) => a.startsWith(`--${name}=`))
    ?.slice(name.length + 3)
    .split(',')

const quick = flag('quick')
const frameworks = list('frameworks') ?? ['express', 'koa']
const only = list('only')
const skip = new Set(list('skip') ?? [])
const chosen = workloads.filter((w) => !only || only.includes(w.id))
// Only a complete full run rewrites BENCHMARKS.md on its own; --write forces it.
const write = flag('write') || (!quick && !only && !list('frameworks') && skip.size === 0)

const HEAVY = new Set(['png', 'upload'])
const plan = quick
  ? {
      light: { warmup: 50, rounds: 3, batch: 60 },
      heavy: { warmup: 3, rounds: 3, batch: 5 },
      coldRuns: 3,
      coldFrameworks: ['express'],
      rssCount: 2000,
      rssFrameworks: ['express'],
      peakRounds: 1,
      peakCount: 50,
    }
  : {
      light: { warmup: 6000, rounds: 8, batch: 250 },
      heavy: { warmup: 300, rounds: 10, batch: 20 },
      coldRuns: 10,
      coldFrameworks: frameworks,
      rssCount: 20000,
      rssFrameworks: frameworks,
      peakRounds: 3,
      peakCount: 300,
    }
// Warm-up: on Node 20 an adapter's median per invocation keeps falling for its first 4,000-6,000 small
// invocations (tiering up of the framework's, the engine's and the adapter's code; measured per batch of 250,
// each adapter alone: Koa small JSON 200+ µs at first, steady from about 5,000). Fewer warm-up calls measure
// the warm-up, and favour whichever adapter shares most code with the others in the process. The 1 MB workloads
// need a few hundred: Buffer.from(string, 'base64') takes ~3.5 ms per MB until its callers are optimized, ~0.1 ms
// after (Node 20, V8's fast API call), and a process where three peers decode warms it three times faster.
// The "alone" runs are split into ALONE_PARTS child processes per mode and workload, alternated, and pooled:
// on a shared machine one long child per mode caught different background load than the other.
const ALONE_PARTS = quick ? 1 : 3
const part = Number(list('part')?.[0] ?? 0)
if (part > 0) for (const p of [plan.light, plan.heavy]) p.rounds = Math.max(1, Math.ceil(p.rounds / part))

const nowNs = () => process.hrtime.bigint()
// Each invocation starts on a fresh turn of the event loop, as on SCF (the runtime hands events over by I/O):
// a tight await loop would never run setImmediate callbacks, so replies pile up and the GC pays for it.
const nextTurn = () => new Promise((resolve) => setImmediate(resolve))
const log = (...parts) => console.error(...parts)

// ---- statistics ------------------------------------------------------------

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]
}
const median = (values) =>
  quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  )

const us = (ns) => (ns / 1000).toFixed(ns < 100_000 ? 1 : 0)
const ms = (value) => value.toFixed(1)
const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1)
const kb = (bytes) => (bytes / 1024).toFixed(0)

// ---- warm, interleaved timing ----------------------------------------------

/** Checks every adapter's answer; returns the ones that answered correctly, with a call ready. */
async function checked(subjects, workload) {
  const ready = []
  const wrong = []
  for (const subject of subjects) {
    let problem
    const call = subject.prepare(workload)
    try {
      problem = workload.check(subject.normalise(await call()))
    } catch (error) {
      problem = `threw: ${error?.message}`
    }
    if (problem) wrong.push({ adapter: subject.adapter, problem })
    else ready.push({ adapter: subject.adapter, call })
  }
  return { ready, wrong }
}

async function timeInterleaved(entries, { warmup, rounds, batch }) {
  for (const entry of entries)
    for (let i = 0; i < warmup; i++) {
      await entry.call()
      await nextTurn()
    }
  const samples = new Map(entries.map((e) => [e, []]))
  const wall = new Map(entries.map((e) => [e, 0n]))
  for (let round = 0; round < rounds; round++) {
    // Rotate the order each round so no adapter always runs right after the same neighbour.
    const order = entries.map((_, i) => entries[(i + round) % entries.length])
    for (const entry of order) {
      const into = samples.get(entry)
      const start = nowNs()
      for (let i = 0; i < batch; i++) {
        const t = nowNs()
        await entry.call()
        into.push(Number(nowNs() - t))
        await nextTurn()
      }
      wall.set(entry, wall.get(entry) + (nowNs() - start))
    }
  }
  return entries.map((entry) => {
    const sorted = samples.get(entry).sort((a, b) => a - b)
    return {
      adapter: entry.adapter,
      n: sorted.length,
      median: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
      perSecond: sorted.length / (Number(wall.get(entry)) / 1e9),
      wallNs: Number(wall.get(entry)),
      samples: sorted,
    }
  })
}

async function warmTables(pool = adapters) {
  const results = []
  for (const framework of frameworks) {
    const subjects = pool.map((adapter) => ({ adapter, ...adapter.setup(framework) }))
    for (const workload of chosen) {
      const { ready, wrong } = await checked(subjects, workload)
      const params = HEAVY.has(workload.id) ? plan.heavy : plan.light
      log(
        `${framework} / ${workload.label}: ${ready.length} adapters, ${params.rounds}x${params.batch} each${wrong.length ? `, ${wrong.length} wrong` : ''}`,
      )
      const rows = await timeInterleaved(ready, params)
      results.push({ framework, workload, rows, wrong })
    }
    for (const subject of subjects) if (subject.close) await subject.close()
  }
  return results
}

function base64Cost() {
  const runs = []
  for (let i = 0; i < 30; i++) {
    const t = nowNs()
    PNG.toString('base64')
    runs.push(Number(nowNs() - t))
  }
  return median(runs)
}

/**
 * Each adapter as deployed, in child processes: the same warm run without scf-bridge (once the bridge has run,
 * its AsyncLocalStorage for getCurrentInvoke keeps a promise hook on for the whole process, and every adapter in
 * it pays for that: serverless-express on Koa about 20-30 %), then scf-bridge alone (the floors and peers run
 * light-my-request as published, whose GC load lands on whichever adapter runs next in a shared process).
 */
function warmAlone() {
  const pooled = new Map()
  // Alternated per workload and part, so the two kinds of child see the same background load of the machine.
  for (const framework of frameworks) {
    for (const workload of chosen) {
      for (let k = 0; k < ALONE_PARTS; k++) {
        for (const [mode, label] of [
          ['--without-bridge', 'without scf-bridge'],
          ['--bridge-alone', 'with scf-bridge alone'],
        ]) {
          const rows = warmChild(
            [mode, `--frameworks=${framework}`, `--only=${workload.id}`],
            `${framework} / ${workload.label}, ${label} (part ${k + 1} of ${ALONE_PARTS})`,
          )
          for (const [key, row] of rows) {
            const into = pooled.get(key) ?? pooled.set(key, { id: row.id, samples: [], wallNs: 0 }).get(key)
            into.samples.push(...row.samples)
            into.wallNs += row.wallNs
          }
        }
      }
    }
  }
  const isolated = new Map()
  for (const [key, { id, samples, wallNs }] of pooled) {
    samples.sort((a, b) => a - b)
    isolated.set(key, {
      id,
      n: samples.length,
      median: quantile(samples, 0.5),
      p99: quantile(samples, 0.99),
      perSecond: samples.length / (wallNs / 1e9),
    })
  }
  return isolated
}

function warmChild(childArgs, label) {
  const passed = args.filter((a) => a === '--quick')
  log(`the same warm run, ${label} (child process)`)
  const child = spawnSync(
    process.execPath,
    [path.join(HERE, 'run.mjs'), ...childArgs, `--part=${ALONE_PARTS}`, ...passed],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 900_000,
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 16 * 1024 * 1024,
    },
  )
  const isolated = new Map()
  try {
    for (const r of JSON.parse(child.stdout))
      for (const row of r.rows) isolated.set(`${r.framework}/${r.workload}/${row.id}`, row)
  } catch {
    log(`the run ${label} failed: ${child.error?.message ?? `exit ${child.status}`}`)
  }
  return isolated
}

// ---- fresh processes -------------------------------------------------------

function runChild(argv, nodeFlags = []) {
  const result = spawnSync(process.execPath, [...nodeFlags, ...argv], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 })
  const line = result.stdout.trim().split('\n').pop()
  try {
    return JSON.parse(line)
  } catch {
    return {
      problem: `child failed: ${(result.stderr || result.error?.message || '').trim().split('\n').slice(-1)[0]}`,
    }
  }
}

function coldStarts() {
  const table = []
  for (const framework of plan.coldFrameworks) {
    const runs = new Map(adapters.map((a) => [a, []]))
    const problems = new Map()
    log(`cold start, ${framework}: ${plan.coldRuns} runs x ${adapters.length} adapters`)
    for (let run = 0; run < plan.coldRuns; run++) {
      for (const adapter of adapters) {
        const out = runChild([path.join(HERE, 'cold.cjs'), adapter.id, framework])
        if (out.problem) problems.set(adapter, out.problem)
        else runs.get(adapter).push(out.ms)
      }
    }
    for (const adapter of adapters) {
      const values = runs.get(adapter)
      table.push({
        framework,
        adapter,
        runs: values.length,
        median: median(values),
        min: Math.min(...values),
        problem: problems.get(adapter),
      })
    }
  }
  return table
}

/** The examples packed as users deploy them (bench/cold-start-zip.mjs): its markdown table, or why not. */
function zipColdStarts() {
  const runs = quick ? 3 : 15
  const examples = quick ? 'express-app' : 'express-app,koa-app'
  log(`cold start from the zip: node_modules, --bundle, --bundle --code-cache; ${runs} runs each (${examples})`)
  const result = spawnSync(
    process.execPath,
    [path.join(HERE, 'cold-start-zip.mjs'), `--runs=${runs}`, `--examples=${examples}`],
    { cwd: ROOT, encoding: 'utf8', timeout: 1_800_000, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  if (result.status !== 0) return { problem: result.error?.message ?? `exit ${result.status}`, table: [] }
  const lines = result.stdout.trim().split('\n')
  return { runs, header: lines[0], table: lines.filter((line) => line.startsWith('|')) }
}

function zipMarkdown(zip) {
  if (zip.problem) return [`The zip cold start failed: ${zip.problem}.`]
  return [
    `${zip.header}. Each example is packed by \`scf-bridge pack\` three ways (with \`node_modules\`, \`--bundle\`,`,
    '`--bundle --code-cache` with the cache made by the same Node build), unzipped, and fresh processes alternate',
    'between them and an empty handler (order reversed each round, 2 rounds discarded): spawn, require `index.js`,',
    "one Function URL `GET /`, reply. The time is from `spawn()` to the reply, Node's own boot included; the last",
    'column is what the process itself counts from require to reply. Read the ratios, not the milliseconds.',
    '',
    ...zip.table,
  ]
}

function memory() {
  const table = []
  for (const framework of plan.rssFrameworks) {
    for (const adapter of adapters) {
      log(`memory, ${framework}: ${adapter.name}, ${plan.rssCount} invocations`)
      const out = runChild([path.join(HERE, 'rss.cjs'), adapter.id, framework, String(plan.rssCount)], ['--expose-gc'])
      table.push({ framework, adapter, ...out })
    }
  }
  return table
}

// Peak memory on the 1 MB PNG path: each adapter in fresh processes, rounds alternated, the median peak kept.
function peakMemory() {
  const table = []
  const subjects = adapters.filter((a) => a.kind === 'adapter')
  for (const framework of plan.rssFrameworks) {
    const peaks = new Map(subjects.map((a) => [a, []]))
    const problems = new Map()
    log(`peak memory, ${framework}: GET 1 MB PNG, ${plan.peakRounds} rounds x ${subjects.length} adapters`)
    for (let round = 0; round < plan.peakRounds; round++) {
      for (const adapter of round % 2 ? [...subjects].reverse() : subjects) {
        const out = runChild(
          [path.join(HERE, 'peak.cjs'), adapter.id, framework, String(plan.peakCount)],
          ['--expose-gc'],
        )
        if (out.problem) problems.set(adapter, out.problem)
        else peaks.get(adapter).push(out)
      }
    }
    for (const adapter of subjects) {
      const runs = peaks.get(adapter)
      table.push({
        framework,
        adapter,
        problem: problems.get(adapter),
        before: runs.length ? median(runs.map((r) => r.before)) : undefined,
        peak: runs.length ? median(runs.map((r) => r.peak)) : undefined,
        perInvocation: runs.length ? median(runs.map((r) => r.perInvocation)) : undefined,
      })
    }
  }
  return table
}

// ---- report ----------------------------------------------------------------

function warmMarkdown(results) {
  const out = []
  for (const { framework, workload, rows, wrong } of results) {
    const direct = rows.find((r) => r.adapter.id === 'direct')
    const directAlone = alone(framework, workload, 'direct')
    out.push(`#### ${framework === 'koa' ? 'Koa' : 'Express'}: ${workload.label}`, '')
    out.push(
      '| adapter | median µs | p99 µs | invocations/s | × direct | alone: median µs | alone: p99 µs | alone: invocations/s | × direct, as deployed |',
      '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
    )
    const perSecond = (r) => Math.round(r.perSecond).toLocaleString('en-US')
    for (const row of rows) {
      const ratio = direct ? (row.median / direct.median).toFixed(2) : '–'
      const bridge = row.adapter.id === 'scf-bridge'
      const name = bridge ? `**${row.adapter.name}**` : row.adapter.name
      const own = alone(framework, workload, row.adapter.id)
      const deployed = bridge ? (own ?? row) : own
      const aloneCells = own ? `${us(own.median)} | ${us(own.p99)} | ${perSecond(own)}` : '– | – | –'
      const deployedRatio = deployed && directAlone ? (deployed.median / directAlone.median).toFixed(2) : '–'
      out.push(
        `| ${name} | ${us(row.median)} | ${us(row.p99)} | ${perSecond(row)} | ${ratio} | ${aloneCells} | ${deployedRatio} |`,
      )
    }
    for (const { adapter, problem } of wrong) out.push(`| ${adapter.name} | wrong answer: ${problem} | | | | | | | |`)
    out.push('', `<sub>${rows[0]?.n ?? 0} timed invocations per adapter.</sub>`, '')
  }
  return out
}

// The tables BENCHMARKS.md keeps: each adapter as deployed (alone in its process), one row per adapter, and the
// bare floor; the two inject() floors stay in the printed report.
const keptInFile = (adapter) => adapter.kind === 'adapter' || adapter.id === 'bare'

function deployedMarkdown(results) {
  const out = []
  for (const framework of frameworks) {
    const mine = results.filter((r) => r.framework === framework)
    if (!mine.length) continue
    const where = isolated.size ? 'each adapter alone in its process' : 'all adapters in one process (--skip=isolated)'
    out.push(`#### ${framework === 'koa' ? 'Koa' : 'Express'}: median µs (p99), ${where}`, '')
    out.push(
      `| adapter | ${mine.map((r) => r.workload.label).join(' | ')} |`,
      `|---|${mine.map(() => '--:|').join('')}`,
    )
    for (const adapter of adapters.filter(keptInFile)) {
      const cells = mine.map((r) => {
        const shared = r.rows.find((x) => x.adapter.id === adapter.id)
        if (!shared) return 'wrong answer'
        const own = isolated.size
          ? (alone(framework, r.workload, adapter.id) ?? (adapter.id === 'scf-bridge' ? shared : undefined))
          : shared
        return own ? `${us(own.median)} (${us(own.p99)})` : '–'
      })
      out.push(`| ${adapter.id === 'scf-bridge' ? `**${adapter.name}**` : adapter.name} | ${cells.join(' | ')} |`)
    }
    out.push('')
  }
  return out
}

function memorySummaryMarkdown(mem) {
  const apps = [...new Set(mem.map((m) => m.framework))]
  const out = [
    `| adapter | ${apps.map((f) => `${f}: heap MB, before → after 2N | ${f}: RSS MB, before → N → 2N`).join(' | ')} |`,
    `|---|${apps.map(() => '--:|--:|').join('')}`,
  ]
  for (const adapter of adapters.filter(keptInFile)) {
    const cells = apps.map((f) => {
      const m = mem.find((x) => x.framework === f && x.adapter === adapter)
      if (!m?.before) return `${m?.problem ?? 'failed'} | `
      return `${mb(m.before.heapUsed)} → ${mb(m.again.heapUsed)} | ${mb(m.before.rss)} → ${mb(m.after.rss)} → ${mb(m.again.rss)}`
    })
    out.push(`| ${adapter.name} | ${cells.join(' | ')} |`)
  }
  return out
}

function targetsMarkdown(results, cold, mem, peaks, base64Ns) {
  const out = ['| target | result | met |', '|---|---|---|']
  const find = (framework, id) => results.find((r) => r.framework === framework && r.workload.id === id)
  const row = (r, id) => r?.rows.find((x) => x.adapter.id === id)
  for (const framework of frameworks) {
    const small = find(framework, 'small')
    if (small && row(small, 'scf-bridge') && row(small, 'direct')) {
      const ratio = row(small, 'scf-bridge').median / row(small, 'direct').median
      const directAlone = alone(framework, small.workload, 'direct')
      const bridgeAlone = alone(framework, small.workload, 'scf-bridge') ?? row(small, 'scf-bridge')
      const deployed = directAlone ? bridgeAlone.median / directAlone.median : undefined
      out.push(
        `| ${framework}: warm small JSON ≤ 1.10× direct | ${ratio.toFixed(2)}× in the same process` +
          (deployed ? `; ${deployed.toFixed(2)}× as deployed (each alone)` : '') +
          ` | ${Math.max(ratio, deployed ?? 0) <= 1.1 ? 'yes' : '**no**'} |`,
      )
    }
    for (const r of results.filter((x) => x.framework === framework)) {
      const bridge = row(r, 'scf-bridge')
      if (!bridge) {
        out.push(`| ${framework}: ${r.workload.label}: correct answer | scf-bridge answered wrong | **no** |`)
        continue
      }
      const peers = r.rows.filter((x) => x.adapter.kind === 'adapter' && x.adapter.id !== 'scf-bridge')
      // As deployed: a peer's figures from the process without the bridge, when that run has them.
      const deployed = peers.map((x) => ({
        adapter: x.adapter,
        median: alone(framework, r.workload, x.adapter.id)?.median ?? x.median,
      }))
      const fastest = deployed.reduce((a, b) => (a && a.median <= b.median ? a : b), undefined)
      const fastestShared = peers.reduce((a, b) => (a && a.median <= b.median ? a : b), undefined)
      const bridgeAlone = alone(framework, r.workload, 'scf-bridge') ?? bridge
      if (fastest) {
        out.push(
          `| ${framework}: ${r.workload.label}: faster than every peer | as deployed (each alone): ${us(bridgeAlone.median)} µs vs ${us(fastest.median)} µs (${fastest.adapter.name})` +
            `; same process: ${us(bridge.median)} µs vs ${us(fastestShared.median)} µs (${fastestShared.adapter.name}) | ${bridgeAlone.median < fastest.median && bridge.median < fastestShared.median ? 'yes' : '**no**'} |`,
        )
      }
    }
    const png = find(framework, 'png')
    if (png && row(png, 'scf-bridge') && row(png, 'direct')) {
      const direct = alone(framework, png.workload, 'direct') ?? row(png, 'direct')
      const limit = 1.2 * Math.min(direct.median, row(png, 'direct').median) + base64Ns
      const stream = [alone(framework, png.workload, 'direct-stream'), row(png, 'direct-stream')]
        .filter(Boolean)
        .reduce((a, b) => (a && a.median <= b.median ? a : b), undefined)
      const strict = stream ? 1.2 * stream.median + base64Ns : undefined
      out.push(
        `| ${framework}: 1 MB PNG ≤ 1.2× direct + one base64 (${us(base64Ns)} µs) | ${us(row(png, 'scf-bridge').median)} µs vs ${us(limit)} µs` +
          (strict ? `; against the streamed floor: ${us(strict)} µs` : '') +
          ` | ${row(png, 'scf-bridge').median <= limit ? 'yes' : '**no**'}${strict ? (row(png, 'scf-bridge').median <= strict ? ' (streamed floor: yes)' : ' (streamed floor: **no**)') : ''} |`,
      )
    }
  }
  for (const framework of plan.coldFrameworks) {
    const rows = cold.filter((c) => c.framework === framework)
    const bridge = rows.find((c) => c.adapter.id === 'scf-bridge')
    const peers = rows.filter((c) => c.adapter.kind === 'adapter' && c.adapter.id !== 'scf-bridge' && !c.problem)
    if (bridge && peers.length) {
      const best = peers.reduce((a, b) => (a.median <= b.median ? a : b))
      out.push(
        `| ${framework}: cold start below every peer | ${ms(bridge.median)} ms vs ${ms(best.median)} ms (${best.adapter.name}) | ${bridge.median < best.median ? 'yes' : '**no**'} |`,
      )
    }
  }
  for (const m of mem.filter((x) => x.adapter.id === 'scf-bridge' && x.before)) {
    const heap = m.after.heapUsed - m.before.heapUsed
    const rss = m.after.rss - m.before.rss
    const heapAgain = m.again.heapUsed - m.after.heapUsed
    const rssAgain = m.again.rss - m.after.rss
    const sign = (n) => (n >= 0 ? '+' : '')
    const met = heap < 2 * 1024 * 1024 && heapAgain < 2 * 1024 * 1024 && rssAgain < 2 * 1024 * 1024
    out.push(
      `| ${m.framework}: no growth across ${m.invocations.toLocaleString('en-US')} invocations | first ${m.invocations.toLocaleString('en-US')}: heap ${sign(heap)}${kb(heap)} KB, RSS ${sign(rss)}${mb(rss)} MB; next ${m.invocations.toLocaleString('en-US')}: heap ${sign(heapAgain)}${kb(heapAgain)} KB, RSS ${sign(rssAgain)}${mb(rssAgain)} MB | ${met ? 'yes' : '**no**'} |`,
    )
  }
  for (const framework of [...new Set(peaks.map((p) => p.framework))]) {
    const rows = peaks.filter((p) => p.framework === framework && p.peak !== undefined)
    const bridge = rows.find((p) => p.adapter.id === 'scf-bridge')
    const others = rows.filter((p) => p.adapter.id !== 'scf-bridge')
    if (!bridge || !others.length) continue
    const least = others.reduce((a, b) => (a.perInvocation <= b.perInvocation ? a : b))
    const best = others.reduce((a, b) => (a.peak <= b.peak ? a : b))
    out.push(
      `| ${framework}: memory one 1 MB PNG invocation holds, no more than the best peer's | ${mb(bridge.perInvocation)} MB vs ${mb(least.perInvocation)} MB (${least.adapter.name}) | ${bridge.perInvocation <= least.perInvocation ? 'yes' : '**no**'} |`,
      `| ${framework}: peak RSS over ${plan.peakCount} such invocations, no higher than the best peer's | ${mb(bridge.peak)} MB vs ${mb(best.peak)} MB (${best.adapter.name}) | ${bridge.peak <= best.peak ? 'yes' : '**no**'} |`,
    )
  }
  return out
}

function peakMarkdown(peaks) {
  const apps = [...new Set(peaks.map((p) => p.framework))]
  const out = [
    `| adapter | ${apps.map((f) => `${f}: held by one invocation MB | ${f}: RSS after the first answer MB | ${f}: peak RSS MB`).join(' | ')} |`,
    `|---|${apps.map(() => '--:|--:|--:|').join('')}`,
  ]
  for (const adapter of adapters.filter((a) => a.kind === 'adapter')) {
    const cells = apps.map((f) => {
      const p = peaks.find((x) => x.framework === f && x.adapter === adapter)
      return p?.peak === undefined
        ? `${p?.problem ?? 'failed'} | | `
        : `${mb(p.perInvocation)} | ${mb(p.before)} | ${mb(p.peak)}`
    })
    out.push(`| ${adapter.id === 'scf-bridge' ? `**${adapter.name}**` : adapter.name} | ${cells.join(' | ')} |`)
  }
  return out
}

function coldMarkdown(cold, kept = () => true) {
  const out = [
    `| adapter | ${plan.coldFrameworks.map((f) => `${f} median ms (min)`).join(' | ')} |`,
    `|---|${plan.coldFrameworks.map(() => '--:|').join('')}`,
  ]
  for (const adapter of adapters.filter(kept)) {
    const cells = plan.coldFrameworks.map((f) => {
      const c = cold.find((x) => x.framework === f && x.adapter === adapter)
      return c.problem ? `wrong: ${c.problem}` : `${ms(c.median)} (${ms(c.min)})`
    })
    out.push(`| ${adapter.name} | ${cells.join(' | ')} |`)
  }
  return out
}

function memoryMarkdown(mem) {
  const out = [
    '| app | adapter | RSS before MB | RSS after N MB | RSS after 2N MB | heap before MB | heap after N MB | heap after 2N MB |',
    '|---|---|--:|--:|--:|--:|--:|--:|',
  ]
  for (const m of mem) {
    if (!m.before) out.push(`| ${m.framework} | ${m.adapter.name} | ${m.problem ?? 'failed'} | | | | | |`)
    else
      out.push(
        `| ${m.framework} | ${m.adapter.name} | ${mb(m.before.rss)} | ${mb(m.after.rss)} | ${mb(m.again.rss)} | ${mb(m.before.heapUsed)} | ${mb(m.after.heapUsed)} | ${mb(m.again.heapUsed)} |`,
      )
  }
  return out
}

function sizeMarkdown() {
  const out = [
    '| package | version | own files KB | runtime deps (transitive) | installed KB with deps |',
    '|---|---|--:|--:|--:|',
  ]
  for (const name of ['scf-bridge', 'tencent-serverless-http', 'serverless-http', '@codegenie/serverless-express']) {
    const s = packageSize(name)
    out.push(`| ${name} | ${s.version} | ${kb(s.own)} | ${s.deps} | ${kb(s.total)} |`)
  }
  return out
}

function machine() {
  const cpus = os.cpus()
  return `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores (shared), ${mb(os.totalmem())} MB, ${os.type()} ${os.release()}`
}

// ---- main ------------------------------------------------------------------

if (flag('without-bridge') || flag('bridge-alone')) {
  const results = await warmTables(adapters.filter((a) => (a.id === 'scf-bridge') === flag('bridge-alone')))
  const json = JSON.stringify(
    results.map((r) => ({
      framework: r.framework,
      workload: r.workload.id,
      rows: r.rows.map(({ adapter, ...figures }) => ({ id: adapter.id, ...figures })),
    })),
  )
  // A pipe is written asynchronously: exiting before the write completes would cut the output short.
  await new Promise((resolve) => process.stdout.write(json, resolve))
  process.exit(0)
}

const started = Date.now()
const results = await warmTables()
const isolated = skip.has('isolated') ? new Map() : warmAlone()
const alone = (framework, workload, id) => isolated.get(`${framework}/${workload.id}/${id}`)
const base64Ns = base64Cost()
const cold = skip.has('cold') ? [] : coldStarts()
const mem = skip.has('rss') ? [] : memory()
const peaks = skip.has('rss') ? [] : peakMemory()
const zip = skip.has('zip') ? undefined : zipColdStarts()

const versions = [
  'express',
  'koa',
  'light-my-request',
  'tencent-serverless-http',
  'serverless-http',
  '@codegenie/serverless-express',
]
  .map((name) => `${name} ${require(`${name}/package.json`).version}`)
  .join(', ')
const adapterNotes = adapters.map(
  (a) => `- **${a.name}** (${a.kind}): event: ${a.event}${a.note ? `; ${a.note}` : ''}.`,
)

const report = [
  `Generated by \`npm run bench${quick ? ' -- --quick' : ''}\` on ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} in ${Math.round((Date.now() - started) / 1000)} s.`,
  `Node ${process.version} on ${machine()}. ${versions}.`,
  quick ? '\n**Quick run: too few samples for conclusions.**' : '',
  '',
  '### What each row is',
  '',
  ...adapterNotes,
  '',
  'Warm figures: one process, every adapter serving its own instance of the same app, interleaved in rotating order',
  '(rounds of batches), each invocation timed alone from handler call to resolved response. Every answer is checked',
  '(status, body bytes, base64 flag for the PNG, 5 separate cookies) before timing; a wrong answer is listed, not timed.',
  '"alone": the same interleaved run in a second process without scf-bridge (whose AsyncLocalStorage hook for',
  'getCurrentInvoke would otherwise slow every adapter in the process), and scf-bridge in a third process on its own',
  '(in the shared process it also pays for the GC load of the light-my-request-based floors, whose engine it does',
  'not share). "× direct, as deployed": each row alone over "direct" alone.',
  '',
  '### Targets',
  '',
  ...targetsMarkdown(results, cold, mem, peaks, base64Ns),
  '',
  '### Warm invocations',
  '',
  ...warmMarkdown(results),
  ...(cold.length
    ? [
        '### Cold start',
        '',
        `Fresh \`node\` process per run: require the framework and the adapter, build the app and the handler, serve one GET small JSON (checked); ${plan.coldRuns} runs per cell, interleaved; node's own boot is not included.`,
        '',
        ...coldMarkdown(cold),
        '',
      ]
    : []),
  ...(zip
    ? ['### Cold start from the zip: node_modules, --bundle, --bundle --code-cache', '', ...zipMarkdown(zip), '']
    : []),
  ...(mem.length
    ? [
        '### Memory',
        '',
        `Fresh process per row, \`--expose-gc\`: 2,000 warm-up invocations, GC, "before"; N = ${plan.rssCount.toLocaleString('en-US')} invocations of GET small JSON, GC, "after N"; N more, GC, "after 2N". RSS can grow during the first N while V8's old generation settles at its working size (it keeps freed pages for reuse; the heap in use stays flat; checked with \`v8.getHeapSpaceStatistics()\`), then stays: the second N shows the steady state.`,
        '',
        ...memoryMarkdown(mem),
        '',
      ]
    : []),
  ...(peaks.length
    ? [
        '### Peak memory: GET 1 MB PNG',
        '',
        `Fresh process per run, \`--expose-gc\`: the app answers once, GC, "RSS after the first answer"; then ${plan.peakCount} invocations of GET 1 MB PNG, one per event-loop turn. "Held by one invocation": the growth of the memory outside the JS heap plus the JS heap across one invocation (its copies of the body and the base64 text; median over the invocations). "Peak RSS": the process's peak resident set (\`process.resourceUsage().maxRSS\`: what a memory limit sees, which also depends on when V8 collects earlier invocations' garbage). Median of ${plan.peakRounds} runs per cell, adapters alternated.`,
        '',
        ...peakMarkdown(peaks),
        '',
      ]
    : []),
  '### Installed size',
  '',
  'Own files as installed (scf-bridge: its published `files`), plus the transitive closure of `dependencies` as installed here.',
  '',
  ...sizeMarkdown(),
  '',
].join('\n')

console.log(report)

// BENCHMARKS.md keeps the figures as deployed; the full report above (same process, targets, floors'
// details) is printed only.
const summary = [
  `Generated by \`npm run bench${quick ? ' -- --quick' : ''}\` on ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}.`,
  `Node ${process.version} on ${machine()}. ${versions}.`,
  ...(quick ? ['', '**Quick run: too few samples for conclusions.**'] : []),
  '',
  ...deployedMarkdown(results),
  ...(cold.length
    ? [
        `#### Cold start: median ms (min) of ${plan.coldRuns} fresh processes`,
        '',
        ...coldMarkdown(cold, keptInFile),
        '',
      ]
    : []),
  ...(zip
    ? ['#### Cold start from the zip: node_modules, --bundle, --bundle --code-cache', '', ...zipMarkdown(zip), '']
    : []),
  ...(mem.length
    ? [
        `#### Memory: ${plan.rssCount.toLocaleString('en-US')} (N) invocations of GET small JSON after 2,000 warm-up ones, GC before each reading`,
        '',
        ...memorySummaryMarkdown(mem),
        '',
      ]
    : []),
  ...(peaks.length
    ? [
        `#### Peak memory: ${plan.peakCount} invocations of GET 1 MB PNG, median of ${plan.peakRounds} fresh processes`,
        '',
        ...peakMarkdown(peaks),
        '',
      ]
    : []),
  '#### Installed size',
  '',
  ...sizeMarkdown(),
  '',
].join('\n')

if (write) {
  const file = path.join(ROOT, 'BENCHMARKS.md')
  const START = '<!-- bench:start (generated by npm run bench; do not edit by hand) -->'
  const END = '<!-- bench:end -->'
  const current = existsSync(file) ? readFileSync(file, 'utf8') : `# Benchmarks\n\n${START}\n${END}\n`
  const from = current.indexOf(START)
  const to = current.indexOf(END)
  const next =
    from >= 0 && to > from
      ? `${current.slice(0, from + START.length)}\n${summary}\n${current.slice(to)}`
      : `${current}\n${START}\n${summary}\n${END}\n`
  writeFileSync(file, next)
  log(`wrote ${path.relative(process.cwd(), file)}`)
}
