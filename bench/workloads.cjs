'use strict'
// The five workloads, the events each platform would send for them, and the checks of each answer.
const { PNG, UPLOAD, ECHO, ECHO_TEXT, SMALL, COOKIES, digest } = require('./fixtures.cjs')

const BASE_HEADERS = {
  host: 'service-bench-1250000000.gz.apigw.tencentcs.com',
  'user-agent': 'bench/1.0',
  accept: '*/*',
}

const json = (expected) => (reply) => {
  if (reply.status !== 200) return `status ${reply.status}`
  let value
  try {
    value = JSON.parse(reply.body.toString('utf8'))
  } catch {
    return 'body is not JSON'
  }
  return JSON.stringify(value) === JSON.stringify(expected) ? undefined : 'JSON body differs'
}

const workloads = [
  {
    id: 'small',
    label: 'GET small JSON',
    method: 'GET',
    path: '/small',
    query: { q: 'bench' },
    check: json(SMALL),
  },
  {
    id: 'echo',
    label: 'POST 10 KB JSON echo',
    method: 'POST',
    path: '/echo',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(ECHO_TEXT),
    base64: false,
    check: json(ECHO),
  },
  {
    id: 'png',
    label: 'GET 1 MB PNG',
    method: 'GET',
    path: '/image.png',
    check: (reply) => {
      if (reply.status !== 200) return `status ${reply.status}`
      if (reply.base64 === false) return 'binary body sent as text (isBase64Encoded false)'
      if (!reply.body.equals(PNG)) return `body bytes differ (${reply.body.length} bytes)`
    },
  },
  {
    id: 'upload',
    label: 'POST 1 MB binary (base64 in)',
    method: 'POST',
    path: '/upload',
    headers: { 'content-type': 'application/octet-stream' },
    body: UPLOAD,
    base64: true,
    check: json(digest(UPLOAD)),
  },
  {
    id: 'cookies',
    label: 'GET setting 5 cookies',
    method: 'GET',
    path: '/cookies',
    check: (reply) => {
      const problem = json({ ok: true })(reply)
      if (problem) return problem
      const names = new Set(reply.cookies.map((c) => c.split('=')[0]))
      return names.size === COOKIES ? undefined : `${names.size} of ${COOKIES} cookies arrive separately`
    },
  },
]

function headersOf(w) {
  const headers = { ...BASE_HEADERS, ...w.headers }
  if (w.body) headers['content-length'] = String(w.body.length)
  return headers
}

const search = (query) => (query ? `?${new URLSearchParams(query).toString()}` : '')

/** The Tencent API Gateway integrated-request event (also what tencent-serverless-http reads). */
function tencentEvent(w) {
  return {
    httpMethod: w.method,
    path: w.path,
    headers: { ...headersOf(w), 'x-api-requestid': 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6' },
    queryString: { ...w.query },
    queryStringParameters: {},
    pathParameters: {},
    headerParameters: {},
    stageVariables: { stage: 'release' },
    requestContext: {
      serviceId: 'service-bench',
      path: '/',
      httpMethod: 'ANY',
      requestId: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
      identity: {},
      sourceIp: '203.0.113.7',
      stage: 'release',
    },
    ...(w.body
      ? { body: w.body.toString(w.base64 ? 'base64' : 'utf8'), isBase64Encoded: w.base64 }
      : { isBase64Encoded: false }),
  }
}

/** The equivalent AWS API Gateway REST (v1) proxy event, for the peers that cannot read Tencent's. */
function awsEvent(w) {
  const headers = headersOf(w)
  const multiValueHeaders = {}
  for (const name of Object.keys(headers)) multiValueHeaders[name] = [headers[name]]
  const query = w.query ?? null
  const multiQuery = query && Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]]))
  return {
    resource: '/{proxy+}',
    path: w.path,
    httpMethod: w.method,
    headers,
    multiValueHeaders,
    queryStringParameters: query,
    multiValueQueryStringParameters: multiQuery,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      resourcePath: '/{proxy+}',
      httpMethod: w.method,
      path: `/prod${w.path}`,
      stage: 'prod',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      accountId: '123456789012',
      apiId: 'bench',
      identity: { sourceIp: '203.0.113.7' },
    },
    body: w.body ? w.body.toString(w.base64 ? 'base64' : 'utf8') : null,
    isBase64Encoded: Boolean(w.body && w.base64),
  }
}

/** The same request as light-my-request inject() options (the floors). */
function injectOptions(w) {
  return {
    method: w.method,
    url: w.path + search(w.query),
    headers: headersOf(w),
    payload: w.body,
    remoteAddress: '203.0.113.7',
  }
}

function tencentContext() {
  return {
    request_id: 'f0e1d2c3-b4a5-4697-8899-aabbccddeeff',
    function_name: 'bench',
    function_version: '$LATEST',
    namespace: 'default',
    memory_limit_in_mb: 128,
    time_limit_in_ms: 30000,
    callbackWaitsForEmptyEventLoop: true,
  }
}

function awsContext() {
  const deadline = Date.now() + 3_600_000
  return {
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    functionName: 'bench',
    functionVersion: '$LATEST',
    memoryLimitInMB: '128',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  }
}

module.exports = { workloads, tencentEvent, awsEvent, injectOptions, tencentContext, awsContext }
