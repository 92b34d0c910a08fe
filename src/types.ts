/**
 * Tencent SCF platform types, vendored so users need no `@types/*` package.
 * Fields follow Tencent's docs (API Gateway's integrated request, 628/38896; Function URL, 583/96099) and
 * real captured events (test/fixtures/events.ts);
 * the platform may add fields over time, so every shape stays open.
 */
import type { ScfTriggerEvent } from './trigger-types'

/** A query value as API Gateway delivers it: decoded, repeated keys as arrays, bare keys as `true`. */
export type ScfQueryValue = string | string[] | true

/** `requestContext` of the API Gateway integrated-request event. */
export interface ScfRequestContext {
  /** The caller's IP address, as seen by API Gateway. */
  sourceIp?: string
  /** Environment: `release`, `prepub` or `test`. */
  stage?: string
  /** Unique id of this request (documented, but missing from some real events). */
  requestId?: string
  /** The API Gateway service id, e.g. `service-f94sy04v`. */
  serviceId?: string
  /** The API's configured path template, e.g. `/test/{path}`: not the real path. */
  path?: string
  /** The API's configured method: may be `ANY`, never use it as the request method. */
  httpMethod?: string
  /** Authentication details, e.g. `{ secretId }` with key-pair auth; `{}` without auth. */
  identity?: Record<string, unknown>
  [field: string]: unknown
}

/** Fields both HTTP event dialects share. */
interface ScfHttpEventBase {
  /** The real request method. */
  httpMethod: string
  /** The real request path, without the APIGW stage. */
  path: string
  /** Request headers, names lowercased by the platform. */
  headers: Record<string, string | undefined>
  /** The whole query: decoded values, arrays for repeated keys, `true` for bare keys. */
  queryString?: Record<string, ScfQueryValue>
  /** The body as a string (base64 when `isBase64Encoded`); absent on most GETs. */
  body?: string
  [field: string]: unknown
}

/** The API Gateway "integrated request" event (also sent by CloudBase HTTP access and the TSE gateway). */
export interface ScfApigwEvent extends ScfHttpEventBase {
  requestContext: ScfRequestContext
  /** Whether API Gateway base64-encoded the body: a boolean, or the string `"true"` in some docs. */
  isBase64Encoded?: boolean | 'true' | 'false'
  /** Only the query parameters declared in the API configuration. */
  queryStringParameters?: Record<string, string>
  /** Path parameters declared in the API path, e.g. `{ id: '42' }` for `/users/{id}`. */
  pathParameters?: Record<string, string>
  /** Header parameters declared in the API configuration. */
  headerParameters?: Record<string, string>
  /** The stage's variables (not present in every event). */
  stageVariables?: Record<string, string>
}

/**
 * The Function URL event. Documented as the API Gateway event without `requestContext`,
 * `isBase64Encoded`, `pathParameters`, `queryStringParameters` and `headerParameters`, the caller's
 * address in the `x-scf-remote-addr` header; real events (2025) carry `requestContext: { sourceIp }`,
 * `isBase64Encoded: false`, the empty parameter objects and an `x-scf-request-id` header, and no Host.
 */
export interface ScfFunctionUrlEvent extends ScfHttpEventBase {
  /** Only `sourceIp`, the caller's address, in real events; no `serviceId` or `stage`. */
  requestContext?: { sourceIp?: string; serviceId?: undefined; stage?: undefined; [field: string]: unknown }
  isBase64Encoded?: boolean | 'true' | 'false'
}

/** Either HTTP event dialect; the bridge recognises which one per event. */
export type ScfHttpEvent = ScfApigwEvent | ScfFunctionUrlEvent

/** The SCF Node.js `context` object (second handler argument). */
export interface ScfContext {
  /** The SCF invocation id. */
  request_id?: string
  /** The function's configured memory, in MB. */
  memory_limit_in_mb?: number
  /** The function's configured timeout, in ms. */
  time_limit_in_ms?: number
  function_name?: string
  /** e.g. `$LATEST` or a published version number. */
  function_version?: string
  namespace?: string
  /** e.g. `ap-guangzhou`. */
  tencentcloud_region?: string
  tencentcloud_appid?: string
  tencentcloud_uin?: string
  /** A JSON string, despite its name, e.g. `'{"SCF_NAMESPACE":"default"}'`. */
  environment?: string
  /** Legacy: `KEY=value;KEY=value`. */
  environ?: string
  /** Milliseconds left before SCF ends the invocation (not guaranteed on every runtime). */
  getRemainingTimeInMillis?: () => number
  /** Whether SCF waits for an empty event loop before freezing the instance. */
  callbackWaitsForEmptyEventLoop?: boolean
  [field: string]: unknown
}

/** What the handler returns to API Gateway (the "integrated response"). */
export interface IntegratedResponse {
  /** Whether `body` is base64 of binary bytes. */
  isBase64Encoded: boolean
  /** HTTP status, an integer. */
  statusCode: number
  /** Header values are strings; repeated headers (always `set-cookie`) are arrays of strings. */
  headers: Record<string, string | string[]>
  /** UTF-8 text, or base64 text when `isBase64Encoded` is true. */
  body: string
}

/**
 * The SCF entry function `bridge()` returns: assign it to `exports.main_handler`.
 * It resolves with the integrated response; an event that is not a usable HTTP event rejects with an
 * error whose message names the field.
 */
export type ScfHandler = (event: ScfHttpEvent, context?: ScfContext) => Promise<IntegratedResponse>

/**
 * The SCF entry function `bridge(app, { events })` returns: HTTP events resolve with the integrated
 * response; a trigger's event resolves with what its entry in `events` made of it, and rejects when that
 * failed (so SCF counts a failed invocation and retries an asynchronous one).
 */
export interface ScfEventHandler {
  (event: ScfHttpEvent, context?: ScfContext): Promise<IntegratedResponse>
  (event: ScfTriggerEvent | Record<string, unknown>, context?: ScfContext): Promise<unknown>
}
