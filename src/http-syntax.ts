import { setOwn } from './values'

/**
 * HTTP syntax the bridge, the emulator and the CLI share: what a header name and value may be, how
 * repeated headers fold, how a query is encoded, how a path prefix is stripped. Pure.
 */

/** The characters of an HTTP token (RFC 9110 5.6.2), for building patterns. */
export const TOKEN_CHARS = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+"

/** An HTTP token: a method or a header name. */
export const TOKEN = new RegExp(`^${TOKEN_CHARS}$`)

// What no header value may carry: NUL, CR, LF and the other controls but tab, and DEL (RFC 9110 5.5).
const CONTROLS = '\\0-\\x08\\n-\\x1f\\x7f'

/**
 * A request header value the bridge drops: one with a control character (Node's parser refuses them too,
 * and such a header could be reflected into a response). Text past Latin-1 is allowed here: the bridge
 * hands it to the app as its UTF-8 bytes.
 */
export const UNSAFE_REQUEST_VALUE = new RegExp(`[${CONTROLS}]`)

/**
 * What a header value may not carry as Node sends it: the controls, and characters past Latin-1 (Node
 * refuses them; non-Latin-1 text must be percent-encoded).
 */
export const UNSENDABLE_VALUE = new RegExp(`[${CONTROLS}\\u0100-\\uffff]`)

/** Connection-level headers (lowercased names): they mean nothing once a gateway re-frames the reply. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'proxy-connection',
  'upgrade',
  'trailer',
])

/**
 * Adds one header to a record of lowercased names, as a server folds repeated headers: cookies joined
 * with `; `, others with `, `. Defined as own properties, so a header named `__proto__` or `constructor`
 * is a header like any other.
 */
export function foldHeader(headers: Record<string, string>, name: string, value: string): void {
  const lower = name.toLowerCase()
  const previous = Object.hasOwn(headers, lower) ? headers[lower] : undefined
  const folded = previous === undefined ? value : previous + separatorOf(lower) + value
  setOwn(headers, lower, folded)
}

/** What joins two values of one header (lowercased name): `; ` for cookies, `, ` for the rest. */
export const separatorOf = (lower: string): string => (lower === 'cookie' ? '; ' : ', ')

/**
 * A query record (`{ a: ['1', '2'], flag: true }`, as API Gateway's `queryString` holds it) as the
 * query of a URL, without the `?`: values percent-encoded, arrays repeated, `true` a bare key; `false`,
 * null, undefined and nested objects are left out.
 */
export function encodeQuery(query: Record<string, unknown>): string {
  let search = ''
  for (const key of Object.keys(query)) {
    const value = query[key]
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === undefined || item === null || item === false || typeof item === 'object') continue
      const pair = item === true ? encodeComponent(key) : `${encodeComponent(key)}=${encodeComponent(String(item))}`
      search += search ? `&${pair}` : pair
    }
  }
  return search
}

/** encodeURIComponent, except that a lone surrogate (which UTF-8 cannot carry) becomes U+FFFD, not an exception. */
export function encodeComponent(part: string): string {
  try {
    return encodeURIComponent(part)
  } catch {
    return encodeURIComponent(part.replace(/[\uD800-\uDFFF]/g, '\uFFFD'))
  }
}

/** The start of an absolute URL: a scheme (RFC 3986 3.1) and `//`, as in `https://api.example.com/`. */
export const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i

/** The path of a request URL (`/a?b=1`) without its query string. */
export function pathOnly(url: string): string {
  const query = url.indexOf('?')
  return query < 0 ? url : url.slice(0, query)
}

/**
 * Strips a path prefix (a `basePath`, an API Gateway stage as `/release`) as whole segments only: with
 * `/api`, `/api/users` becomes `/users`, `/api` becomes `/`, and `/apiary` is kept.
 */
export function stripPrefix(path: string, prefix: string): string {
  if (!prefix || !path.startsWith(prefix)) return path
  if (path.length === prefix.length) return '/'
  return path.charCodeAt(prefix.length) === 47 /* / */ ? path.slice(prefix.length) : path
}
