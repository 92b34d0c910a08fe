/*!
 * Derived from light-my-request 6.6.0 (lib/response.js: the reply's headers and its errors), BSD-3-Clause,
 * (c) 2017 The Fastify Team and contributors: src/engine/LICENSE.
 */
import { type IncomingMessage, ServerResponse } from 'node:http'
import { InMemorySocket } from './null-socket'

/** The app's complete reply: status, headers as Node reports them (plus Date, Connection, Transfer-Encoding), body bytes. */
export interface EngineReply {
  statusCode: number
  statusMessage: string
  headers: Record<string, string | string[]>
  /** The body as it would travel, without HTTP framing (a chunked body is unchunked). */
  body: Buffer
  /** Set when the body outgrew the sink's `maxBodyBytes`: the body bytes written by then; `body` is empty. */
  bodyOverflow?: number
}

/**
 * Where the outcome goes, once: the reply when the app completed it, or the error when it broke off. An object
 * with methods, not a callback: a function made per request and kept on its objects would keep them alive
 * through young-generation GCs (test/robustness/per-request-closures.test.ts).
 */
export interface ReplySink {
  reply(reply: EngineReply): void
  broken(error: Error): void
  /**
   * The most body bytes the sink can use. Past it the collector keeps nothing more: the reply goes to the
   * sink at once with `bodyOverflow` and no body, and the response is destroyed as a server destroys one
   * whose client hung up (the app's writes fail, 'close' follows, a piped source is released). Undefined:
   * no limit.
   */
  readonly maxBodyBytes?: number
}

/** The parts of `ServerResponse` that are public in practice but not in @types/node. */
type NodeResponse = ServerResponse & { _header: string | null; chunkedEncoding: boolean; _closed?: boolean }

/**
 * A plain `http.ServerResponse` on the exchange's socket. Nothing of the reply is on its prototype, so a
 * framework that re-parents it (Express onto its own response prototype) changes nothing here.
 */
export function createResponse(req: IncomingMessage, socket: InMemorySocket): ServerResponse {
  const res = new ServerResponse(req)
  // With no header set yet, writeHead(status, headers) writes its headers without keeping them, and
  // getHeaders() would miss them: setting one first makes Node keep them all.
  res.setHeader('x', '')
  res.removeHeader('x')
  res.on('finish', onFinish)
  res.on('error', onError)
  res.assignSocket(socket as never)
  socket.collector.res = res as NodeResponse
  return res
}

function onFinish(this: ServerResponse): void {
  if (this.socket instanceof InMemorySocket) this.socket.collector.finish()
}

// An 'error' after the reply was complete (a write after end()) must not become an uncaught exception.
function onError(this: ServerResponse, error: Error): void {
  if (this.socket instanceof InMemorySocket) this.socket.collector.broken(error)
}

/**
 * Collects what `ServerResponse` writes to the socket: the head (Node's own text, read back as headers), then
 * the body, unframed. A write before the head is an interim reply (100 Continue, 103 Early Hints) that an
 * integrated response cannot carry: it is left out.
 */
export class ReplyCollector {
  res: NodeResponse | null = null
  private chunks: Buffer[] = []
  private headSeen = false
  private chunked = false
  /** Chunked body: bytes left in the current chunk, -2/-1 for the CRLF after it, 0 while reading a size line. */
  private left = 0
  private size = 0
  /** Body bytes collected so far. */
  private bodyBytes = 0
  private readonly maxBodyBytes: number
  private settled = false

  constructor(private readonly sink: ReplySink) {
    this.maxBodyBytes = sink.maxBodyBytes ?? Infinity
  }

  take(data: string | Uint8Array, encoding: BufferEncoding | undefined): void {
    // Settled: complete, broken off, or cut off past the limit; nothing written now is wanted.
    if (this.settled) return
    if (!this.headSeen) {
      const res = this.res
      const head = res?._header
      if (!res || !head) return
      this.headSeen = true
      this.chunked = res.chunkedEncoding
      // Node sends the head first: alone, or in front of the first chunk when that is a string.
      if (typeof data === 'string' && data.startsWith(head)) data = data.slice(head.length)
      if (data.length === 0) return
    }
    // Measured before it is copied: a write far past the limit is never copied at all.
    const length = typeof data === 'string' ? Buffer.byteLength(data, encoding) : data.byteLength
    if (this.bodyBytes + this.bodyPart(length) > this.maxBodyBytes) {
      this.overflow(this.bodyBytes + this.bodyPart(length))
      return
    }
    // A copy: once a write has called back, the app may reuse its buffer.
    const bytes = typeof data === 'string' ? Buffer.from(data, encoding) : Buffer.from(data)
    if (this.chunked) this.unchunk(bytes)
    else this.keep(bytes)
  }

