/** How a value is named in the bridge's error messages: never its whole content. */
export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  if (Array.isArray(value)) return 'an array'
  if (Buffer.isBuffer(value)) return 'a Buffer'
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return `a ${typeof value} (${String(value)})`
  if (typeof value !== 'object') return `a ${typeof value}`
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name
  const keys = Object.keys(value).slice(0, 5)
  return `an object${typeof name === 'string' && name && name !== 'Object' ? ` of class ${name}` : ''}${keys.length ? ` with keys ${keys.join(', ')}` : ''}`
}

/**
 * `Name: message` of an error and of its causes (never a stack: the app's internals), a thrown object's
 * class and key names (never its values), or a thrown primitive as text.
 */
export function errorSummary(error: unknown, depth = 0): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause
    const caused = cause !== undefined && depth < 3 ? `\nCaused by: ${errorSummary(cause, depth + 1)}` : ''
    return `${error.name}: ${error.message}${caused}`
  }
  // A thrown plain object is often a request's { headers, token }: named by its class and keys, never its values.
  if (error !== null && typeof error === 'object') return `thrown ${describe(error)}`
  return String(error)
}

/** A thenable: a Promise, or anything `await` would wait for. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

/**
 * Sets an own, enumerable property, even one named `__proto__`, which plain assignment would take as the
 * object's prototype: for records whose keys come from a request or an app (headers, query keys).
 */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__')
    Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true })
  else record[key] = value
}

/** The longest delay a Node timer waits: beyond it, setTimeout fires at once (with a TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 2 ** 31 - 1

/** A delay for setTimeout: `ms` within 0 and MAX_TIMER_MS, 0 for NaN. */
export function timerDelay(ms: number): number {
  return ms > 0 ? Math.min(ms, MAX_TIMER_MS) : 0
}
