import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import {
  COOKIES,
  inspection,
  queryOf,
  REDIRECT_TO,
  reversed,
  SECRET,
  SECURE_COOKIE,
  schemeView,
  statusError,
} from './shared'

/** The shared routes as a plain Node `(req, res)` listener, with no framework at all. */
export function plainListener() {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const item = /^\/items\/([^/]+)$/.exec(url.pathname)
    if (item && req.method === 'DELETE') {
      res.writeHead(204).end()
    } else if (item && ['GET', 'POST', 'PUT', 'PATCH'].includes(req.method ?? '')) {
      await readAll(req)
      const body = inspection(
        req.method ?? '',
        decodeURIComponent(item[1]),
        queryOf(url.searchParams),
        (name) => req.headers[name],
      )
      json(res, 200, body, { 'x-echo': req.headers['x-custom'] ?? '' })
    } else if (url.pathname === '/json' && req.method === 'POST') {
      json(res, 201, { received: JSON.parse((await readAll(req)).toString('utf8')) })
    } else if (url.pathname === '/binary' && req.method === 'POST') {
      const bytes = reversed(await readAll(req))
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length }).end(bytes)
    } else if (url.pathname === '/cookies') {
      json(res, 200, { cookie: req.headers.cookie ?? null }, { 'set-cookie': COOKIES })
    } else if (url.pathname === '/redirect') {
      res.writeHead(302, { location: REDIRECT_TO }).end()
    } else if (url.pathname === '/scheme') {
      // What Node-level code (and Express, Koa, Fastify underneath) reads: an encrypted socket.
      const secure = (req.socket as { encrypted?: boolean }).encrypted === true
      const protocol = secure ? 'https' : 'http'
      const cookie: Record<string, string[]> = secure
        ? { 'set-cookie': [`${SECURE_COOKIE.name}=${SECURE_COOKIE.value}; Path=/; Secure`] }
        : {}
      json(
        res,
        200,
        schemeView(protocol, secure, `${protocol}://${req.headers.host}${req.url}`, req.headers['x-forwarded-proto']),
        cookie,
      )
    } else if (url.pathname === '/boom') {
      throw new Error(SECRET)
    } else if (url.pathname === '/unavailable') {
      throw statusError(503)
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found')
    }
  }
}

/** The same listener inside an `http.Server` that never listens. */
export const httpServer = () => createServer(plainListener())

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  })
  res.end(text)
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}
