/**
 * The Express example's other triggers: a daily timer job (a function) and COS notifications (a route of
 * the app), driven through its SCF handler with real COS events, and the route closed to HTTP both on SCF
 * (the bridge's guard) and under `node server.js` (the route's own check).
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createCosEvent, createTimerEvent, invoke } from '../src/testing'
import type { ScfEventHandler } from '../src/types'
import { scfContext } from './fixtures/events'
import { assertBuilt, EXAMPLES, handlerClient, httpClient, type Send, startProcess } from './fixtures/example-apps'

const example = EXAMPLES.find((candidate) => candidate.name === 'express')!
const real = (file: string) => JSON.parse(readFileSync(join(__dirname, 'fixtures/real-events', file), 'utf8')).event

describe('the express example: timer job and COS route through its SCF handler', () => {
  let handler: ScfEventHandler
  let send: Send
  beforeAll(() => {
    assertBuilt()
    // A module instance of its own: the uploads list is module state.
    const require = createRequire(join(example.dir, 'index.js'))
    for (const file of ['index.js', 'app.js', 'uploads.js']) delete require.cache[require.resolve(`./${file}`)]
    handler = require('./index.js').main_handler
    send = handlerClient(handler as never, { context: () => scfContext() })
  })

  it('records real COS notifications through POST /internal/cos-uploaded, and lists them', async () => {
    const put = real('cos-blog-nodejs-put-png-2020.json')
    expect(await handler(put, scfContext())).toEqual({ recorded: 1 })
    expect(await handler(real('cos-scf-go-lib-created-multipart-meta-2019.json'), scfContext())).toEqual({
      recorded: 1,
    })
    const fresh = createCosEvent({ key: 'photos/today.jpg', size: 2048 })
    const r = await invoke(handler, fresh)
    expect(r).toMatchObject({ ok: true, result: { recorded: 1 } })

    const list = await send({ path: '/api/uploads' })
    expect(list.status).toBe(200)
    expect(JSON.parse(list.text)).toEqual([
      { key: 'xxx.png', size: 6545739, type: 'image/png', at: '2020-05-08T14:39:39.000Z' },
      {
        key: 'foobar.zip',
        size: 9755203,
        type: 'multipart/form-data; boundary=---------------------------b45c43a0b3',
        at: '2019-08-17T07:55:55.000Z',
      },
      { key: 'photos/today.jpg', size: 2048, type: 'image/jpeg', at: expect.any(String) },
    ])
  })

  it('answers 404 to an HTTP request for the COS route, and records nothing', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    for (const path of ['/internal/cos-uploaded', '/Internal/Cos-Uploaded/', '/internal/cos%2Duploaded']) {
      const r = await send({
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(createCosEvent({ key: 'forged.txt' })),
      })
      expect(r.status).toBe(404)
      expect(r.text).toBe('Not Found')
    }
    const lines = log.mock.calls.map((call) => JSON.parse(String(call[0])))
    log.mockRestore()
    expect(lines.map((line) => line.path)).toEqual([
      '/internal/cos-uploaded',
      '/Internal/Cos-Uploaded/',
      '/internal/cos%2Duploaded',
    ])
    const list = JSON.parse((await send({ path: '/api/uploads' })).text) as Array<{ key: string }>
    expect(list.map((upload) => upload.key)).not.toContain('forged.txt')
  })

  it('the timer job forgets uploads older than 30 days and returns what it did', async () => {
    const r = await invoke(handler, createTimerEvent({ triggerName: 'daily-purge' }))
    expect(r).toMatchObject({ ok: true, result: { removed: 2, kept: 1 } })
    const list = JSON.parse((await send({ path: '/api/uploads' })).text) as Array<{ key: string }>
    expect(list.map((upload) => upload.key)).toEqual(['photos/today.jpg'])
  })

  it('a COS removal notification removes the upload', async () => {
    expect(
      await invoke(handler, createCosEvent({ key: 'photos/today.jpg', eventName: 'cos:ObjectRemove:Delete' })),
    ).toMatchObject({ ok: true })
    expect(JSON.parse((await send({ path: '/api/uploads' })).text)).toEqual([])
  })

  it('refuses other triggers it was not given, naming the kind', async () => {
    await expect(handler(real('cmq-scf-go-lib-topic-2019.json'), scfContext())).rejects.toThrow(/CMQ trigger event/)
  })
})

describe('the express example under node server.js: the COS route is closed there too', () => {
  let send: Send
  let stop: () => Promise<void> = async () => {}
  beforeAll(async () => {
    assertBuilt()
    const { process: server, match } = await startProcess(['server.js'], {
      cwd: example.dir,
      env: { PORT: '0', HOST: '127.0.0.1' },
      ready: /Listening on http:\/\/127\.0\.0\.1:(\d+)/,
    })
    send = httpClient(Number(match[1]))
    stop = () => server.stop()
  })
  afterAll(() => stop())

  it('answers POST /internal/cos-uploaded with the 404 page, and records nothing', async () => {
    const r = await send({
      method: 'POST',
      path: '/internal/cos-uploaded',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(createCosEvent()),
    })
    expect(r.status).toBe(404)
    expect(r.headers['content-type']).toMatch(/^text\/html/)
    expect(JSON.parse((await send({ path: '/api/uploads' })).text)).toEqual([])
  })
})
