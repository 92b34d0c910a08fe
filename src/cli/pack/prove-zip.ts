import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, parse } from 'node:path'
import type { ProbeRequest, ProbeResult } from './probe'
import { unpackZip } from './unpack-zip'

/** How the zip behaved once unpacked on its own. */
export type Proof = ProbeResult & {
  /** Files in the zip (read back and CRC-checked). */
  fileCount: number
  /** Folders above the unpacked zip holding a node_modules the handler could have resolved from. */
  leaks: string[]
  /** What the app wrote while it loaded and answered (the last part), for a failure's message. */
  output?: string
}

export interface ProveOptions {
  handler: string
  target: string
  /** The Node binary to run the handler on; default the one running pack. */
  node?: string
  timeoutMs?: number
  memoryMb?: number
}

/**
 * Proves a zip: reads it back (sizes and CRCs), unpacks it into a new temporary folder, and runs the probe in
 * a child process there (cwd the code folder as on SCF, NODE_PATH, NODE_OPTIONS and HOME's global folders out
 * of reach), so a module missing from the zip fails here rather than on SCF.
 */
export async function proveZip(zip: Buffer, options: ProveOptions): Promise<Proof> {
  const root = mkdtempSync(join(tmpdir(), 'scf-bridge-proof-'))
  try {
    const dir = join(root, 'code')
    mkdirSync(dir)
    const fileCount = unpackZip(zip, dir)
    const resultFile = join(root, 'result.json')
    const request: ProbeRequest = {
      dir,
      handler: options.handler,
      target: options.target,
      timeoutMs: options.timeoutMs ?? 3000,
      memoryMb: options.memoryMb ?? 128,
      resultFile,
    }
    const { code, output } = await runProbe(options.node ?? process.execPath, request, root)
    if (!existsSync(resultFile)) {
      return {
        loaded: false,
        error: `the handler's process exited (${code}) before answering:\n${output.trim()}`,
        fileCount,
        leaks: [],
        output: '',
      }
    }
    const result = JSON.parse(readFileSync(resultFile, 'utf8')) as ProbeResult
    return { ...result, fileCount, leaks: reachableNodeModules(root), output }
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

/** Where the built probe is: beside the CLI in dist/, or dist/ seen from the sources (tests). */
function probeScript(): string {
  const here = typeof __dirname === 'string' ? __dirname : dirname(process.argv[1] ?? '.')
  for (const candidate of [join(here, 'pack-probe.js'), join(here, '../../../dist/pack-probe.js')])
    if (existsSync(candidate)) return candidate
  throw new Error(`pack-probe.js not found beside ${here}: build scf-bridge first (npm run build)`)
}

function runProbe(
  node: string,
  request: ProbeRequest,
  home: string,
): Promise<{ code: number | string | null; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, USERPROFILE: home, NODE_ENV: 'production' }
  delete env.NODE_PATH
  delete env.NODE_OPTIONS
  return new Promise((resolve, reject) => {
    const child = spawn(node, [probeScript(), JSON.stringify(request)], {
      cwd: request.dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-8000)
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    // Loading plus one request within the function's timeout, with room for a slow disk.
    const timer = setTimeout(() => child.kill('SIGKILL'), request.timeoutMs + 60_000)
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(new Error(`could not start ${node}: ${error.message}`))
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      resolve({ code: code ?? signal, output })
    })
  })
}

function reachableNodeModules(from: string): string[] {
  const found: string[] = []
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) found.push(join(dir, 'node_modules'))
    if (dir === parse(dir).root) return found
  }
}
