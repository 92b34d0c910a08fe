import type { Server } from 'node:http'

/**
 * What `bridge()` leaves on the handler it returns for the Web function runner (src/web/): the app it
 * wraps and the options it was given, so `scf_bootstrap` can serve the same app from the user's
 * unchanged `index.js`. A `Symbol.for` key, because the runner is a bundle of its own (dist/web-runner.js)
 * and the handler comes from the user's copy of the package, CommonJS or ESM build.
 */
const WEB_HANDLE = Symbol.for('scf-bridge.web')

/** Called by the Web function runner with its `http.Server`, before it listens: attach `ws` and the like. */
export type WebSocketSetup = (server: Server) => unknown

/** The app and options behind a handler made by `bridge()`. */
export interface WebHandle {
  app: unknown
  options: Readonly<Record<string, unknown>>
}

/** Refuses a `websocket` option that is not a function, when `bridge()` is called rather than at deploy time. */
export function checkWebSocketOption(value: unknown): void {
  if (value !== undefined && typeof value !== 'function')
    throw new TypeError(
      `scf-bridge: websocket must be a function (server) => { ... } that attaches a WebSocket server, got ${typeof value}`,
    )
}

/** Records the app and options on the handler (non-enumerable: it is the user's exported function). */
export function markWebHandle<H extends object>(handler: H, app: unknown, options: object): H {
  checkWebSocketOption((options as { websocket?: unknown }).websocket)
  const handle: WebHandle = { app, options: { ...options } }
  Object.defineProperty(handler, WEB_HANDLE, { value: handle, enumerable: false })
  return handler
}

/** The app and options behind a handler made by `bridge()`, or undefined for any other function. */
export function webHandleOf(handler: unknown): WebHandle | undefined {
  if (typeof handler !== 'function') return undefined
  const handle = (handler as unknown as Record<symbol, unknown>)[WEB_HANDLE]
  return handle !== null && typeof handle === 'object' && 'options' in handle ? (handle as WebHandle) : undefined
}
