import { processWide } from './current-invoke'
import { Invocation } from './invocation'

let installed: true | undefined

/**
 * Express 4 (and any callback-style code) lets an async route's rejection go unhandled: without
 * this, Node 15+ would crash the instance and the invocation would hang until SCF's timeout.
 * AsyncLocalStorage tells which invocation the rejection came from (`Invocation.current()`), so it becomes
 * that invocation's failure. A rejection from outside any invocation keeps Node's default (it is thrown as
 * an uncaught exception) unless the app listens for unhandled rejections itself.
 * One listener per process, installed at the first invocation, shared by the CommonJS and ESM builds.
 */
export function routeStrayRejections(): void {
  if (!installed) installed = processWide('stray-rejections', installListener)
}

function installListener(): true {
  process.on('unhandledRejection', (reason: unknown) => {
    const invocation = Invocation.current()
    if (invocation) return invocation.fail(reason)
    if (process.listenerCount('unhandledRejection') === 1) throw reason
  })
  return true
}
