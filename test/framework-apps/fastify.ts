import { COOKIES, inspection, REDIRECT_TO, reversed, SECRET, SECURE_COOKIE, schemeView, statusError } from './shared'

type FastifyFactory = typeof import('fastify').default

/**
 * The shared routes on Fastify 4 or 5 (the factory is passed in: `fastify` or the `fastify4` alias):
 * a content-type parser for binary bodies and an onRequest hook, registered inside a plugin.
 * Not ready: the bridge waits for ready() itself.
 */
export function fastifyApp(fastify: FastifyFactory) {
  const app = fastify()
  app.register(async (scope) => {
    scope.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) =>
      done(null, body),
    )
    scope.addHook('onRequest', async (request, reply) => {
      reply.header('x-echo', request.headers['x-custom'] ?? '')
    })
    scope.delete('/items/:name', async (_request, reply) => reply.code(204).send())
    scope.route({
      method: ['GET', 'POST', 'PUT', 'PATCH'],
      url: '/items/:name',
      handler: async (request) => {
        const { name } = request.params as { name: string }
        return inspection(
          request.method,
          name,
          request.query as Record<string, unknown>,
          (header) => request.headers[header],
        )
      },
    })
    scope.post('/json', async (request, reply) => reply.code(201).send({ received: request.body }))
    scope.post('/binary', async (request, reply) =>
      reply.type('application/octet-stream').send(reversed(request.body as Buffer)),
    )
    scope.get('/cookies', async (request, reply) => {
      reply.header('set-cookie', COOKIES)
      return { cookie: request.headers.cookie ?? null }
    })
    scope.get('/redirect', async (_request, reply) => reply.code(302).header('location', REDIRECT_TO).send())
    scope.get('/scheme', async (request, reply) => {
      const secure = request.protocol === 'https'
      if (secure) reply.header('set-cookie', `${SECURE_COOKIE.name}=${SECURE_COOKIE.value}; Path=/; Secure`)
      return schemeView(
        request.protocol,
        secure,
        `${request.protocol}://${request.headers.host}${request.url}`,
        request.headers['x-forwarded-proto'],
      )
    })
    scope.get('/boom', async () => {
      throw new Error(SECRET)
    })
    scope.get('/unavailable', async () => {
      throw Object.assign(statusError(503), { status: undefined, statusCode: 503 })
    })
  })
  return app
}
