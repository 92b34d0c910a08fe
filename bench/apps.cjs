'use strict'
// The apps every adapter serves: one Express app, one Koa app, and a bare (req, res) handler.
// Each adapter gets its own instance from the same factory, so no adapter can affect another's app.
const { PNG, SMALL, COOKIES, digest } = require('./fixtures.cjs')

/** The Express app. `express` is passed in so the "direct" floor can use its own copy of the module. */
function expressApp(express = require('express')) {
  const app = express()
  app.get('/small', (req, res) => res.json({ hello: SMALL.hello, q: req.query.q }))
  app.post('/echo', express.json({ limit: '1mb' }), (req, res) => res.json(req.body))
  app.get('/image.png', (_req, res) => res.type('png').send(PNG))
  app.post('/upload', express.raw({ type: 'application/octet-stream', limit: '5mb' }), (req, res) =>
    res.json(digest(req.body)),
  )
  app.get('/cookies', (_req, res) => {
    for (let i = 0; i < COOKIES; i++) res.cookie(`c${i}`, `value-${i}`, { httpOnly: true, path: '/' })
    res.json({ ok: true })
  })
  return app
}

/** The Koa app, with @koa/router and koa-bodyparser as a Koa user would write it. */
function koaApp() {
  const Koa = require('koa')
  const Router = require('@koa/router')
  const bodyParser = require('koa-bodyparser')
  const app = new Koa()
  const router = new Router()
  router.get('/small', (ctx) => {
    ctx.body = { hello: SMALL.hello, q: ctx.query.q }
  })
  router.post('/echo', bodyParser({ jsonLimit: '1mb' }), (ctx) => {
    ctx.body = ctx.request.body
  })
  router.get('/image.png', (ctx) => {
    ctx.type = 'image/png'
    ctx.body = PNG
  })
  router.post('/upload', async (ctx) => {
    ctx.body = digest(await readBody(ctx.req))
  })
  router.get('/cookies', (ctx) => {
    for (let i = 0; i < COOKIES; i++) ctx.cookies.set(`c${i}`, `value-${i}`, { httpOnly: true, path: '/' })
    ctx.body = { ok: true }
  })
  app.use(router.routes())
  return app
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = []
    req.on('data', (chunk) => chunks.push(chunk))
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function sendJson(res, value) {
  const text = JSON.stringify(value)
  res.setHeader('content-type', 'application/json; charset=utf-8')
  res.setHeader('content-length', Buffer.byteLength(text))
  res.end(text)
}

/** The same five routes with no framework at all: the "bare" floor. */
function bareHandler(req, res) {
  const query = req.url.indexOf('?')
  const path = query < 0 ? req.url : req.url.slice(0, query)
  switch (path) {
    case '/small':
      return sendJson(res, { hello: SMALL.hello, q: new URLSearchParams(req.url.slice(query + 1)).get('q') })
    case '/echo':
      return readBody(req).then((body) => sendJson(res, JSON.parse(body.toString('utf8'))))
    case '/image.png':
      res.setHeader('content-type', 'image/png')
      res.setHeader('content-length', PNG.length)
      return res.end(PNG)
    case '/upload':
      return readBody(req).then((body) => sendJson(res, digest(body)))
    case '/cookies': {
      const cookies = []
      for (let i = 0; i < COOKIES; i++) cookies.push(`c${i}=value-${i}; Path=/; HttpOnly`)
      res.setHeader('set-cookie', cookies)
      return sendJson(res, { ok: true })
    }
    default:
      res.statusCode = 404
      res.end()
  }
}

/** A separate copy of the express module (its own request/response prototypes). */
function freshExpress() {
  const root = require.resolve('express').replace(/index\.js$/, '')
  const saved = {}
  for (const key of Object.keys(require.cache)) {
    if (key.startsWith(root)) {
      saved[key] = require.cache[key]
      delete require.cache[key]
    }
  }
  const express = require('express')
  for (const key of Object.keys(require.cache)) if (key.startsWith(root)) delete require.cache[key]
  Object.assign(require.cache, saved)
  return express
}

module.exports = { expressApp, koaApp, bareHandler, freshExpress }
