import { canonicalPath } from './trigger-path'

/**
 * A path that canonicalPath returns unchanged: single slashes between segments with nothing it decodes, folds,
 * resolves, cuts or lowercases (no %, backslash, dot, ;, #, upper-case ASCII or any non-ASCII character). Most requests' paths are
 * such, and the guard compares them with the trigger paths' canonical forms as they are.
 */
const CANONICAL = /^(?:\/[^/%\\.;#?A-Z\u0080-\uffff]+)+$/

/** The guard: true when `url` is one of the `guarded` canonical paths under some router's reading. */
export function isGuarded(guarded: ReadonlySet<string>, url: string): boolean {
  if (guarded.size === 0) return false
  const query = url.indexOf('?')
  const path = query === -1 ? url : url.slice(0, query)
  return guarded.has(CANONICAL.test(path) ? path : canonicalPath(path))
}
