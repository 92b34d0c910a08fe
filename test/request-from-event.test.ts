import { describe, expect, it } from 'vitest'
import { bridge } from '../src/bridge'
import { EventError } from '../src/errors'
import { DEFAULT_HOST, hostOption, normaliseBasePath, requestFromEvent } from '../src/request-from-event'
import { capturedGet, documentedPost, documentedPostVerbatim, functionUrlGet, httpEvent } from './fixtures/events'

describe('requestFromEvent: the captured and documented events', () => {
  it('maps the real captured GET', () => {
    const r = requestFromEvent(capturedGet())
    expect(r.method).toBe('GET')
    expect(r.url).toBe('/')
    expect(r.body).toBeUndefined()
    expect(r.remoteAddress).toBe('20.197.69.95')
    // Read as an API Gateway event: the caller's address is the gateway's, never a header the client sent.
    const forged = capturedGet()
    forged.headers['x-scf-remote-addr'] = '198.51.100.9'
    expect(requestFromEvent(forged).remoteAddress).toBe('20.197.69.95')
    expect(r.gatewayRequestId).toBe('dd07d1c3558237a8881322d5f8109e5e')
    expect(r.headers.host).toBe('service-bylee882-xxxxxxxxxx.gz.apigw.tencentcs.com')
    expect(r.headers['x-forwarded-for']).toBe('20.197.69.95')
    expect(r.headers['x-forwarded-proto']).toBe('http')
    expect(r.headers['content-length']).toBeUndefined()
  })

  it('maps the documented POST: method from httpMethod (not ANY), string "true" flag, real content-length', () => {
    const r = requestFromEvent(documentedPost())
    expect(r.method).toBe('POST')
    expect(r.url).toBe('/scf/mypath?a=1&b=2')
    expect(r.body?.toString()).toBe('{key:value}')
    expect(r.headers['content-length']).toBe('11')
    expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(r.gatewayRequestId).toBe('12345678906f******7cd8db0fe843dc')
  })

  it('rejects the documented POST verbatim: its body is not base64 although the flag says so', () => {
    expect(() => requestFromEvent(documentedPostVerbatim())).toThrow(/event\.body is not valid base64/)
  })

  it('maps a Function URL event: address from x-scf-remote-addr', () => {
    const r = requestFromEvent(functionUrlGet())
    // Read as a Function URL event: without x-scf-remote-addr the caller is unknown.
    const anonymous = functionUrlGet()
    delete anonymous.headers['x-scf-remote-addr']
    expect(requestFromEvent(anonymous).remoteAddress).toBeUndefined()
    expect(r.remoteAddress).toBe('203.0.113.7')
    expect(r.headers['x-forwarded-for']).toBe('203.0.113.7')
    expect(r.body).toBeUndefined()
    expect(r.headers['content-length']).toBeUndefined()
  })
})

describe('requestFromEvent: URL', () => {
  it.each([
    ['/plain', '/plain'],
    ['/with space/x', '/with%20space/x'],
    ['/中文/路径', '/%E4%B8%AD%E6%96%87/%E8%B7%AF%E5%BE%84'],
    ['/a?b#c', '/a%3Fb%23c'],
    ['/already%20encoded', '/already%20encoded'],
    ['/100%', '/100%25'],
    ["/sub-delims/!$&'()*+,;=:@", "/sub-delims/!$&'()*+,;=:@"],
    ['no-leading-slash', '/no-leading-slash'],
    ['', '/'],
  ])('path %j -> %j', (path, url) => {
    expect(requestFromEvent(httpEvent({ path })).url).toBe(url)
  })

  it('rebuilds the query: repeated keys, bare keys, reserved characters, unicode', () => {
    const r = requestFromEvent(
      httpEvent({
        query: { a: ['1', '2'], flag: true, 'k y': 'v&w=x', 名: '值', empty: '' },
      }),
    )
    expect(r.url).toBe('/?a=1&a=2&flag&k%20y=v%26w%3Dx&%E5%90%8D=%E5%80%BC&empty=')
    const parsed = new URL(r.url, 'http://h').searchParams
    expect(parsed.getAll('a')).toEqual(['1', '2'])
    expect(parsed.get('flag')).toBe('')
    expect(parsed.get('k y')).toBe('v&w=x')
    expect(parsed.get('名')).toBe('值')
  })

  it('uses queryStringParameters only when queryString is absent', () => {
    const event = { ...httpEvent({ path: '/p' }), queryString: undefined, queryStringParameters: { only: 'declared' } }
    expect(requestFromEvent(event).url).toBe('/p?only=declared')
    const both = { ...httpEvent({ path: '/p', query: { real: '1' } }), queryStringParameters: { declared: 'x' } }
    expect(requestFromEvent(both).url).toBe('/p?real=1')
  })

  it('strips basePath only at a segment boundary', () => {
    const base = normaliseBasePath('api/')
    expect(base).toBe('/api')
    expect(requestFromEvent(httpEvent({ path: '/api/users' }), { basePath: base }).url).toBe('/users')
    expect(requestFromEvent(httpEvent({ path: '/api' }), { basePath: base }).url).toBe('/')
    expect(requestFromEvent(httpEvent({ path: '/apiary' }), { basePath: base }).url).toBe('/apiary')
    expect(requestFromEvent(httpEvent({ path: '/other' }), { basePath: base }).url).toBe('/other')
  })
})

