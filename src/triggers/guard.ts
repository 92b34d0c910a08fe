import { segmentReadings } from './segment-readings'

// A request path the guard can compare as it is: printable ASCII, no escapes, backslashes or `;`, no empty
// or dot segments. Every router reads it as these segments, up to ASCII case. Most requests' paths are such.
const PLAIN = /^(?:\/(?!\.\.?(?:\/|$))[!"$&-.0-:<->@-[\]-~]+)*\/?$/

// What may follow a name without ending it: a router that matches `/jobs/nightly` never matches `/jobs/nightlyX`.
const NAME_CHAR = /[\p{L}\p{N}_~-]/u

/**
 * The guard: true when a router could route the request `url` (after basePath) to one of the `jobPaths`
 * (folded by foldedJobPath) or below it, under any reading of its path a router may take. It over-approximates:
 * every segment may be read at any percent-decoding depth, any case fold, with `;...` cut off or not, with
 * encoded or compatibility slashes splitting it or not, and each dot or empty segment may be resolved or kept,
 * independently. A job path matches when the request's segments start with its segments; its last segment also
 * matches a segment that continues with anything but a letter, digit, `-`, `_` or `~` (`nightly.json`, `nightly;x`).
 */
export function isGuarded(jobPaths: ReadonlySet<string>, url: string): boolean {
  if (jobPaths.size === 0) return false
  let end = url.indexOf('?')
  if (end === -1) end = url.length
  const hash = url.indexOf('#')
  if (hash !== -1 && hash < end) end = hash
  let path = url.slice(0, end)
  if (path.charCodeAt(0) !== 47 /* / */) path = `/${path}`
  if (PLAIN.test(path)) {
    const lower = path.toLowerCase()
    for (const job of jobPaths) {
      if (lower === job || startsName(lower, job)) return true
    }
    return false
  }
  return guardsByReadings(jobPaths, path)
}

/** The guard's full comparison of a path (no query), which the plain paths' shortcut above must agree with. */
export function guardsByReadings(jobPaths: ReadonlySet<string>, path: string): boolean {
  const segments: Piece[][][] = []
  for (const segment of path.slice(1).split('/')) {
    const readings = segmentReadings(segment)
    if (readings === undefined) return true
    segments.push(readings.map(piecesOf))
  }
  for (const job of jobPaths) if (reaches(segments, job.slice(1).split('/'))) return true
  return false
}

/** One part of a segment's reading between slashes or backslashes: the texts it may be (`;...` cut or not). */
type Piece = readonly string[]

function piecesOf(reading: string): Piece[] {
  return reading.split(/[/\\]/).map((piece) => {
    const semicolon = piece.indexOf(';')
    return semicolon === -1 ? [piece] : [piece, piece.slice(0, semicolon)]
  })
}

/**
 * The states of a path being resolved against a job path's segments: `matched` of them are on the stack, and
 * above them `extra` others (a range, kept as its hull: a superset). `absorbing` marks a state whose last unit
 * was a run of pieces read as one segment, which may absorb the next piece too.
 */
class States {
  readonly low: number[]
  readonly high: number[]
  accepted = false
  constructor(readonly size: number) {
    this.low = new Array<number>(size * 2).fill(Number.POSITIVE_INFINITY)
    this.high = new Array<number>(size * 2).fill(-1)
  }
  add(matched: number, absorbing: boolean, low: number, high: number): void {
    if (matched >= this.size) {
      this.accepted = true
      return
    }
    if (low > high) return
    const i = matched * 2 + (absorbing ? 1 : 0)
    if (low < this.low[i]) this.low[i] = low
    if (high > this.high[i]) this.high[i] = high
  }
}

/** Whether some reading of `segments` puts `job`'s segments at the bottom of the resolved stack. */
function reaches(segments: Piece[][][], job: string[]): boolean {
  const k = job.length
  let states = new States(k)
  states.add(0, false, 0, 0)
  for (const readings of segments) {
    const next = new States(k)
    for (const pieces of readings) {
      let current = states
      for (let p = 0; p < pieces.length; p++) {
        const after = new States(k)
        for (let i = 0; i < current.low.length; i++) {
          const low = current.low[i]
          const high = current.high[i]
          if (low > high) continue
          const matched = i >> 1
          if (p > 0 && (i & 1) === 1) after.add(matched, true, low, high)
          single(after, pieces[p], job, matched, low, high)
          run(after, pieces[p], job, matched, low, high)
        }
        if (after.accepted) return true
        current = after
      }
      for (let i = 0; i < current.low.length; i++) next.add(i >> 1, false, current.low[i], current.high[i])
    }
    if (next.accepted) return true
    states = next
  }
  return false
}

/** A piece read as a whole segment: kept, pushed, or (a dot segment) resolved. */
function single(after: States, piece: Piece, job: string[], matched: number, low: number, high: number): void {
  const last = matched === job.length - 1
  if (piece.some((text) => text === '' || text === '.')) after.add(matched, false, low, high)
  if (piece.includes('..')) {
    if (high >= 1) after.add(matched, false, Math.max(low, 1) - 1, high - 1)
    if (low === 0) after.add(Math.max(matched - 1, 0), false, 0, 0)
  }
  after.add(matched, false, Math.max(low, 1) + 1, high + 1)
  if (low !== 0) return
  for (const text of piece) {
    if (text === job[matched] || (last && startsName(text, job[matched]))) after.add(matched + 1, false, 0, 0)
    else after.add(matched, false, 1, 1)
  }
}

/** A piece that starts a run read as one segment with the pieces after it: a segment no job path has, unless its start is the job path's last one. */
function run(after: States, piece: Piece, job: string[], matched: number, low: number, high: number): void {
  after.add(matched, true, low + 1, high + 1)
  if (
    low === 0 &&
    matched === job.length - 1 &&
    piece.some((text) => text === job[matched] || startsName(text, job[matched]))
  ) {
    after.add(matched + 1, true, 0, 0)
  }
}

/** `text` is `name` followed by something that ends a name. */
function startsName(text: string, name: string): boolean {
  return text.length > name.length && text.startsWith(name) && !NAME_CHAR.test(text[name.length])
}
