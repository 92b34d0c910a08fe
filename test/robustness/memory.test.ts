import { describe, expect, it } from 'vitest'
import { runGcWorker } from './run-gc-worker'

// 21,000 invocations with 100 KB bodies (a third each through Express 5, Koa 3 and Hono, alternately binary
// and text) leave the heap and the buffer memory where they were. It runs in its own process, which needs
// --expose-gc to measure after a full GC; the bounds are generous: keeping any body, or even a few hundred
// bytes per invocation, would exceed them many times over.

const PER_APP = 7_000
const BOUND = 8 * 1024 * 1024

interface Measure {
  name: string
  invocations: number
  before: { heapUsed: number; arrayBuffers: number }
  after: { heapUsed: number; arrayBuffers: number }
}

const runWorker = () => runGcWorker<Measure[]>('memory-worker.ts', { INVOCATIONS: String(PER_APP) }, 240_000)

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
