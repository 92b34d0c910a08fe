import type { CurrentInvoke } from '../current-invoke'
import { hostOption, normaliseBasePath } from '../request-from-event'
import type { IntegratedResponse } from '../types'
import type { WebHandle, WebSocketSetup } from '../web-handle'

/** What the Web function runner takes from `bridge()`'s options, checked once. */
export interface WebSettings {
  /** Normalised: '' for none. */
  basePath: string
  host: string | undefined
  fetch: boolean
  websocket: WebSocketSetup | undefined
  onError: ((error: unknown, invoke: CurrentInvoke) => unknown) | undefined
  /** Options that mean nothing in a Web function, for a warning. */
  ignored: string[]
}

/** Options of `bridge()` that the Web function target cannot apply, and why. */
export const IGNORED_OPTIONS: Readonly<Record<string, string>> = {
  events: 'a Web function receives HTTP requests only: no timer, COS, CKafka, CMQ or CLS events reach it',
  binaryTypes: 'replies are streamed as bytes: nothing is base64-encoded',
  waitForEmptyEventLoop: 'the process keeps running between requests',
  timeoutMarginMs: "the platform ends a request at the function's timeout",
}

/** The runner's settings from the options the handler carries (already checked by `bridge()`). */
export function webSettingsOf(handle: WebHandle): WebSettings {
  const options = handle.options as Record<string, unknown>
  return {
    basePath: normaliseBasePath(options.basePath as string | undefined),
    host: hostOption(options.host),
    fetch: options.fetch === true,
    websocket: typeof options.websocket === 'function' ? (options.websocket as WebSocketSetup) : undefined,
    onError: typeof options.onError === 'function' ? (options.onError as WebSettings['onError']) : undefined,
    ignored: Object.keys(IGNORED_OPTIONS).filter((name) => options[name] !== undefined),
  }
}

/** An integrated response as `onError` returns it, when it is one the runner can send. */
export function usableIntegrated(value: unknown): IntegratedResponse | undefined {
  if (value === null || typeof value !== 'object') return undefined
  const response = value as Partial<IntegratedResponse>
  if (typeof response.statusCode !== 'number' || response.statusCode < 200 || response.statusCode > 599)
    return undefined
  return response as IntegratedResponse
}
