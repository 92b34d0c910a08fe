import { describe, expect, it } from 'vitest'
import { createBinaryDecider } from '../src/binary'
import { responseToIntegrated } from '../src/response-to-integrated'
import { serialisedSize } from '../src/scf-contract'
import type { IntegratedResponse } from '../src/types'

const decide = createBinaryDecider()
const map = (reply: Partial<Parameters<typeof responseToIntegrated>[0]>, method = 'GET') =>
  responseToIntegrated(
    { statusCode: 200, headers: {}, body: Buffer.alloc(0), ...reply },
    method,
    decide,
  ) as IntegratedResponse

describe('responseToIntegrated', () => {
  it('stringifies header values, keeps set-cookie as an array, repeated headers as arrays', () => {
    const r = map({
      headers: {
        'content-type': 'text/plain',
        'x-count': 3,
        'set-cookie': 'a=1',
        vary: ['accept', 'origin'],
        link: ['<a>'],
      },
      body: Buffer.from('hi'),
    })
    expect(r.headers).toEqual({
      'content-type': 'text/plain',
      'x-count': '3',
      'set-cookie': ['a=1'],
      vary: ['accept', 'origin'],
      link: '<a>',
    })
    expect(r).toMatchObject({ statusCode: 200, isBase64Encoded: false, body: 'hi' })
  })

  it('drops hop-by-hop headers and fixes a wrong content-length', () => {
    const r = map({
      headers: {
        connection: 'keep-alive',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        'content-length': '999',
        'content-type': 'text/plain',
      },
      body: Buffer.from('中文'),
    })
    expect(r.headers).toEqual({ 'content-length': '6', 'content-type': 'text/plain' })
  })

  it.each([
    ['HEAD', 200],
    ['GET', 204],
    ['GET', 304],
  ])('%s with status %d carries no body', (method, statusCode) => {
    const r = map(
      { statusCode, headers: { 'content-type': 'text/plain', 'content-length': '5' }, body: Buffer.from('hello') },
      method,
    )
    expect(r.body).toBe('')
    expect(r.isBase64Encoded).toBe(false)
    // HEAD and 304 may announce the length of the body they describe; 204 may not have one.
    if (statusCode === 204) expect(r.headers['content-length']).toBeUndefined()
    else expect(r.headers['content-length']).toBe('5')
  })

  it('base64-encodes binary bodies exactly', () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 255])
    const r = map({ headers: { 'content-type': 'image/png' }, body: bytes })
    expect(r.isBase64Encoded).toBe(true)
    expect(Buffer.from(r.body, 'base64')).toEqual(bytes)
  })
})

describe('serialisedSize', () => {
  it('is exact for large bodies and small ones', () => {
    const big = map({ headers: { 'content-type': 'text/plain' }, body: Buffer.from('"\\\n'.repeat(400_000)) })
    expect(serialisedSize(big)).toBe(Buffer.byteLength(JSON.stringify(big)))
    const small = map({ headers: { 'content-type': 'text/plain' }, body: Buffer.from('"\u0001x') })
    expect(serialisedSize(small)).toBe(Buffer.byteLength(JSON.stringify(small)))
  })
})
