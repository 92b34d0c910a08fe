// node bench/cold-start-zip.mjs [--runs=15] [--node=/path/to/node] [--examples=express-app,koa-app]
// Cold start of the examples as deployed: each example is packed with `scf-bridge pack` (npm pack of the
// repository as its scf-bridge, its own lockfile) with node_modules, with --bundle, and with --bundle
// --code-cache (made by the same Node that runs), the zips are unzipped, and fresh processes alternate
// between them: process start -> require the handler -> first reply to a Function URL event for GET /.
// Prints a markdown table of medians (and quartiles); needs a build (npm run build) and unzip.
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')
const CLI = path.join(ROOT, 'dist', 'cli.js')
const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback
const RUNS = Number(arg('runs', '15'))
const NODE = arg('node', process.execPath)
const WARMUP = 2
const EXAMPLES = arg('examples', 'express-app,koa-app').split(',')

// What the SCF runtime does on a cold start, reduced to its steps: load the handler module, call it once.
const RUNNER = `
const started = performance.now()
const handler = require(process.argv[2]).main_handler
const event = { httpMethod: 'GET', path: '/', queryString: {}, headers: { host: 'bench.local', 'user-agent': 'bench' }, body: '' }
const context = { request_id: 'cold', memory_limit_in_mb: 256, time_limit_in_ms: 3000, getRemainingTimeInMillis: () => 3000 }
Promise.resolve(handler(event, context)).then((reply) => {
  process.stdout.write(JSON.stringify({ status: reply.statusCode, inProcessMs: performance.now() - started }) + '\\n')
  process.exit(0)
})
`

const work = mkdtempSync(path.join(os.tmpdir(), 'scf-bridge-cold-zip-'))
try {
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], {
      cwd: ROOT,
      encoding: 'utf8',
    }),
  )[0]
  const runner = path.join(work, 'runner.cjs')
  writeFileSync(runner, RUNNER)
  const nodeVersion = execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim()
  console.log(
    `Node ${nodeVersion}, ${os.cpus().length} × ${os.cpus()[0].model}, ${RUNS} runs each (after ${WARMUP} discarded), alternated\n`,
  )
  console.log(
    '| Example | Zip | Size | Files | Process start to first reply (median, p25-p75) | Require + first reply in the process (median) |',
  )
  console.log('| --- | --- | --- | --- | --- | --- |')
  const rows = []
  for (const example of EXAMPLES) {
    const dir = path.join(work, example)
    cpSync(path.join(ROOT, 'examples', example), dir, {
      recursive: true,
      filter: (src) => !/[/\\](node_modules|tccli)$|\.zip$/.test(src),
    })
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'))
    pkg.dependencies['scf-bridge'] = `file:../${packed.filename}`
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2))
    execFileSync(
      'npm',
      [
        'install',
        '--package-lock-only',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--loglevel=error',
      ],
      { cwd: dir },
    )
    const variants = {}
    for (const [label, extra] of [
      ['node_modules', []],
      ['bundled', ['--bundle']],
      ['bundled + code cache', ['--bundle', '--code-cache', '--node', NODE]],
    ]) {
      const zip = path.join(work, `${example}-${label}.zip`)
      const result = spawnSync(process.execPath, [CLI, 'pack', dir, '-o', zip, '--deploy', 'none', ...extra], {
        encoding: 'utf8',
      })
      if (result.status !== 0) throw new Error(`pack failed:\n${result.stdout}${result.stderr}`)
      const unzipped = path.join(work, `${example}-${label}`)
      execFileSync('unzip', ['-q', zip, '-d', unzipped])
      const files = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).trim().split('\n').length
      if (extra.includes('--code-cache')) {
        // A cache that is not used would measure --bundle again: the loader's debug line must say it is.
        const check = spawnSync(NODE, [runner, path.join(unzipped, 'index.js')], {
          cwd: unzipped,
          env: { PATH: process.env.PATH, NODE_ENV: 'production', HOME: unzipped, NODE_DEBUG: 'scf-bridge' },
          encoding: 'utf8',
        })
        if (!/code cache used/.test(check.stderr)) throw new Error(`the code cache is not used:\n${check.stderr}`)
      }
      variants[label] = { zip, unzipped, files, size: statSync(zip).size, total: [], inProcess: [] }
    }
    // The floor: Node's own start and the runner, with a handler that requires nothing.
    const empty = path.join(work, `${example}-empty`)
    mkdirSync(empty)
    writeFileSync(path.join(empty, 'index.js'), 'exports.main_handler = async () => ({ statusCode: 200 })\n')
    variants['empty handler'] = { unzipped: empty, files: 1, size: 0, total: [], inProcess: [] }
    for (let i = 0; i < WARMUP + RUNS; i++) {
      // Alternated, the order reversed every round, so drift in the machine's load hits every variant alike.
      for (const variant of i % 2 ? Object.values(variants).reverse() : Object.values(variants)) {
        const { total, inProcess } = await coldStart(variant.unzipped)
        if (i < WARMUP) continue
        variant.total.push(total)
        variant.inProcess.push(inProcess)
      }
    }
    for (const [label, v] of Object.entries(variants)) {
      const row = `| ${example} | ${label} | ${v.size ? `${(v.size / 1000).toFixed(0)} kB` : ''} | ${v.files} | ${fmt(quantile(v.total, 0.5))} (${fmt(quantile(v.total, 0.25))}-${fmt(quantile(v.total, 0.75))}) | ${fmt(quantile(v.inProcess, 0.5))} |`
      rows.push(row)
      console.log(row)
    }
    for (const label of ['bundled', 'bundled + code cache']) {
      const ratio = quantile(variants[label].total, 0.5) / quantile(variants.node_modules.total, 0.5)
      const inRatio = quantile(variants[label].inProcess, 0.5) / quantile(variants.node_modules.inProcess, 0.5)
      console.log(`| ${example} | ${label} / node_modules | | | **${ratio.toFixed(2)}×** | ${inRatio.toFixed(2)}× |`)
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}

/** One fresh process in the unzipped folder: ms from spawn to the reply line, and the runner's own count. */
function coldStart(dir) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint()
    const child = spawn(NODE, [path.join(path.dirname(dir), 'runner.cjs'), path.join(dir, 'index.js')], {
      cwd: dir,
      env: { PATH: process.env.PATH, NODE_ENV: 'production', HOME: dir },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk
      if (!out.includes('\n')) return
      const total = Number(process.hrtime.bigint() - start) / 1e6
      const reply = JSON.parse(out)
      if (reply.status !== 200) reject(new Error(`GET / answered ${reply.status}`))
      resolve({ total, inProcess: reply.inProcessMs })
    })
    child.once('exit', (code) => {
      if (!out.includes('\n')) reject(new Error(`the runner exited (${code}) without a reply`))
    })
  })
}

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (sorted.length - 1) * q
  const low = Math.floor(at)
  return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (at - low)
}

function fmt(ms) {
  return `${ms.toFixed(1)} ms`
}
