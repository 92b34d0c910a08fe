/*!
 * Derived from light-my-request 6.6.0 (its mock and null sockets), BSD-3-Clause,
 * (c) 2017 The Fastify Team and contributors: src/engine/LICENSE.
 */
import { EventEmitter } from 'node:events'
import type { IncomingMessage } from 'node:http'

/**
 * What collects the reply on this socket (response.ts's ReplyCollector), declared here so that the socket,
 * below the response, need not import it: the bytes written, the end of the reply, its breaking off, the app's
 * failures around it, and the response it belongs to (set by createResponse).
 */
export interface ReplyBytesSink {
  res: unknown
  take(data: string | Uint8Array, encoding: BufferEncoding | undefined): void
  finish(): void
  broken(error: Error | undefined): void
  /** 'error' on the response: the reply breaks off, or, once complete, the app failed after it. */
  responseError(error: Error): void
  /** The app threw from a callback of the engine's, or an 'error' of the request went unheard. */
  thrown(error: unknown): void
}

type WriteCallback = (error?: Error | null) => void

/**
 * The connection of one in-memory exchange, shared by its request and its response as on a real server.
 * It has the members Node's `IncomingMessage` and `ServerResponse` use of a socket (test/engine-socket.test.ts
 * finds them on the running Node) and routes what they do: the request body is handed over when the app
 * first reads the request (`resume()`), every byte of the reply goes to the collector (`write()`), and
 * `destroy()` breaks the reply off as a reset connection does. Behaviour lives in methods, state in fields
 * set in the constructor: every socket has the same shape and no function of its own.
 */
export class InMemorySocket extends EventEmitter {
  /** What TLS sockets add: Express `req.secure`, Koa `ctx.secure` and Fastify `request.protocol` read it. */
  declare encrypted?: true
  readonly remoteAddress: string | undefined
  readable = true
  writable = true
  destroyed = false
  errored: Error | null = null
  _hadError = false
  /** Set by `ServerResponse#assignSocket`. */
  _httpMessage: unknown = null
  /** No server object: options Node looks up on it (`socket.server?.x`) keep their defaults. */
  server = null
  /** Undefined: the request stream gets Node's default. */
  readableHighWaterMark: number | undefined = undefined
  writableLength = 0
  /** Node 24 compares a corked reply's buffered length with it. */
  writableHighWaterMark = 16384
  writableFinished = false
  /** Node 16 to 20 set `_writableState.corked` before the last uncork of a reply. */
  _writableState = { corked: 0 }
  private request: IncomingMessage | null = null
  private body: Buffer | undefined

  constructor(
    readonly collector: ReplyBytesSink,
    remoteAddress: string | undefined,
    secure: boolean,
  ) {
    super()
    this.remoteAddress = remoteAddress
    if (secure) this.encrypted = true
  }

  /** The request whose body this connection delivers (once, when the request is first read). */
  carry(request: IncomingMessage, body: Buffer | undefined): void {
    this.request = request
    this.body = body
  }

  /**
   * Called by `IncomingMessage#_read`. The whole body arrives at once on the next tick, as a body sent with its
   * headers does on a real server: after the ticks the app queued before reading, before the immediates and
   * timers it scheduled (test/engine.test.ts compares the order with a real server).
   */
  resume(): this {
    const request = this.request
    if (request) {
      this.request = null
      process.nextTick(deliver, request, this.body)
      this.body = undefined
    }
    return this
  }

  get writableCorked(): number {
    return this._writableState.corked
  }

  cork(): void {
    this._writableState.corked++
  }

  uncork(): void {
    if (this._writableState.corked > 0) this._writableState.corked--
  }

  write(
    data: string | Uint8Array,
    encoding?: BufferEncoding | WriteCallback | null,
    callback?: WriteCallback,
  ): boolean {
    if (typeof encoding === 'function') {
      callback = encoding
      encoding = undefined
    }
    if (!this.destroyed) this.collector.take(data, encoding ?? undefined)
    // As a stream calls back after a write it completed at once: on the next tick.
    if (typeof callback === 'function') process.nextTick(callBack, this, callback)
    return !this.destroyed
  }

  /** hapi ends the connection after each reply of a server that is not listening: nothing to do in memory. */
  end(): this {
    return this
  }

  /** The time limit is the function's own (SCF ends a slow invocation): the connection never idles out. */
  setTimeout(): this {
    return this
  }

  /** Breaks the connection: a reply not yet complete is reported broken, then 'error' (if listened to) and 'close'. */
  destroy(error?: Error): this {
    if (this.destroyed) return this
    this.destroyed = true
    this.readable = false
    this.writable = false
    if (error) {
      this.errored = error
      this._hadError = true
    }
    this.collector.broken(error)
    process.nextTick(emitClose, this, error)
    return this
  }
}

// What the engine runs for the app below (a write's callback, which emits 'finish'; the request's 'data'
// and 'end'; the socket's 'close') may throw the app's error: on a server it would escape as an uncaught
// exception, here it fails the exchange (ReplySink.fail).

function callBack(socket: InMemorySocket, callback: WriteCallback): void {
  try {
    callback()
  } catch (error) {
    socket.collector.thrown(error)
  }
}

function deliver(request: IncomingMessage, body: Buffer | undefined): void {
  try {
    if (body) request.push(body)
    request.complete = true
    request.push(null)
  } catch (error) {
    if (!(request.socket instanceof InMemorySocket)) throw error
    request.socket.collector.thrown(error)
  }
}

function emitClose(socket: InMemorySocket, error: Error | undefined): void {
  try {
    // Nothing listens to a socket's errors for the app here (a server would): an unheard 'error' would crash.
    if (error && socket.listenerCount('error') > 0) socket.emit('error', error)
    socket.emit('close', Boolean(error))
  } catch (thrown) {
    socket.collector.thrown(thrown)
  }
}
