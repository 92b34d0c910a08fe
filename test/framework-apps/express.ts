import { COOKIES, inspection, REDIRECT_TO, reversed, SECRET, SECURE_COOKIE, schemeView, statusError } from './shared'

type ExpressModule = typeof import('express')

/** The shared routes on Express 4 or 5 (the module is passed in: `express` or the `express4` alias). */
export function expressApp(express: ExpressModule) {
  const app = express()
  app.delete('/items/:name', (_req, res) => void res.status(204).end())
  app.all('/items/:name', (req, res) => {
    res.set('x-echo', req.get('x-custom') ?? '')
    res.json(inspection(req.method, req.params.name, req.query as Record<string, unknown>, (name) => req.headers[name]))
  })
  app.post('/json', express.json(), (req, res) => void res.status(201).json({ received: req.body }))
  app.post('/binary', express.raw({ type: 'application/octet-stream' }), (req, res) => {
    res.type('application/octet-stream').send(reversed(req.body as Buffer))
  })
  app.get('/cookies', (req, res) => {
    res.append('Set-Cookie', COOKIES)
    res.json({ cookie: req.headers.cookie ?? null })
  })
  app.get('/redirect', (_req, res) => res.redirect(302, REDIRECT_TO))
  app.get('/scheme', (req, res) => {
    // express-session's test without trust proxy: it sets a secure cookie only when req.secure.
    if (req.secure) res.cookie(SECURE_COOKIE.name, SECURE_COOKIE.value, { secure: true, httpOnly: true })
    res.json(
      schemeView(
        req.protocol,
        req.secure,
        `${req.protocol}://${req.get('host')}${req.originalUrl}`,
        req.get('x-forwarded-proto'),
      ),
    )
  })
  app.get('/boom', () => {
    throw new Error(SECRET)
  })
  app.get('/unavailable', (_req, _res, next) => next(statusError(503)))
  return app
}
