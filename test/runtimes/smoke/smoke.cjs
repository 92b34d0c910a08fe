'use strict'
// The runtime smoke suite: an Express and a Koa app served through the installed scf-bridge, on whatever
// Node runs this file. Plain JavaScript that Node 16 runs as is. It only records what each invocation
// returned; test/runtimes/matrix.test.ts asserts on the records. run.cjs loads scf-bridge with require(),
// run.mjs with import.
//
// Environment: SMOKE_DEV_PACKAGE_JSON is the repository's package.json (its node_modules holds the
// frameworks), SMOKE_EXPRESS and SMOKE_KOA name the packages to load (express4/koa2 on Node 16),
// SMOKE_HONO=1 adds a Hono app (fetch-style apps need Node 18).

const fs = require('node:fs')
const { createRequire } = require('node:module')
const path = require('node:path')

/** Bytes 0..255: every byte value a text path could damage. */
const BINARY = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
const SECRET = 'smoke-secret-detail'

/** The version of an installed package, also when its "exports" hide package.json. */
function versionOf(devRequire, name) {
  let dir = path.dirname(devRequire.resolve(name))
  for (;;) {
    const file = path.join(dir, 'package.json')
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8'))
      if (pkg.version && (pkg.name === name || dir.endsWith(`${path.sep}node_modules${path.sep}${name}`)))
        return pkg.version
    }
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error(`no package.json for ${name}`)
    dir = parent
  }
}

function loadFrameworks() {
  const devRequire = createRequire(process.env.SMOKE_DEV_PACKAGE_JSON)
  const expressName = process.env.SMOKE_EXPRESS || 'express'
  const koaName = process.env.SMOKE_KOA || 'koa'
  return {
    express: devRequire(expressName),
    expressVersion: versionOf(devRequire, expressName),
    Koa: devRequire(koaName),
    koaVersion: versionOf(devRequire, koaName),
    Hono: process.env.SMOKE_HONO === '1' ? devRequire('hono').Hono : undefined,
    honoVersion: process.env.SMOKE_HONO === '1' ? versionOf(devRequire, 'hono') : undefined,
  }
}

/** The invocation id the app sees through getCurrentInvoke(). */
let currentInvocation = () => undefined

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function expressApp(express) {
  const app = express()
  app.use(express.json())
  app.get('/json', (req, res) =>
    res.json({ name: req.query.name, tag: req.query.tag, ip: req.ip, invocation: currentInvocation() }),
  )
  app.post('/echo', (req, res) => res.json({ echo: req.body }))
  app.get('/binary', (_req, res) => res.type('application/octet-stream').send(BINARY))
  app.get('/rare', (_req, res) => res.type(RARE_TEXT_TYPE).send(Buffer.from(RARE_TEXT)))
  app.get('/cookies', (_req, res) => {
    res.cookie('a', '1')
    res.cookie('b', '2', { httpOnly: true })
    res.cookie('c', '3', { path: '/c' })
    res.json({ ok: true })
  })
  app.get('/scheme', (req, res) => {
    if (req.secure) res.cookie('sid', 's1', { secure: true })
    res.json({ protocol: req.protocol, secure: req.secure })
  })
  app.get('/boom', () => {
    throw new Error(SECRET)
  })
  app.post('/jobs/:kind', (req, res) => res.json(jobAnswer(req.scf.trigger, req.body)))
  return app
}

