import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bridge } from '../src'
import { eventFromHttp } from '../src/emulator'
import { invoke } from '../src/testing'
import { type RunningCli, startCli } from './fixtures/cli/start-cli'

// A header value with non-ASCII text reaches the app the same way from `scf-bridge dev`, from
// `scf-bridge/testing` and from SCF: as its UTF-8 bytes, one character per byte, which the documented decode
// (docs/frameworks.md: `Buffer.from(value, 'latin1').toString('utf8')`) turns back into the text sent. The
// event carries the text itself, as the gateway's JSON does.

const TEXT = 'café 中文 😀'
const dist = resolve(__dirname, '../dist/index.js')

/** What the app answers: the header as it got it, decoded as documented, and as the event carried it. */
const echo = `(req, res) => {
  const raw = req.headers['x-name']
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify({
    raw,
    decoded: Buffer.from(raw, 'latin1').toString('utf8'),
    event: req.scf.event.headers['x-name'],
  }))
}`

/** Sends one GET with `x-name` as these exact bytes over a real connection. */
function getWithHeaderBytes(url: string, bytes: Buffer): Promise<Record<string, string>> {
  return new Promise((done, fail) => {
    // Node writes a header value one byte per character: latin1 text is the bytes themselves.
    const sent = request(`${url}/release/echo`, { headers: { 'x-name': bytes.toString('latin1') } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => done(JSON.parse(Buffer.concat(chunks).toString('utf8'))))
    })
    sent.on('error', fail)
    sent.end()
  })
}

describe('scf-bridge dev: a non-ASCII header value over a real connection', () => {
  let cli: RunningCli
  let dir: string
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scf-bridge-header-text-'))
    writeFileSync(
      join(dir, 'index.js'),
      `const { bridge } = require(${JSON.stringify(dist)})\nexports.main_handler = bridge(${echo})\n`,
    )
    cli = await startCli([join(dir, 'index.js')])
  })
  afterAll(async () => {
    await cli?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('sent as UTF-8: the event carries the text, the documented decode gives it back', async () => {
    const seen = await getWithHeaderBytes(cli.url, Buffer.from(TEXT, 'utf8'))
    expect(seen.event).toBe(TEXT)
    expect(seen.decoded).toBe(TEXT)
    expect(Buffer.from(seen.raw, 'latin1')).toEqual(Buffer.from(TEXT, 'utf8'))
  })

  it('bytes that are not UTF-8 become U+FFFD in the event, as JSON text cannot carry them', async () => {
    const seen = await getWithHeaderBytes(cli.url, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x21]))
    expect(seen.event).toBe('caf\uFFFD!')
    expect(seen.decoded).toBe('caf\uFFFD!')
  })

  it('ASCII values are passed unchanged', async () => {
    const seen = await getWithHeaderBytes(cli.url, Buffer.from('plain; q=1', 'latin1'))
    expect(seen).toEqual({ raw: 'plain; q=1', decoded: 'plain; q=1', event: 'plain; q=1' })
  })
})

describe('scf-bridge/testing: the same header given as text', () => {
  it('reaches the app as scf-bridge dev delivers it', async () => {
    const handler = bridge(new Function(`return ${echo}`)())
    const response = await invoke(handler, { path: '/echo', headers: { 'x-name': TEXT } })
    const seen = await response.json()
    expect(seen.event).toBe(TEXT)
    expect(seen.decoded).toBe(TEXT)
  })
})

describe('eventFromHttp', () => {
  const parts = (value: string, headerValues?: 'text' | 'bytes') => ({
    method: 'GET',
    path: '/',
    headers: { 'X-Name': value, 'X-List': [value, 'b'] },
    headerValues,
  })

  it("takes header values as text by default, and 'bytes' as a Node server gives them", () => {
    const asBytes = Buffer.from(TEXT, 'utf8').toString('latin1')
    expect(eventFromHttp(parts(TEXT)).headers['x-name']).toBe(TEXT)
    expect(eventFromHttp(parts('café', 'text')).headers['x-name']).toBe('café')
    expect(eventFromHttp(parts(asBytes, 'bytes')).headers).toMatchObject({ 'x-name': TEXT, 'x-list': `${TEXT}, b` })
  })
})
