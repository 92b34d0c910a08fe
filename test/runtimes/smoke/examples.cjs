'use strict'
// Runs one example app (examples/<name>/index.js, as deployed: its main_handler) on whatever Node runs
// this file and prints what each request returned. The examples need Express 5 / Koa 3, so Node 18+.
// Usage: node examples.cjs <example dir>
const { readFileSync } = require('node:fs')
const path = require('node:path')

const dir = path.resolve(process.argv[2])
const { main_handler } = require(path.join(dir, 'index.js'))

function event(method, pathAndQuery, extra) {
  const [p, q = ''] = pathAndQuery.split('?')
  const queryString = Object.fromEntries(new URLSearchParams(q))
  return Object.assign(
    {
      httpMethod: method,
      path: p,
      headers: { host: 'service-smoke.gz.apigw.tencentcs.com', accept: '*/*' },
      queryString,
      isBase64Encoded: false,
      requestContext: {
        serviceId: 'service-smoke',
        path: '/',
        httpMethod: 'ANY',
        requestId: 'apigw-smoke',
        sourceIp: '203.0.113.9',
        stage: 'release',
      },
    },
    extra,
  )
}

const CASES = {
  home: event('GET', '/'),
  hello: event('GET', '/api/hello?name=scf'),
  echo: event('POST', '/api/echo', {
    headers: { host: 'service-smoke.gz.apigw.tencentcs.com', 'content-type': 'application/json' },
    body: JSON.stringify({ hello: '世界' }),
  }),
  logo: event('GET', '/static/logo.png'),
  login: event('POST', '/login', {
    headers: { host: 'service-smoke.gz.apigw.tencentcs.com', 'content-type': 'application/x-www-form-urlencoded' },
    body: 'name=ada',
  }),
  missing: event('GET', '/api/items/999'),
  whoami: event('GET', '/api/whoami'),
}

;(async () => {
  const results = {}
  for (const [name, ev] of Object.entries(CASES))
    results[name] = await main_handler(ev, { request_id: `inv-${name}`, time_limit_in_ms: 3000 })
  process.stdout.write(
    JSON.stringify({
      node: process.version,
      logoBase64: readFileSync(path.join(dir, 'public', 'logo.png')).toString('base64'),
      results,
    }),
  )
})().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
