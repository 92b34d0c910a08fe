import Router from '@koa/router'
import bodyParser from 'koa-bodyparser'
import { COOKIES, inspection, REDIRECT_TO, reversed, SECRET, SECURE_COOKIE, schemeView, UNAVAILABLE } from './shared'

type KoaClass = typeof import('koa')

/** The shared routes on Koa 2 or 3 (the class is passed in: `koa` or the `koa2` alias), with @koa/router. */
export function koaApp(Koa: KoaClass) {
  const app = new Koa()
  const router = new Router()
  router.delete('/items/:name', (ctx) => {
    ctx.status = 204
  })
  router.all('/items/:name', (ctx) => {
    ctx.set('x-echo', ctx.get('x-custom'))
    ctx.body = inspection(ctx.method, ctx.params.name, ctx.query, (name) => ctx.headers[name])
  })
  router.post('/json', bodyParser(), (ctx) => {
    ctx.status = 201
    ctx.body = { received: (ctx.request as { body?: unknown }).body }
  })
  router.post('/binary', async (ctx) => {
    const chunks: Buffer[] = []
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer)
    ctx.type = 'application/octet-stream'
    ctx.body = reversed(Buffer.concat(chunks))
  })
  router.get('/cookies', (ctx) => {
    ctx.set('Set-Cookie', COOKIES)
    ctx.body = { cookie: ctx.get('cookie') || null }
  })
  router.get('/redirect', (ctx) => {
    ctx.status = 302
    ctx.redirect(REDIRECT_TO)
  })
  router.get('/scheme', (ctx) => {
    // Koa's cookies refuse (throw, so 500) a secure cookie on a request they take for plain HTTP.
    if (ctx.secure) ctx.cookies.set(SECURE_COOKIE.name, SECURE_COOKIE.value, { secure: true })
    ctx.body = schemeView(ctx.protocol, ctx.secure, ctx.href, ctx.get('x-forwarded-proto') || null)
  })
  router.get('/boom', () => {
    throw new Error(SECRET)
  })
  router.get('/unavailable', (ctx) => ctx.throw(503, UNAVAILABLE))
  app.use(router.routes())
  return app
}
