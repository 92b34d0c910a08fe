/**
 * Enough of npm's range syntax to check a dependency's `engines.node` against a runtime's Node version:
 * `||`, hyphen ranges, `^`, `~`, comparators, `x`/`*` wildcards and partial versions. Prerelease tags are
 * ignored (runtimes are releases). Returns undefined for a range it cannot read, so callers can say so.
 */
export function satisfies(version: readonly [number, number, number], range: string): boolean | undefined {
  const alternatives = range.trim() === '' ? ['*'] : range.split('||')
  let readable = false
  for (const alternative of alternatives) {
    const result = satisfiesSet(version, alternative.trim())
    if (result === true) return true
    if (result === false) readable = true
  }
  return readable ? false : undefined
}

type Version = readonly [number, number, number]
type Partial = [number | undefined, number | undefined, number | undefined]

function satisfiesSet(version: Version, set: string): boolean | undefined {
  if (set === '' || set === '*' || set === 'x' || set === 'latest') return true
  const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(set)
  if (hyphen) {
    const low = parsePartial(hyphen[1])
    const high = parsePartial(hyphen[2])
    if (!low || !high) return undefined
    return compare(version, fill(low)) >= 0 && upperOk(version, high)
  }
  const tokens = set.replace(/(>=|<=|>|<|=|\^|~>?)\s+/g, '$1').split(/\s+/)
  for (const token of tokens) {
    // biome-ignore lint/style/noNonNullAssertion: every part of the pattern is optional, so it matches any token
    const match = /^(>=|<=|>|<|=|\^|~>?|v)?(.*)$/.exec(token)!
    const operator = match[1] ?? ''
    const partial = parsePartial(match[2])
    if (!partial) return undefined
    if (!comparatorOk(version, operator, partial)) return false
  }
  return true
}

function comparatorOk(version: Version, operator: string, p: Partial): boolean {
  const low = fill(p)
  switch (operator) {
    case '>=':
      return compare(version, low) >= 0
    case '>':
      return p[1] === undefined
        ? // biome-ignore lint/style/noNonNullAssertion: parsePartial always gives the major version
          version[0] > p[0]!
        : p[2] === undefined
          ? compare(version, [low[0], low[1] + 1, 0]) >= 0
          : compare(version, low) > 0
    case '<':
      return compare(version, low) < 0
    case '<=':
      return upperOk(version, p)
    case '^': {
      if (compare(version, low) < 0) return false
      if (low[0] > 0 || p[1] === undefined) return version[0] === low[0]
      if (low[1] > 0 || p[2] === undefined) return version[0] === 0 && version[1] === low[1]
      return version[0] === 0 && version[1] === 0 && version[2] === low[2]
    }
    case '~':
    case '~>':
      if (compare(version, low) < 0) return false
      return p[1] === undefined ? version[0] === low[0] : version[0] === low[0] && version[1] === low[1]
    default: // '', '=', 'v': an exact or partial version
      return version.every((n, i) => p[i] === undefined || p[i] === n)
  }
}

function upperOk(version: Version, p: Partial): boolean {
  if (p[0] === undefined) return true
  if (p[1] === undefined) return version[0] <= p[0]
  if (p[2] === undefined) return version[0] < p[0] || (version[0] === p[0] && version[1] <= p[1])
  return compare(version, fill(p)) <= 0
}

function parsePartial(text: string): Partial | undefined {
  const match = /^v?(\d+|[xX*])?(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:[-+].*)?$/.exec(text)
  if (!match || text === '') return text === '' ? [undefined, undefined, undefined] : undefined
  const part = (s: string | undefined) => (s === undefined || /^[xX*]$/.test(s) ? undefined : Number(s))
  const result: Partial = [part(match[1]), part(match[2]), part(match[3])]
  // "1.x.3" reads as "1.x"
  if (result[0] === undefined) return [undefined, undefined, undefined]
  if (result[1] === undefined) result[2] = undefined
  return result
}

function fill(p: Partial): [number, number, number] {
  return [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0]
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]
}
