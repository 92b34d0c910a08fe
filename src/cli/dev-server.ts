import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { basename, dirname } from 'node:path'
import {
  type AnyScfHandler,
  emulate,
  type GatewayReply,
  gatewayError,
  type HandlerOutcome,
  stripStage,
} from '../emulator'
import { loggedPath } from '../log'
import { MAX_EVENT_BYTES } from '../scf-contract'
import { errorSummary } from '../values'
import type { DevOptions } from './args'
import { type HandlerLocation, loadHandler, resolveHandler } from './load-handler'
import { clearModuleCache, watchTree } from './watch'

/** Where the dev server writes: access lines to `out`, problems to `err`. */
export interface DevServerIo {
  out: (line: string) => void
  err: (line: string) => void
}

/** A running emulator. */
export interface DevServer {
  server: Server
  /** The server's base URL, e.g. `http://127.0.0.1:9000`. */
  url: string
  location: HandlerLocation
  /** Stops accepting requests, lets the ones in flight finish (up to `graceMs`), closes connections and watchers. */
  close(graceMs?: number): Promise<void>
}

type HandlerState = { handler: AnyScfHandler; error?: undefined } | { handler?: undefined; error: string }

/**
 * Starts the local API Gateway emulator for the handler `options` name. Rejects when the handler cannot be
 * loaded (unless watching, when it serves 502 until a change fixes it) or the port cannot be bound.
 */
export async function startDevServer(options: DevOptions, io: DevServerIo, cwd = process.cwd()): Promise<DevServer> {
  const location = resolveHandler(options.entry, options.handler, cwd)
  const root = dirname(location.file)
  let generation = 0
  let state: HandlerState
  try {
    state = { handler: await loadHandler(location) }
  } catch (error) {
    if (!options.watch) throw error
    state = { error: errorText(error) }
    io.err(`scf-bridge: ${state.error}`)
  }

  const functionName = basename(root) || 'local-function'
  const connections = new Map<Socket, number>()
  let closing = false

  const server = createServer((req, res) => {
    const socket = req.socket
    connections.set(socket, (connections.get(socket) ?? 0) + 1)
    res.on('close', () => {
      const left = (connections.get(socket) ?? 1) - 1
      connections.set(socket, left)
      if (closing && left === 0) socket.destroy()
    })
    handle(req, res).catch((error: unknown) => {
      // Only a bug in the emulator lands here: the handler's own failures are replies already.
      io.err(`scf-bridge: internal error: ${errorText(error)}`)
      if (!res.headersSent) send(res, req.method ?? 'GET', gatewayError(500, 'the emulator failed; see its terminal'))
      else res.destroy()
    })
  })
  server.on('connection', (socket: Socket) => {
    connections.set(socket, 0)
    socket.on('close', () => connections.delete(socket))
  })
  server.on('clientError', (_error, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n')
    else socket.destroy()
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now()
    const method = req.method ?? 'GET'
    const target = req.url ?? '/'
    // Logged before the reply is sent, so whoever gets the reply can already read its log line.
    // The path only: query values are often secrets (`?token=`), and logs are kept and shared.
    const finish = (reply: GatewayReply, outcome?: HandlerOutcome) => {
      io.out(`${method} ${loggedPath(target)} ${reply.status} ${Date.now() - started}ms ${reply.body.length}B`)
      if (reply.problem) io.err(`  ${reply.status} ${reply.problem}`)
      if (outcome?.kind === 'failed' && outcome.error instanceof Error && outcome.error.stack)
        io.err(indent(outcome.error.stack))
      send(res, method, reply)
    }

    const body = await readBody(req, MAX_EVENT_BYTES)
    if (body === 'aborted') return
    if (body === 'tooLarge') {
      if (!req.complete) res.setHeader('connection', 'close')
      return finish(
        gatewayError(413, `the request body is larger than the ${MAX_EVENT_BYTES} bytes (6 MB) SCF accepts`),
      )
    }
    const current = state
    if (!current.handler)
      return finish(gatewayError(502, `the handler could not be loaded: ${firstLine(current.error)}`))

    const { pathname, search } = splitTarget(target)
    const emulation = await emulate(
      current.handler,
      {
        method,
        path: options.trigger === 'apigw' ? stripStage(pathname, options.stage) : pathname,
        search,
        headers: req.headers,
        headerValues: 'bytes',
        body,
        remoteAddress: req.socket.remoteAddress,
        scheme: options.https ? 'https' : 'http',
      },
      { trigger: options.trigger, stage: options.stage },
      { timeoutMs: options.timeoutS * 1000, memoryMb: options.memoryMb, functionName },
    )
    finish(emulation.reply, emulation.outcome)
  }

  const watcher = options.watch
    ? watchTree(root, (file) => {
        clearModuleCache(root)
        generation++
        loadHandler(location, generation).then(
          (handler) => {
            state = { handler }
            io.out(`scf-bridge: reloaded ${location.setting} (${file} changed)`)
          },
          (error: unknown) => {
            state = { error: errorText(error) }
            io.err(`scf-bridge: reload failed, answering 502 until the next change: ${state.error}`)
          },
        )
      })
    : undefined

  await listen(server, options.port, options.host)
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' || address.family === (6 as unknown) ? `[${address.address}]` : address.address

  return {
    server,
    url: `http://${host}:${address.port}`,
    location,
    close(graceMs = 3000) {
      closing = true
      watcher?.close()
      return new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          for (const socket of connections.keys()) socket.destroy()
        }, graceMs)
        force.unref()
        server.close(() => {
          clearTimeout(force)
          resolve()
        })
        for (const [socket, busy] of connections) if (busy === 0) socket.destroy()
      })
    },
  }
}

