import { randomUUID } from 'node:crypto'
import type { ScfContext } from '../types'

/** Settings of a simulated SCF invocation; every field has SCF's default. */
export interface ScfContextOptions {
  /** The function timeout in ms (`time_limit_in_ms`). Default 3000, SCF's default. */
  timeoutMs?: number
  /** Default 128, SCF's default. */
  memoryMb?: number
  /** The invocation id (`request_id`); a UUID by default. */
  requestId?: string
  /** Default `local-function`. */
  functionName?: string
  /** Default `$LATEST`. */
  functionVersion?: string
  /** Default `default`. */
  namespace?: string
  /** Default `ap-guangzhou`. */
  region?: string
  /** `tencentcloud_appid`. Default `1250000000`. */
  appId?: string
  /** `tencentcloud_uin`. Default `100000000000`. */
  uin?: string
  /** The clock `getRemainingTimeInMillis()` counts with. Default `Date.now`. */
  now?: () => number
}

/**
 * Builds the `context` SCF passes a Node.js handler: ids, limits, and a `getRemainingTimeInMillis()` that
 * counts down from `timeoutMs` starting now.
 *
 * @example
 * const context = createScfContext({ timeoutMs: 10_000 })
 * await main_handler(event, context)
 */
export function createScfContext(options: ScfContextOptions = {}): ScfContext {
  const timeoutMs = positive(options.timeoutMs, 3000, 'timeoutMs')
  const memoryMb = positive(options.memoryMb, 128, 'memoryMb')
  const namespace = options.namespace ?? 'default'
  const now = options.now ?? Date.now
  const deadline = now() + timeoutMs
  return {
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    memory_limit_in_mb: memoryMb,
    time_limit_in_ms: timeoutMs,
    request_id: options.requestId ?? randomUUID(),
    // Both are strings on SCF, despite the names.
    environment: JSON.stringify({ SCF_NAMESPACE: namespace }),
    environ: `SCF_NAMESPACE=${namespace};SCF_NAMESPACE=${namespace}`,
    function_version: options.functionVersion ?? '$LATEST',
    function_name: options.functionName ?? 'local-function',
    namespace,
    tencentcloud_region: options.region ?? 'ap-guangzhou',
    tencentcloud_appid: options.appId ?? '1250000000',
    tencentcloud_uin: options.uin ?? '100000000000',
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`scf-bridge: ${name} must be a positive number, got ${String(value)}`)
  }
  return value
}
