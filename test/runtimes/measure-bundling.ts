/**
 * The measurement behind the README's "Dependencies: pinned, not bundled": cold start of the bridge
 * built as published (light-my-request and mime-types left to require()) against the same code with
 * both bundled in by tsup, on Node 16, 18 and the Node running this script.
 *
 *   npx tsx test/runtimes/measure-bundling.ts [runs]
 *
 * Each run is a fresh process that requires the build and serves one request; it reports the CPU time
 * (user + system) spent, which a busy machine disturbs less than wall time. Runs alternate between the
 * two builds. Not a test: numbers, no assertions.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'tsup'
import { NODE_16, NODE_18, REPO_ROOT, TOOL_CACHE, nodeBinary } from './toolchain'

const RUNS = Number(process.argv[2] ?? 25)
const OUT = join(TOOL_CACHE, 'bundling') // inside the repository, so the unbundled build finds node_modules

const PROBE = `const c0 = process.cpuUsage()
const { bridge } = require(process.argv[2])
const loaded = Object.keys(require.cache).length - 1 // not this probe
const handler = bridge((req, res) => { res.setHeader('content-type', 'application/json'); res.end('{"ok":true}') })
handler({ httpMethod: 'GET', path: '/', headers: { host: 'x' }, requestContext: {} }, {}).then((r) => {
  if (r.statusCode !== 200) throw new Error('status ' + r.statusCode)
  const c = process.cpuUsage(c0)
  console.log(JSON.stringify({ cpuMs: (c.user + c.system) / 1000, modules: loaded }))
})
`

async function buildVariant(name: string, bundled: boolean): Promise<string> {
  const outDir = join(OUT, name)
  await build({
    config: false,
    silent: true,
    entry: { index: join(REPO_ROOT, 'src', 'index.ts') },
    format: ['cjs'],
    outDir,
    target: 'node16',
    platform: 'node',
    dts: false,
    clean: true,
    noExternal: bundled ? ['light-my-request', 'mime-types'] : [],
  })
  return join(outDir, 'index.js')
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

async function main() {
  rmSync(OUT, { recursive: true, force: true })
  mkdirSync(OUT, { recursive: true })
  const variants = { unbundled: await buildVariant('unbundled', false), bundled: await buildVariant('bundled', true) }
  const probe = join(OUT, 'probe.cjs')
  writeFileSync(probe, PROBE)
  for (const [name, file] of Object.entries(variants)) {
    const bytes = readdirSync(join(file, '..')).reduce((sum, f) => sum + statSync(join(file, '..', f)).size, 0)
    console.log(`${name}: dist/index.js ${(bytes / 1024).toFixed(1)} kB`)
  }

  const nodes = [nodeBinary(NODE_16), nodeBinary(NODE_18), process.execPath]
  for (const node of nodes) {
    const samples: Record<string, number[]> = { unbundled: [], bundled: [] }
    let modules: Record<string, number> = {}
    let version = ''
    for (let i = 0; i < RUNS; i++) {
      for (const [name, file] of Object.entries(variants)) {
        const result = spawnSync(node, [probe, file], { encoding: 'utf8' })
        if (result.status !== 0) throw new Error(`${node} ${name}: ${result.stderr}`)
        const { cpuMs, modules: count } = JSON.parse(result.stdout)
        samples[name].push(cpuMs)
        modules = { ...modules, [name]: count }
      }
    }
    version = spawnSync(node, ['-v'], { encoding: 'utf8' }).stdout.trim()
    console.log(
      `${version}: unbundled ${median(samples.unbundled).toFixed(1)} ms (${modules.unbundled} modules), ` +
        `bundled ${median(samples.bundled).toFixed(1)} ms (${modules.bundled} modules), CPU time median of ${RUNS}`,
    )
  }
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
