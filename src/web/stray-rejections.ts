import { invokeStorage, processWide } from '../current-invoke'

/**
 * A rejection nobody handled, from a request's work, fails that request (answered 500 while nothing was
 * sent), as under `bridge()`: AsyncLocalStorage tells which request it came from. One from outside any
 * request keeps Node's default (an uncaught exception) unless the app listens for them itself.
 */
export function routeStrayRejections(): void {
  processWide('web-stray-rejections', () => {
    process.on('unhandledRejection', (reason: unknown) => {
      const scope = invokeStorage.getStore()
      if (scope) return scope.fail(reason)
      if (process.listenerCount('unhandledRejection') === 1) throw reason
    })
    return true
  })
}
