import { getQuery, getRouterParam, H3, HTTPError, readBody, redirect } from 'h3'
import { COOKIES, inspection, REDIRECT_TO, reversed, SECRET, SECURE_COOKIE, schemeView, UNAVAILABLE } from './shared'

/** The shared routes on h3 v2 (a fetch-style app). */
export function h3App() {
  const app = new H3()
  app.delete('/items/:name', (event) => {
    event.res.status = 204
    return null
  })
  for (const method of ['GET', 'POST', 'PUT', 'PATCH'] as const) {
    app.on(method, '/items/:name', (event) => {
      event.res.headers.set('x-echo', event.req.headers.get('x-custom') ?? '')
      const name = getRouterParam(event, 'name', { decode: true }) ?? ''
      return inspection(event.req.method, name, getQuery(event), (header) => event.req.headers.get(header))
    })
  }
  app.post('/json', async (event) => {
    event.res.status = 201
    return { received: await readBody(event) }
  })
  app.post('/binary', async (event) => {
    const bytes = reversed(new Uint8Array(await event.req.arrayBuffer()))
    return new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } })
  })
  app.get('/cookies', (event) => {
    for (const cookie of COOKIES) event.res.headers.append('set-cookie', cookie)
    return { cookie: event.req.headers.get('cookie') }
  })
  app.get('/redirect', () => redirect(REDIRECT_TO, 302))
  app.get('/scheme', (event) => {
    const protocol = event.url.protocol.replace(/:$/, '')
    if (protocol === 'https')
      event.res.headers.append('set-cookie', `${SECURE_COOKIE.name}=${SECURE_COOKIE.value}; Path=/; Secure`)
    return schemeView(protocol, protocol === 'https', event.url.href, event.req.headers.get('x-forwarded-proto'))
  })
  app.get('/boom', () => {
    throw new Error(SECRET)
  })
  app.get('/unavailable', () => {
    throw new HTTPError({ status: 503, message: UNAVAILABLE })
  })
  return app
}
