/**
 * `scf-bridge/testing`: build SCF events and contexts and call a handler the way API Gateway does, for
 * unit tests of `main_handler` (any SCF handler, made with `bridge()` or not).
 */
import { STATUS_CODES } from 'node:http'
import {
  type AnyScfHandler,
  callHandler,
  createScfContext,
  DEFAULT_STAGE,
  emulate,
  eventFromHttp,
  type HttpRequestParts,
  type ScfContextOptions,
  type Trigger,
} from '../emulator'
import { recogniseEvent } from '../event-kind'
import { encodeQuery, foldHeader, URL_SCHEME } from '../http-syntax'
import type { ScfTriggerEvent } from '../trigger-types'
import type {
  ScfApigwEvent,
  ScfContext,
  ScfFunctionUrlEvent,
  ScfHttpEvent,
  ScfQueryValue,
  ScfRequestContext,
} from '../types'

export type {
  CkafkaEventOptions,
  ClsEventOptions,
  CmqEventOptions,
  CosEventOptions,
  QueueMessageInput,
  ScfContextOptions,
  TimerEventOptions,
  Trigger,
} from '../emulator'
export {
  createCkafkaEvent,
  createClsEvent,
  createCmqEvent,
  createCosEvent,
  createScfContext,
  createTimerEvent,
} from '../emulator'

/** Header values as a plain object, `[name, value]` pairs, or a fetch `Headers`. */
export type RequestHeadersInput =
  | Record<string, string | readonly string[] | number | undefined>
  | Iterable<readonly [string, string]>
  | { forEach(callback: (value: string, name: string) => void): void }

/**
 * A request body: text, bytes, `URLSearchParams` (sent as a form), or a plain object or array (sent as JSON).
 * Bytes that are not UTF-8 reach the handler base64-encoded, as API Gateway's Base64 option sends them.
 */
export type RequestBodyInput =
  | string
  | Uint8Array
  | ArrayBuffer
  | URLSearchParams
  | Record<string, unknown>
  | readonly unknown[]
  | null

/** A fetch-like description of one request. */
export interface RequestDescription {
  /** Default `GET`, or `POST` when there is a body. */
  method?: string
  /** The path the function sees, with an optional query: `/users?id=1`. A full URL also sets `host`. */
  path?: string
  /** Alias of `path`, as fetch names it. */
  url?: string
  /** Query parameters added to those in `path`; arrays repeat the key, `true` sends a bare key. */
  query?: Record<string, string | number | boolean | readonly (string | number)[]>
  headers?: RequestHeadersInput
  body?: RequestBodyInput
  /** The client address (`requestContext.sourceIp`, or `x-scf-remote-addr` for a Function URL). Default `127.0.0.1`. */
  sourceIp?: string
}

/** Options of `createApigwEvent`: a request plus the gateway fields to set. */
export interface ApigwEventOptions extends RequestDescription {
  /** Default `release`. */
  stage?: string
  /** API Gateway's request id (`x-api-requestid`, `requestContext.requestId`). */
  requestId?: string
  /** `requestContext.serviceId`. */
  serviceId?: string
  /** Base64-encode the body even when it is text, as an API with Base64 encoding "always" does. */
  base64?: boolean
  /**
   * Whether the client used HTTPS (`x-api-scheme`). Default: the scheme of a full `url`, else `true`, as
   * for most real traffic (and every Function URL request, which is always HTTPS).
   */
  https?: boolean
  /** Path parameters declared in the API (`{ id: '7' }` for `/users/{id}`). */
  pathParameters?: Record<string, string>
  /** Header parameters declared in the API. */
  headerParameters?: Record<string, string>
  /** Query parameters declared in the API (`queryString` always holds the whole query). */
  queryStringParameters?: Record<string, string>
  stageVariables?: Record<string, string>
  /** Fields merged into `requestContext`, e.g. `{ identity: { secretId: '…' } }`. */
  requestContext?: Partial<ScfRequestContext>
}

/** Options of `invoke`. */
export interface InvokeOptions {
  /** Send an API Gateway event (default) or a Function URL event. */
  trigger?: Trigger
  /** API Gateway stage. Default `release`. */
  stage?: string
  /** For an API Gateway event, whether the client used HTTPS (`x-api-scheme`): see `ApigwEventOptions.https`. */
  https?: boolean
  /** The context's settings; `timeoutMs` (default 3000) is also the invocation's time limit. */
  context?: ScfContextOptions
}

const DEFAULT_APIGW_HOST = 'service-local-1250000000.gz.apigw.tencentcs.com'
const DEFAULT_URL_HOST = '1250000000-local.ap-guangzhou.tencentscf.com'

