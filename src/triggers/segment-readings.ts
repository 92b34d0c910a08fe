/**
 * What a router may make of one segment of a request path: every text it could compare the segment as. Pure.
 *
 * Routers differ in how often they percent-decode (never, once, until nothing changes), in how they read bytes
 * that are not valid UTF-8, and in how they fold case (ASCII only, `toLowerCase`, a regular expression's
 * Unicode folding). The readings here are a superset of theirs: each decoding depth under three byte readings,
 * each folded by `foldText`, which maps every spelling any of those folds equates with an ASCII name to that
 * name in lower case.
 */

/** Decoding rounds a router could plausibly apply; a segment still changing after them is unreadable. */
const MAX_ROUNDS = 8

const NON_ASCII = /[^\u0000-\u007f]/
// Combining marks and default-ignorable characters (soft hyphen, zero-width joiners, variation selectors):
// no router folds them away, but dropping them here can only make more spellings equal to a job path.
const DROPPED = /[\p{M}\p{Default_Ignorable_Code_Point}]/gu

/**
 * The case- and compatibility-folded form of a text: NFKD (KELVIN SIGN to K, long s to s, fullwidth forms and
 * ligatures to ASCII), upper then lower case twice (dotless i to i, sharp s to ss, whichever direction a router
 * folds in), NFKD again and marks dropped (Turkish dotted I to i). An ASCII text is only lower-cased.
 */
export function foldText(text: string): string {
  if (!NON_ASCII.test(text)) return text.toLowerCase()
  const cased = text.normalize('NFKD').toUpperCase().toLowerCase().toUpperCase().toLowerCase()
  return cased.normalize('NFKD').replace(DROPPED, '')
}

type ByteReading = 'replace' | 'latin1' | 'strict'
const BYTE_READINGS: readonly ByteReading[] = ['replace', 'latin1', 'strict']

/**
 * The folded texts `segment` (raw, between two `/`) may be compared as, or undefined when it still decodes to
 * something new after MAX_ROUNDS rounds (the guard refuses such a path outright).
 */
export function segmentReadings(segment: string): string[] | undefined {
  const texts = new Set<string>([segment])
  if (segment.includes('%')) {
    for (const reading of BYTE_READINGS) {
      let text = segment
      for (let round = 0; ; round++) {
        const next = decodeRound(text, reading)
        if (next === text) break
        if (round === MAX_ROUNDS) return undefined
        texts.add(next)
        text = next
      }
    }
  }
  const folded = new Set<string>()
  for (const text of texts) folded.add(foldText(text))
  return [...folded]
}

const ESCAPE = /(?:%[0-9A-Fa-f]{2})+/g

/** One round of percent-decoding: each run of `%XX` escapes becomes the characters its bytes spell. */
function decodeRound(text: string, reading: ByteReading): string {
  return text.replace(ESCAPE, (run) => {
    const bytes = Buffer.from(run.replace(/%/g, ''), 'hex')
    return reading === 'strict' ? bytes.toString('utf8') : lenientUtf8(bytes, reading === 'latin1')
  })
}

/**
 * UTF-8 as a careless decoder reads it: overlong forms (`%C0%AE` for `.`) and the old 5- and 6-byte forms give
 * the code point they spell; any other byte that does not start a complete sequence is U+FFFD, or its Latin-1
 * character when `latin1` (what `unescape` gives).
 */
function lenientUtf8(bytes: Buffer, latin1: boolean): string {
  let out = ''
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i]
    const extra =
      lead < 0x80
        ? 0
        : lead < 0xc0
          ? -1
          : lead < 0xe0
            ? 1
            : lead < 0xf0
              ? 2
              : lead < 0xf8
                ? 3
                : lead < 0xfc
                  ? 4
                  : lead < 0xfe
                    ? 5
                    : -1
    let code = extra <= 0 ? lead : lead & (0x3f >> extra)
    let length = 1
    while (length <= extra && i + length < bytes.length && (bytes[i + length] & 0xc0) === 0x80) {
      code = code * 64 + (bytes[i + length] & 0x3f)
      length++
    }
    if (extra >= 0 && length === extra + 1 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff)) {
      out += String.fromCodePoint(code)
      i += length
    } else {
      out += latin1 ? String.fromCharCode(lead) : '\ufffd'
      i++
    }
  }
  return out
}