function koaApp(Koa) {
  const app = new Koa()
  app.silent = true // the bridge logs; Koa's own stderr dump would only repeat it
  app.use(async (ctx) => {
    if (ctx.path === '/json')
      ctx.body = { name: ctx.query.name, tag: ctx.query.tag, ip: ctx.ip, invocation: currentInvocation() }
    else if (ctx.path === '/echo' && ctx.method === 'POST')
      ctx.body = { echo: JSON.parse((await readBody(ctx.req)).toString('utf8')) }
    else if (ctx.path === '/binary') {
      ctx.type = 'application/octet-stream'
      ctx.body = BINARY
    } else if (ctx.path === '/rare') {
      ctx.type = RARE_TEXT_TYPE
      ctx.body = Buffer.from(RARE_TEXT)
    } else if (ctx.path === '/cookies') {
      ctx.cookies.set('a', '1', { httpOnly: false })
      ctx.cookies.set('b', '2')
      ctx.cookies.set('c', '3', { path: '/c', httpOnly: false })
      ctx.body = { ok: true }
    } else if (ctx.path === '/scheme') {
      ctx.cookies.set('sid', 's1', { secure: true })
      ctx.body = { protocol: ctx.protocol, secure: ctx.secure }
    } else if (ctx.path === '/boom') throw new Error(SECRET)
    else if (ctx.path.startsWith('/jobs/'))
      ctx.body = jobAnswer(ctx.req.scf.trigger, JSON.parse((await readBody(ctx.req)).toString('utf8')))
  })
  return app
}

function honoApp(Hono, getCurrentInvoke) {
  const app = new Hono()
  app.get('/json', (c) =>
    c.json({
      name: c.req.query('name'),
      tag: c.req.queries('tag'),
      ip: getCurrentInvoke().event.requestContext.sourceIp,
      invocation: currentInvocation(),
    }),
  )
  app.post('/echo', async (c) => c.json({ echo: await c.req.json() }))
  app.get('/binary', (c) => c.body(BINARY, 200, { 'content-type': 'application/octet-stream' }))
  app.get('/rare', (c) => c.body(RARE_TEXT, 200, { 'content-type': RARE_TEXT_TYPE }))
  app.get('/cookies', (c) => {
    c.header('set-cookie', 'a=1; Path=/', { append: true })
    c.header('set-cookie', 'b=2; Path=/; HttpOnly', { append: true })
    c.header('set-cookie', 'c=3; Path=/c', { append: true })
    return c.json({ ok: true })
  })
  app.get('/scheme', (c) => {
    const protocol = new URL(c.req.url).protocol.slice(0, -1)
    c.header('set-cookie', 'sid=s1; Path=/; Secure')
    return c.json({ protocol, secure: protocol === 'https' })
  })
  app.get('/boom', () => {
    throw new Error(SECRET)
  })
  app.post('/jobs/:kind', async (c) => c.json(jobAnswer(c.env.trigger, await c.req.json())))
  return app
}

// ---- other triggers (the events option) ----------------------------------------

/** What a job path answers: which trigger sent it, and what it read from the body. */
function jobAnswer(trigger, body) {
  if (trigger === 'cls') return { trigger, lines: body.records.map((record) => record.content) }
  return { trigger, keys: body.Records.map((record) => record.cos.cosObject.key) }
}

function eventsOption(getCurrentInvoke) {
  return {
    timer: async (event, context) => ({
      trigger: getCurrentInvoke().trigger,
      name: event.TriggerName,
      invocation: context.request_id,
    }),
    cos: '/jobs/cos',
    cls: '/jobs/cls',
  }
}

const TRIGGER_CASES = {
  timer: () => ({ Type: 'Timer', TriggerName: 'nightly', Time: '2026-01-01T03:00:00Z', Message: '' }),
  cos: () => ({
    Records: [
      {
        cos: {
          cosSchemaVersion: '1.0',
          cosObject: {
            url: 'http://b-1250000000.cos.ap-guangzhou.myqcloud.com/a.png',
            meta: { 'Content-Type': 'image/png' },
            vid: '',
            key: '/1250000000/b/a.png',
            size: 3,
          },
          cosBucket: { region: 'gz', name: 'b', appid: '1250000000' },
          cosNotificationId: 'unkown',
        },
        event: {
          eventName: 'cos:ObjectCreated:Put',
          eventVersion: '1.0',
          eventTime: 1767236400,
          eventSource: 'qcs::cos',
        },
      },
    ],
  }),
  cls: () => ({
    clslogs: {
      data: require('node:zlib')
        .gzipSync(
          JSON.stringify({ topic_id: 't', topic_name: 'n', records: [{ timestamp: '1', content: 'GET / 200' }] }),
        )
        .toString('base64'),
    },
  }),
}

