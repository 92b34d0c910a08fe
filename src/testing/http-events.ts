import { eventFromHttp } from '../emulator'
import type { ScfApigwEvent, ScfFunctionUrlEvent, ScfRequestContext } from '../types'
import { httpParts, type RequestDescription } from './request-description'

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
