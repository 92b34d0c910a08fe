import { processWide } from './current-invoke'
import { Invocation } from './invocation'

let installed: true | undefined

/**
 * Failures of the app's code that no framework catches, routed to the invocation they came from, which
 * AsyncLocalStorage tells (`Invocation.current()`): before the answer they fail it (500), after it they are
 * logged with its request id.
 *
 * - An unhandled rejection: Express 4 (and any callback-style code) lets an async route's rejection go
 *   unhandled. Without this, Node 15+ would crash the instance and the invocation would hang until SCF's
 *   timeout. A rejection from outside any invocation keeps Node's default (it is thrown as an uncaught
 *   exception) unless the app listens for unhandled rejections itself.
 * - An uncaught exception (a header Node refuses, set from a timer; an 'error' nobody listens to): only
 *   observed ('uncaughtExceptionMonitor'), never caught, so the process goes on or crashes exactly as it
 *   would without the bridge. When something keeps it alive (the runtime, a test harness), the invocation
 *   is answered at once instead of at its deadline.
 *
 * One listener of each per process, installed at the first invocation, shared by the CommonJS and ESM builds.
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
  process.on('uncaughtExceptionMonitor', (error: unknown, origin: string) => {
    // A rejection thrown on by the listener above came from outside any invocation.
    if (origin !== 'unhandledRejection') Invocation.current()?.fail(error)
  })
  return true
}