function apigwEvent(method, path, extra) {
  return Object.assign(
    {
      httpMethod: method,
      path,
      headers: { host: 'service-smoke.gz.apigw.tencentcs.com', accept: '*/*' },
      queryString: {},
      isBase64Encoded: false,
      requestContext: {
        serviceId: 'service-smoke',
        path: '/',
        httpMethod: 'ANY',
        requestId: 'apigw-smoke',
        sourceIp: '203.0.113.7',
        stage: 'release',
      },
    },
    extra,
  )
}

// A type only mime-types' database calls textual: the bridge loads mime-types lazily for it (a require()
// made with createRequire in the ES module build), which must work from both builds on every runtime.
const RARE_TEXT_TYPE = 'application/vnd.wap.wbxml'
const RARE_TEXT = 'decided by mime-types'

const CASES = {
  json: () => apigwEvent('GET', '/json', { queryString: { name: 'scf', tag: ['a', 'b'] } }),
  echo: () =>
    apigwEvent('POST', '/echo', {
      headers: { host: 'service-smoke.gz.apigw.tencentcs.com', 'content-type': 'application/json' },
      body: JSON.stringify({ hello: '世界', n: 1 }),
    }),
  binary: () => apigwEvent('GET', '/binary'),
  rare: () => apigwEvent('GET', '/rare'),
  cookies: () => apigwEvent('GET', '/cookies'),
  boom: () => apigwEvent('GET', '/boom'),
  // The client used HTTPS: an encrypted socket on every Node, so secure cookies are set.
  scheme: () =>
    apigwEvent('GET', '/scheme', {
      headers: { host: 'service-smoke.gz.apigw.tencentcs.com', 'x-api-scheme': 'https' },
    }),
}

/** Runs every case against one handler; the testing helpers too when the package exports them. */
async function runApp(handler, testing) {
  const results = {}
  for (const name of Object.keys(CASES)) {
    results[name] = await handler(CASES[name](), {
      request_id: `inv-${name}`,
      memory_limit_in_mb: 128,
      time_limit_in_ms: 3000,
    })
  }
  results.triggers = {}
  for (const name of Object.keys(TRIGGER_CASES)) {
    results.triggers[name] = await handler(TRIGGER_CASES[name](), { request_id: `inv-${name}`, time_limit_in_ms: 3000 })
  }
  if (testing) {
    const event = testing.createApigwEvent({
      method: 'GET',
      path: '/json',
      query: { name: 'builder', tag: ['x', 'y'] },
    })
    results.builtEvent = await handler(event, testing.createScfContext())
    const res = await testing.invoke(handler, { method: 'POST', path: '/echo', body: { via: 'invoke' } })
    results.invoked = { status: res.status, json: await res.json() }
  }
  return results
}

/**
 * Serves the apps through `bridge` and prints one JSON record on stdout.
 * @param {{ bridge: Function, getCurrentInvoke: Function, testing?: object, loader: string }} scf
 */
async function main(scf) {
  const fw = loadFrameworks()
  currentInvocation = () => {
    const invocation = scf.getCurrentInvoke()
    return invocation ? invocation.context.request_id : null
  }
  const record = {
    node: process.version,
    loader: scf.loader,
    testing: Boolean(scf.testing),
    express: fw.expressVersion,
    koa: fw.koaVersion,
    hono: fw.honoVersion,
    binaryBase64: BINARY.toString('base64'),
    secret: SECRET,
    apps: {
      express: await runApp(
        scf.bridge(expressApp(fw.express), { events: eventsOption(scf.getCurrentInvoke) }),
        scf.testing,
      ),
      koa: await runApp(scf.bridge(koaApp(fw.Koa), { events: eventsOption(scf.getCurrentInvoke) }), scf.testing),
    },
  }
  if (fw.Hono) {
    const app = honoApp(fw.Hono, scf.getCurrentInvoke)
    record.apps.hono = await runApp(scf.bridge(app, { events: eventsOption(scf.getCurrentInvoke) }), scf.testing)
  }
  process.stdout.write(JSON.stringify(record))
}

module.exports = { main }
