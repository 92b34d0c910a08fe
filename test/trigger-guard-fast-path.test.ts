import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { TRIGGER_KINDS } from '../src/event-kind'
import { triggerRouter } from '../src/triggers'
import { guardsByReadings } from '../src/triggers/guard'
import { foldedJobPath } from '../src/triggers/trigger-path'

describe("the trigger guard's fast path", () => {
  const paths = ['/jobs/cos', '/Internal/Timer-Run', '/a;b/c']
  const router = triggerRouter({ cos: paths[0], timer: paths[1], cls: paths[2] })!
  const guarded = new Set(paths.map(foldedJobPath))
  const reference = (url: string) => {
    const path = url.split('?')[0]
    return guardsByReadings(guarded, path.startsWith('/') ? path : `/${path}`)
  }

  it('blocks exactly what the full comparison of every reading blocks', () => {
    const char = fc.constantFrom(...'/jobscJOBSCinternalTIMERrun-;.%2e5F\\?#aAbB éİK'.split(''), '%2F', '%25', '//')
    const tail = fc.array(char, { maxLength: 12 }).map((chars) => chars.join(''))
    const url = fc.tuple(fc.constantFrom('', ...paths, '/JOBS/cos', '/jobs'), tail).map(([head, rest]) => head + rest)
    fc.assert(
      fc.property(url, (u) => {
        expect(router.guards(u), u).toBe(reference(u))
      }),
      { numRuns: 5000, seed: 20261130 },
    )
    for (const u of [
      '/jobs/cos',
      '/jobs/cos?x=1',
      '/jobs/cos/',
      '/jobs/COS',
      '/jobs/cos/x',
      '/jobs/cos.json',
      '/jobs/cosx',
      '/jobs/cos-list',
      '/a;b/c',
      '/a',
      '/jobs/cos;x',
      'jobs/cos',
    ]) {
      expect(router.guards(u), u).toBe(reference(u))
    }
    expect(router.guards('/jobs/cos?x=1')).toBe(true)
    expect(router.guards('/jobs/cos/x')).toBe(true)
    expect(router.guards('/jobs/other')).toBe(false)
    expect(router.guards('/jobs/cos-list')).toBe(false)
  })

  it('knows every trigger kind from one list', () => {
    expect(TRIGGER_KINDS).toEqual(['timer', 'cos', 'ckafka', 'cmq', 'cls', 'other'])
    expect(() => triggerRouter({ http: '/x' } as never)).toThrow(/the kinds are timer, cos, ckafka, cmq, cls, other/)
  })
})
