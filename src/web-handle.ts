import type { Settings } from './options'

/**
 * What `bridge()` leaves on the handler it returns for the Web function runner (src/web/): the app it
 * wraps and its checked settings, so `scf_bootstrap` can serve the same app from the user's unchanged
 * `index.js`. A `Symbol.for` key, because the runner is a bundle of its own (dist/web-runner.js) and the
 * handler comes from the user's copy of the package, CommonJS or ESM build.
 */
const WEB_HANDLE = Symbol.for('scf-bridge.web')

/** The app and settings behind a handler made by `bridge()`. */
export interface WebHandle {
  app: unknown
  settings: Settings
}

/** Records the app and settings on the handler (non-enumerable: it is the user's exported function). */
export function markWebHandle<H extends object>(handler: H, app: unknown, settings: Settings): H {
  const handle: WebHandle = { app, settings }
  Object.defineProperty(handler, WEB_HANDLE, { value: handle, enumerable: false })
  return handler
}

/** The app and settings behind a handler made by `bridge()`, or undefined for any other function. */
export function webHandleOf(handler: unknown): WebHandle | undefined {
  if (typeof handler !== 'function') return undefined
  const handle = (handler as unknown as Record<symbol, unknown>)[WEB_HANDLE]
  return handle !== null && typeof handle === 'object' && 'settings' in handle ? (handle as WebHandle) : undefined
}
