import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { BootstrapError, type BootstrapProcess, platformEnv, startBootstrap } from '../run-bootstrap'
import type { Proof } from './prove-zip'
import type { Runtime } from './runtimes'
import { unpackZip } from './unpack-zip'
import {
  BOOTSTRAP_NAME,
  bootstrapProblem,
  bootstrapScript,
  localBootstrap,
  nodePathOf,
  RUNNER_BESIDE_BUNDLE,
  RUNNER_IN_NODE_MODULES,
} from './web-bootstrap'
import type { ZipInput } from './zip'

/**
 * Adds what the Web target needs to the zip's files: `scf_bootstrap` (mode 755, replacing one of the
 * project's own), and with `--bundle` the runner itself (a bundle has no node_modules/scf-bridge). Without
 * `--bundle` the runner is the project's own scf-bridge, the same version as the `bridge()` the handler
 * calls. Returns what stops the pack, and warnings.
 */
export function addWebInputs(
  inputs: ZipInput[],
  options: { runtime: Runtime; handler: string; bundle: boolean },
): { problem: string | undefined; warnings: string[] } {
  const warnings: string[] = []
  const own = inputs.findIndex((input) => input.name === BOOTSTRAP_NAME)
  if (own !== -1) {
    inputs.splice(own, 1)
    warnings.push(`the project's own ${BOOTSTRAP_NAME} is replaced by the one pack writes`)
  }
  let runner = RUNNER_IN_NODE_MODULES
  if (options.bundle) {
    runner = RUNNER_BESIDE_BUNDLE
    inputs.push({ name: RUNNER_BESIDE_BUNDLE, data: readFileSync(ownRunner()), mode: 0o644 })
  } else if (!inputs.some((input) => input.name === RUNNER_IN_NODE_MODULES)) {
    const installed = inputs.some((input) => input.name === 'node_modules/scf-bridge/package.json')
    return {
      problem: installed
        ? `the project's scf-bridge has no dist/web-runner.js: it predates Web functions; update it (npm install scf-bridge@latest)`
        : `scf-bridge is not among the project's production dependencies (npm install scf-bridge): a Web function runs its runner`,
      warnings,
    }
  }
  const script = bootstrapScript({ nodePath: nodePathOf(options.runtime), runner, handler: options.handler })
  inputs.push({ name: BOOTSTRAP_NAME, data: Buffer.from(script, 'utf8'), mode: 0o755 })
  return { problem: undefined, warnings }
}

/** dist/web-runner.js beside the CLI, or dist/ seen from the sources (tests). */
function ownRunner(): string {
  const here = typeof __dirname === 'string' ? __dirname : dirname(process.argv[1] ?? '.')
  for (const candidate of [join(here, 'web-runner.js'), join(here, '../../../dist/web-runner.js')])
    if (existsSync(candidate)) return candidate
  throw new Error(`web-runner.js not found beside ${here}: build scf-bridge first (npm run build)`)
}

export interface WebProveOptions {
  target: string
  runtime: Runtime
  functionName: string
  region: string
  /** The Node binary the bootstrap runs instead of the runtime's; default the one running pack. */
  node?: string
  /** How long the server may take to listen. */
  deadlineMs?: number
}

/** What the Web proof found, besides the reply: the warnings the runner printed (options it ignores). */
export type WebProof = Proof & { warnings: string[] }

/**
 * Proves a Web function zip as the platform runs it: unpacked alone in a temporary folder, `scf_bootstrap`
 * checked (first line, LF, mode 755) and executed as a program with only the Node path and port changed,
 * `GET <target>` sent once it listens, then SIGTERM, after which the runner must exit cleanly.
 */
export async function proveWebZip(zip: Buffer, options: WebProveOptions): Promise<WebProof> {
  const root = mkdtempSync(join(tmpdir(), 'scf-bridge-web-proof-'))
  let running: BootstrapProcess | undefined
  try {
    const dir = join(root, 'code')
    mkdirSync(dir)
    const fileCount = unpackZip(zip, dir)
    const script = join(dir, BOOTSTRAP_NAME)
    const fail = (error: string): WebProof => ({ loaded: false, error, fileCount, leaks: [], warnings: [] })
    if (!existsSync(script)) return fail(`the zip has no ${BOOTSTRAP_NAME} at its root`)
    const problem = bootstrapProblem(readFileSync(script), statSync(script).mode)
    if (problem) return fail(`${BOOTSTRAP_NAME}: ${problem}`)
    const port = await freePort()
    const node = options.node ?? process.execPath
    writeFileSync(script, localBootstrap(readFileSync(script, 'utf8'), node, port))

    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: root,
      TMPDIR: root,
      NODE_ENV: 'production',
      ...platformEnv({
        runtime: options.runtime.id,
        functionName: options.functionName,
        region: options.region,
        codeDir: dir,
      }),
    }
    try {
      running = await startBootstrap({ script, cwd: dir, env, port, deadlineMs: options.deadlineMs ?? 65_000 })
    } catch (error) {
      if (error instanceof BootstrapError) return fail(error.message)
      throw error
    }
    const reply = await get(port, options.target)
    const code = await running.stop()
    const output = running.output()
    running = undefined
    const warnings = runnerLines(output, 'warn')
    const exitProblem = code === 0 ? undefined : `the runner did not exit cleanly on SIGTERM (${code})`
    const status = reply.status
    const replyProblem =
      status >= 500
        ? `status ${status}${runnerLines(output, 'error').length ? `: ${runnerLines(output, 'error').join('; ')}` : ''}`
        : undefined
    return {
      loaded: true,
      status,
      contentType: reply.contentType,
      bytes: reply.bytes,
      problem: replyProblem ?? exitProblem,
      nodeVersion: await nodeVersion(node),
      fileCount,
      leaks: [],
      warnings,
    }
  } finally {
    await running?.stop(2000)
    rmSync(root, { recursive: true, force: true })
  }
}

/** The messages of the runner's JSON log lines of one level. */
function runnerLines(output: string, level: string): string[] {
  const found: string[] = []
  for (const line of output.split('\n')) {
    try {
      const parsed = JSON.parse(line) as { level?: string; source?: string; message?: string }
      if (parsed.source === 'scf-bridge' && parsed.level === level && parsed.message) found.push(parsed.message)
    } catch {}
  }
  return found
}

function get(
  port: number,
  target: string,
): Promise<{ status: number; contentType: string | undefined; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: target, headers: { 'x-scf-request-id': 'scf-bridge-pack-proof' } },
      (res) => {
        let bytes = 0
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], bytes }))
        res.on('error', reject)
      },
    )
    req.setTimeout(60_000, () => req.destroy(new Error(`GET ${target} got no reply within 60 s`)))
    req.on('error', reject)
    req.end()
  })
}

/** A port nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

function nodeVersion(node: string): Promise<string> {
  if (node === process.execPath) return Promise.resolve(process.version)
  return new Promise((resolve) => {
    execFile(node, ['--version'], (error, stdout) => resolve(error ? 'v0.0.0' : stdout.trim()))
  })
}
