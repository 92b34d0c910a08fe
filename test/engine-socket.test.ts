/**
 * The engine's socket against what Node's http.IncomingMessage and http.ServerResponse use of a socket on the
 * running Node (found by test/engine-socket-probe.cjs through a recording Proxy): every member they use that a
 * real net.Socket has, the engine's socket has too. A new Node that starts using another member fails here.
 */
import type { Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import { inject } from '../src/engine'
// @ts-expect-error: a plain CommonJS script without types (also run directly against dist/ on other Nodes)
import { missingMembers, nodeSocketMembers } from './engine-socket-probe.cjs'

function engineSocket(secure = false): Promise<Socket> {
  return new Promise((resolve) => {
    let socket: Socket
    inject(
      (req, res) => {
        socket = req.socket
        res.end()
      },
      { method: 'GET', url: '/', headers: { host: 'example.com' }, body: undefined, remoteAddress: undefined, secure },
      { reply: () => resolve(socket), broken: () => resolve(socket) },
    )
  })
}

describe(`the engine's socket on Node ${process.version}`, () => {
  it('the probe finds the members Node certainly uses', async () => {
    const members: string[] = await nodeSocketMembers()
    for (const name of [
      '_httpMessage',
      'write',
      'cork',
      'uncork',
      'destroy',
      'destroyed',
      'writable',
      'on',
      'emit',
      'resume',
      'setTimeout',
    ]) {
      expect(members, name).toContain(name)
    }
  })

  it('has every member of a socket that IncomingMessage and ServerResponse use', async () => {
    expect(await missingMembers(await engineSocket())).toEqual([])
    expect(await missingMembers(await engineSocket(true))).toEqual([])
  })
})
