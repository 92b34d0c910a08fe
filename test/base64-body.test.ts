import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EventError } from '../src/errors'
import { requestFromEvent } from '../src/request-from-event'

/** The rule the event reader has always applied to a base64 body: strip whitespace, then the whole alphabet check. */
function reference(body: string): Buffer | 'rejected' {
  const compact = /\s/.test(body) ? body.replace(/\s+/g, '') : body
  if (!/^[A-Za-z0-9+/\-_]*={0,2}$/.test(compact) || compact.length % 4 === 1) return 'rejected'
  return Buffer.from(compact, 'base64')
}

function decoded(body: string): Buffer | 'rejected' {
  const event = { httpMethod: 'POST', path: '/', headers: {}, body, isBase64Encoded: true }
  try {
    return requestFromEvent(event).body ?? Buffer.alloc(0)
  } catch (error) {
    if (error instanceof EventError) return 'rejected'
    throw error
  }
}

const same = (body: string) => {
  const expected = reference(body)
  const actual = decoded(body)
  if (expected === 'rejected') expect(actual).toBe('rejected')
  else expect(actual === 'rejected' ? actual : actual.toString('hex')).toBe(expected.toString('hex'))
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_'
const ODD = [
  '=',
  ' ',
  '\n',
  '\r\n',
  '\t',
  '\u00a0',
  '\u2028',
  '\ufeff',
  '!',
  '.',
  '%',
  '\u0000',
  '\u0080',
  '\u00c1',
  '\u00ff',
  '\u0100',
  '\u0141',
  '\u0161',
  '\ud83d\ude00',
  '\ud800',
]

describe('base64 request bodies: the fast path decides exactly as the full check', () => {
  it.each([
    ['', 'empty'],
    ['QUJD', 'clean, no padding'],
    ['QUJDRA==', 'two pads'],
    ['QUJDREU=', 'one pad'],
    ['QUJDR=', 'a dangling character before a pad (accepted, as before)'],
    ['QU!JD=', 'a bad character the decoder would skip'],
    ['QU!JDR=', 'a bad character, one pad'],
    ['QUJD=', 'length 5'],
    ['QQ==QUJD', 'an inner pad'],
    ['QUJD===', 'three pads'],
    ['QUJ\u0144', 'a character above U+00FF whose low byte is a base64 letter'],
    ['QUJ\u00c4', 'a Latin-1 character'],
    ['QUJD\nRA==', 'a line break'],
    ['QU JD', 'a space'],
    ['-_-_', 'URL-safe alphabet'],
  ])('%j (%s)', (body) => same(body))

  it('on random strings of the alphabet, pads, whitespace and foreign characters', () => {
    const char = fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...ALPHABET) },
      { weight: 2, arbitrary: fc.constantFrom(...ODD) },
    )
    fc.assert(
      fc.property(fc.array(char, { maxLength: 40 }), fc.nat(3), (chars, pads) =>
        same(chars.join('') + '='.repeat(pads)),
      ),
      { numRuns: 3000 },
    )
  })

  it('on real base64 of random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => same(Buffer.from(bytes).toString('base64'))),
      { numRuns: 500 },
    )
  })
})