/**
 * Builds a valid API Gateway integrated-request event, as Tencent sends it, from a fetch-like description.
 *
 * @example
 * const event = createApigwEvent({ method: 'POST', path: '/users?invite=1', body: { name: 'Ada' } })
 * const response = await main_handler(event, createScfContext())
 */
export function createApigwEvent(options: ApigwEventOptions = {}): ScfApigwEvent {
  const event = eventFromHttp(httpParts(options, 'apigw', options.https), {
    trigger: 'apigw',
    stage: options.stage,
    requestId: options.requestId,
    serviceId: options.serviceId,
    base64Always: options.base64,
  }) as ScfApigwEvent
  if (options.pathParameters) event.pathParameters = { ...options.pathParameters }
  if (options.headerParameters) event.headerParameters = { ...options.headerParameters }
  if (options.queryStringParameters) event.queryStringParameters = { ...options.queryStringParameters }
  if (options.stageVariables) event.stageVariables = { ...options.stageVariables }
  if (options.requestContext) event.requestContext = { ...event.requestContext, ...options.requestContext }
  return event
}

/**
 * Builds a Function URL event (the API Gateway event without `requestContext` and the declared-parameter
 * fields; the client address in `x-scf-remote-addr`). A Function URL is HTTPS only: the bridge serves
 * every such event as an HTTPS request.
 *
 * @example
 * const event = createFunctionUrlEvent({ path: '/health' })
 */
export function createFunctionUrlEvent(options: RequestDescription = {}): ScfFunctionUrlEvent {
  return eventFromHttp(httpParts(options, 'url'), { trigger: 'url' }) as ScfFunctionUrlEvent
}

/** The headers of an `invoke` result, read like fetch's `Headers`. */
export class ResponseHeaders implements Iterable<[string, string]> {
  readonly #values: Record<string, string[]>

  constructor(values: Record<string, string[]>) {
    this.#values = values
  }

  /** The value, several values joined with `, ` (as fetch does); null when absent. Case-insensitive. */
  get(name: string): string | null {
    const values = this.#lookup(name)
    return values ? values.join(', ') : null
  }

  has(name: string): boolean {
    return this.#lookup(name) !== undefined
  }

