import type { TriggerKind } from './trigger-types'

/**
 * What an event is, decided here once for the whole house: HTTP (and then which dialect, httpDialectOf) or
 * which trigger. What kind of event SCF delivered, from the event's own shape. HTTP first: an object with an
 * `httpMethod`, a `requestContext`, or `headers` with a `path`, `headerParameters` or `queryString` goes
 * to the HTTP path, which serves it as before or says what is wrong with it. Then the triggers: a timer's `Type: "Timer"`; `Records[]` whose first record holds
 * `cos`, `Ckafka` or `CMQ`; CLS's `clslogs`. Anything else (a direct invocation's JSON) is `other`.
 * Pure.
 */
export function recogniseEvent(event: unknown): 'http' | TriggerKind {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return 'other'
  const e = event as Record<string, unknown>
  if (looksHttp(e)) return 'http'
  if (e.Type === 'Timer' || (typeof e.TriggerName === 'string' && 'Time' in e && !('Records' in e))) return 'timer'
  if (Array.isArray(e.Records)) {
    const record = e.Records[0] as Record<string, unknown> | undefined
    if (record !== null && typeof record === 'object') {
      if (isObject(record.cos)) return 'cos'
      if (isObject(record.Ckafka)) return 'ckafka'
      if (isObject(record.CMQ)) return 'cmq'
    }
    return 'other'
  }
  if (isObject(e.clslogs)) return 'cls'
  return 'other'
}

/**
 * An HTTP event, or what is left of one: a partial or broken HTTP event goes to the HTTP path too, where it
 * is refused with the missing field named, and never to a trigger's entry.
 */
function looksHttp(e: Record<string, unknown>): boolean {
  if (e.httpMethod !== undefined || isObject(e.requestContext)) return true
  return isObject(e.headers) && ('path' in e || 'headerParameters' in e || 'queryString' in e)
}

const isObject = (value: unknown): boolean => value !== null && typeof value === 'object'

/**
 * Which of the two HTTP dialects an HTTP event is in. API Gateway names its service and stage in every event,
 * real or documented. A Function URL event has no requestContext in the doc, and one holding only `sourceIp`
 * in real 2025 events.
 */
export function httpDialectOf(event: { requestContext?: unknown }): 'apigw' | 'url' {
  const context = event.requestContext as { serviceId?: unknown; stage?: unknown } | null | undefined
  return context !== null &&
    typeof context === 'object' &&
    (typeof context.serviceId === 'string' || typeof context.stage === 'string')
    ? 'apigw'
    : 'url'
}

/** How messages name a kind of event: "a timer trigger event". */
export function describeKind(kind: 'http' | TriggerKind): string {
  return KIND_NAMES[kind]
}

const KIND_NAMES: Record<'http' | TriggerKind, string> = {
  http: 'an HTTP event',
  timer: 'a timer trigger event',
  cos: 'a COS trigger event',
  ckafka: 'a CKafka trigger event',
  cmq: 'a CMQ trigger event',
  cls: 'a CLS trigger event',
  other: "a direct invocation or another trigger's event",
}

/** Every trigger kind, in the order messages list them: the keys of the `events` option. */
export const TRIGGER_KINDS = (Object.keys(KIND_NAMES) as Array<keyof typeof KIND_NAMES>).filter(
  (kind): kind is TriggerKind => kind !== 'http',
)
