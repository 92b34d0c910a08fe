import Fastify from 'fastify'
import fastify4 from 'fastify4'
import { describe, expect, it, vi } from 'vitest'
import { bridge } from '../../src'
import { isGuarded } from '../../src/triggers/guard'
import { foldText } from '../../src/triggers/segment-readings'
import { foldedJobPath } from '../../src/triggers/trigger-path'
import { scfContext } from '../fixtures/events'
import { express4, express5 } from './support'

// The guard's pieces, class by class: its case fold covers every fold a router applies, the spellings issue 24
// found reach nothing, what it refuses beyond the routers is what docs/triggers.md says, and hostile paths end.

const ASCII = /^[\u0000-\u007f]+$/

describe('foldText', () => {
  it('maps every code point that some router fold takes to ASCII onto that ASCII, in lower case', () => {
    const folds: [string, (text: string) => string][] = [
      ['toLowerCase', (s) => s.toLowerCase()],
      ['toUpperCase', (s) => s.toUpperCase()],
      ['NFKC', (s) => s.normalize('NFKC')],
      ['NFKD', (s) => s.normalize('NFKD')],
      ['NFC', (s) => s.normalize('NFC')],
      ['NFD', (s) => s.normalize('NFD')],
      ['NFKC then toLowerCase', (s) => s.normalize('NFKC').toLowerCase()],
      ['toLowerCase then NFKC', (s) => s.toLowerCase().normalize('NFKC')],
      ['NFKC then toUpperCase', (s) => s.normalize('NFKC').toUpperCase()],
      ['toUpperCase then NFKC', (s) => s.toUpperCase().normalize('NFKC')],
    ]
    const misses: string[] = []
    let all = ''
    let checked = 0
    for (let code = 0x80; code <= 0x10ffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue
      const char = String.fromCodePoint(code)
      all += char
      for (const [name, fold] of folds) {
        const folded = fold(char)
        if (!ASCII.test(folded)) continue
        checked++
        if (foldText(char) !== folded.toLowerCase()) misses.push(`U+${code.toString(16)} under ${name}`)
      }
    }
    // Case-insensitive regular expressions (path-to-regexp's `i`, with or without `u` or `v`).
    for (const flags of ['iu', 'i', 'iv']) {
      for (const match of all.matchAll(new RegExp('[a-z0-9]', `g${flags}`))) {
        for (const ascii of 'abcdefghijklmnopqrstuvwxyz0123456789') {
          if (!new RegExp(`^${ascii}$`, flags).test(match[0])) continue
          checked++
          if (foldText(match[0]) !== ascii) misses.push(`U+${match[0].codePointAt(0)!.toString(16)} under /${flags}`)
        }
      }
    }
    expect(misses).toEqual([])
    // KELVIN SIGN, long s, fullwidth forms, ligatures, dotless and dotted i, ... are all among them.
    expect(checked).toBeGreaterThan(1000)
    expect(['\u212a', '\u017f', '\u0131', '\u0130', '\uff2b', '\ufb06', '\u00df'].map(foldText)).toEqual([
      'k',
      's',
      'i',
      'i',
      'k',
      'st',
      'ss',
    ])
  }, 60_000)
})

