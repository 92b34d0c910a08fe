import type { IncomingMessage } from 'node:http'
import type { CurrentInvoke } from '../current-invoke'
import { pathOnly, stripPrefix } from '../http-syntax'
import type { LogContext } from '../log'
import { DEFAULT_HOST, isUsableHost } from '../request-from-event'
import type { ScfContext, ScfFunctionUrlEvent } from '../types'
import type { WebSettings } from './web-settings'

/** A request as the runner hands it to the app: `req.scf` as under `bridge()`. */
export type WebRequest = IncomingMessage & { scf?: CurrentInvoke }

/**
 * Settles what the app sees of one request from the platform's proxy, as `bridge()` does from an event:
 * HTTPS as the scheme (a Function URL is HTTPS only; the proxy in the instance speaks plain HTTP to us),
 * the Host (the `host` option when the request has no usable one), the `basePath` stripped, and the
 * request id in `x-request-id`. Returns the invocation the app sees and what log lines say about it.
 */
export function prepareRequest(req: WebRequest, settings: WebSettings): { invoke: CurrentInvoke; log: LogContext } {
  const headers = req.headers
  const scfRequestId = single(headers['x-scf-request-id'])
  const requestId = single(headers['x-request-id']) || scfRequestId || ''
  if (requestId) headers['x-request-id'] = requestId
  // Set whatever the client sent: the app may trust it as a proxy's word (docs/https-and-host.md).
  headers['x-forwarded-proto'] = 'https'
  const host = single(headers.host)
  if (!host || !isUsableHost(host) || (settings.host !== undefined && isInstanceLocal(host)))
    headers.host = settings.host ?? DEFAULT_HOST
  const url = req.url ?? '/'
  if (settings.basePath) {
    const path = pathOnly(url)
    req.url = stripPrefix(path, settings.basePath) + url.slice(path.length)
  }

  const invoke: CurrentInvoke = { event: eventOf(req), context: contextOf(req, scfRequestId) }
  req.scf = invoke
  const log: LogContext = { invocationId: scfRequestId, requestId, method: req.method ?? 'GET', url: req.url ?? '/' }
  return { invoke, log }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

/**
 * A Host naming the instance itself rather than the client's URL: what a proxy that does not pass the
 * client's Host would send. Replaced by the `host` option when one is given.
 */
function isInstanceLocal(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '')
  return name === 'localhost' || name === '0.0.0.0' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name)
}

/**
 * The invocation's event as the request line and headers describe it, in the Function URL dialect. There is
 * no body: it streams to the app. `requestContext.requestId` is the platform's request id.
 */
function eventOf(req: WebRequest): ScfFunctionUrlEvent {
  const url = req.url ?? '/'
  const path = pathOnly(url)
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(req.headers))
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value
  const queryString: Record<string, string | string[]> = {}
  for (const [key, value] of new URLSearchParams(url.slice(path.length + 1))) {
    const previous = queryString[key]
    queryString[key] = previous === undefined ? value : ([] as string[]).concat(previous, value)
  }
  return {
    httpMethod: req.method ?? 'GET',
    path,
    headers,
    queryString,
    isBase64Encoded: false,
    requestContext: { requestId: single(req.headers['x-scf-request-id']) },
  }
}

const numberOf = (value: string | undefined): number | undefined =>
  value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined

/** The SCF context as far as the platform's `X-Scf-*` headers and the environment tell it. */
function contextOf(req: WebRequest, requestId: string | undefined): ScfContext {
  const header = (name: string) => single(req.headers[name])
  const env = process.env
  const context: ScfContext = {
    request_id: requestId,
    memory_limit_in_mb: numberOf(header('x-scf-memory')),
    function_name: header('x-scf-name') ?? env.SCF_FUNCTIONNAME,
    function_version: header('x-scf-version') ?? env.SCF_FUNCTIONVERSION,
    namespace: header('x-scf-namespace') ?? env.SCF_NAMESPACE,
    tencentcloud_region: header('x-scf-region') ?? env.TENCENTCLOUD_REGION,
    tencentcloud_appid: header('x-scf-appid') ?? env.TENCENTCLOUD_APPID,
    tencentcloud_uin: header('x-scf-uin') ?? env.TENCENTCLOUD_UIN,
  }
  for (const key of Object.keys(context)) if (context[key] === undefined) delete context[key]
  return context
}
