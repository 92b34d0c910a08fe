import { createBinaryDecider } from './binary'
import type { BridgeOptions, Settings } from './options'
import { hostOption, normaliseBasePath } from './request-from-event'
import { triggerRouter } from './triggers'

/**
 * Checks `bridge()`'s options once (a TypeError names the first unusable one) and completes them into the
 * settings object every step of an invocation reads.
 */
export function settingsOf(options: BridgeOptions): Settings {
  const triggers = triggerRouter(options.events)
  return {
    basePath: normaliseBasePath(options.basePath),
    host: hostOption(options.host),
    decideBinary: createBinaryDecider(options.binaryTypes),
    waitForEmptyEventLoop: options.waitForEmptyEventLoop === true,
    timeoutMarginMs: marginOf(options.timeoutMarginMs),
    onError: options.onError,
    triggers,
  }
}

function marginOf(value: number | undefined): number {
  if (value === undefined) return 300
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`scf-bridge: timeoutMarginMs must be a number of milliseconds >= 0, got ${String(value)}`)
  }
  return value
}