describe('requestFromEvent: headers, body, address', () => {
  it('lowercases names, sets content-length to the real byte length, drops transfer-encoding', () => {
    const r = requestFromEvent(
      httpEvent({
        method: 'POST',
        headers: {
          'Content-Type': 'text/plain',
          'Content-Length': '1',
          'Transfer-Encoding': 'chunked',
          'X-Custom': 'v',
        },
        body: '中文 body',
      }),
    )
    expect(r.headers['content-type']).toBe('text/plain')
    expect(r.headers['x-custom']).toBe('v')
    expect(r.headers['content-length']).toBe(String(Buffer.byteLength('中文 body')))
    expect(r.headers['transfer-encoding']).toBeUndefined()
    expect(r.body?.toString('utf8')).toBe('中文 body')
  })

  it.each([true, 'true', 'TRUE'])('decodes a base64 body when isBase64Encoded is %j', (flag) => {
    const bytes = Buffer.from([0, 1, 2, 253, 254, 255])
    const event = { ...httpEvent({ method: 'POST', body: bytes.toString('base64') }), isBase64Encoded: flag }
    expect(requestFromEvent(event as never).body).toEqual(bytes)
  })

  it.each([false, 'false', undefined])('keeps a string body as UTF-8 when isBase64Encoded is %j', (flag) => {
    const event = { ...httpEvent({ method: 'POST', body: 'aGVsbG8=' }), isBase64Encoded: flag }
    expect(requestFromEvent(event as never).body?.toString()).toBe('aGVsbG8=')
  })

  it('turns an object body into its JSON text', () => {
    const event = { ...httpEvent({ method: 'POST' }), body: { a: 1 } }
    expect(requestFromEvent(event as never).body?.toString()).toBe('{"a":1}')
  })

  it('appends the caller to x-forwarded-for and keeps the client value; x-forwarded-proto from x-api-scheme', () => {
    const r = requestFromEvent(httpEvent({ headers: { 'x-forwarded-for': '10.0.0.1' } }))
    expect(r.headers['x-forwarded-for']).toBe('10.0.0.1, 20.197.69.95')
    expect(r.headers['x-forwarded-proto']).toBe('https')
    expect(r.remoteAddress).toBe('20.197.69.95')
  })

  it('ignores a client-sent x-scf-remote-addr on an API Gateway event', () => {
    const r = requestFromEvent(httpEvent({ headers: { 'x-scf-remote-addr': '6.6.6.6' } }))
    expect(r.remoteAddress).toBe('20.197.69.95')
  })

  it('drops header values with CR, LF or NUL and names that are not tokens', () => {
    const r = requestFromEvent(
      httpEvent({ headers: { 'x-ok': 'fine', 'x-bad': 'a\r\nSet-Cookie: evil=1', 'x-nul': 'a\0b', 'bad name': 'v' } }),
    )
    expect(r.headers['x-ok']).toBe('fine')
    expect(r.headers['x-bad']).toBeUndefined()
    expect(r.headers['x-nul']).toBeUndefined()
    expect(r.headers['bad name']).toBeUndefined()
  })
})

describe('requestFromEvent: bad events', () => {
  it.each([
    [null, /got null/],
    ['GET /', /got the string/],
    [[], /got an array/],
    [{}, /event\.httpMethod is missing.*not an HTTP event/],
    [{ httpMethod: 'GET' }, /event\.headers is missing/],
    [{ Type: 'Timer', TriggerName: 't', Time: '2026-01-01T00:00:00Z', Message: '' }, /timer trigger/],
    [{ Records: [{ cos: { cosBucket: {} } }] }, /COS trigger/],
    [{ httpMethod: 'GET', headers: 'x' }, /event\.headers must be an object/],
    [{ httpMethod: 'GE T', headers: {} }, /event\.httpMethod .* is not an HTTP method/],
    [{ httpMethod: 'GET', headers: {}, path: 5 }, /event\.path must be a string/],
    [
      { httpMethod: 'POST', headers: {}, path: '/', body: '***', isBase64Encoded: true },
      /event\.body is not valid base64/,
    ],
  ])('rejects %j', (event, message) => {
    expect(() => requestFromEvent(event)).toThrow(EventError)
    expect(() => requestFromEvent(event)).toThrow(message)
  })
})

