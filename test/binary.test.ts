import { createRequire } from 'node:module'
import * as mimeTypes from 'mime-types'
import { describe, expect, it } from 'vitest'
import { classifyContentType, createBinaryDecider, parseMediaType } from '../src/binary'
import { responseToIntegrated } from '../src/response-to-integrated'
import type { IntegratedResponse } from '../src/types'

type Row = [contentType: string, encoding: 'text' | 'binary' | 'auto', reason: RegExp]

// Default rules, no option. Each row: the answer and why.
const table: Row[] = [
  ['text/plain', 'text', /textual/],
  ['text/html; charset=utf-8', 'text', /textual/],
  ['TEXT/HTML; Charset="UTF-8"', 'text', /textual/],
  ['text/css', 'text', /textual/],
  ['text/csv', 'text', /textual/],
  ['text/markdown', 'text', /textual/],
  ['text/xml', 'text', /textual/],
  ['text/javascript', 'text', /textual/],
  ['text/event-stream', 'text', /textual/],
  ['text/plain; charset=us-ascii', 'text', /textual/],
  ['application/json', 'text', /textual/],
  ['application/json;charset=utf-8', 'text', /textual/],
  ['  application/json  ;  charset = utf-8 ', 'text', /textual/],
  ['application/problem+json', 'text', /textual/],
  ['application/vnd.api+json', 'text', /textual/],
  ['application/ld+json', 'text', /textual/],
  ['application/xml', 'text', /textual/],
  ['application/atom+xml', 'text', /textual/],
  ['application/rss+xml', 'text', /textual/],
  ['image/svg+xml', 'text', /textual/],
  ['application/javascript', 'text', /textual/],
  ['application/x-javascript', 'text', /textual/],
  ['application/ecmascript', 'text', /textual/],
  ['application/x-www-form-urlencoded', 'text', /textual/],
  ['application/graphql', 'text', /textual/],
  ['application/vnd.custom; charset=utf-8', 'text', /charset utf-8/],
  ['text/plain; charset=gbk', 'binary', /charset gbk/],
  ['text/html; charset=GB2312', 'binary', /charset gb2312/],
  ['text/plain; charset="iso-8859-1"', 'binary', /charset iso-8859-1/],
  ['application/json; charset=utf-16', 'binary', /charset utf-16/],
  ['image/png', 'binary', /non-textual/],
  ['image/jpeg', 'binary', /non-textual/],
  ['image/gif', 'binary', /non-textual/],
  ['image/webp', 'binary', /non-textual/],
  ['image/x-icon', 'binary', /non-textual/],
  ['audio/mpeg', 'binary', /non-textual/],
  ['video/mp4', 'binary', /non-textual/],
  ['font/woff2', 'binary', /non-textual/],
  ['application/octet-stream', 'binary', /non-textual/],
  ['application/pdf', 'binary', /non-textual/],
  ['application/zip', 'binary', /non-textual/],
  ['application/x-protobuf', 'binary', /non-textual/],
  ['application/wasm', 'binary', /non-textual/],
  ['application/vnd.ms-excel', 'binary', /non-textual/],
  ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'binary', /non-textual/],
  ['multipart/form-data; boundary=x', 'binary', /non-textual/],
  ['not a type', 'auto', /unparsable/],
]

describe('binary: the default rules', () => {
  it('has at least 40 rows', () => expect(table.length).toBeGreaterThanOrEqual(40))

  it.each(table)('%s -> %s', (contentType, encoding, reason) => {
    const verdict = classifyContentType(contentType)
    expect(verdict.encoding).toBe(encoding)
    expect(verdict.reason).toMatch(reason)
  })

  const decide = createBinaryDecider()
  it.each(['gzip', 'br', 'deflate', 'GZIP', 'x-custom'])(
    'content-encoding %s is binary even for text types',
    (encoding) => {
      expect(decide({ 'content-type': 'text/html', 'content-encoding': encoding })).toEqual({
        encoding: 'binary',
        reason: 'content-encoding',
      })
    },
  )

  it('content-encoding identity does not count', () => {
    expect(decide({ 'content-type': 'text/html', 'content-encoding': 'identity' }).encoding).toBe('text')
  })

  it('no content-type: the bytes decide', () => {
    expect(decide({}).encoding).toBe('auto')
  })

  // The bridge skips mime-types (loaded lazily) for image/audio/video/font/model types and a few common
  // binary application types. Over every type in the installed mime-db, that shortcut must not change a
  // verdict: a type is text exactly when it is text/*, +json, +xml, a listed textual type, or a type
  // mime-types gives charset UTF-8.
  it('agrees with mime-types on every type in mime-db', () => {
    const listedText = new Set([
      'application/json',
      'application/xml',
      'application/javascript',
      'application/x-javascript',
      'application/ecmascript',
      'application/x-www-form-urlencoded',
      'application/graphql',
      'application/graphql-response+json',
      'image/svg+xml',
    ])
    // The mime-db that mime-types itself loads.
    const fromMimeTypes = createRequire(createRequire(import.meta.url).resolve('mime-types'))
    const types = Object.keys(fromMimeTypes('mime-db') as Record<string, unknown>)
    expect(types.length).toBeGreaterThan(1000)
    const disagreements = types.filter((type) => {
      const text =
        type.startsWith('text/') ||
        type.endsWith('+json') ||
        type.endsWith('+xml') ||
        listedText.has(type) ||
        mimeTypes.charset(type) === 'UTF-8'
      return classifyContentType(type).encoding !== (text ? 'text' : 'binary')
    })
    expect(disagreements).toEqual([])
    // Two types only mime-db calls textual, so the lazy load is what decides them.
    expect(classifyContentType('application/vnd.wap.wbxml').encoding).toBe('text')
    expect(classifyContentType('application/vnd.syncml.dm+wbxml').encoding).toBe('text')
  })
})

