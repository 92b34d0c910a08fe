/**
 * The child process that proves a zip (built as dist/pack-probe.js): run in the unpacked zip's folder, it
 * loads the handler with nothing but that folder's files, sends one request through the same emulator as
 * `scf-bridge dev`, writes what happened to a result file and exits (the app's open handles, such as
 * database pools, must not keep it alive).
 *
 * Usage: node pack-probe.js <json: ProbeRequest>
 */
import { writeFileSync } from 'node:fs'
import { type AnyScfHandler, emulate } from '../../emulator'
import { loadHandler, resolveHandler } from '../load-handler'

/** What the parent asks for. */
export interface ProbeRequest {
  dir: string
  handler: string
  /** Path and query to request, e.g. `/` or `/health?full=1`. */
  target: string
  timeoutMs: number
  memoryMb: number
  resultFile: string
}

/** What the probe found: the load error, or the reply. */
export type ProbeResult =
  | { loaded: false; error: string }
  | {
      loaded: true
      status: number
      contentType: string | undefined
      bytes: number
      problem: string | undefined
      nodeVersion: string
    }

async function probe(request: ProbeRequest): Promise<ProbeResult> {
  let handler: AnyScfHandler
  try {
    handler = await loadHandler(resolveHandler(request.dir, request.handler, request.dir))
  } catch (error) {
    return { loaded: false, error: error instanceof Error ? error.message : String(error) }
  }
  const query = request.target.indexOf('?')
  const emulation = await emulate(
    handler,
    {
      method: 'GET',
      path: query === -1 ? request.target : request.target.slice(0, query),
      search: query === -1 ? '' : request.target.slice(query),
      headers: { host: 'scf-bridge-pack.local', 'user-agent': 'scf-bridge-pack', accept: '*/*' },
      remoteAddress: '127.0.0.1',
      scheme: 'https',
    },
    { trigger: 'url' },
    { timeoutMs: request.timeoutMs, memoryMb: request.memoryMb, functionName: 'scf-bridge-pack-proof' },
  )
  const { reply } = emulation
  return {
    loaded: true,
    status: reply.status,
    contentType: reply.headers['content-type']?.[0],
    bytes: reply.body.length,
    problem: reply.problem,
    nodeVersion: process.version,
  }
}

const request = JSON.parse(process.argv[2] ?? '{}') as ProbeRequest
probe(request).then(
  (result) => {
    writeFileSync(request.resultFile, JSON.stringify(result))
    process.exit(0)
  },
  (error: unknown) => {
    writeFileSync(request.resultFile, JSON.stringify({ loaded: false, error: `the probe failed: ${String(error)}` }))
    process.exit(1)
  },
)
