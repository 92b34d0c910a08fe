import type { ScfQueryValue } from '../types'
import { setOwn } from '../values'

/**
 * Parses a raw query (`a=1&a=2&flag`) the way API Gateway fills `event.queryString`: values decoded,
 * repeated keys as arrays, bare keys (no `=`) as `true`. Pure.
 */
export function parseQueryString(search: string): Record<string, ScfQueryValue> {
  const query: Record<string, ScfQueryValue> = {}
  const raw = search.charCodeAt(0) === 63 /* ? */ ? search.slice(1) : search
  if (raw === '') return query
  for (const part of raw.split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    const key = decodeQueryPart(eq === -1 ? part : part.slice(0, eq))
    const value: string | true = eq === -1 ? true : decodeQueryPart(part.slice(eq + 1))
    const previous = Object.hasOwn(query, key) ? query[key] : undefined
    // A bare key inside a repeated list has no place in a string array: it counts as an empty value.
    const next: ScfQueryValue =
      previous === undefined ? value : [...(Array.isArray(previous) ? previous : [asString(previous)]), asString(value)]
    setOwn(query, key, next)
  }
  return query
}

const asString = (value: string | true): string => (value === true ? '' : value)

function decodeQueryPart(part: string): string {
  const spaced = part.indexOf('+') === -1 ? part : part.replace(/\+/g, ' ')
  try {
    return decodeURIComponent(spaced)
  } catch {
    // A malformed escape (`%zz`) is kept as sent rather than rejected.
    return spaced
  }
}
