import Boom from '@hapi/boom'
import Hapi from '@hapi/hapi'
import { COOKIES, inspection, REDIRECT_TO, reversed, SECRET, SECURE_COOKIE, schemeView, UNAVAILABLE } from './shared'

/** The shared routes on a hapi server. `initialize`: hand it over initialised (as documented) or let the bridge do it. */
export async function hapiServer({ initialize = true } = {}) {
  const server = Hapi.server({ debug: false })
  server.route({ method: 'DELETE', path: '/items/{name}', handler: (_request, h) => h.response().code(204) })
  server.route({
    method: ['GET', 'POST', 'PUT', 'PATCH'],
    path: '/items/{name}',
    handler: (request, h) =>
      h
        .response(
          inspection(
            request.method.toUpperCase(),
            String(request.params.name),
            request.query,
            (name) => request.headers[name],
          ),
        )
        .header('x-echo', String(request.headers['x-custom'] ?? '')),
  })
  server.route({
    method: 'POST',
    path: '/json',
    handler: (request, h) => h.response({ received: request.payload }).code(201),
  })
  server.route({
    method: 'POST',
    path: '/binary',
    options: { payload: { parse: false, output: 'data' } },
    handler: (request, h) => h.response(reversed(request.payload as Buffer)).type('application/octet-stream'),
  })
  server.route({
    method: 'GET',
    path: '/cookies',
    handler: (request, h) => {
      const response = h.response({ cookie: request.headers.cookie ?? null })
      for (const cookie of COOKIES) response.header('set-cookie', cookie, { append: true })
      return response
    },
  })
  server.route({ method: 'GET', path: '/redirect', handler: (_request, h) => h.redirect(REDIRECT_TO).code(302) })
  server.route({
    method: 'GET',
    path: '/scheme',
    handler: (request, h) => {
      // hapi builds request.url from the server's own protocol (http for a server without tls). The
      // workaround in docs/https-and-host.md: the client's scheme from x-forwarded-proto, set by the bridge.
      const scheme = request.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http'
      const response = h.response(
        schemeView(
          request.url.protocol.replace(/:$/, ''),
          scheme === 'https',
          `${scheme}://${request.info.host}${request.url.pathname}${request.url.search}`,
          request.headers['x-forwarded-proto'],
        ),
      )
      if (scheme === 'https')
        response.header('set-cookie', `${SECURE_COOKIE.name}=${SECURE_COOKIE.value}; Path=/; Secure`)
      return response
    },
  })
  server.route({
    method: 'GET',
    path: '/unavailable',
    handler: () => {
      throw Boom.serverUnavailable(UNAVAILABLE)
    },
  })
  server.route({
    method: 'GET',
    path: '/boom',
    handler: () => {
      throw new Error(SECRET)
    },
  })
  if (initialize) await server.initialize()
  return server
}