/** Past this, an oversized upload is cut off instead of read to its end. */
const DISCARD_LIMIT = 64 * 1024 * 1024

/**
 * The request body; `tooLarge` when it is over `limit` bytes (an oversized body is still read, and
 * dropped, to its end, so the client gets the 413 instead of a broken pipe; a huge one is cut off);
 * `aborted` when the client went away first.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'tooLarge' | 'aborted'> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > DISCARD_LIMIT) return Promise.resolve('tooLarge')
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= limit) chunks.push(chunk)
      else if (chunks.length) chunks.length = 0
      if (size > DISCARD_LIMIT) {
        req.removeAllListeners('data')
        req.pause()
        resolve('tooLarge')
      }
    })
    req.on('end', () => resolve(size > limit ? 'tooLarge' : Buffer.concat(chunks, size)))
    req.on('error', () => resolve('aborted'))
    req.on('close', () => {
      if (!req.complete) resolve('aborted')
    })
  })
}

function send(res: ServerResponse, method: string, reply: GatewayReply): void {
  res.statusCode = reply.status
  for (const name of Object.keys(reply.headers)) {
    const values = reply.headers[name]
    res.setHeader(name, values.length === 1 ? values[0] : values)
  }
  const bodyless = method === 'HEAD' || reply.status === 204 || reply.status === 304
  if (bodyless) return void res.end()
  res.setHeader('content-length', reply.body.length)
  res.end(reply.body)
}

function splitTarget(target: string): { pathname: string; search: string } {
  let path = target
  // An absolute-form target (`GET http://host/path`, as proxies send) still names a path.
  if (!path.startsWith('/')) {
    try {
      const url = new URL(path)
      path = url.pathname + url.search
    } catch {
      path = `/${path}`
    }
  }
  const question = path.indexOf('?')
  return question === -1
    ? { pathname: path, search: '' }
    : { pathname: path.slice(0, question), search: path.slice(question + 1) }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening)
      if (error.code === 'EADDRINUSE') reject(new Error(`port ${port} on ${host} is in use; pick another with --port`))
      else if (error.code === 'EADDRNOTAVAIL')
        reject(new Error(`cannot listen on ${host}: no such local address (--host)`))
      else reject(error)
    }
    const onListening = () => {
      server.off('error', onError)
      resolve()
    }
    server.once('error', onError)
    server.once('listening', onListening)
    server.listen(port, host)
  })
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : errorSummary(error)
}

const firstLine = (text: string) => text.split('\n', 1)[0]
const indent = (text: string) => text.replace(/^/gm, '    ')
