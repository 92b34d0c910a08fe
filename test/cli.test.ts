import { spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { HandlerLoadError, loadHandler, resolveHandler } from '../src/cli/load-handler'
import { image } from './fixtures/cli/image.js'
import { CLI, type RunningCli, startCli } from './fixtures/cli/start-cli'

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** Bytes that are not UTF-8 anywhere: every 0xff byte is invalid. */
const binaryBytes = (length: number) => {
  const bytes = randomBytes(length)
  for (let i = 0; i < bytes.length; i += 64) bytes[i] = 0xff
  return bytes
}

describe('scf-bridge dev --trigger apigw: an Express app through bridge()', () => {
  let cli: RunningCli
  beforeAll(async () => {
    cli = await startCli(['test/fixtures/cli/express-app.js', '--trigger', 'apigw', '--timeout', '5'])
  })
  afterAll(async () => {
    await cli?.stop()
  })

  it('serves JSON with the stage stripped from the path and the query as API Gateway sends it', async () => {
    const res = await fetch(`${cli.url}/release/json?a=1&a=2&flag&name=%E5%90%8D`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    const body = (await res.json()) as any
    expect(body.path).toBe('/json')
    expect(body.query).toEqual({ a: ['1', '2'], flag: '', name: '名' })
    expect(body.event).toEqual({
      path: '/json',
      queryString: { a: ['1', '2'], flag: true, name: '名' },
      stage: 'release',
    })
    expect(body.ip).toBe('127.0.0.1')
    expect(body.context.timeLimit).toBe(5000)
    expect(body.context.remaining).toBeGreaterThan(0)
    expect(body.context.remaining).toBeLessThanOrEqual(5000)
  })

  it('tells the app http by default, the scheme this server speaks', async () => {
    const res = await fetch(`${cli.url}/release/scheme`)
    expect(await res.json()).toEqual({ protocol: 'http', secure: false, host: new URL(cli.url).host })
    expect(res.headers.get('set-cookie')).toBeNull()
  })

  it('serves a path without the stage prefix unchanged', async () => {
    const body = (await (await fetch(`${cli.url}/json`)).json()) as any
    expect(body.event.path).toBe('/json')
  })

  it('posts JSON', async () => {
    const res = await fetch(`${cli.url}/release/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Ada', tags: ['x', 'y'], unicode: 'ü名' }),
    })
    expect(res.status).toBe(201)
    expect((await res.json()) as any).toEqual({ received: { name: 'Ada', tags: ['x', 'y'], unicode: 'ü名' } })
  })

  it('posts a urlencoded form', async () => {
    const res = await fetch(`${cli.url}/release/form`, {
      method: 'POST',
      body: new URLSearchParams({ a: '1 2', b: 'ü&=' }),
    })
    expect(res.status).toBe(200)
    expect((await res.json()) as any).toEqual({ form: { a: '1 2', b: 'ü&=' } })
  })

  it('uploads binary bytes intact', async () => {
    const bytes = binaryBytes(300 * 1024)
    const res = await fetch(`${cli.url}/release/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    })
    expect(res.status).toBe(200)
    expect((await res.json()) as any).toEqual({ bytes: bytes.length, sha256: sha256(bytes) })
  })

  it('downloads an image byte for byte', async () => {
    const res = await fetch(`${cli.url}/release/image.png`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('image/png')
    const bytes = Buffer.from(await res.arrayBuffer())
    expect(bytes.equals(image())).toBe(true)
    expect(res.headers.get('content-length')).toBe(String(image().length))
  })

  it('delivers every Set-Cookie', async () => {
    const res = await fetch(`${cli.url}/release/cookies`)
    expect(res.status).toBe(200)
    expect(res.headers.getSetCookie()).toEqual([
      'session=abc; Path=/; HttpOnly',
      'theme=dark; Path=/',
      'lang=zh-CN; Path=/docs',
    ])
  })

  it('answers 404 for an unknown route', async () => {
    const res = await fetch(`${cli.url}/release/nope`)
    expect(res.status).toBe(404)
    expect(await res.text()).toContain('Cannot GET /nope')
  })

  it('answers 500 without a stack when a route throws', async () => {
    const res = await fetch(`${cli.url}/release/throws`)
    expect(res.status).toBe(500)
    const text = await res.text()
    expect(text).not.toContain('route failed')
    expect(text).not.toMatch(/at .*express-app\.js/)
  })

  it('answers HEAD with the headers and no body', async () => {
    const res = await fetch(`${cli.url}/release/image.png`, { method: 'HEAD' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('image/png')
    expect((await res.arrayBuffer()).byteLength).toBe(0)
  })

  it('serves concurrent requests, each with its own event', async () => {
    const replies = await Promise.all(
      Array.from({ length: 8 }, (_, i) => fetch(`${cli.url}/release/json?n=${i}`).then((res) => res.json() as any)),
    )
    expect(replies.map((body) => body.query.n)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7'])
  })

  it('passes a redirect through with its Location', async () => {
    const res = await fetch(`${cli.url}/release/redirect`, { redirect: 'manual' })
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe('/json')
  })

  it('refuses a body over 6 MB with 413 and keeps serving', async () => {
    const res = await fetch(`${cli.url}/release/upload`, { method: 'POST', body: new Uint8Array(6 * 1024 * 1024 + 1) })
    expect(res.status).toBe(413)
    expect(((await res.json()) as any).errno).toBe(413)
    expect((await fetch(`${cli.url}/release/json`)).status).toBe(200)
  })

  it('refuses a body under 6 MB that is over 6 MB as a base64 event', async () => {
    const res = await fetch(`${cli.url}/release/upload`, { method: 'POST', body: binaryBytes(5 * 1024 * 1024) })
    expect(res.status).toBe(413)
    expect(((await res.json()) as any).error).toMatch(/once encoded as an event/)
  })

  it('prints one access-log line per request, with the path but never the query', async () => {
    const logged = () =>
      cli
        .stdout()
        .split('\n')
        .filter((line) => /^GET \/release\/json 200 \d+ms \d+B$/.test(line)).length
    await vi.waitFor(() => expect(logged()).toBeGreaterThan(0))
    const before = logged()
    await fetch(`${cli.url}/release/json?log=1&token=s3cret-value`)
    await vi.waitFor(() => expect(logged()).toBe(before + 1))
    expect(cli.stdout() + cli.stderr()).not.toContain('s3cret-value')
    expect(
      cli
        .stdout()
        .split('\n')
        .filter((line) => /^[A-Z]+ \//.test(line))
        .join('\n'),
    ).not.toContain('?')
    expect(cli.stdout()).toMatch(/^GET \/release\/image\.png 200 \d+ms 71680B$/m)
  })
})

describe('scf-bridge dev: a callback-style handler written by hand', () => {
  let cli: RunningCli
  beforeAll(async () => {
    cli = await startCli([
      'test/fixtures/cli',
      '--trigger',
      'apigw',
      '--handler',
      'raw-callback.main_handler',
      '--timeout',
      '1',
      '--stage',
      'test',
    ])
  })
  afterAll(async () => {
    await cli?.stop()
  })

  it('builds the API Gateway event and context as Tencent does', async () => {
    const res = await fetch(`${cli.url}/test/event?x=1&x=2&bare`, { headers: { 'X-Custom': 'Yes', Cookie: 'a=1' } })
    expect(res.status).toBe(200)
    const { event, context } = (await res.json()) as any
    expect(event.httpMethod).toBe('GET')
    expect(event.path).toBe('/event')
    expect(event.queryString).toEqual({ x: ['1', '2'], bare: true })
    expect(event.queryStringParameters).toEqual({})
    expect(event.pathParameters).toEqual({})
    expect(event.headerParameters).toEqual({})
    expect(event.isBase64Encoded).toBe(false)
    expect('body' in event).toBe(false)
    expect(event.headers['x-custom']).toBe('Yes')
    expect(event.headers.cookie).toBe('a=1')
    expect(Object.keys(event.headers).every((name: string) => name === name.toLowerCase())).toBe(true)
    expect(event.headers['x-api-requestid']).toMatch(/^[0-9a-f]{32}$/)
    expect(event.headers['x-api-scheme']).toBe('http')
    expect(event.headers['x-qualifier']).toBe('$DEFAULT')
    expect(event.headers.requestsource).toBe('APIGW')
    expect(event.requestContext).toEqual({
      httpMethod: 'ANY',
      identity: {},
      path: '/',
      requestId: event.headers['x-api-requestid'],
      serviceId: 'service-local',
      sourceIp: '127.0.0.1',
      stage: 'test',
    })
    expect(context.time_limit_in_ms).toBe(1000)
    expect(context.memory_limit_in_mb).toBe(256)
    expect(context.request_id).toMatch(/^[0-9a-f-]{36}$/)
    expect(context.request_id).not.toBe(event.headers['x-api-requestid'])
    expect(context.function_version).toBe('$LATEST')
    expect(context.namespace).toBe('default')
    expect(context.tencentcloud_region).toBe('ap-guangzhou')
    expect(context.remaining).toBeGreaterThan(0)
    expect(context.remaining).toBeLessThanOrEqual(1000)
  })

  it('sends a text body as a string and binary bytes base64 with isBase64Encoded', async () => {
    const text = (await (
      await fetch(`${cli.url}/test/event`, { method: 'POST', body: 'héllo', headers: { 'content-type': 'text/plain' } })
    ).json()) as any
    expect(text.event.body).toBe('héllo')
    expect(text.event.isBase64Encoded).toBe(false)
    expect(text.event.headers['content-length']).toBe('6')

    const bytes = binaryBytes(4096)
    const binary = (await (await fetch(`${cli.url}/test/event`, { method: 'PUT', body: bytes })).json()) as any
    expect(binary.event.httpMethod).toBe('PUT')
    expect(binary.event.isBase64Encoded).toBe(true)
    expect(Buffer.from(binary.event.body, 'base64').equals(bytes)).toBe(true)
  })

  it('writes status, repeated headers and every cookie of the integrated response', async () => {
    const res = await fetch(`${cli.url}/test/multi`)
    expect(res.status).toBe(201)
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/'])
    expect(res.headers.get('x-multi')).toBe('one, two')
    expect(await res.text()).toBe('made')
  })

  it('decodes a base64 body', async () => {
    const res = await fetch(`${cli.url}/test/binary`)
    expect(Buffer.from(await res.arrayBuffer()).equals(image())).toBe(true)
  })

  it('answers 502 when the handler throws, without its stack, and logs the stack', async () => {
    const res = await fetch(`${cli.url}/test/throw`)
    expect(res.status).toBe(502)
    const body = (await res.json()) as any
    expect(body.errno).toBe(502)
    expect(body.error).toContain('sync boom')
    expect(body.error).not.toContain('raw-callback.js')
    const stack = /Error: sync boom\n\s+at .*raw-callback\.js/
    expect(await cli.waitForOutput('stderr', stack)).toMatch(stack)
  })

  it('answers 502 when the handler calls back with an error', async () => {
    const res = await fetch(`${cli.url}/test/callback-error`)
    expect(res.status).toBe(502)
    expect(((await res.json()) as any).error).toContain('callback boom')
  })

  it.each([
    ['/string', /not an object \{ statusCode, headers, body \}/],
    ['/no-status', /no statusCode/],
    ['/body-object', /body must be a string/],
    ['/bad-base64', /body is not base64/],
    ['/string-flag', /isBase64Encoded must be true or false/],
    ['/big', /6 MB/],
  ])('answers 502 saying what is wrong for an invalid response (%s)', async (path, reason) => {
    const res = await fetch(`${cli.url}/test${path}`)
    expect(res.status).toBe(502)
    expect(((await res.json()) as any).error).toMatch(reason)
  })

  it('answers 504 when the handler runs past --timeout', async () => {
    const res = await fetch(`${cli.url}/test/slow`)
    expect(res.status).toBe(504)
    expect(((await res.json()) as any).error).toMatch(/did not finish within its 1 s timeout/)
  })

  it("passes the handler's own 404 through", async () => {
    const res = await fetch(`${cli.url}/test/unknown`)
    expect(res.status).toBe(404)
    expect(await res.text()).toBe('no route')
  })
})

describe('scf-bridge dev, a Function URL by default: an async ES module handler', () => {
  let cli: RunningCli
  beforeAll(async () => {
    cli = await startCli(['test/fixtures/cli/raw-async.mjs'])
  })

  it('says so when it starts, with the timeout and memory pack deploys', () => {
    expect(cli.stdout()).toMatch(/trigger Function URL, the app sees https, timeout 30 s, memory 256 MB/)
  })

  it('gives the handler the deployed timeout and memory', async () => {
    const callback = await startCli(['test/fixtures/cli/raw-callback.js'])
    try {
      const { event, context } = (await (await fetch(`${callback.url}/event`)).json()) as any
      expect(event.path).toBe('/event')
      expect(event).not.toHaveProperty('requestContext')
      expect(context.time_limit_in_ms).toBe(30_000)
      expect(context.memory_limit_in_mb).toBe(256)
    } finally {
      await callback.stop()
    }
  })
  afterAll(async () => {
    await cli?.stop()
  })

  it('builds the Function URL event: no requestContext, x-scf-remote-addr, no stage stripping', async () => {
    const { event } = (await (await fetch(`${cli.url}/release/event?k=v`)).json()) as any
    expect(event.path).toBe('/release/event')
    expect(event.queryString).toEqual({ k: 'v' })
    expect(event.headers['x-scf-remote-addr']).toBe('127.0.0.1')
    for (const removed of [
      'requestContext',
      'isBase64Encoded',
      'pathParameters',
      'queryStringParameters',
      'headerParameters',
    ]) {
      expect(event).not.toHaveProperty(removed)
    }
    expect(event.headers).not.toHaveProperty('x-api-requestid')
  })

  it('sends a return value without statusCode as a 200 JSON body', async () => {
    const res = await fetch(`${cli.url}/plain`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    const body = (await res.json()) as any
    expect(body.hello).toBe('world')
    expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('answers 502 when the async handler rejects', async () => {
    const res = await fetch(`${cli.url}/reject`)
    expect(res.status).toBe(502)
    expect(((await res.json()) as any).error).toContain('TypeError: async boom')
  })
})

describe('scf-bridge dev --https, and --trigger url (HTTPS only)', () => {
  let https: RunningCli
  let url: RunningCli
  beforeAll(async () => {
    ;[https, url] = await Promise.all([
      startCli(['test/fixtures/cli/express-app.js', '--trigger', 'apigw', '--https']),
      startCli(['test/fixtures/cli/express-app.js', '--trigger', 'url']),
    ])
  })
  afterAll(async () => {
    await Promise.all([https?.stop(), url?.stop()])
  })

  // A Function URL has no stage: its path is the URL's.
  it.each([
    ['--https', () => https, '/release/scheme'],
    ['--trigger url', () => url, '/scheme'],
  ])('%s: the app sees https and sets its secure cookie', async (_, cli, path) => {
    const res = await fetch(cli().url + path)
    expect(await res.json()).toEqual({ protocol: 'https', secure: true, host: new URL(cli().url).host })
    expect(res.headers.get('set-cookie')).toMatch(/^sid=s1;.*Secure/)
  })

  it('says so when it starts', () => {
    expect(https.stdout()).toMatch(/the app sees https/)
    expect(url.stdout()).toMatch(/the app sees https/)
  })
})

describe('scf-bridge dev --watch', () => {
  let dir: string
  let cli: RunningCli | undefined
  afterAll(async () => {
    await cli?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  const writeMessage = (text: string) =>
    writeFileSync(join(dir, 'message.js'), `module.exports = ${JSON.stringify(text)}\n`)
  const message = async () => (await fetch(`${cli!.url}/release/`)).text()
  /** Polls until the reply changes (the watcher debounces and reloads asynchronously); bounded. */
  const waitFor = async (expected: string) => {
    let last = ''
    for (let attempt = 0; attempt < 100; attempt++) {
      last = await message()
      if (last === expected) return last
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    return last
  }

  it('reloads the handler and the modules beside it when a file changes, and stops cleanly on SIGINT', async () => {
    dir = mkdtempSync(join(tmpdir(), 'scf-bridge-watch-'))
    writeMessage('v1')
    writeFileSync(
      join(dir, 'index.js'),
      `const message = require('./message')\nexports.main_handler = async () => ({ statusCode: 200, headers: {}, body: message })\n`,
    )
    cli = await startCli([dir, '--watch'])
    expect(await message()).toBe('v1')

    writeMessage('v2')
    expect(await waitFor('v2')).toBe('v2')
    expect(cli.stdout()).toMatch(/reloaded index\.main_handler/)

    writeFileSync(join(dir, 'index.js'), 'exports.main_handler = async () => { syntax error')
    const broken = await (async () => {
      for (let attempt = 0; attempt < 100; attempt++) {
        const res = await fetch(`${cli!.url}/release/`)
        if (res.status === 502) return res.json() as any
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      return undefined
    })()
    expect(broken?.error).toMatch(/could not be loaded/)

    writeFileSync(
      join(dir, 'index.js'),
      `exports.main_handler = async () => ({ statusCode: 200, headers: {}, body: 'fixed' })\n`,
    )
    expect(await waitFor('fixed')).toBe('fixed')

    expect(await cli.stop('SIGINT')).toBe(0)
    expect(cli.stdout()).toMatch(/SIGINT, stopping/)
  })
})

describe('scf-bridge command line', () => {
  const run = (...args: string[]) =>
    spawnSync(process.env.CLI_NODE || process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 15_000 })

  it('prints useful --help', () => {
    const result = run('--help')
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/^Usage: scf-bridge dev \[entry\] \[options\]/)
    for (const flag of ['--handler', '--port', '--host', '--stage', '--timeout', '--trigger', '--watch'])
      expect(result.stdout).toContain(flag)
  })

  it('prints the version', () => {
    const result = run('--version')
    expect(result.status).toBe(0)
    expect(result.stdout.trim()).toBe(require('../package.json').version)
  })

  it('rejects an unknown option with exit code 2', () => {
    const result = run('dev', 'index.js', '--prot', '80')
    expect(result.status).toBe(2)
    expect(result.stderr).toContain('unknown option --prot')
  })

  it('rejects a bad --trigger value', () => {
    const result = run('dev', '--trigger', 'http')
    expect(result.status).toBe(2)
    expect(result.stderr).toContain('--trigger must be apigw or url')
  })

  it('exits 1 with a clear message when the entry does not exist', () => {
    const result = run('dev', 'test/fixtures/cli/missing.js')
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(/missing\.js does not exist/)
  })

  it('exits 1 naming the exports when the handler export is missing', () => {
    const result = run('dev', 'test/fixtures/cli/image.js')
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(/no function export "main_handler" \(it exports image\)/)
  })

  it('stops on SIGTERM with exit code 0', async () => {
    const cli = await startCli(['test/fixtures/cli/raw-async.mjs'])
    const code = await cli.stop('SIGTERM')
    expect({ code, out: cli.stdout(), err: cli.stderr() }).toMatchObject({ code: 0 })
  })
})

describe('finding and loading the handler', () => {
  const root = join(__dirname, '..')
  const fixtures = join(__dirname, 'fixtures', 'cli')

  it("resolves a file, or SCF's file.export setting inside a folder", () => {
    expect(resolveHandler('test/fixtures/cli/express-app.js', undefined, root)).toEqual({
      file: join(fixtures, 'express-app.js'),
      exportName: 'main_handler',
      setting: 'express-app.main_handler',
    })
    expect(resolveHandler('test/fixtures/cli', 'raw-async.main_handler', root)).toMatchObject({
      file: join(fixtures, 'raw-async.mjs'),
      exportName: 'main_handler',
    })
    expect(resolveHandler(fixtures, 'raw-callback.handler2', '/')).toMatchObject({
      file: join(fixtures, 'raw-callback.js'),
      exportName: 'handler2',
    })
    expect(resolveHandler('test/fixtures/cli/raw-callback.js', 'raw-callback.other', root)).toMatchObject({
      exportName: 'other',
    })
    expect(resolveHandler('test/fixtures/cli/raw-callback.js', 'other', root)).toMatchObject({ exportName: 'other' })
  })

  it('says what is wrong with a handler it cannot find', () => {
    expect(() => resolveHandler('test/fixtures/cli', undefined, root)).toThrow(
      /no index\.js .* for handler index\.main_handler/,
    )
    expect(() => resolveHandler('test/fixtures/cli/raw-callback.js', 'index.main_handler', root)).toThrow(
      /names the file index, but the entry is/,
    )
    expect(() => resolveHandler('nope.js', undefined, root)).toThrow(/nope\.js does not exist/)
  })

  it('loads CommonJS and ES module handlers, and names the exports when the one asked for is missing', async () => {
    expect(typeof (await loadHandler(resolveHandler('test/fixtures/cli/raw-callback.js', undefined, root)))).toBe(
      'function',
    )
    expect(typeof (await loadHandler(resolveHandler('test/fixtures/cli/raw-async.mjs', undefined, root)))).toBe(
      'function',
    )
    const esm = await loadHandler(resolveHandler('test/fixtures/cli/esm-package', undefined, root))
    expect(await esm({ path: '/x' }, {}, () => {})).toMatchObject({ body: 'esm /x' })
    await expect(loadHandler(resolveHandler('test/fixtures/cli/image.js', undefined, root))).rejects.toThrow(
      HandlerLoadError,
    )
    await expect(loadHandler(resolveHandler('test/fixtures/cli/raw-async.mjs', 'nope', root))).rejects.toThrow(
      /no function export "nope" \(it exports main_handler\)/,
    )
  })
})

describe('scf-bridge usage errors', () => {
  const run = (...args: string[]) =>
    spawnSync(process.env.CLI_NODE || process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 15_000 })

  it('names the valid runtimes and shows the usage of pack only', () => {
    const result = run('pack', '--runtime', 'Nodejs20')
    expect(result.status).toBe(2)
    const [first, second, ...usage] = result.stderr.split('\n')
    expect(first).toBe(
      `scf-bridge pack: --runtime must be Nodejs16.13, Nodejs18.15, Nodejs20.19, Nodejs22.21 or Nodejs24.11, got "Nodejs20" (Tencent's ids name a minor version, e.g. Nodejs20.19, never a .x wildcard)`,
    )
    expect(second).toBe('')
    expect(usage[0]).toBe('Usage: scf-bridge pack [dir] [options]')
    expect(result.stderr).not.toContain('scf-bridge dev [entry]')
    expect(result.stderr).not.toContain('scf-bridge invoke [entry]')
    expect(result.stdout).toBe('')
  })

  it.each([
    [['dev', '--memory', '100'], 'dev', '--memory must be 64 or a multiple of 128 from 128 to 3072 (MB), got "100"'],
    [
      ['invoke', '--event', 'timer', '--timeout', '901'],
      'invoke',
      '--timeout must be a whole number of seconds from 1 to 900, got "901"',
    ],
    [['pack', '--bundel'], 'pack', 'unknown option --bundel for pack'],
    [['invoke', '--port', '3'], 'invoke', 'unknown option --port for invoke'],
    [['dev', '-x'], 'dev', 'unknown option -x for dev'],
    [['pack', '--bundle=1'], 'pack', '--bundle takes no value'],
  ])('%j: one line, then that command usage', (args, command, message) => {
    const result = run(...args)
    expect(result.status).toBe(2)
    expect(result.stderr.split('\n')[0]).toBe(`scf-bridge ${command}: ${message}`)
    expect(result.stderr.match(/^Usage: /gm)).toHaveLength(1)
    expect(result.stderr).toContain(`Usage: scf-bridge ${command} `)
  })

  it('shows one command usage for `<command> --help`', () => {
    const result = run('invoke', '--help')
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/^Usage: scf-bridge invoke /)
    expect(result.stdout.match(/^Usage: /gm)).toHaveLength(1)
    for (const flag of ['--event <kind>', '--event-file <file>', '-t, --timeout <s>', '--memory <mb>', '--handler'])
      expect(result.stdout).toContain(flag)
    expect(result.stdout).not.toContain('--port')
  })
})
