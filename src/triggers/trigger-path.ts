/**
 * Trigger paths: where the path form delivers events in the app, and the guard that keeps HTTP requests
 * from outside away from them. Pure.
 */

// Plain segments only: no percent-encoding, dot segments, empty segments, query or fragment, so that the path
// means the same to every router and the guard can compare it with what a request's path could become.
const SEGMENT = /^[A-Za-z0-9\-_~!$&'()*+,;=:@.]+$/

/** Checks a path of the `events` option; returns it, or throws a TypeError saying what is wrong. */
export function checkTriggerPath(kind: string, path: string): string {
  const problem = pathProblem(path)
  if (problem) throw new TypeError(`scf-bridge: events.${kind} path ${JSON.stringify(path)} ${problem}`)
  return path
}

function pathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'must start with /'
  if (path === '/') return "cannot be /: the guard would answer every request to the app's root with 404"
  const segments = path.slice(1).replace(/\/$/, '').split('/')
  if (segments.every((segment) => SEGMENT.test(segment) && segment !== '.' && segment !== '..')) return undefined
  return (
    "must be a plain path such as /jobs/nightly (letters, digits and - _ . ~ ! $ & ' ( ) * + , ; = : @" +
    ' between single slashes; no query, %-encoding or dot segments)'
  )
}

/**
 * The form of a request path that every spelling the app's router could take for the same route shares:
 * without query (cut at `;` too: Fastify with useSemicolonDelimiter, Fastify 4's default, reads it as the
 * query's start), percent-decoded (repeatedly, since an app may decode more than once), backslashes as
 * slashes (the WHATWG URL parser a fetch app's Request goes through reads them so), dot segments resolved,
 * empty segments and a trailing slash dropped, lowercased (Express and @koa/router match case-insensitively
 * by default). Comparing this form can only block more than the app would route, never less.
 */
export function canonicalPath(path: string): string {
  let p = path
  const query = p.search(/[?#;]/)
  if (query !== -1) p = p.slice(0, query)
  for (let round = 0; round < 8 && p.includes('%'); round++) {
    const decoded = p.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    if (decoded === p) break
    p = decoded
  }
  const segments: string[] = []
  for (const segment of p.replace(/\\/g, '/').toLowerCase().split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') segments.pop()
    else segments.push(segment)
  }
  return `/${segments.join('/')}`
}
