import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningCli, startCli } from '../fixtures/cli/start-cli'
import { runGcWorker } from './run-gc-worker'

// A reply far larger than SCF's 6 MB is cut off, not collected: whatever the app sends (a piped stream of any
// framework, a fetch app's ReadableStream, writes that ignore backpressure and 'close', with or without
// Content-Length), the client gets the 502 with its log line, the app's source is released (or its writes go
// nowhere until it ends), and the process grows by far less than the reply. Each app streams 400 MB; without
// the cut-off the process grew by more than the reply (and the base64 of 400 MB is past V8's longest string).
// Memory is measured in other processes (the bridge's worker, the `scf-bridge dev` child): RSS peaks read
// while the app streams.

const MB = 1024 * 1024
const LIMIT = 6 * MB
const REPLY_MB = 400
/** Several times what the bridge may hold (a body up to the limit, its copy, its base64), far below the reply. */
const GROWTH_BOUND = 48 * MB

interface Result {
  name: string
  status: number
  body: string
  app: string
  peakGrowth: number
  line: Record<string, unknown> | undefined
}

const runWorker = () => runGcWorker<Result[]>('big-reply-worker.ts', { REPLY_MB: String(REPLY_MB) }, 240_000)

describe('a reply far over 6 MB', () => {
  it(`of ${REPLY_MB} MB answers 502 with its log line and keeps memory bounded, for every kind of app`, async () => {
    const results = await runWorker()
    expect(results).toHaveLength(10)
    for (const { name, status, body, app, peakGrowth, line } of results) {
      expect(status, name).toBe(502)
      expect(body, name).toBe('Bad Gateway: the response is larger than the 6 MB SCF allows')
      expect(peakGrowth, `${name}: peak RSS growth in bytes`).toBeLessThan(GROWTH_BOUND)
      // The app's side ended: a stream source destroyed or cancelled, a writer that ignores it done.
      expect(app, name).toBe(name.includes('no backpressure') ? 'done' : 'released')
      expect(line, name).toMatchObject({ level: 'error', source: 'scf-bridge', method: 'GET', cutOff: true })
      expect(line?.bytes as number, name).toBeGreaterThan(LIMIT)
      expect(line?.bytes as number, name).toBeLessThan(LIMIT + MB)
      expect(typeof line?.requestId, name).toBe('string')
    }
  }, 270_000)
})

/** Resident memory of a Linux process now (VmRSS) and at its peak (VmHWM), in bytes. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024
  return { rss: kb('VmRSS'), peak: kb('VmHWM') }
}

describe.runIf(process.platform === 'linux')('scf-bridge dev: a reply far over 6 MB', () => {
  let cli: RunningCli
  beforeAll(async () => {
    cli = await startCli(['test/fixtures/cli/big-reply-app.js', '--timeout', '60'])
  }, 60_000)
  afterAll(async () => {
    await cli?.stop()
  })

  it.each(['/piped', '/hostile'])(
    `%s: ${REPLY_MB} MB answer 502 and the emulator's process stays far below that`,
    async (path) => {
      // Warm: the first request loads the code paths a baseline should already include.
      await (await fetch(`${cli.url}/release/warm`)).arrayBuffer()
      const before = memoryOf(cli.child.pid!)
      const res = await fetch(`${cli.url}/release${path}`)
      expect(res.status).toBe(502)
      expect(await res.text()).toBe('Bad Gateway: the response is larger than the 6 MB SCF allows')
      const after = memoryOf(cli.child.pid!)
      // The peak is since the process started: measured from the RSS before, it is an upper bound.
      expect(after.peak - before.rss, 'peak RSS growth in bytes').toBeLessThan(GROWTH_BOUND)
      expect(await cli.waitForOutput('stdout', new RegExp(`GET /release${path} 502`))).toMatch(
        `GET /release${path} 502`,
      )
    },
    120_000,
  )
})