describe('the spellings issue 24 found', () => {
  const kelvin = '/internal/c%E2%84%AAafka-job'

  it.each([
    ['Fastify 4, caseSensitive: false', () => (fastify4 as unknown as typeof Fastify)({ caseSensitive: false })],
    ['Fastify 5, routerOptions.caseSensitive: false', () => Fastify({ routerOptions: { caseSensitive: false } })],
  ])('KELVIN SIGN on %s: the router routes it, the bridge answers 404', async (_, create) => {
    let hits = 0
    const app = create()
    app.post('/internal/ckafka-job', async () => {
      hits++
      return 'job'
    })
    expect((await app.inject({ method: 'POST', url: kelvin })).body).toBe('job')
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const handler = bridge(app, { events: { ckafka: '/internal/ckafka-job' } })
      const answer = await handler({ httpMethod: 'POST', path: kelvin, headers: {} }, scfContext())
      expect(answer.statusCode).toBe(404)
      const raw = await handler({ httpMethod: 'POST', path: '/internal/c\u212aafka-job', headers: {} }, scfContext())
      expect(raw.statusCode).toBe(404)
    } finally {
      log.mockRestore()
    }
    expect(hits).toBe(1)
  })

  it.each([
    ['Express 5', express5],
    ['Express 4', express4],
  ])("a mount's sub-paths and dot segments on %s", async (_, express) => {
    const app = (express as typeof express5)()
    const seen: string[] = []
    app.use('/jobs/nightly', (req, res) => {
      seen.push(req.originalUrl)
      res.send('job')
    })
    app.use((_req, res) => res.send('other'))
    const plain = bridge(app)
    const guarded = bridge(app, { events: { timer: '/jobs/nightly' } })
    const paths = ['/jobs/nightly/x', '/jobs/nightly/..', '/JOBS/Nightly/x/y', '/jobs/nightly/']
    for (const path of paths) {
      expect((await plain({ httpMethod: 'GET', path, headers: {} }, scfContext())).body).toBe('job')
    }
    expect(seen).toHaveLength(paths.length)
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      for (const path of paths) {
        expect((await guarded({ httpMethod: 'GET', path, headers: {} }, scfContext())).statusCode, path).toBe(404)
      }
    } finally {
      log.mockRestore()
    }
    expect(seen).toHaveLength(paths.length)
  })
})

describe('what the guard refuses, and what it lets through', () => {
  const guarded = new Set(['/jobs/nightly', '/internal/ckafka-job'].map(foldedJobPath))

  it('refuses more than the routers route: any continuation of the last segment that is not part of a name', () => {
    for (const path of [
      '/jobs/nightly.json',
      '/jobs/nightly%20',
      '/jobs/nightly!',
      '/jobs/nightly%FF',
      '/jobs/nightly;v=1',
      '/x/%EF%BC%8E%EF%BC%8E/jobs/nightly', // fullwidth dots read as a dot segment
      '/jobs%EF%BC%8Fnightly', // a fullwidth slash read as a slash
    ]) {
      expect(isGuarded(guarded, path), path).toBe(true)
    }
  })

  it('lets through paths that only share a start, or a part, with a job path', () => {
    for (const path of [
      '/jobs',
      '/jobs/nightly-report',
      '/jobs/nightlyx',
      '/jobs/nightly2',
      '/internal/ckafka-jobs',
      '/internal/x/ckafka-job',
      '/a//jobs/nightly',
      '/internal%2Fx/ckafka-job',
      '/static/app.js',
      '/',
    ]) {
      expect(isGuarded(guarded, path), path).toBe(false)
    }
  })

  it('refuses a path it cannot read in full: a segment still decoding after eight rounds', () => {
    const nested = (text: string, depth: number) => {
      let out = text
      for (let i = 0; i < depth; i++) out = out.replace(/%/g, '%25')
      return out
    }
    expect(isGuarded(guarded, `/jobs/${nested('%6eightly', 7)}`)).toBe(true)
    expect(isGuarded(guarded, `/elsewhere/${nested('%41', 7)}`)).toBe(false)
    expect(isGuarded(guarded, `/elsewhere/${nested('%41', 9)}`)).toBe(true)
  })

  it('answers for hostile paths: thousands of dot segments, escapes and slashes', () => {
    const hostile = [
      `${'/a'.repeat(5000)}${'/..'.repeat(5000)}/jobs/nightly`,
      `${'/%2e%2e%2F'.repeat(5000)}/jobs/nightly`,
      `/${'%C0%AE'.repeat(20000)}`,
      `/${'.;/'.repeat(10000)}x`,
      `/${'%EF%BC%8F'.repeat(10000)}jobs/nightly`,
    ]
    expect(hostile.map((path) => isGuarded(guarded, path))).toEqual([true, true, false, false, true])
  })
})
