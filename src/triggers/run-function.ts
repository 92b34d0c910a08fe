import { invokeStorage } from '../current-invoke'
import type { TriggerFunction, TriggerRoute } from '../options'
import { routeStrayRejections } from '../stray-rejections'
import type { ScfContext } from '../types'
import { logTriggerFailure } from './log-failure'

/**
 * Runs a trigger function inside the invocation: `getCurrentInvoke()` returns this event and context,
 * and a rejection the function leaves unhandled fails it too. A failure is logged with the invocation id
 * (never the event: a COS event carries the uploader's signature) and rejects, so SCF counts a failed
 * invocation and retries an asynchronous one.
 */
export function runTriggerFunction(
  route: TriggerRoute & { run: TriggerFunction<unknown> },
  event: unknown,
  context: ScfContext,
): Promise<unknown> {
  routeStrayRejections()
  return new Promise<unknown>((resolve, reject) => {
    const invoke = { event, context, trigger: route.kind }
    invokeStorage.run({ invoke, fail: reject }, () => {
      new Promise<unknown>((done) => done(route.run(event, context))).then(resolve, reject)
    })
  }).catch((error: unknown) => {
    logTriggerFailure(context, route, error)
    throw error
  })
}
