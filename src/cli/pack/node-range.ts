import satisfies from 'semver/functions/satisfies'
import validRange from 'semver/ranges/valid'

/**
 * Whether an `engines.node` range allows a Node version, as npm reads the range (semver); undefined for a
 * range npm could not read either, so callers can say so instead of guessing.
 */
export function allowsNode(version: readonly [number, number, number], range: string): boolean | undefined {
  if (validRange(range) === null) return undefined
  return satisfies(version.join('.'), range)
}
