'use strict'
// Every adapter under test, built the same way: setup(framework) -> { prepare(workload) -> call, normalise, close }.
// Packages are required inside setup() so a cold-start child pays for exactly one adapter.
const path = require('node:path')
const { expressApp, koaApp, bareHandler, freshExpress } = require('./apps.cjs')
const { tencentEvent, awsEvent, injectOptions, tencentContext, awsContext } = require('./workloads.cjs')

// BENCH_BRIDGE_DIST points at another build (a saved copy of dist/index.js, say) for A/B comparisons.
const DIST = process.env.BENCH_BRIDGE_DIST
  ? path.resolve(process.env.BENCH_BRIDGE_DIST)
  : path.join(__dirname, '..', 'dist', 'index.js')

const appFor = (framework) => (framework === 'koa' ? koaApp() : expressApp())
const listenerFor = (framework) => {
  const app = appFor(framework)
  return framework === 'koa' ? app.callback() : app
}

/** The integrated response of the Tencent dialect (bridge, tencent-serverless-http). */
function fromIntegrated(r) {
  const cookies = r.headers?.['set-cookie'] ?? r.headers?.['Set-Cookie'] ?? []
  return {
    status: r.statusCode,
    base64: r.isBase64Encoded === true || r.isBase64Encoded === 'true',
    body: Buffer.from(r.body ?? '', r.isBase64Encoded ? 'base64' : 'utf8'),
    cookies: Array.isArray(cookies) ? cookies : [cookies],
  }
}

/** The AWS REST API (v1) proxy response. */
function fromAwsV1(r) {
  const multi = r.multiValueHeaders?.['set-cookie']
  const single = r.headers?.['set-cookie']
  const cookies = multi ?? (single === undefined ? [] : Array.isArray(single) ? single : [single])
  return {
    status: r.statusCode,
    base64: r.isBase64Encoded === true,
    body: Buffer.from(r.body ?? '', r.isBase64Encoded ? 'base64' : 'utf8'),
    cookies,
  }
}

/** A light-my-request reply, buffered (default) or streamed. */
function fromInject(r) {
  const cookies = r.headers['set-cookie'] ?? []
  return {
    status: r.statusCode,
    base64: undefined,
    body: r.rawPayload,
    cookies: Array.isArray(cookies) ? cookies : [cookies],
  }
}

function injectCall(inject, dispatch, options) {
  return () =>
    new Promise((resolve, reject) => inject(dispatch, options, (error, res) => (error ? reject(error) : resolve(res))))
}

function streamedInjectCall(inject, dispatch, options) {
  const streamed = { ...options, payloadAsStream: true }
  return () =>
    new Promise((resolve, reject) =>
      inject(dispatch, streamed, (error, res) => {
        if (error) return reject(error)
        const chunks = []
        const stream = res.stream()
        stream.on('data', (chunk) => chunks.push(chunk))
        stream.on('error', reject)
        stream.on('end', () =>
          resolve({ statusCode: res.statusCode, headers: res.headers, rawPayload: Buffer.concat(chunks) }),
        )
      }),
    )
}

const adapters = [
  {
    id: 'scf-bridge',
    name: 'scf-bridge',
    kind: 'adapter',
    event: 'Tencent APIGW',
    setup(framework) {
      const { bridge } = require(DIST)
      const handler = bridge(appFor(framework))
      return {
        prepare: (w) => {
          const event = tencentEvent(w)
          const context = tencentContext()
          return () => handler(event, context)
        },
        normalise: fromIntegrated,
      }
    },
  },
  {
    id: 'tencent-serverless-http',
    name: 'tencent-serverless-http',
    kind: 'adapter',
    event: 'Tencent APIGW',
    note: 'real http.Server on a Unix socket; binaryTypes ["image/png"]',
    setup(framework) {
      const { createServer, proxy } = require('tencent-serverless-http')
      const server = createServer(listenerFor(framework), null, ['image/png'])
      return {
        prepare: (w) => {
          const event = tencentEvent(w)
          const context = tencentContext()
          return () => proxy(server, event, context, 'PROMISE').promise
        },
        normalise: fromIntegrated,
        close: () => new Promise((resolve) => server.close(() => resolve())),
      }
    },
  },
  {
    id: 'serverless-http',
    name: 'serverless-http',
    kind: 'adapter',
    event: 'AWS REST v1 (cannot read Tencent events)',
    note: 'binary ["image/png"]',
    setup(framework) {
      const serverless = require('serverless-http')
      const handler = serverless(appFor(framework), { binary: ['image/png'] })
      return {
        prepare: (w) => {
          const event = awsEvent(w)
          const context = awsContext()
          return () => handler(event, context)
        },
        normalise: fromAwsV1,
      }
    },
  },
  {
    id: 'serverless-express',
    name: '@codegenie/serverless-express',
    kind: 'adapter',
    event: 'AWS REST v1 (cannot read Tencent events)',
    note: 'default binary settings (image/* included)',
    setup(framework) {
      const serverlessExpress = require('@codegenie/serverless-express')
      const handler = serverlessExpress({ app: appFor(framework) })
      return {
        prepare: (w) => {
          const event = awsEvent(w)
          const context = awsContext()
          return () => handler(event, context)
        },
        normalise: fromAwsV1,
      }
    },
  },
  {
    id: 'direct',
    name: 'direct (inject into app)',
    kind: 'floor',
    event: 'inject() options',
    note: 'light-my-request inject() straight into the app, default (buffered) reply',
    setup(framework) {
      const inject = require('light-my-request')
      // inject() re-parents Express's shared prototypes: give it its own copy of express so the peers are unaffected.
      const dispatch = framework === 'koa' ? koaApp().callback() : expressApp(freshExpress())
      return { prepare: (w) => injectCall(inject, dispatch, injectOptions(w)), normalise: fromInject }
    },
  },
  {
    id: 'direct-stream',
    name: 'direct, streamed reply',
    kind: 'floor',
    event: 'inject() options',
    note: 'inject() with payloadAsStream, reply bytes collected (no UTF-8 decoding)',
    setup(framework) {
      const inject = require('light-my-request')
      const dispatch = framework === 'koa' ? koaApp().callback() : expressApp(freshExpress())
      return { prepare: (w) => streamedInjectCall(inject, dispatch, injectOptions(w)), normalise: fromInject }
    },
  },
  {
    id: 'bare',
    name: 'bare (req, res) via inject',
    kind: 'floor',
    event: 'inject() options',
    note: 'no framework: the same routes by hand',
    setup() {
      const inject = require('light-my-request')
      return { prepare: (w) => injectCall(inject, bareHandler, injectOptions(w)), normalise: fromInject }
    },
  },
]

module.exports = { adapters }
