import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// 21,000 invocations with 100 KB bodies (a third each through Express 5, Koa 3 and Hono, alternately binary
// and text) leave the heap and the buffer memory where they were. It runs in its own process, which needs
// --expose-gc to measure after a full GC; the bounds are generous: keeping any body, or even a few hundred
// bytes per invocation, would exceed them many times over.

const worker = fileURLToPath(new URL('./memory-worker.ts', import.meta.url))
const root = fileURLToPath(new URL('../..', import.meta.url))
const PER_APP = 7_000
const BOUND = 8 * 1024 * 1024

interface Measure {
  name: string
  invocations: number
  before: { heapUsed: number; arrayBuffers: number }
  after: { heapUsed: number; arrayBuffers: number }
}

function runWorker(): Promise<Measure[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', worker],
      { cwd: root, env: { ...process.env, INVOCATIONS: String(PER_APP) }, timeout: 240_000, maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`memory worker failed: ${error.message}\n${stderr}`))
        resolve(JSON.parse(stdout.trim().split('\n').pop()!) as Measure[])
      },
    )
  })
}

describe('memory', () => {
  it('21,000 invocations with 100 KB bodies leave no growth after GC', async () => {
    const measures = await runWorker()
    expect(measures.map((m) => m.name)).toEqual(['Express 5', 'Koa 3', 'Hono'])
    for (const { name, invocations, before, after } of measures) {
      expect(invocations, name).toBe(PER_APP)
      expect(after.heapUsed - before.heapUsed, `${name}: heapUsed growth in bytes`).toBeLessThan(BOUND)
      expect(after.arrayBuffers - before.arrayBuffers, `${name}: Buffer memory growth in bytes`).toBeLessThan(BOUND)
    }
  }, 270_000)
})