  /** Every `Set-Cookie` value, one string per cookie. */
  getSetCookie(): string[] {
    return [...(this.#lookup('set-cookie') ?? [])]
  }

  /** Every value of a header as sent, e.g. each cookie of `set-cookie`. */
  getAll(name: string): string[] {
    return [...(this.#lookup(name) ?? [])]
  }

  forEach(callback: (value: string, name: string) => void): void {
    for (const [name, value] of this) callback(value, name)
  }

  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.#values).sort()) {
      // As in fetch, each Set-Cookie is its own entry; other repeated headers are joined.
      if (name === 'set-cookie') for (const cookie of this.#values[name]) yield [name, cookie]
      else yield [name, this.#values[name].join(', ')]
    }
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this) yield name
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this) yield value
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries()
  }

  /** A plain object of lowercased names to every value. */
  toJSON(): Record<string, string[]> {
    const copy: Record<string, string[]> = {}
    for (const name of Object.keys(this.#values)) copy[name] = [...this.#values[name]]
    return copy
  }

  #lookup(name: string): string[] | undefined {
    const lower = name.toLowerCase()
    return Object.hasOwn(this.#values, lower) ? this.#values[lower] : undefined
  }
}

/** What `invoke` resolves with: the client's view of the reply, like a fetch `Response`, plus the invocation. */
export interface InvokeResponse {
  /** The HTTP status the client gets. */
  status: number
  /** The standard reason phrase of `status`. */
  statusText: string
  /** Status 200-299. */
  ok: boolean
  headers: ResponseHeaders
  /** The body bytes, decoded from base64 when the integrated response was base64. */
  body: Buffer
  text(): Promise<string>
  // biome-ignore lint/suspicious/noExplicitAny: as fetch's Response.json(), the caller names the type it expects
  json<T = any>(): Promise<T>
  arrayBuffer(): Promise<ArrayBuffer>
  /** Why the gateway answered with an error of its own (invalid integrated response, handler failure, timeout, size). */
  gatewayError: string | undefined
  /** What the handler returned, before the gateway read it; undefined when it threw or timed out. */
  result: unknown
  /** The error the handler threw or rejected with, if it did. */
  error: unknown
  /** The event the handler was called with. */
  event: ScfHttpEvent
  /** The context the handler was called with. */
  context: ScfContext
}

/** Options of `invoke` with a trigger's event, and of `invokeEvent`. */
export interface InvokeEventOptions {
  /** The context's settings; `timeoutMs` (default 3000) is also the invocation's time limit. */
  context?: ScfContextOptions
}

/** How an invocation with a trigger's (or any non-HTTP) event ended. */
export interface InvokeEventResult {
  /** The handler returned or resolved: SCF counts a successful invocation. */
  ok: boolean
  /** What it returned; undefined when it failed. */
  result: unknown
  /** What it threw or rejected with, or an Error saying it timed out; undefined when it succeeded. */
  error: unknown
  /** It did not finish within the context's timeout. */
  timedOut: boolean
  /** The event the handler was called with. */
  event: unknown
  /** The context the handler was called with. */
  context: ScfContext
}

/**
 * Calls an SCF handler with `event` as it is, as SCF calls it for a timer, COS, CKafka, CMQ or CLS trigger or
 * a direct invocation (any JSON), within the function timeout; resolves with the result or the error.
 *
 * @example
 * const { invokeEvent } = require('scf-bridge/testing')
 * const { ok, result } = await invokeEvent(main_handler, { orderId: 42 })
 */
export async function invokeEvent(
  handler: AnyScfHandler,
  event: unknown,
  options: InvokeEventOptions = {},
): Promise<InvokeEventResult> {
  if (typeof handler !== 'function')
    throw new TypeError(`scf-bridge/testing: invokeEvent(handler) needs a function, got ${typeof handler}`)
  const context = createScfContext(options.context)
  const timeoutMs = context.time_limit_in_ms ?? 3000
  const outcome = await callHandler(handler, event, context, timeoutMs)
  if (outcome.kind === 'returned')
    return { ok: true, result: outcome.value, error: undefined, timedOut: false, event, context }
  const error =
    outcome.kind === 'failed'
      ? outcome.error
      : new Error(`the function did not finish within its ${timeoutMs / 1000} s timeout`)
  return { ok: false, result: undefined, error, timedOut: outcome.kind === 'timedOut', event, context }
}

/**
 * Calls an SCF handler with a trigger's event (`createTimerEvent()`, `createCosEvent()`, ...) as SCF does,
 * and resolves with the result or the error (see `invokeEvent`, which also sends any other event as is).
 *
 * @example
 * const { invoke, createTimerEvent } = require('scf-bridge/testing')
 * const { ok, result } = await invoke(main_handler, createTimerEvent({ message: 'purge' }))
 */
export function invoke(
  handler: AnyScfHandler,
  event: ScfTriggerEvent,
  options?: InvokeEventOptions,
): Promise<InvokeEventResult>
/**
 * Calls an SCF handler with the event API Gateway (or a Function URL) would send for `request`, within the
 * function timeout, and returns what the client would receive. An invalid integrated response, a thrown
 * error or a timeout gives the gateway's 502/504, with the reason in `gatewayError`. A trigger's event
 * (`createTimerEvent()`, ...) is sent as it is, and the result or error returned.
 *
 * @param request A path (`'/users?id=1'`), a request description, or a fetch `Request` (Node 18+).
 * @example
 * const { invoke } = require('scf-bridge/testing')
 * const res = await invoke(main_handler, { method: 'POST', path: '/echo', body: { hello: 'world' } })
 * expect(res.status).toBe(200)
 * expect(await res.json()).toEqual({ hello: 'world' })
 */
export function invoke(
  handler: AnyScfHandler,
  request?: string | RequestDescription | FetchRequestLike,
  options?: InvokeOptions,
): Promise<InvokeResponse>
export async function invoke(
  handler: AnyScfHandler,
  request: string | RequestDescription | FetchRequestLike | ScfTriggerEvent = {},
  options: InvokeOptions = {},
): Promise<InvokeResponse | InvokeEventResult> {
  if (typeof handler !== 'function')
    throw new TypeError(`scf-bridge/testing: invoke(handler) needs a function, got ${typeof handler}`)
  if (isTriggerEvent(request)) return invokeEvent(handler, request, { context: options.context })
  const trigger = options.trigger ?? 'apigw'
  const description = isFetchRequest(request)
    ? await fromFetchRequest(request)
    : typeof request === 'string'
      ? { path: request }
      : (request as RequestDescription)
  const { event, context, outcome, reply } = await emulate(
    handler,
    httpParts(description, trigger, options.https),
    { trigger, stage: options.stage ?? DEFAULT_STAGE },
    options.context,
  )
  const body = reply.body
  return {
    status: reply.status,
    statusText: STATUS_CODES[reply.status] ?? '',
    ok: reply.status >= 200 && reply.status < 300,
    headers: new ResponseHeaders(reply.headers),
    body,
    text: async () => body.toString('utf8'),
    json: async () => JSON.parse(body.toString('utf8')),
    arrayBuffer: async () => body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
    gatewayError: reply.problem,
    result: outcome?.kind === 'returned' ? outcome.value : undefined,
    error: outcome?.kind === 'failed' ? outcome.error : undefined,
    event,
    context,
  }
}

/** A timer, COS, CKafka, CMQ or CLS event (a request description is none of these). */
function isTriggerEvent(value: unknown): value is ScfTriggerEvent {
  if (value === null || typeof value !== 'object' || isFetchRequest(value)) return false
  const kind = recogniseEvent(value)
  return kind !== 'http' && kind !== 'other'
}

/** The part of a WHATWG `Request` that `invoke` reads. */
export interface FetchRequestLike {
  url: string
  method: string
  headers: { forEach(callback: (value: string, name: string) => void): void }
  arrayBuffer(): Promise<ArrayBuffer>
}

function isFetchRequest(value: unknown): value is FetchRequestLike {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as FetchRequestLike).url === 'string' &&
    typeof (value as FetchRequestLike).arrayBuffer === 'function' &&
    typeof (value as FetchRequestLike).headers?.forEach === 'function'
  )
}

async function fromFetchRequest(request: FetchRequestLike): Promise<RequestDescription> {
  const method = request.method.toUpperCase()
  const body = method === 'GET' || method === 'HEAD' ? undefined : new Uint8Array(await request.arrayBuffer())
  return { method, url: request.url, headers: request.headers, body: body && body.length > 0 ? body : undefined }
}

// ---- request description -> HTTP request parts ---------------------------------

function httpParts(description: RequestDescription, trigger: Trigger, https?: boolean): HttpRequestParts {
  const headers = headerRecord(description.headers)
  const target = description.path ?? description.url ?? '/'
  let pathAndQuery = target
  let scheme: 'http' | 'https' = https === false ? 'http' : 'https'
  if (URL_SCHEME.test(target)) {
    const url = new URL(target)
    pathAndQuery = url.pathname + url.search
    if (https === undefined) scheme = url.protocol === 'http:' ? 'http' : 'https'
    if (headers.host === undefined) headers.host = url.host
  } else if (!pathAndQuery.startsWith('/')) {
    pathAndQuery = `/${pathAndQuery}`
  }
  if (headers.host === undefined) headers.host = trigger === 'url' ? DEFAULT_URL_HOST : DEFAULT_APIGW_HOST
  const question = pathAndQuery.indexOf('?')
  const path = question === -1 ? pathAndQuery : pathAndQuery.slice(0, question)
  let search = question === -1 ? '' : pathAndQuery.slice(question + 1)
  const extra = description.query ? encodeQuery(description.query) : ''
  if (extra) search = search ? `${search}&${extra}` : extra

  const body = bodyBytes(description.body, headers)
  const method = (description.method ?? (body ? 'POST' : 'GET')).toUpperCase()
  return { method, path, search, headers, body, remoteAddress: description.sourceIp, scheme }
}

function headerRecord(init: RequestHeadersInput | undefined): Record<string, string> {
  const headers: Record<string, string> = {}
  const add = (name: string, value: string) => foldHeader(headers, name, value)
  if (!init) return headers
  if (typeof (init as { forEach?: unknown }).forEach === 'function' && !Array.isArray(init)) {
    ;(init as { forEach(callback: (value: string, name: string) => void): void }).forEach((value, name) => {
      add(name, value)
    })
  } else if (typeof (init as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [name, value] of init as Iterable<readonly [string, string]>) add(name, String(value))
  } else {
    const record = init as Record<string, string | readonly string[] | number | undefined>
    for (const name of Object.keys(record)) {
      const value = record[name]
      if (value === undefined) continue
      if (Array.isArray(value)) for (const item of value) add(name, String(item))
      else add(name, String(value))
    }
  }
  return headers
}

function bodyBytes(body: RequestBodyInput | undefined, headers: Record<string, string>): Buffer | undefined {
  if (body === undefined || body === null) return undefined
  const setType = (type: string) => {
    if (headers['content-type'] === undefined) headers['content-type'] = type
  }
  if (typeof body === 'string') return Buffer.from(body, 'utf8')
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  if (body instanceof ArrayBuffer) return Buffer.from(body)
  if (body instanceof URLSearchParams) {
    setType('application/x-www-form-urlencoded')
    return Buffer.from(body.toString(), 'utf8')
  }
  if (typeof body === 'object') {
    setType('application/json')
    return Buffer.from(JSON.stringify(body), 'utf8')
  }
  throw new TypeError(
    `scf-bridge/testing: body must be a string, bytes, URLSearchParams or a JSON object, got ${typeof body}`,
  )
}

export type {
  ScfCkafkaEvent,
  ScfClsEvent,
  ScfCmqEvent,
  ScfCosEvent,
  ScfTimerEvent,
  ScfTriggerEvent,
} from '../trigger-types'
export type { ScfApigwEvent, ScfContext, ScfFunctionUrlEvent, ScfHttpEvent, ScfQueryValue }
