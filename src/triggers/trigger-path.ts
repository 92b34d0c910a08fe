/** Trigger paths: where the path form delivers events in the app, checked, and folded for the guard. Pure. */
import { foldText } from './segment-readings'

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

/** A checked trigger path as the guard compares it: lower case, no trailing slash. */
export function foldedJobPath(path: string): string {
  return foldText(path).replace(/\/$/, '')
}