describe('requestFromEvent: scheme, host and dialect', () => {
  /** A Function URL event as Tencent delivered them in 2025 (shared/real-events): requestContext holds only sourceIp. */
  const functionUrl2025 = (headers: Record<string, string> = {}) => ({
    body: '',
    headers: {
      accept: '*/*',
      'user-agent': 'curl/8.4.0',
      'x-scf-request-id': 'c3b3a3e4-b67f-11f0-9795-525400d4c756',
      ...headers,
    },
    httpMethod: 'GET',
    path: '/tango',
    queryString: {},
    headerParameters: {},
    isBase64Encoded: false,
    pathParameters: {},
    queryStringParameters: {},
    requestContext: { sourceIp: '36.159.237.104' },
  })

  it.each([
    ['https', true],
    ['http', false],
    ['HTTP', false],
    [undefined, true],
    ['wss', true],
  ])('API Gateway with x-api-scheme %s: secure %s, x-forwarded-proto to match', (scheme, secure) => {
    const event = httpEvent({ headers: { 'x-forwarded-proto': 'spoofed' } }) as {
      headers: Record<string, string | undefined>
    }
    event.headers['x-api-scheme'] = scheme
    const r = requestFromEvent(event)
    expect(r.secure).toBe(secure)
    expect(r.headers['x-forwarded-proto']).toBe(secure ? 'https' : 'http')
  })

  it('reads a real 2025 Function URL event as a Function URL: https, address from requestContext.sourceIp', () => {
    const r = requestFromEvent(functionUrl2025({ 'x-api-scheme': 'http', 'x-scf-remote-addr': '6.6.6.6' }))
    // Read as a Function URL: https whatever x-api-scheme says (an API Gateway event would be http here).
    expect(r.secure).toBe(true)
    expect(r.headers['x-forwarded-proto']).toBe('https')
    expect(r.remoteAddress).toBe('36.159.237.104')
    expect(r.gatewayRequestId).toBe('c3b3a3e4-b67f-11f0-9795-525400d4c756')
  })

  it('takes x-scf-remote-addr for a Function URL event only without requestContext.sourceIp (the documented shape)', () => {
    expect(requestFromEvent(functionUrlGet()).remoteAddress).toBe('203.0.113.7')
    const noContextIp = { ...functionUrl2025({ 'x-scf-remote-addr': '203.0.113.8' }), requestContext: {} }
    expect(requestFromEvent(noContextIp).remoteAddress).toBe('203.0.113.8')
  })

  it('tells API Gateway by requestContext.serviceId or stage', () => {
    // Observable through the scheme: API Gateway's x-api-scheme counts, a Function URL is always https.
    const event = httpEvent() as { requestContext: Record<string, unknown>; headers: Record<string, string> }
    event.headers['x-api-scheme'] = 'http'
    delete event.requestContext.serviceId
    expect(requestFromEvent(event).secure).toBe(false)
    delete event.requestContext.stage
    expect(requestFromEvent(event).secure).toBe(true)
  })

  it('keeps the event Host; without one (or with one that makes no URL) uses the host option, else scf-bridge.invalid', () => {
    expect(requestFromEvent(httpEvent(), { host: 'api.example.com' }).headers.host).toBe(
      'service-x-1250000000.gz.apigw.tencentcs.com',
    )
    expect(requestFromEvent(functionUrl2025()).headers.host).toBe(DEFAULT_HOST)
    expect(DEFAULT_HOST).toBe('scf-bridge.invalid')
    expect(requestFromEvent(functionUrl2025(), { host: 'api.example.com' }).headers.host).toBe('api.example.com')
    for (const bad of ['evil.example/path@x', 'a%b', 'example.com:99999', '']) {
      expect(requestFromEvent(functionUrl2025({ host: bad }), { host: 'api.example.com:8443' }).headers.host).toBe(
        'api.example.com:8443',
      )
    }
  })

  it.each([
    'api.example.com',
    'API.Example.com',
    'api.example.com:8443',
    '1250000000-abcd.ap-guangzhou.tencentscf.com',
    '203.0.113.7',
    '[2001:db8::1]:443',
  ])('accepts the host option %j', (host) => {
    expect(hostOption(host)).toBe(host)
  })

  it.each([
    ['https://api.example.com', /without a scheme/],
    ['api.example.com/app', /without a path/],
    ['api.example.com:0', /port from 1 to 65535/],
    ['api.example.com:70000', /port from 1 to 65535/],
    ['api example.com', /host name with an optional port/],
    ['-api.example.com', /host name with an optional port/],
    ['', /host name with an optional port/],
    [42, /a string/],
  ])('refuses the host option %j with a TypeError', (host, message) => {
    expect(() => hostOption(host)).toThrow(TypeError)
    expect(() => hostOption(host)).toThrow(message)
  })

  it('bridge() checks the host option when it is called', () => {
    expect(() => bridge(() => undefined, { host: 'https://api.example.com' })).toThrow(
      /scf-bridge: host must be a host name without a scheme/,
    )
  })
})