describe('binary: the binaryTypes option', () => {
  it('adds wildcard and exact patterns to the default', () => {
    const decide = createBinaryDecider(['application/vnd.custom', 'text/x-*', 'application/json'])
    expect(decide({ 'content-type': 'application/vnd.custom; charset=utf-8' })).toEqual({
      encoding: 'binary',
      reason: 'binaryTypes',
    })
    expect(decide({ 'content-type': 'TEXT/X-Thing' }).encoding).toBe('binary')
    expect(decide({ 'content-type': 'application/json' }).encoding).toBe('binary')
    expect(decide({ 'content-type': 'text/plain' }).encoding).toBe('text')
    expect(decide({ 'content-type': 'image/png' }).encoding).toBe('binary')
  })

  it('*/* makes everything with a type binary', () => {
    const decide = createBinaryDecider(['*/*'])
    expect(decide({ 'content-type': 'text/html' }).encoding).toBe('binary')
    expect(decide({ 'content-type': 'application/json' }).encoding).toBe('binary')
  })

  it('a predicate decides alone and gets the content type and headers', () => {
    const seen: string[] = []
    const decide = createBinaryDecider((type, headers) => {
      seen.push(type)
      return headers['x-binary'] === 'yes'
    })
    expect(decide({ 'content-type': 'image/png' }).encoding).toBe('text')
    expect(decide({ 'content-type': 'text/plain', 'x-binary': 'yes' }).encoding).toBe('binary')
    expect(seen).toEqual(['image/png', 'text/plain'])
  })

  it('rejects a malformed option with a clear error', () => {
    expect(() => createBinaryDecider('image/png' as never)).toThrow(/binaryTypes must be an array/)
    expect(() => createBinaryDecider([''])).toThrow(/binaryTypes entries must be media types/)
  })
})

describe('binary: bytes win over the label', () => {
  const decide = createBinaryDecider()
  const reply = (contentType: string | undefined, body: Buffer) =>
    responseToIntegrated(
      { statusCode: 200, headers: contentType ? { 'content-type': contentType } : {}, body },
      'GET',
      decide,
    ) as IntegratedResponse

  it('a textual label on bytes that are not UTF-8 goes out as base64', () => {
    const bytes = Buffer.from([0x68, 0x69, 0xff, 0xfe])
    const r = reply('text/plain', bytes)
    expect(r.isBase64Encoded).toBe(true)
    expect(Buffer.from(r.body, 'base64')).toEqual(bytes)
  })

  it('no content-type: UTF-8 bytes are text, others base64', () => {
    expect(reply(undefined, Buffer.from('héllo'))).toMatchObject({ isBase64Encoded: false, body: 'héllo' })
    expect(reply(undefined, Buffer.from([0x80, 0x81]))).toMatchObject({
      isBase64Encoded: true,
      body: Buffer.from([0x80, 0x81]).toString('base64'),
    })
  })

  it('a predicate that says text still cannot corrupt bytes', () => {
    const r = responseToIntegrated(
      { statusCode: 200, headers: { 'content-type': 'image/png' }, body: Buffer.from([0x89, 0x50]) },
      'GET',
      createBinaryDecider(() => false),
    ) as IntegratedResponse
    expect(r.isBase64Encoded).toBe(true)
  })

  it('keeps a BOM and every code point of valid UTF-8', () => {
    const text = '\uFEFF中文 😀 \u0000 end'
    const r = reply('text/plain; charset=utf-8', Buffer.from(text, 'utf8'))
    expect(r).toMatchObject({ isBase64Encoded: false, body: text })
  })
})

describe('parseMediaType', () => {
  it.each([
    ['text/html', 'text/html', undefined],
    ['Text/HTML ; charset=UTF-8', 'text/html', 'utf-8'],
    ['application/json; foo=bar; charset="gbk"', 'application/json', 'gbk'],
    ['', '', undefined],
    ['garbage', '', undefined],
  ])('%j', (header, essence, charset) => {
    expect(parseMediaType(header)).toEqual({ essence, charset })
  })
})
