import { STATUS_CODES, type ServerResponse } from 'node:http'
import { isServerError, reportAppFailure, type AppAdapter, type BridgedRequest } from './types'

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
  return typeof a.handle === 'function' && typeof a.set === 'function' &&
    typeof a.request === 'object' && typeof a.response === 'object'
}

/**
 * Serves an Express app through `app.handle`, with the bridge's final handler (below). Express re-parents
 * each request and response onto its own prototypes; the engine's are plain IncomingMessage and
 * ServerResponse objects, so nothing is lost, and nothing Express shares between apps is touched.
 */
export function expressAdapter(app: ExpressLike): AppAdapter {
  return {
    kind: 'Express app',
    dispatch(req, res) {
      app.handle(req, res, (error?: unknown) => finish(req, res, error))
    },
  }
}

/**
 * Express's final handler, minus the stack trace it renders outside production:
 * a server error goes to the bridge, a client error (4xx) or no route gets a plain page.
 */
function finish(req: BridgedRequest, res: ServerResponse, error: unknown): void {
  if (error && isServerError(error)) {
    if (!reportAppFailure(req, error)) res.destroy(error as Error)
    return
  }
  if (res.headersSent) {
    res.end()
    return
  }
  const status = error ? Number((error as { status?: number }).status ?? (error as { statusCode?: number }).statusCode) : 404
  const extra = error ? (error as { headers?: Record<string, string> }).headers : undefined
  const text = error ? STATUS_CODES[status] ?? 'Error' : `Cannot ${req.method} ${escapeHtml(pathnameOf(req))}`
  const body = `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>${text}</pre>\n</body>\n</html>\n`
  for (const name of res.getHeaderNames()) res.removeHeader(name)
  if (extra && typeof extra === 'object') for (const name of Object.keys(extra)) res.setHeader(name, extra[name])
  res.statusCode = status
  res.setHeader('content-security-policy', "default-src 'none'")
  res.setHeader('x-content-type-options', 'nosniff')
  res.setHeader('content-type', 'text/html; charset=utf-8')
  res.setHeader('content-length', Buffer.byteLength(body))
  res.end(req.method === 'HEAD' ? undefined : body)
}

function pathnameOf(req: BridgedRequest): string {
  const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/'
  const query = url.indexOf('?')
  return query < 0 ? url : url.slice(0, query)
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c])
