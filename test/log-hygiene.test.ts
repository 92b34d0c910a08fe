/**
 * What the bridge writes to the function log: one JSON line per failure, with the invocation and request
 * ids, the method and the path, and nothing the client sent as a secret (query values) nor the app's
 * internals (stacks). Everything written to stdout and stderr is captured, whichever way it is written.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { resolve } from 'node:path'
import express from 'express'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type BridgeOptions, bridge } from '../src'
import { httpEvent, scfContext } from './fixtures/events'

const TOKEN = 'tok-5ecret-value'
const PASSWORD = 'hunter2'
const SECRET_QUERY = { token: TOKEN, password: PASSWORD, user: 'ann' }

let captured: string[] = []
const restore: Array<() => void> = []

beforeEach(() => {
  captured = []
  for (const method of ['error', 'warn', 'log', 'info', 'debug'] as const) {
    const spy = vi
      .spyOn(console, method)
      .mockImplementation((...args: unknown[]) => void captured.push(args.map(String).join(' ')))
    restore.push(() => spy.mockRestore())
  }
  for (const stream of [process.stdout, process.stderr]) {
    const spy = vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown) => {
      captured.push(String(chunk))
      return true
    }) as typeof stream.write)
    restore.push(() => spy.mockRestore())
  }
})
afterEach(() => {
  while (restore.length) restore.pop()!()
})

const bridgeLines = () =>
  captured.filter((line) => line.includes('"source":"scf-bridge"')).map((line) => JSON.parse(line))

function expectClean(): void {
  const all = captured.join('\n')
  expect(all).not.toContain(TOKEN)
  expect(all).not.toContain(PASSWORD)
  expect(all).not.toContain('token=')
  // No stack frame of anyone's code.
  expect(all).not.toMatch(/\n\s+at .+:\d+:\d+/)
}

const MB = 1024 * 1024
const failing = express()
failing.get('/p', () => {
  throw new Error('the database refused the query')
})
failing.get('/next', (_req, _res, next) => next(Object.assign(new Error('upstream down'), { status: 503 })))

const cases: Array<{
  name: string
  app: unknown
  options?: BridgeOptions
  context?: object
  status: number
  message: string
}> = [
  { name: 'a failing app', app: failing, status: 500, message: 'the app failed' },
  { name: 'an error with its own status', app: failing, status: 503, message: 'the app failed' },
  {
    name: 'a timeout',
    app: () => {},
    context: { getRemainingTimeInMillis: () => 350 },
    status: 504,
    message: 'the app did not answer in time',
  },
  {
    name: 'an oversized response',
    app: (_req: IncomingMessage, res: ServerResponse) => res.end('x'.repeat(7 * MB)),
    status: 502,
    message: 'response too large for SCF',
  },
  {
    name: 'a status SCF cannot send',
    app: (_req: IncomingMessage, res: ServerResponse) => {
      res.statusCode = 700
      res.end('odd')
    },
    status: 500,
    message: 'the app answered status 700, which SCF cannot send: answered 500 instead',
  },
  {
    name: 'an onError hook that throws',
    app: failing,
    options: {
      onError: () => {
        throw new Error('onError broke')
      },
    },
    status: 500,
    message: 'onError threw',
  },
]

describe.each(cases)('$name', ({ name, app, options, context, status, message }) => {
  it('is logged with the request ids, method and path, without the query or a stack', async () => {
    const path = name === 'an error with its own status' ? '/next' : '/p'
    const event = httpEvent({ path, query: SECRET_QUERY, headers: { authorization: 'Bearer abc.def' } })
    const response = await bridge(app, options)(event, scfContext({ request_id: 'inv-1', ...context }))
    expect(response.statusCode).toBe(status)
    expect(JSON.stringify(response)).not.toContain(PASSWORD)
    const lines = bridgeLines()
    expect(lines.map((line) => line.message)).toContain(message)
    for (const line of lines)
      expect(line).toMatchObject({ level: 'error', requestId: 'inv-1', xRequestId: 'gw-req-1', method: 'GET', path })
    expect(captured.join('\n')).not.toContain('abc.def')
    expectClean()
  })
})

describe('the app error in a log line', () => {
  it('is its name and message, with its causes, never its stack', async () => {
    const app = () => {
      throw new Error('outer failure', { cause: new TypeError('inner failure') })
    }
    await bridge(app)(httpEvent({ path: '/p' }), scfContext())
    expect(bridgeLines()[0].error).toBe('Error: outer failure\nCaused by: TypeError: inner failure')
    expect(bridgeLines()[0].stack).toBeUndefined()
  })
})

describe('NODE_DEBUG=scf-bridge', () => {
  const dist = resolve(__dirname, '../dist/index.js')

  it.skipIf(!existsSync(dist))(
    'adds the stack of the app error and a line per request, still without the query',
    () => {
      const script = `
      const { bridge } = require(${JSON.stringify(dist)})
      const handler = bridge(() => { throw new Error('debug failure') })
      const event = { httpMethod: 'GET', path: '/p', headers: {}, queryString: ${JSON.stringify(SECRET_QUERY)}, requestContext: { sourceIp: '1.2.3.4', requestId: 'gw' } }
      handler(event, { request_id: 'inv-2' }).then((r) => process.stdout.write('status ' + r.statusCode + '\\n'))
    `
      const run = spawnSync(process.execPath, ['-e', script], {
        env: { ...process.env, NODE_DEBUG: 'scf-bridge' },
        encoding: 'utf8',
      })
      const output = run.stdout + run.stderr
      expect(run.stdout).toContain('status 500')
      expect(output).toMatch(/SCF-BRIDGE \d+: GET \/p 500 /)
      const line = JSON.parse(run.stderr.split('\n').find((text) => text.includes('"source":"scf-bridge"'))!)
      expect(line.stack).toMatch(/Error: debug failure\n\s+at /)
      expect(output).not.toContain(TOKEN)
      expect(output).not.toContain(PASSWORD)
    },
  )
})
