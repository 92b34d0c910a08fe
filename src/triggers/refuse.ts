import { logContextOf, logLine } from '../log'
import { plainResponse } from '../plain-reply'
import type { InjectionRequest } from '../request-from-event'
import type { IntegratedResponse, ScfContext } from '../types'

/**
 * The bridge's answer to an HTTP request for a trigger path: 404, as if there were no such route, with the
 * request id as every answer carries it, and one log line (the path, never the query).
 */
export function refuseTriggerPath(request: InjectionRequest, context: ScfContext): IntegratedResponse {
  const log = logContextOf(request, context)
  logLine(log, 'an HTTP request for a trigger path was answered 404 without reaching the app', {})
  return plainResponse(404, undefined, log.requestId)
}
