import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { adapterFor, adapterStarter, type FetchAdapter, type ServingAdapter } from '../apps'
import { invokeStorage } from '../current-invoke'
import { attachFailureSink } from '../invocation'
import { type LogContext, logLine } from '../log'
import { routeStrayRejections } from '../stray-rejections'
import { isThenable } from '../values'
import type { WebHandle } from '../web-handle'
import { fetchRequestFromNode, writeFetchResponse } from './fetch-stream'
import { WebExchange } from './web-exchange'
import { prepareRequest, type WebRequest } from './web-request'
import { type WebSettings, webSettingsOf } from './web-settings'

/**
 * Keep-alive above the proxy's idle time, so the proxy in front of the instance (Nginx, whose upstream
 * default is 60 s) closes an idle connection first and never sends a request into one we are closing.
 * The header deadline must exceed it, or a kept-alive connection could be cut while a request arrives.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000
export const HEADERS_TIMEOUT_MS = 66_000

/** The runner's HTTP server around one app, and how to stop it. */
export interface WebServer {
  server: Server
  settings: WebSettings
  /** Starts the app (a Promise of an app, Fastify's ready(), Nest's init()); rejects when it cannot. */
  start(): Promise<void>
  /**
   * Stops accepting connections, closes idle keep-alive connections, lets requests in flight finish (their
   * replies say `Connection: close`), and resolves once every connection is closed or `graceMs` passed, after
   * which the rest are destroyed (open WebSockets included: attach your own SIGTERM handling to close them
   * with a status first).
   */
  close(graceMs: number): Promise<void>
}

/** A server that serves the app `bridge()` wrapped, on real sockets: replies stream, upgrades reach the app. */
export function createWebServer(handle: WebHandle): WebServer {
  const settings = webSettingsOf(handle)
  const startAdapter = adapterStarter(adapterFor(handle.app, { fetch: settings.fetch }))
  let adapter: ServingAdapter | undefined
  const busy = new Set<Socket>()
  const inFlight = new Set<ServerResponse>()
  const sockets = new Set<Socket>()
  let closing = false

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket
    busy.add(socket)
    res.once('finish', () => {
      busy.delete(socket)
      if (closing) socket.end()
    })
    res.once('close', () => busy.delete(socket))
    inFlight.add(res)
    res.once('close', () => inFlight.delete(res))
    if (closing) res.setHeader('connection', 'close')
    serve(adapter as ServingAdapter, req as WebRequest, res, settings)
  })
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS
  server.headersTimeout = HEADERS_TIMEOUT_MS
  server.on('connection', (socket: Socket) => {
    // Every connection comes through the platform's HTTPS front: what frameworks read for req.protocol.
    ;(socket as Socket & { encrypted?: boolean }).encrypted = true
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  // Before any listener the app attaches: an upgrade request gets the same scheme, Host, path and id. With no
  // WebSocket server attached, Node would leave the socket to this listener alone: it is answered and closed.
  server.on('upgrade', (req: WebRequest, socket: Duplex) => {
    const { log } = prepareRequest(req, settings)
    if (settings.guards?.(req.url ?? '/')) {
      refuseLog(log)
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
      // Destroyed, so a WebSocket server listening after us finds no writable socket to take over.
      socket.destroy()
      return
    }
    if (server.listenerCount('upgrade') > 1) return
    logLine(log, 'an upgrade request reached no WebSocket server: attach one with the websocket option', {
      status: 501,
    })
    socket.end('HTTP/1.1 501 Not Implemented\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
  })

  return {
    server,
    settings,
    async start() {
      routeStrayRejections()
      const started = startAdapter()
      adapter = isThenable(started) ? await started : started
      if (settings.websocket) await settings.websocket(server)
    },
    close(graceMs) {
      closing = true
      server.close()
      for (const socket of sockets) if (!busy.has(socket)) socket.end()
      // A reply still to come tells the client not to reuse the connection.
      for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close')
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          for (const socket of sockets) socket.destroy()
          resolve()
        }, graceMs)
        timer.unref()
        const check = () => {
          if (sockets.size > 0) return
          clearTimeout(timer)
          resolve()
        }
        for (const socket of sockets) socket.once('close', check)
        check()
      })
    },
  }
}

function serve(adapter: ServingAdapter, req: WebRequest, res: ServerResponse, settings: WebSettings): void {
  const { invoke, log } = prepareRequest(req, settings)
  if (log.requestId) res.setHeader('x-request-id', log.requestId)
  if (settings.guards?.(req.url ?? '/')) {
    refuseLog(log)
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not Found')
    return
  }
  const exchange = new WebExchange(invoke, log, res, settings)
  invokeStorage.run(exchange, () => {
    if (typeof (adapter as FetchAdapter).fetch === 'function') serveFetch(adapter as FetchAdapter, req, res, exchange)
    else serveNode(adapter as Exclude<ServingAdapter, FetchAdapter>, req, res, exchange)
  })
}

function serveNode(
  adapter: Exclude<ServingAdapter, FetchAdapter>,
  req: WebRequest,
  res: ServerResponse,
  exchange: WebExchange,
): void {
  attachFailureSink(req, exchange)
  try {
    const result = adapter.dispatch(req, res)
    if (isThenable(result)) result.then(undefined, (error: unknown) => exchange.fail(error))
  } catch (error) {
    exchange.fail(error)
  }
}

function serveFetch(adapter: FetchAdapter, req: WebRequest, res: ServerResponse, exchange: WebExchange): void {
  const aborter = new AbortController()
  res.once('close', () => {
    if (!res.writableFinished) aborter.abort()
  })
  let request: Request
  try {
    request = fetchRequestFromNode(req, aborter.signal)
  } catch (error) {
    exchange.fail(error)
    return
  }
  attachFailureSink(request, exchange)
  Promise.resolve()
    .then(() => adapter.fetch(request, exchange.invoke))
    .then((response) => writeFetchResponse(response, res, request.method))
    .catch((error: unknown) => exchange.fail(error))
}

function refuseLog(log: LogContext): void {
  logLine(log, 'an HTTP request for a trigger path was answered 404 without reaching the app', { status: 404 })
}
