import { STATUS_CODES } from 'node:http'
import {
  type AnyScfHandler,
  createScfContext,
  DEFAULT_STAGE,
  emulate,
  type InvokeEventResult,
  invokeWithEvent,
  type ScfContextOptions,
  type Trigger,
} from '../emulator'
import { recogniseEvent } from '../event-kind'
import type { ScfTriggerEvent } from '../trigger-types'
import type { ScfContext, ScfHttpEvent } from '../types'
import { InvokeResponseHeaders } from './invoke-response-headers'
import {
  type FetchRequestLike,
  fromFetchRequest,
  httpParts,
  isFetchRequest,
  type RequestDescription,
  requestDescriptionOf,
} from './request-description'

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

/** What `invoke` resolves with: the client's view of the reply, like a fetch `Response`, plus the invocation. */
export interface InvokeResponse {
  /** The HTTP status the client gets. */
  status: number
  /** The standard reason phrase of `status`. */
  statusText: string
  /** Status 200-299. */
  ok: boolean
  headers: InvokeResponseHeaders
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
  return invokeWithEvent(handler, event, createScfContext(options.context))
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
  const description = isFetchRequest(request) ? await fromFetchRequest(request) : requestDescriptionOf(request)
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
    headers: new InvokeResponseHeaders(reply.headers),
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
