import { logLine } from '../log'
import type { TriggerRoute } from '../options'
import type { ScfContext } from '../types'
import { errorSummary } from '../values'

/**
 * One structured line on stderr for a trigger that failed, as the bridge writes for requests: the invocation
 * id, the path a path-form delivery went to, and the error's name and message, never the event.
 */
export function logTriggerFailure(context: ScfContext, route: TriggerRoute, error: unknown): void {
  const invocationId = typeof context.request_id === 'string' ? context.request_id : undefined
  const message = route.path
    ? `the ${route.kind} trigger's delivery to its path failed`
    : `the ${route.kind} trigger function failed`
  const where = route.path ? { method: 'POST', url: route.path } : {}
  logLine(
    { invocationId, requestId: '', ...where },
    message,
    { trigger: route.kind, error: errorSummary(error) },
    error,
  )
}
