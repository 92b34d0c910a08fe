import type { IncomingMessage, ServerResponse } from 'node:http'
import fc from 'fast-check'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { bridge } from '../../src'
import { callHandler } from '../../src/emulator/call-handler'
import { createScfContext } from '../../src/emulator/scf-context'
import { timeBudget } from '../../src/invocation'
import type { ScfContext } from '../../src/types'
import { MAX_TIMER_MS, timerDelay } from '../../src/values'
import { httpEvent, scfContext } from '../fixtures/events'
import { checkProperty } from './support'

// A context made by hand (users' tests) may tell any time: more than a timer can wait (2^31-1 ms), NaN,
// Infinity, a negative number, a string. A time past what a timer can wait is waited as long as one can,
// never fired at once with Node's TimeoutOverflowWarning; a value that is no finite number tells nothing;
// a numeric string is its number; a limit that is not positive is no limit.

let errorLog: ReturnType<typeof vi.spyOn>
const warnings: string[] = []
const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`)
beforeAll(() => {
  errorLog = vi.spyOn(console, 'error').mockImplementation(() => {})
  process.on('warning', onWarning)
})
beforeEach(() => {
  errorLog.mockClear()
  warnings.length = 0
})
afterAll(() => {
  errorLog.mockRestore()
  process.off('warning', onWarning)
})

const turns = async (count: number) => {
  for (let i = 0; i < count; i++) await new Promise((done) => setImmediate(done))
}

/** Answers /late 30 ms after the request, never answers /never. */
const handler = bridge((req: IncomingMessage, res: ServerResponse) => {
  if (req.url === '/late') setTimeout(() => res.end('late ok'), 30)
})
const serve = (path: string, context: Partial<ScfContext>) =>
  handler(httpEvent({ path }) as never, { request_id: 'inv-time', ...context } as ScfContext)

const huge = [2 ** 31, 2 ** 31 + 5_000, 2 ** 40, Number.MAX_SAFE_INTEGER, Number.MAX_VALUE]
const untold: unknown[] = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 'abc', '', null, {}, []]

afterEach(async () => {
  await turns(2)
  expect(warnings.filter((warning) => warning.startsWith('TimeoutOverflowWarning'))).toEqual([])
})

describe('more time than a timer can wait', () => {
  it.each(huge)('getRemainingTimeInMillis() = %d: the app answers, no 504, no warning', async (remaining) => {
    const response = await serve('/late', { getRemainingTimeInMillis: () => remaining })
    expect(response).toMatchObject({ statusCode: 200, body: 'late ok' })
  })

  it.each(huge)('time_limit_in_ms = %d: the app answers, no 504, no warning', async (limit) => {
    const response = await serve('/late', { time_limit_in_ms: limit })
    expect(response).toMatchObject({ statusCode: 200, body: 'late ok' })
  })
})

describe('a time that tells nothing', () => {
  it.each(untold)('getRemainingTimeInMillis() = %j, no limit: no deadline', async (remaining) => {
    const response = await serve('/late', { getRemainingTimeInMillis: () => remaining as number })
    expect(response).toMatchObject({ statusCode: 200, body: 'late ok' })
  })

  it.each([...untold, -1, 0, '-5', '0'])('time_limit_in_ms = %j: no deadline', async (limit) => {
    const response = await serve('/late', { time_limit_in_ms: limit as number })
    expect(response).toMatchObject({ statusCode: 200, body: 'late ok' })
  })

  it('getRemainingTimeInMillis() that throws, no limit: no deadline', async () => {
    const response = await serve('/late', {
      getRemainingTimeInMillis: () => {
        throw new Error('no clock')
      },
    })
    expect(response).toMatchObject({ statusCode: 200, body: 'late ok' })
  })
})

describe('a time that tells a deadline', () => {
  it.each([
    ['time_limit_in_ms as a string', { time_limit_in_ms: '700' }],
    ['getRemainingTimeInMillis() as a string', { getRemainingTimeInMillis: () => '400' }],
    [
      'getRemainingTimeInMillis() NaN, time_limit_in_ms a number',
      { getRemainingTimeInMillis: () => Number.NaN, time_limit_in_ms: 700 },
    ],
    ['a remaining time already past', { getRemainingTimeInMillis: () => -5 }],
  ])('%s: 504 for an app that never answers', async (_, context) => {
    const response = await serve('/never', context as Partial<ScfContext>)
    expect(response).toMatchObject({ statusCode: 504, body: 'Gateway Timeout' })
    expect(errorLog.mock.calls.map((call: unknown[]) => JSON.parse(String(call[0])).message)).toEqual([
      'the app did not answer in time',
    ])
  })
})

describe('timeBudget and timerDelay', () => {
  const anyTime = fc.oneof(
    fc.double(),
    fc.integer(),
    fc.constantFrom(2 ** 31 - 1, 2 ** 31, 2 ** 53, -0, Number.MAX_VALUE),
    fc.string(),
    fc.anything(),
  )

  it('a budget is a finite number or undefined, whatever the context holds', async () => {
    await checkProperty(
      fc.asyncProperty(anyTime, anyTime, fc.boolean(), async (remaining, limit, throws) => {
        const context = {
          time_limit_in_ms: limit,
          getRemainingTimeInMillis: () => {
            if (throws) throw new Error('no clock')
            return remaining
          },
        } as unknown as ScfContext
        const budget = timeBudget(context, Date.now(), 300)
        expect(budget === undefined || Number.isFinite(budget)).toBe(true)
        if (!throws && typeof remaining === 'number' && Number.isFinite(remaining)) {
          expect(budget).toBe(remaining - 300)
        }
      }),
      300,
    )
  })

  it('a timer delay is within 0 and 2^31-1, for any number', async () => {
    await checkProperty(
      fc.asyncProperty(fc.oneof(fc.double(), fc.integer(), fc.constantFrom(...huge, -1, Number.NaN)), async (ms) => {
        const delay = timerDelay(ms)
        expect(delay >= 0 && delay <= MAX_TIMER_MS).toBe(true)
        if (ms >= 0 && ms <= MAX_TIMER_MS) expect(delay).toBe(ms)
      }),
      300,
    )
  })
})

describe('the emulator (scf-bridge dev, scf-bridge/testing)', () => {
  it('a function timeout past what a timer can wait lets the handler finish', async () => {
    const context = createScfContext({ timeoutMs: 2 ** 40 })
    const outcome = await callHandler(
      async () => {
        await new Promise((done) => setTimeout(done, 30))
        return 'done'
      },
      { any: 'event' },
      context,
      context.time_limit_in_ms!,
    )
    expect(outcome).toEqual({ kind: 'returned', value: 'done' })
  })

  it('a huge remaining time reaches the bridge through the emulated context without a 504', async () => {
    const context = createScfContext({ timeoutMs: 2 ** 40 })
    const response = await handler(httpEvent({ path: '/late' }) as never, context)
    expect(response).toMatchObject({ statusCode: 200, body: 'late ok' })
  })
})

it('the fixtures context still gives a deadline as before', async () => {
  const response = await handler(httpEvent({ path: '/never' }) as never, scfContext({ time_limit_in_ms: 700 }))
  expect(response.statusCode).toBe(504)
})
