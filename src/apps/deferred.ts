import { AppStartError } from '../errors'
import type { AnyAdapter, DeferredAdapter, ServingAdapter } from './types'

// Defined with the other error classes; fastify.ts, hapi.ts and nest.ts take it from here.
export { AppStartError }

/**
 * A Promise of an app. A handler is attached at once, so a rejection before the first invocation does not
 * crash the process as an unhandled rejection; the rejection is then reported on every invocation.
 */
export function promisedAdapter(app: PromiseLike<unknown>, recognise: (app: unknown) => AnyAdapter): DeferredAdapter {
  const settled = Promise.resolve(app)
  settled.then(undefined, () => {})
  return {
    start: () =>
      settled.then(recognise, (error: unknown) => {
        throw new AppStartError('scf-bridge: the Promise of the app passed to bridge() rejected', error)
      }),
  }
}

const isDeferred = (adapter: AnyAdapter): adapter is DeferredAdapter =>
  typeof (adapter as Partial<DeferredAdapter>).start === 'function'

/**
 * The serving adapter, started at most once: synchronously when nothing needs starting, otherwise the
 * same promise on every call. A failed start stays failed (each invocation reports it).
 */
export function adapterStarter(adapter: AnyAdapter): () => ServingAdapter | Promise<ServingAdapter> {
  if (!isDeferred(adapter)) return () => adapter
  let serving: ServingAdapter | undefined
  let starting: Promise<ServingAdapter> | undefined
  const startAll = async (next: AnyAdapter): Promise<ServingAdapter> => {
    while (isDeferred(next)) next = await next.start()
    return next
  }
  return () => {
    if (serving) return serving
    starting ??= startAll(adapter).then((ready) => (serving = ready))
    return starting
  }
}
