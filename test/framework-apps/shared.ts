/**
 * The routes every framework app of the shared table builds, the same way in each framework's idiom:
 *
 * - `GET|POST|PUT|PATCH /items/:name` 200 JSON `inspection(...)` of what the framework parsed, header `x-echo` = `x-custom`
 * - `DELETE /items/:name` 204, no body
 * - `POST /json`         201 JSON `{ received: <parsed JSON body> }`
 * - `POST /binary`       200 application/octet-stream: the request bytes reversed
 * - `GET /cookies`       200 JSON `{ cookie: <request Cookie header> }`, Set-Cookie: COOKIES
 * - `GET /redirect`      302, Location: REDIRECT_TO
 * - `GET /boom`          the route throws Error(SECRET)
 * - `GET /scheme`        200 JSON `schemeView(...)`: the client's scheme and the URL as the framework tells
 *                        them; when the framework says secure, Set-Cookie `SECURE_COOKIE` through its cookie API
 * - `GET /unavailable`   the route fails with a 503 error in the framework's idiom, message UNAVAILABLE
 */
export const COOKIES = ['a=1; Path=/; HttpOnly', 'b=2; Path=/']
export const REDIRECT_TO = '/target?from=redirect'
export const SECRET = 'kaboom: secret detail'
/** The cookie `GET /scheme` sets on a secure request only, as express-session does with `cookie.secure`. */
export const SECURE_COOKIE = { name: 'sid', value: 's1' }

/** What `GET /scheme` answers: the framework's own view of the scheme, with no trust-proxy setting. */
export const schemeView = (protocol: string, secure: boolean, url: string, forwardedProto: unknown) => ({
  protocol,
  secure,
  url,
  forwardedProto: forwardedProto ?? null,
})
export const UNAVAILABLE = 'database unavailable'

/** An error object with its own status, as http-errors and proxy middlewares make them. */
export const statusError = (status: number, message = UNAVAILABLE) => Object.assign(new Error(message), { status })

/** What `ALL /items/:name` answers, built in one key order so every framework serialises the same bytes. */
export function inspection(
  method: string,
  name: string,
  query: Record<string, unknown>,
  header: (name: string) => unknown,
) {
  return {
    method,
    name,
    query: normaliseQuery(query),
    custom: headerText(header('x-custom')),
    forwardedFor: headerText(header('x-forwarded-for')),
    requestId: headerText(header('x-request-id')),
  }
}

/** A framework's parsed query as sorted keys to lists of strings (a bare key is ''). */
export function normaliseQuery(query: Record<string, unknown>): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const key of Object.keys(query).sort()) {
    const value = query[key]
    out[key] = (Array.isArray(value) ? value : [value]).map((item) =>
      item === undefined || item === null ? '' : String(item),
    )
  }
  return out
}

/** A query from URLSearchParams, as frameworks without a parser of their own need it. */
export function queryOf(params: URLSearchParams): Record<string, string[]> {
  const query: Record<string, string[]> = {}
  params.forEach((value, key) => {
    query[key] ??= []
    query[key].push(value)
  })
  return query
}

export const reversed = (bytes: Uint8Array): Buffer => Buffer.from(bytes).reverse()

const headerText = (value: unknown): string | null =>
  value === undefined || value === null ? null : Array.isArray(value) ? value.join(', ') : String(value)
