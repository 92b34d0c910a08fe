import type { CurrentInvoke } from '../current-invoke'
import type { WebSocketSetup } from '../options'
import type { WebHandle } from '../web-handle'

/** What the Web function runner takes from `bridge()`'s settings. */
export interface WebSettings {
  /** Normalised: '' for none. */
  basePath: string
  host: string | undefined
  fetch: boolean
  websocket: WebSocketSetup | undefined
  onError: ((error: unknown, invoke: CurrentInvoke) => unknown) | undefined
  /**
   * The `events` option's job paths stay out of reach of HTTP, as in the event target: a job route trusts its
   * caller to be SCF, and in a Web function every request comes from a client.
   */
  guards: ((url: string) => boolean) | undefined
  /** Options that mean nothing in a Web function, for a warning. */
  ignored: string[]
}

/** Options of `bridge()` that the Web function target cannot apply, and why. */
export const IGNORED_OPTIONS: Readonly<Record<string, string>> = {
  events:
    'a Web function receives HTTP requests only: no timer, COS, CKafka, CMQ or CLS events reach it (its job paths still answer 404 to HTTP)',
  binaryTypes: 'replies are streamed as bytes: nothing is base64-encoded',
  waitForEmptyEventLoop: 'the process keeps running between requests',
  timeoutMarginMs: "the platform ends a request at the function's timeout",
}

/** The runner's settings from those `bridge()` checked, which the handler carries. */
export function webSettingsOf(handle: WebHandle): WebSettings {
  const { settings } = handle
  return {
    basePath: settings.basePath,
    host: settings.host,
    fetch: settings.fetch,
    websocket: settings.websocket,
    onError: settings.onError,
    guards: settings.triggers?.guards,
    ignored: settings.given.filter((name) => name in IGNORED_OPTIONS),
  }
}
