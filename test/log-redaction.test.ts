import express from 'express'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { bridge } from '../src'
import { logContextOf, logLine } from '../src/log'
import { httpEvent, scfContext } from './fixtures/events'

// What never reaches the log: an error's values, a request's query.

let errorLog: ReturnType<typeof vi.spyOn>
beforeEach(() => {
  errorLog = vi.spyOn(console, 'error').mockImplementation(() => {})
})
afterEach(() => errorLog.mockRestore())

const logged = () => errorLog.mock.calls.map((call: unknown[]) => call.map(String).join(' ')).join('\n')

describe('a thrown plain object', () => {
  it('is logged by its key names, never its values', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    const info = vi.spyOn(console, 'log').mockImplementation(() => {})
    const app = express()
    app.get('/x', () => Promise.reject({ headers: { authorization: 'Bearer SECRET-42' }, token: 'SECRET-43' }))
    try {
      const response = await bridge(app)(httpEvent({ path: '/x' }), scfContext())
      expect(response.statusCode).toBe(500)
      expect(response.body).not.toContain('SECRET')
      const everything = `${logged()}\n${out.mock.calls.join('\n')}\n${info.mock.calls.join('\n')}`
      expect(logged()).toContain('headers, token')
      expect(everything).not.toContain('SECRET')
    } finally {
      out.mockRestore()
      info.mockRestore()
    }
  })
})

describe('the log context of a request', () => {
  it('keeps the URL and cuts its query only when a line is written', () => {
    const request = { method: 'GET', url: '/a/b?token=SECRET-7', headers: {}, body: Buffer.alloc(0) }
    const log = logContextOf(request as never, scfContext())
    expect(log).not.toHaveProperty('path')
    logLine(log, 'test line', {})
    const line = JSON.parse(String(errorLog.mock.calls[0][0]))
    expect(line).toMatchObject({ method: 'GET', path: '/a/b', requestId: 'aa7b70e6-0000-4000-8000-000000000001' })
    expect(logged()).not.toContain('SECRET')
  })
})
