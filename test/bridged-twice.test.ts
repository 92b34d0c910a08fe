/**
 * One app handed to bridge() twice (two handlers, as a project exporting two functions from one module
 * does): both serve, interleaved, each request reaching its own invocation, each failure reported once.
 */
import express from 'express'
import fastify from 'fastify'
import Koa from 'koa'
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest'
import { bridge } from '../src'
import type { ScfHandler } from '../src/types'
import { httpEvent, scfContext } from './fixtures/events'
import { expressApp } from './framework-apps/express'
import { fastifyApp } from './framework-apps/fastify'
import { h3App } from './framework-apps/h3'
import { hapiServer } from './framework-apps/hapi'
import { honoApp } from './framework-apps/hono'
import { koaApp } from './framework-apps/koa'
import { nestApp } from './framework-apps/nest'

type Closable = { close?(): Promise<unknown>; stop?(): Promise<unknown> }

const apps: Array<{ name: string; create(): unknown }> = [
  { name: 'Express', create: () => expressApp(express) },
  { name: 'Koa', create: () => koaApp(Koa) },
  { name: 'Fastify', create: () => fastifyApp(fastify) },
  { name: 'hapi', create: () => hapiServer() },
  { name: 'NestJS (Express)', create: () => nestApp('express') },
  { name: 'Hono', create: honoApp },
  { name: 'h3', create: h3App },
]

let errorLog: MockInstance
beforeEach(() => {
  errorLog = vi.spyOn(console, 'error').mockImplementation(() => {})
})
afterEach(() => {
  errorLog.mockRestore()
})
const bridgeLines = () =>
  errorLog.mock.calls
    .map((call) => String(call[0]))
    .filter((line) => line.includes('"source":"scf-bridge"'))
    .map((line) => JSON.parse(line))

describe.each(apps)('$name bridged twice', ({ name, create }) => {
  it('serves through both handlers, interleaved, each request with its own invocation', async () => {
    const app = create()
    const handlers: ScfHandler[] = [bridge(app), bridge(app)]
    try {
      const calls = Array.from({ length: 8 }, (_, i) => {
        const handler = handlers[i % 2]
        const id = `h${i % 2}-r${i}`
        return handler(
          httpEvent({ path: `/items/${id}`, headers: { 'x-custom': id, 'x-request-id': id } }),
          scfContext({ request_id: id }),
        ).then((response) => ({ id, response }))
      })
      const failures = [0, 1].map((h) =>
        handlers[h](
          httpEvent({ path: '/boom', headers: { 'x-request-id': `boom-${h}` } }),
          scfContext({ request_id: `boom-${h}` }),
        ),
      )
      for (const { id, response } of await Promise.all(calls)) {
        expect(response.statusCode).toBe(200)
        expect(JSON.parse(response.body)).toMatchObject({ name: id, custom: id, requestId: id })
        expect(response.headers['x-echo']).toBe(id)
      }
      for (const response of await Promise.all(failures)) expect(response.statusCode).toBe(500)
      // Each failure logged once, by the handler that served it (Nest's exception filters, Hono and h3
      // answer route errors without telling the bridge).
      const expected = /^(NestJS|Hono|h3)/.test(name) ? [] : ['boom-0', 'boom-1']
      expect(
        bridgeLines()
          .map((line) => line.xRequestId)
          .sort(),
      ).toEqual(expected)
    } finally {
      const closable = (await app) as Closable
      await (closable.close ?? closable.stop)?.call(closable)
    }
  })
})
