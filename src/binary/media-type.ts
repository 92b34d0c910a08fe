import { TOKEN_CHARS } from '../http-syntax'

/** A parsed `content-type`: lowercased `type/subtype` and the charset parameter, if any. */
export interface MediaType {
  /** e.g. `text/html`; '' when the header is missing or unparsable. */
  essence: string
  /** Lowercased charset parameter value, unquoted; undefined when absent. */
  charset: string | undefined
}

const ESSENCE = new RegExp(`^\\s*(${TOKEN_CHARS})\\s*\\/\\s*(${TOKEN_CHARS})\\s*$`)
const CHARSET = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i

/** Parses a content-type header value (RFC 9110 8.3): case-insensitive, parameters and whitespace allowed. */
export function parseMediaType(header: string): MediaType {
  const semicolon = header.indexOf(';')
  const match = ESSENCE.exec(semicolon < 0 ? header : header.slice(0, semicolon))
  if (!match) return { essence: '', charset: undefined }
  const charset = semicolon < 0 ? null : CHARSET.exec(header.slice(semicolon))
  return {
    essence: `${match[1]}/${match[2]}`.toLowerCase(),
    charset: charset ? (charset[1] ?? charset[2]).trim().toLowerCase() : undefined,
  }
}

/**
 * Compiles media-type patterns (`image/*`, `application/vnd.ms-excel`, `*\/*`, `*\/json`) into one test.
 * Patterns are matched against the essence only (parameters are ignored).
 */
export function compileMediaTypePatterns(patterns: readonly string[]): (essence: string) => boolean {
  const exact = new Set<string>()
  const wildcards: RegExp[] = []
  for (const pattern of patterns) {
    if (typeof pattern !== 'string' || !pattern.trim()) {
      throw new TypeError(
        `scf-bridge: binaryTypes entries must be media types such as "image/*", got ${JSON.stringify(pattern)}`,
      )
    }
    const essence = pattern.split(';')[0].trim().toLowerCase()
    if (!essence.includes('*')) exact.add(essence)
    else wildcards.push(new RegExp(`^${essence.split('*').map(escapeRegExp).join('[^]*')}$`))
  }
  return (essence) => exact.has(essence) || wildcards.some((re) => re.test(essence))
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
