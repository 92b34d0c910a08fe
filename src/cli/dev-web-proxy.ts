import { randomUUID } from 'node:crypto'
import { Agent, createServer, type IncomingHttpHeaders, request, type Server } from 'node:http'
import { connect, type Socket } from 'node:net'
import { HOP_BY_HOP } from '../http-syntax'

/** What the front of a Web function adds to each request (web-functions.md §1, "Added headers"). */
export interface ScfHeaderValues {
  memoryMb: number
  timeoutS: number
  functionName: string
  region: string
}

/** The platform's `X-Scf-*` headers for one request: a new request id each time. */
export function scfHeaders(values: ScfHeaderValues): Record<string, string> {
  return {
    'x-scf-request-id': randomUUID(),
    'x-scf-memory': String(values.memoryMb),
    'x-scf-timeout': String(values.timeoutS),
    'x-scf-version': '$LATEST',
    'x-scf-name': values.functionName,
    'x-scf-namespace': 'default',
    'x-scf-region': values.region,
    'x-scf-appid': '1250000000',
    'x-scf-uin': '100000000001',
  }
}

/**
 * The client's headers as the platform's proxy passes them: its own `X-Scf-*` and the hop-by-hop ones
 * (`Connection` and those it names) dropped, the platform's `X-Scf-*` added. An upgrade keeps
 * `Connection: upgrade` and `Upgrade`, which the proxy must pass for a WebSocket to reach the app.
 */
export function forwardedHeaders(
  headers: IncomingHttpHeaders,
  added: Record<string, string>,
  upgrade: boolean,
): Record<string, string | string[]> {
  const named = String(headers.connection ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
  const out: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name.startsWith('x-scf-') || HOP_BY_HOP.has(name) || named.includes(name)) continue
    out[name] = value
  }
  if (upgrade && typeof headers.upgrade === 'string') {
    out.connection = 'upgrade'
    out.upgrade = headers.upgrade
  }
  return { ...out, ...added }
}

export interface ProxyOptions {
  /** Where the instance's server listens. */
  target: () => Promise<number>
  /** Requests (and WebSockets) the instance serves at once; more wait their turn. */
  concurrency: number
  /** The function's timeout: a request still open after it is ended (SCF's 433). */
  timeoutMs: number
  headerValues: ScfHeaderValues
  log: (line: string) => void
}

/** A queue of `limit` slots: one request per slot, as an instance with that MaxConcurrency takes them. */
class Slots {
  private used = 0
  private readonly waiting: (() => void)[] = []
  constructor(private readonly limit: number) {}
  take(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => {
        this.used++
        let released = false
        resolve(() => {
          if (released) return
          released = true
          this.used--
          this.waiting.shift()?.()
        })
      }
      if (this.used < this.limit) grant()
      else this.waiting.push(grant)
    })
  }
}

/**
 * The front of a local Web function: what the platform's proxy does between the Function URL and the
 * instance's port. Replies pass through as they come (an event stream is not buffered), upgrades are
 * spliced through to the instance, each request waits for a free slot and ends at the function's timeout.
 */
export function createWebProxy(options: ProxyOptions): Server {
  const slots = new Slots(options.concurrency)
  const agent = new Agent({ keepAlive: true })
  const server = createServer(async (req, res) => {
    const release = await slots.take()
    res.once('close', release)
    const timer = setTimeout(() => {
      options.log(
        `${req.method} ${req.url}: past the function's timeout (${options.timeoutMs / 1000} s): ended (433 on SCF)`,
      )
      if (!res.headersSent) {
        res.writeHead(504, { 'content-type': 'text/plain; charset=utf-8' })
        res.end("The function's timeout passed before the reply (SCF's error 433)\n")
      } else res.destroy()
    }, options.timeoutMs)
    res.once('close', () => clearTimeout(timer))
    let port: number
    try {
      port = await options.target()
    } catch (error) {
      res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' })
      res.end(`${error instanceof Error ? error.message : String(error)}\n`)
      return
    }
    const headers = forwardedHeaders(req.headers, scfHeaders(options.headerValues), false)
    const upstream = request(
      { host: '127.0.0.1', port, method: req.method, path: req.url, headers, agent },
      (reply) => {
        const out: Record<string, string | string[]> = {}
        for (const [name, value] of Object.entries(reply.headers))
          if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value
        res.writeHead(reply.statusCode ?? 502, reply.statusMessage, out)
        // The headers go out now: an EventSource opens before the first event.
        res.flushHeaders()
        reply.pipe(res)
        reply.once('error', () => res.destroy())
      },
    )
    upstream.once('error', (error) => {
      options.log(`${req.method} ${req.url}: the instance broke off: ${error.message}`)
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' })
        res.end('The function instance closed the connection without a reply\n')
      } else res.destroy()
    })
    res.once('close', () => {
      if (!res.writableFinished) upstream.destroy()
    })
    req.pipe(upstream)
  })

  server.on('upgrade', async (req, client: Socket, head: Buffer) => {
    const release = await slots.take()
    client.once('close', release)
    const timer = setTimeout(() => client.destroy(), options.timeoutMs)
    client.once('close', () => clearTimeout(timer))
    let port: number
    try {
      port = await options.target()
    } catch {
      client.destroy()
      return
    }
    const headers = forwardedHeaders(req.headers, scfHeaders(options.headerValues), true)
    const upstream = connect({ host: '127.0.0.1', port }, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`]
      for (const [name, value] of Object.entries(headers))
        for (const one of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${one}`)
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`)
      if (head.length) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    upstream.once('error', () => client.destroy())
    client.once('error', () => upstream.destroy())
    upstream.once('close', () => client.destroy())
    client.once('close', () => upstream.destroy())
  })
  server.on('close', () => agent.destroy())
  return server
}
