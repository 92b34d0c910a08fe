import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { COOKIES, inspection, REDIRECT_TO, reversed, SECRET, SECURE_COOKIE, schemeView, UNAVAILABLE } from './shared'

/** The shared routes on Hono (a fetch-style app). */
export function honoApp() {
  const app = new Hono()
  app.delete('/items/:name', (c) => c.body(null, 204))
  app.on(['GET', 'POST', 'PUT', 'PATCH'], '/items/:name', (c) => {
    c.header('x-echo', c.req.header('x-custom') ?? '')
    return c.json(inspection(c.req.method, c.req.param('name'), c.req.queries(), (name) => c.req.header(name)))
  })
  app.post('/json', async (c) => c.json({ received: await c.req.json() }, 201))
  app.post('/binary', async (c) =>
    c.body(new Uint8Array(reversed(new Uint8Array(await c.req.arrayBuffer()))), 200, {
      'content-type': 'application/octet-stream',
    }),
  )
  app.get('/cookies', (c) => {
    for (const cookie of COOKIES) c.header('Set-Cookie', cookie, { append: true })
    return c.json({ cookie: c.req.header('cookie') ?? null })
  })
  app.get('/redirect', (c) => c.redirect(REDIRECT_TO, 302))
  app.get('/scheme', (c) => {
    const protocol = new URL(c.req.url).protocol.replace(/:$/, '')
    if (protocol === 'https') c.header('Set-Cookie', `${SECURE_COOKIE.name}=${SECURE_COOKIE.value}; Path=/; Secure`)
    return c.json(schemeView(protocol, protocol === 'https', c.req.url, c.req.header('x-forwarded-proto')))
  })
  app.get('/boom', () => {
    throw new Error(SECRET)
  })
  app.get('/unavailable', () => {
    throw new HTTPException(503, { message: UNAVAILABLE })
  })
  return app
}
