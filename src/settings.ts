import { createBinaryDecider } from './binary'
import type { BridgeOptions, Settings, WebSocketSetup } from './options'
import { hostOption, normaliseBasePath } from './request-from-event'
import { triggerRouter } from './triggers'

/**
 * Checks `bridge()`'s options once (a TypeError names the first unusable one) and completes them into the
 * settings object every step of an invocation reads, and the Web function runner too. Each option is read
 * exactly once: a getter on the options object never runs again.
 */
export function settingsOf(options: BridgeOptions): Settings {
  const given: Partial<BridgeOptions> = {}
  for (const name of OPTION_NAMES) {
    const value = options[name]
    if (value !== undefined) (given as Record<string, unknown>)[name] = value
  }
  return {
    basePath: normaliseBasePath(given.basePath),
    host: hostOption(given.host),
    decideBinary: createBinaryDecider(given.binaryTypes),
    waitForEmptyEventLoop: given.waitForEmptyEventLoop === true,
    timeoutMarginMs: marginOf(given.timeoutMarginMs),
    onError: given.onError,
    triggers: triggerRouter(given.events),
    fetch: given.fetch === true,
    websocket: websocketOf(given.websocket),
    given: Object.keys(given) as (keyof BridgeOptions)[],
  }
}

/** Every option of `bridge()`, in the order they are checked. */
const OPTION_NAMES: readonly (keyof BridgeOptions)[] = [
  'binaryTypes',
  'basePath',
  'host',
  'waitForEmptyEventLoop',
  'timeoutMarginMs',
  'onError',
  'fetch',
  'events',
  'websocket',
]

function marginOf(value: number | undefined): number {
  if (value === undefined) return 300
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`scf-bridge: timeoutMarginMs must be a number of milliseconds >= 0, got ${String(value)}`)
  }
  return value
}

/** Refuses a `websocket` option that is not a function when `bridge()` is called, rather than at deploy time. */
function websocketOf(value: unknown): WebSocketSetup | undefined {
  if (value !== undefined && typeof value !== 'function')
    throw new TypeError(
      `scf-bridge: websocket must be a function (server) => { ... } that attaches a WebSocket server, got ${typeof value}`,
    )
  return value as WebSocketSetup | undefined
}
