'use strict'
// The whole web app, written as for any server. index.js serves it from SCF, server.js from a port.
const { createHash, randomUUID } = require('node:crypto')
const path = require('node:path')
const Koa = require('koa')
const Router = require('@koa/router')
const bodyParser = require('koa-bodyparser')
const compress = require('koa-compress')
const multer = require('multer')
const { getCurrentInvoke } = require('scf-bridge')
const serveStatic = require('./static')
const views = require('./views')

// SCF accepts events up to 6 MB, base64 included: keep uploads well below that.
const MAX_UPLOAD_BYTES = 4 * 1024 * 1024

const items = [
  { id: 1, name: 'Function', description: 'one SCF function serves the whole app' },
  { id: 2, name: 'Gateway', description: 'API Gateway or a Function URL sends each request as an event' },
  { id: 3, name: 'Bridge', description: 'scf-bridge turns the event into a request and the reply into a response' },
]

const cookieOptions = { path: '/', sameSite: 'lax', maxAge: 7 * 24 * 3600 * 1000, overwrite: true }
const uploadOne = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 },
  defParamCharset: 'utf8', // browsers send non-ASCII file names as raw UTF-8
}).single('file')

const app = new Koa()
// Signs the session cookie. Set COOKIE_SECRET in the function's environment variables.
app.keys = [process.env.COOKIE_SECRET || 'dev-only-secret-change-me']

const isApi = (ctx) => ctx.path.startsWith('/api/') || ctx.path === '/upload'

// Errors: the caller sees a plain page (or JSON), the log gets the stack.
app.use(async (ctx, next) => {
  try {
    await next()
  } catch (error) {
    const status = statusOf(error)
    ctx.status = status
    if (isApi(ctx)) ctx.body = { error: status === 500 ? 'internal error' : error.message }
    else ctx.body = views.errorPage(ctx.path)
    if (status === 500) ctx.app.emit('error', error, ctx)
  }
})
app.use(compress()) // gzip or br for compressible bodies over 1 KB, as the client accepts
app.use(serveStatic('/static', path.join(__dirname, 'public')))
app.use(bodyParser({ enableTypes: ['json', 'form'] })) // multipart is left to multer

const router = new Router()

router.get('/', (ctx) => {
  ctx.type = 'html'
  ctx.body = views.homePage(ctx.path, 'Koa')
})

router.get('/api/hello', (ctx) => {
  ctx.body = { hello: typeof ctx.query.name === 'string' && ctx.query.name ? ctx.query.name : 'world' }
})

router.get('/api/items', (ctx) => {
  ctx.body = items
})

router.get('/api/items/:id', (ctx) => {
  const item = items.find((candidate) => String(candidate.id) === ctx.params.id)
  if (!item) {
    ctx.status = 404
    ctx.body = { error: `no item ${ctx.params.id}` }
    return
  }
  ctx.body = item
})

router.post('/api/echo', (ctx) => {
  ctx.body = { body: ctx.request.body ?? null, query: ctx.query }
})

// Where the request came from: the SCF event and context when served by the bridge.
router.get('/api/whoami', (ctx) => {
  const invoke = getCurrentInvoke()
  ctx.body = {
    servedBy: invoke ? 'scf' : 'server',
    ip: ctx.ip,
    stage: invoke?.event.requestContext?.stage ?? null,
    requestId: invoke?.context.request_id ?? null,
  }
})

router.post('/echo', (ctx) => {
  ctx.type = 'html'
  ctx.body = views.echoPage(ctx.path, ctx.request.body?.text ?? '')
})

router.post('/login', (ctx) => {
  const name = String(ctx.request.body?.name ?? '')
    .trim()
    .slice(0, 40)
  if (!name) {
    ctx.status = 400
    ctx.type = 'html'
    ctx.body = views.signedOutPage(ctx.path, 'Name required', 'Type a name to sign in.')
    return
  }
  // Cookie values must be ASCII: encode the name. `signed` adds a session.sig cookie made with app.keys
  // (Koa signs every cookie once app.keys is set, so the readable `user` cookie opts out).
  ctx.cookies.set('session', encodeURIComponent(name), { ...cookieOptions, httpOnly: true, signed: true })
  ctx.cookies.set('user', encodeURIComponent(name), { ...cookieOptions, httpOnly: false, signed: false })
  // A page with a link rather than a redirect: Tencent documents Location as unsupported in integrated responses.
  ctx.type = 'html'
  ctx.body = views.signedInPage(ctx.path, name)
})

router.get('/account', (ctx) => {
  const session = decodeCookie(ctx.cookies.get('session', { signed: true }))
  if (session === undefined) {
    ctx.status = 401
    ctx.type = 'html'
    ctx.body = views.signedOutPage(ctx.path, 'Not signed in', 'Sign in on the home page first.')
    return
  }
  ctx.type = 'html'
  ctx.body = views.accountPage(ctx.path, {
    session,
    user: decodeCookie(ctx.cookies.get('user', { signed: false })) ?? '',
  })
})

router.post('/logout', (ctx) => {
  ctx.cookies.set('session', null, { path: '/', signed: true })
  ctx.cookies.set('user', null, { path: '/', signed: false })
  ctx.type = 'html'
  ctx.body = views.signedOutPage(ctx.path, 'Signed out', 'Both cookies were cleared.')
})

router.post('/upload', async (ctx) => {
  await new Promise((resolve, reject) => uploadOne(ctx.req, ctx.res, (error) => (error ? reject(error) : resolve())))
  const file = ctx.req.file
  if (!file) {
    ctx.status = 400
    ctx.body = { error: 'send a multipart form with a "file" field' }
    return
  }
  ctx.status = 201
  ctx.body = {
    id: randomUUID(),
    name: file.originalname,
    type: file.mimetype,
    size: file.size,
    sha256: createHash('sha256').update(file.buffer).digest('hex'),
  }
})

app.use(router.routes())
app.use(router.allowedMethods())

// No route matched.
app.use((ctx) => {
  ctx.status = 404
  if (ctx.path.startsWith('/api/')) {
    ctx.body = { error: `no API route ${ctx.method} ${ctx.originalUrl}` }
    return
  }
  ctx.type = 'html'
  ctx.body = views.notFoundPage(ctx.path)
})

function statusOf(error) {
  if (error instanceof multer.MulterError) return error.code === 'LIMIT_FILE_SIZE' ? 413 : 400
  return error.status >= 400 && error.status < 500 ? error.status : 500
}

function decodeCookie(value) {
  if (value === undefined) return undefined
  try {
    return decodeURIComponent(value)
  } catch {
    return undefined
  }
}

module.exports = app
