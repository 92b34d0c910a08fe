import { type ServerResponse, STATUS_CODES } from 'node:http'
import { pathOnly } from '../http-syntax'
import { errorStatus, Invocation } from '../invocation'
import type { AppAdapter, BridgedRequest } from './types'

/** The parts of an Express 4 or 5 application the bridge uses. */
export interface ExpressLike {
  (req: unknown, res: unknown, next?: unknown): void
  handle(req: unknown, res: unknown, done: (error?: unknown) => void): void
  set(setting: string, value?: unknown): unknown
  request: object
  response: object
}

export function isExpressApp(app: unknown): app is ExpressLike {
  if (typeof app !== 'function') return false
  const a = app as unknown as Partial<ExpressLike>
  return (
    typeof a.handle === 'function' &&
    typeof a.set === 'function' &&
    typeof a.request === 'object' &&
    typeof a.response === 'object'
  )
}

/**
 * Serves an Express app as a parent router mounts one: `app(req, res, next)`, the app's own signature. What
 * the app leaves unanswered comes back through `next`, Express's public way of reporting it: no route
 * (`next()`) or an error no error middleware of the app answered (`next(error)`). The bridge's `next` is the
 * final handler below, in place of the one Express creates when it is called without `next`: that one keeps
 * the error to itself (it only prints it), renders its stack outside production and cuts the connection
 * after a partial reply. Express re-parents each request and response onto its own prototypes; the
 * engine's are plain IncomingMessage and ServerResponse objects, so nothing is lost, and nothing Express
 * shares between apps is touched.
 */
export function expressAdapter(app: ExpressLike): AppAdapter {
  return {
    dispatch(req, res) {
      app(req, res, (error?: unknown) => finish(req, res, error))
    },
  }
}

/**
 * Express's final handler as it answers in production (no stack trace, in every environment): its page
 * (test/adapter-internals.test.ts compares it with the `finalhandler` that Express 4 and 5 use). An error with its own
 * 4xx/5xx status (`status` or `statusCode`, as finalhandler reads it) is answered with that status and
 * Express's page; a 5xx one is also reported to the bridge (logged, or handed to `onError`). An error
 * without a usable status goes to the bridge, which answers a plain 500. No route: Express's 404 page.
 */
function finish(req: BridgedRequest, res: ServerResponse, error: unknown): void {
  const status = error ? errorStatus(error) : 404
  if (status === undefined || status >= 500) {
    const invocation = Invocation.of(req)
    if (!invocation) return void res.destroy(error as Error)
    // With the headers already sent, Express would break the connection off: the bridge answers instead.
    const answered = status !== undefined && !res.headersSent
    invocation.fail(error, { answered })
    if (!answered) return
  }
  if (res.headersSent) {
    res.end()
    return
  }
  const extra = error ? (error as { headers?: Record<string, string> }).headers : undefined
  const text = error ? (STATUS_CODES[status ?? 500] ?? 'Error') : `Cannot ${req.method} ${escapeHtml(pathnameOf(req))}`
  const body = `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>${text}</pre>\n</body>\n</html>\n`
  for (const name of res.getHeaderNames()) res.removeHeader(name)
  if (extra && typeof extra === 'object') for (const name of Object.keys(extra)) res.setHeader(name, extra[name])
  res.statusCode = status ?? 500
  res.setHeader('content-security-policy', "default-src 'none'")
  res.setHeader('x-content-type-options', 'nosniff')
  res.setHeader('content-type', 'text/html; charset=utf-8')
  res.setHeader('content-length', Buffer.byteLength(body))
  res.end(req.method === 'HEAD' ? undefined : body)
}

function pathnameOf(req: BridgedRequest): string {
  return pathOnly((req as { originalUrl?: string }).originalUrl ?? req.url ?? '/')
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c])