  /** How many of a write's `length` bytes are surely body: with chunked framing, at most the chunk's rest. */
  private bodyPart(length: number): number {
    if (!this.chunked) return length
    return this.left > 0 && this.left !== Infinity ? Math.min(length, this.left) : 0
  }

  private keep(bytes: Buffer): void {
    if (this.settled) return
    this.chunks.push(bytes)
    this.bodyBytes += bytes.length
    if (this.bodyBytes > this.maxBodyBytes) this.overflow(this.bodyBytes)
  }

  /** The body outgrew the limit: the reply goes to the sink without it, and the response is destroyed. */
  private overflow(bodyBytes: number): void {
    const res = this.res
    if (this.settled || !res) return
    this.settled = true
    this.chunks = []
    const reply: EngineReply = {
      statusCode: res.statusCode,
      statusMessage: res.statusMessage,
      headers: headersOf(res),
      body: EMPTY,
      bodyOverflow: bodyBytes,
    }
    process.nextTick(deliverReply, this.sink, reply)
    // At once, inside the write that overflowed: that write already returns false, so a pipe stops here
    // instead of pumping a synchronous source to its end first.
    res.destroy()
  }

  /** Reads chunked framing (size line, data, CRLF; a zero size ends it, trailers are left out). */
  private unchunk(bytes: Buffer): void {
    let at = 0
    while (at < bytes.length && this.left !== Infinity) {
      if (this.left > 0) {
        const end = Math.min(bytes.length, at + this.left)
        this.keep(at === 0 && end === bytes.length ? bytes : bytes.subarray(at, end))
        this.left -= end - at
        at = end
        if (this.left === 0) this.left = -2
      } else if (this.left < 0) {
        at++
        this.left++
      } else {
        const c = bytes[at++]
        if (c === 0x0a) {
          this.left = this.size === 0 ? Infinity : this.size
          this.size = 0
        } else if (c !== 0x0d) {
          this.size = this.size * 16 + (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57)
        }
      }
    }
  }

  finish(): void {
    const res = this.res
    if (this.settled || !res) return
    this.settled = true
    const reply: EngineReply = {
      statusCode: res.statusCode,
      statusMessage: res.statusMessage,
      headers: headersOf(res),
      body: this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks),
    }
    this.chunks = []
    process.nextTick(deliverReply, this.sink, reply)
    // As a server does once a reply is complete.
    process.nextTick(emitClose, res)
  }

  broken(error: Error | undefined): void {
    if (this.settled) return
    this.settled = true
    process.nextTick(deliverBroken, this.sink, error ?? connectionReset())
  }
}

function deliverReply(sink: ReplySink, reply: EngineReply): void {
  sink.reply(reply)
}

function deliverBroken(sink: ReplySink, error: Error): void {
  sink.broken(error)
}

const EMPTY = Buffer.alloc(0)

function emitClose(res: NodeResponse): void {
  if (res._closed) return
  res._closed = true
  res.destroyed = true
  res.emit('close')
}

function connectionReset(): Error {
  return Object.assign(new Error('the connection was destroyed before the reply was complete'), { code: 'ECONNRESET' })
}

// Node adds these to the head itself; getHeaders() does not list them.
const RAW_HEADERS = ['Date', 'Connection', 'Transfer-Encoding'].map((name) => ({
  name: name.toLowerCase(),
  prefix: `\r\n${name}: `,
}))

/** The headers the app set, as strings, plus the three Node adds, read from the head it wrote. */
function headersOf(res: NodeResponse): EngineReply['headers'] {
  const headers: EngineReply['headers'] = {}
  const set = res.getHeaders()
  for (const name of Object.keys(set)) {
    const value = set[name]
    headers[name] = Array.isArray(value) ? value.map(String) : String(value)
  }
  const raw = res._header
  if (typeof raw !== 'string') return headers
  for (const { name, prefix } of RAW_HEADERS) {
    const start = raw.indexOf(prefix)
    if (start === -1) continue
    const valueStart = start + prefix.length
    const end = raw.indexOf('\r\n', valueStart)
    if (end !== -1) headers[name] = raw.slice(valueStart, end)
  }
  return headers
}
