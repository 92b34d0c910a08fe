import { invokeStorage, processWide, type CurrentInvoke } from './current-invoke'

type Sinks = WeakMap<CurrentInvoke, (error: unknown) => void>
let sinks: Sinks | undefined

/**
 * Express 4 (and any callback-style code) lets an async route's rejection go unhandled: without
 * this, Node 15+ would crash the instance and the invocation would hang until SCF's timeout.
 * AsyncLocalStorage tells which invocation the rejection came from, so it becomes that
 * invocation's 500. A rejection from outside any invocation keeps Node's default (it is thrown
 * as an uncaught exception) unless the app listens for unhandled rejections itself.
 * One listener per process, installed at the first invocation, shared by the CommonJS and ESM builds.
 */
export function routeStrayRejections(invocation: CurrentInvoke, fail: (error: unknown) => void): void {
  sinks ??= processWide('stray-rejections', installListener)
  sinks.set(invocation, fail)
}

function installListener(): Sinks {
  const registered: Sinks = new WeakMap()
  process.on('unhandledRejection', (reason: unknown) => {
    const current = invokeStorage.getStore()
    const fail = current && registered.get(current)
    if (fail) return fail(reason)
    if (process.listenerCount('unhandledRejection') === 1) throw reason
  })
  return registered
}
