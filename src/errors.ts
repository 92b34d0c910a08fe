/**
 * Every error class the bridge raises, in one place and each exported from the package, so that an app or a
 * test can tell them apart with `instanceof` (docs/errors-and-logging.md lists when each is raised).
 */
import type { TriggerKind } from './trigger-types'

/** Raised for an event that is not a usable HTTP event, or a trigger's event that cannot be delivered: the message names the field. */
export class EventError extends Error {
  override name = 'EventError'
}

/** Raised for an app that could not be started: it carries the original error as `cause`. */
export class AppStartError extends Error {
  override name = 'AppStartError'
  constructor(
    message: string,
    override readonly cause: unknown,
  ) {
    super(causeMessage(message, cause))
    if (cause instanceof Error && cause.stack) this.stack = `${this.stack}\nCaused by: ${cause.stack}`
  }
}

function causeMessage(message: string, cause: unknown): string {
  const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)
  return `${message}: ${reason}`
}

/** An invocation failed because the app answered a trigger's delivery with a status other than 2xx. */
export class TriggerError extends Error {
  override name = 'TriggerError'
  constructor(
    message: string,
    /** The trigger kind delivered. */
    readonly trigger: TriggerKind,
    /** The app's answer's status. */
    readonly statusCode: number,
    /** The app's failure behind that answer, when it threw (an `onError` answer does not make it succeed). */
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause })
  }
}
