/**
 * The Express example's live clock (/api/clock) as an event function: SCF sends one reply, so every event
 * arrives together once the stream has ended, with the event-stream type kept.
 */
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { createFunctionUrlEvent } from '../../src/testing'
import type { ScfHandler } from '../../src/types'
import { REPO_ROOT } from '../runtimes/toolchain'

it('arrives whole under the event target: every tick in one body', async () => {
  const dir = join(REPO_ROOT, 'examples', 'express-app')
  const handler = createRequire(join(dir, 'index.js'))('./index.js').main_handler as ScfHandler
  const reply = await handler(createFunctionUrlEvent({ path: '/api/clock', query: { ticks: '2' } }), {})
  expect(reply.statusCode).toBe(200)
  expect(String(reply.headers['content-type'])).toMatch(/^text\/event-stream/)
  const body = reply.isBase64Encoded ? Buffer.from(reply.body, 'base64').toString('utf8') : reply.body
  expect(body.match(/^data: \d{4}-\d\d-\d\dT.*Z$/gm)).toHaveLength(2)
  expect(body).toMatch(/^id: 0\n/)
})
