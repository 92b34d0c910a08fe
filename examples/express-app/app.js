'use strict'
// The whole web app, written as for any server. index.js serves it from SCF, server.js from a port.
const { createHash, randomUUID } = require('node:crypto')
const path = require('node:path')
const express = require('express')
const compression = require('compression')
const cookieParser = require('cookie-parser')
const multer = require('multer')
const { getCurrentInvoke } = require('scf-bridge')
const views = require('./views')
const uploads = require('./uploads')

// Signs the session cookie. Set COOKIE_SECRET in the function's environment variables.
const COOKIE_SECRET = process.env.COOKIE_SECRET || 'dev-only-secret-change-me'
// SCF accepts events up to 6 MB, base64 included: keep uploads well below that.
const MAX_UPLOAD_BYTES = 4 * 1024 * 1024

const items = [
  { id: 1, name: 'Function', description: 'one SCF function serves the whole app' },
  { id: 2, name: 'Gateway', description: 'API Gateway or a Function URL sends each request as an event' },
  { id: 3, name: 'Bridge', description: 'scf-bridge turns the event into a request and the reply into a response' },
]

const cookieOptions = { path: '/', sameSite: 'lax', maxAge: 7 * 24 * 3600 * 1000 }
const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 },
  defParamCharset: 'utf8', // browsers send non-ASCII file names as raw UTF-8
})

const app = express()
app.disable('x-powered-by')
app.use(compression())
app.use(cookieParser(COOKIE_SECRET))
app.use('/static', express.static(path.join(__dirname, 'public'), { maxAge: '1h' }))

app.get('/', (req, res) => {
  res.type('html').send(views.homePage(req.path, 'Express'))
})

app.get('/api/hello', (req, res) => {
  res.json({ hello: typeof req.query.name === 'string' && req.query.name ? req.query.name : 'world' })
})

app.get('/api/items', (_req, res) => {
  res.json(items)
})

app.get('/api/items/:id', (req, res) => {
  const item = items.find((candidate) => String(candidate.id) === req.params.id)
  if (!item) return res.status(404).json({ error: `no item ${req.params.id}` })
  res.json(item)
})

app.post('/api/echo', express.json(), (req, res) => {
  res.json({ body: req.body ?? null, query: req.query })
})

// Where the request came from: the SCF event and context when served by the bridge.
app.get('/api/whoami', (req, res) => {
  const invoke = getCurrentInvoke()
  res.json({
    servedBy: invoke ? 'scf' : 'server',
    ip: req.ip,
    stage: invoke?.event.requestContext?.stage ?? null,
    requestId: invoke?.context.request_id ?? null,
  })
})

// A live clock over Server-Sent Events: one event a second, `?ticks=` of them (default 3, at most 60), then the
// stream ends. As a Web function (scf-bridge pack --target web) each event reaches the browser as it is written;
// as an event function SCF sends one reply, so they all arrive together when the stream ends (within the
// function's timeout). no-transform keeps compression() from holding events back to compress them.
app.get('/api/clock', (req, res) => {
  const ticks = Math.min(Math.max(Number.parseInt(String(req.query.ticks), 10) || 3, 1), 60)
  res.set({ 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform' })
  let sent = 0
  const tick = () => {
    res.write(`id: ${sent}\ndata: ${new Date().toISOString()}\n\n`)
    if (++sent < ticks) return
    clearInterval(timer)
    res.end()
  }
  const timer = setInterval(tick, 1000)
  res.on('close', () => clearInterval(timer))
  tick()
})

// The files in the bucket, as COS notifications reported them.
app.get('/api/uploads', (_req, res) => {
  res.json(uploads.listUploads())
})

// COS notifications, delivered by index.js (bridge's `events.cos`). Only a COS trigger's delivery has
// `trigger: 'cos'`, so the route stays closed under `node server.js` too, where no bridge guards it.
app.post('/internal/cos-uploaded', onlyFromTrigger('cos'), express.json({ limit: '1mb' }), (req, res) => {
  res.json({ recorded: uploads.recordCosEvent(req.body) })
})

app.post('/echo', express.urlencoded({ extended: false }), (req, res) => {
  res.type('html').send(views.echoPage(req.path, req.body?.text ?? ''))
})

app.post('/login', express.urlencoded({ extended: false }), (req, res) => {
  const name = String(req.body?.name ?? '')
    .trim()
    .slice(0, 40)
  if (!name) {
    return res
      .status(400)
      .type('html')
      .send(views.signedOutPage(req.path, 'Name required', 'Type a name to sign in.'))
  }
  // A real app would look the user up; the signed value proves the name came from this server.
  res.cookie('session', name, { ...cookieOptions, httpOnly: true, signed: true })
  res.cookie('user', name, cookieOptions)
  // A page with a link rather than a redirect: Tencent documents Location as unsupported in integrated responses.
  res.type('html').send(views.signedInPage(req.path, name))
})

app.get('/account', (req, res) => {
  const session = req.signedCookies.session
  if (typeof session !== 'string') {
    return res
      .status(401)
      .type('html')
      .send(views.signedOutPage(req.path, 'Not signed in', 'Sign in on the home page first.'))
  }
  res.type('html').send(views.accountPage(req.path, { session, user: req.cookies.user ?? '' }))
})

app.post('/logout', (req, res) => {
  res.clearCookie('session', { path: '/' })
  res.clearCookie('user', { path: '/' })
  res.type('html').send(views.signedOutPage(req.path, 'Signed out', 'Both cookies were cleared.'))
})

app.post('/upload', upload.single('file'), (req, res) => {
  if (!req.file) return res.status(400).json({ error: 'send a multipart form with a "file" field' })
  res.status(201).json({
    id: randomUUID(),
    name: req.file.originalname,
    type: req.file.mimetype,
    size: req.file.size,
    sha256: createHash('sha256').update(req.file.buffer).digest('hex'),
  })
})

app.use('/api', (req, res) => {
  res.status(404).json({ error: `no API route ${req.method} ${req.originalUrl}` })
})

app.use((req, res) => {
  res.status(404).type('html').send(views.notFoundPage(req.path))
})

// Four arguments mark Express's error handler. The caller sees a plain page, the log gets the stack.
app.use((error, req, res, next) => {
  if (res.headersSent) return next(error)
  const status = statusOf(error)
  if (status === 500) console.error(error)
  if (req.path.startsWith('/api/') || req.path === '/upload')
    return res.status(status).json({ error: status === 500 ? 'internal error' : error.message })
  res.status(status).type('html').send(views.errorPage(req.path))
})

function onlyFromTrigger(kind) {
  return (_req, _res, next) => next(getCurrentInvoke()?.trigger === kind ? undefined : 'route')
}

function statusOf(error) {
  if (error instanceof multer.MulterError) return error.code === 'LIMIT_FILE_SIZE' ? 413 : 400
  return error.status >= 400 && error.status < 500 ? error.status : 500
}

module.exports = app
