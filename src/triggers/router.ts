import { TRIGGER_KINDS } from '../event-kind'
import type { TriggerFunction, TriggerRoute, TriggerRouter, TriggerRoutes } from '../options'
import type { TriggerKind } from '../trigger-types'
import { describe } from '../values'
import { isGuarded } from './guard'
import { checkTriggerPath, foldedJobPath } from './trigger-path'

const KINDS: readonly string[] = TRIGGER_KINDS

/** Checks the `events` option (TypeError for anything unusable); undefined when there is none. */
export function triggerRouter(events: TriggerRoutes | undefined): TriggerRouter | undefined {
  if (events === undefined) return undefined
  if (events === null || typeof events !== 'object' || Array.isArray(events)) {
    throw new TypeError(
      `scf-bridge: events must be an object such as { timer: async (event, context) => {}, cos: '/jobs/cos' }, got ${describe(events)}`,
    )
  }
  const routes: Partial<Record<TriggerKind, TriggerRoute>> = {}
  const guarded = new Set<string>()
  for (const key of Object.keys(events)) {
    const value = (events as Record<string, unknown>)[key]
    if (!KINDS.includes(key)) {
      const hint = key === 'http' || key === 'apigw' || key === 'url' ? ': HTTP events always go to the app' : ''
      throw new TypeError(`scf-bridge: events.${key} is not a trigger kind${hint}; the kinds are ${KINDS.join(', ')}`)
    }
    const kind = key as TriggerKind
    if (value === undefined) continue
    if (typeof value === 'function') routes[kind] = { kind, run: value as TriggerFunction<unknown> }
    else if (typeof value === 'string') {
      routes[kind] = { kind, path: checkTriggerPath(kind, value) }
      guarded.add(foldedJobPath(value))
    } else {
      throw new TypeError(
        `scf-bridge: events.${kind} must be a function (event, context) or a path such as '/jobs/${kind}', got ${describe(value)}`,
      )
    }
  }
  return {
    routeOf: (kind) => routes[kind],
    guards: (url) => isGuarded(guarded, url),
  }
}
