/**
 * Every app kind bridge() serves, served by the Web function runner on a real socket: the scheme the
 * framework reports with no trust-proxy setting, the request id in the reply, a route that throws (the
 * runner's plain 500, or the framework's own error reply; logged once with the request id when the failure
 * reaches the runner), and a 503 the framework answers in its own idiom.
 */
import { get, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import fastify from 'fastify'
import Koa from 'koa'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { bridge } from '../../src'
import { createWebServer, type WebServer } from '../../src/web/web-server'
import { webHandleOf } from '../../src/web-handle'
import { expressApp } from '../framework-apps/express'
import { fastifyApp } from '../framework-apps/fastify'
import { h3App } from '../framework-apps/h3'
import { hapiServer } from '../framework-apps/hapi'
import { honoApp } from '../framework-apps/hono'
import { koaApp } from '../framework-apps/koa'
import { nestApp } from '../framework-apps/nest'
import { httpServer, plainListener } from '../framework-apps/node'
import { UNAVAILABLE } from '../framework-apps/shared'

interface Kind {
  name: string
  create(): unknown
  /**
   * Who answers a route that throws: the runner's plain 500, or the framework's own error reply, which goes
   * out as written on a real socket (as under listen()).
   */
  answers: 'runner' | 'framework'
  /** The failure reaches the runner, which logs it once with the request id. */
  logged: boolean
  /** hapi builds request.url from the server's protocol (docs/https-and-host.md). */
  urlFromServer?: boolean
}

const kinds: Kind[] = [
  { name: 'Express 5', create: () => expressApp(express), answers: 'runner', logged: true },
  { name: 'Koa 3', create: () => koaApp(Koa), answers: 'framework', logged: true },
  { name: 'Fastify 5', create: () => fastifyApp(fastify), answers: 'framework', logged: true },
  { name: 'Hono', create: honoApp, answers: 'framework', logged: false },
  { name: 'h3 v2', create: h3App, answers: 'framework', logged: false },
  { name: 'hapi', create: () => hapiServer(), answers: 'runner', logged: true, urlFromServer: true },
  { name: 'NestJS (Express)', create: () => nestApp('express'), answers: 'framework', logged: false },
  { name: 'plain (req, res) listener', create: plainListener, answers: 'runner', logged: true },
  { name: 'http.Server', create: httpServer, answers: 'runner', logged: true },
]

function fetchText(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: IncomingMessage['headers']; body: string }>((done, fail) => {
    get(url, { headers }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk))
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body }))
    }).on('error', fail)
  })
}

describe.each(kinds)('$name through the Web function runner', (kind) => {
  let web: WebServer
  let url = ''
  beforeAll(async () => {
    web = createWebServer(webHandleOf(bridge(kind.create()))!)
    await web.start()
    await new Promise<void>((done) => web.server.listen(0, '127.0.0.1', done))
    url = `http://127.0.0.1:${(web.server.address() as AddressInfo).port}`
  })
  afterAll(() => web.close(1000))

  it('reports https with no trust-proxy setting, and returns the request id', async () => {
    const reply = await fetchText(`${url}/scheme`, { 'x-scf-request-id': 'scheme-1', host: 'shop.example.com' })
    expect(reply.status).toBe(200)
    expect(reply.headers['x-request-id']).toBe('scheme-1')
    const view = JSON.parse(reply.body)
    expect(view).toMatchObject({
      protocol: kind.urlFromServer ? 'http' : 'https',
      secure: true,
      forwardedProto: 'https',
    })
    if (!kind.urlFromServer) expect(view.url).toMatch(/^(https:\/\/shop\.example\.com)?\/scheme$/)
  })

  it('a route that throws: 500, logged once with the request id when the failure reaches the runner', async () => {
    const lines: string[] = []
    const spy = vi.spyOn(console, 'error').mockImplementation((line: unknown) => void lines.push(String(line)))
    try {
      const reply = await fetchText(`${url}/boom`, { 'x-scf-request-id': 'boom-7' })
      expect(reply.status).toBe(500)
      if (kind.answers === 'runner') {
        expect(reply.body).toBe('Internal Server Error')
        expect(reply.headers.connection).toBe('close')
      }
      const ours = lines.filter((line) => line.includes('"source":"scf-bridge"'))
      expect(ours).toHaveLength(kind.logged ? 1 : 0)
      if (kind.logged) expect(JSON.parse(ours[0])).toMatchObject({ requestId: 'boom-7', path: '/boom', status: 500 })
    } finally {
      spy.mockRestore()
    }
  })

  it("a 503 the framework answers keeps the framework's reply", async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const reply = await fetchText(`${url}/unavailable`)
      expect(reply.status).toBe(503)
      expect(reply.body).toMatch(new RegExp(`${UNAVAILABLE}|Service Unavailable`))
    } finally {
      spy.mockRestore()
    }
  })
})
