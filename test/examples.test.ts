/**
 * The example apps a user copies must keep working: each one is driven through its SCF entry
 * (index.js, events as Tencent sends them) and through `node server.js` on a free port, with the
 * same checks. Their `require('scf-bridge')` resolves to this repository's dist/.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, realpathSync } from 'node:fs'
import { builtinModules, createRequire } from 'node:module'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ScfHandler } from '../src/types'
import { scfContext } from './fixtures/events'
import {
  assertBuilt,
  cookieHeader,
  DIST_ENTRY,
  EXAMPLES,
  type ExampleApp,
  handlerClient,
  httpClient,
  multipartFile,
  type Send,
  startProcess,
} from './fixtures/example-apps'
import { decodePng, LOGO_SIZE, logoRgba } from './fixtures/logo-png'

const requireFrom = (dir: string) => createRequire(join(dir, 'index.js'))
const loadHandler = (example: ExampleApp): ScfHandler => requireFrom(example.dir)('./index.js').main_handler

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()
const json = (text: string) => JSON.parse(text) as Record<string, unknown>
const exampleFile = (example: ExampleApp, file: string) => readFileSync(join(example.dir, file))

describe.each(EXAMPLES)('the $name example as a package', (example) => {
  it("resolves require('scf-bridge') to this repository's build", () => {
    assertBuilt()
    expect(realpathSync(requireFrom(example.dir).resolve('scf-bridge'))).toBe(realpathSync(DIST_ENTRY))
  })

  it('lists in its own package.json every package its code requires, so it deploys on its own', () => {
    const manifest = JSON.parse(exampleFile(example, 'package.json').toString('utf8')) as {
      dependencies: Record<string, string>
    }
    const required = new Set<string>()
    for (const file of readdirSync(example.dir).filter((name) => name.endsWith('.js'))) {
      const source = exampleFile(example, file).toString('utf8')
      for (const [, id] of source.matchAll(/require\(\s*'([^']+)'\s*\)/g)) {
        if (id.startsWith('.') || id.startsWith('node:') || builtinModules.includes(id)) continue
        required.add(id.startsWith('@') ? id.split('/').slice(0, 2).join('/') : id.split('/')[0])
      }
    }
    expect(required.has('scf-bridge')).toBe(true)
    expect(Object.keys(manifest.dependencies).sort()).toEqual([...required].sort())
  })

  it('exports main_handler from index.js and deploy/main.tf points SCF at it behind a Function URL', () => {
    assertBuilt()
    expect(typeof loadHandler(example)).toBe('function')
    const tf = exampleFile(example, 'deploy/main.tf').toString('utf8')
    expect(tf).toMatch(/^\s+handler\s+= "index\.main_handler"$/m)
    expect(tf).toMatch(/^\s+runtime\s+= "Nodejs18\.15"/m)
    expect(tf).toMatch(/^resource "tencentcloud_scf_trigger" "url" \{[^}]*^\s+type\s+= "http"$/ms)
  })

  it('ships the logo as a real PNG with the designed pixels', () => {
    const png = decodePng(exampleFile(example, 'public/logo.png'))
    expect([png.width, png.height]).toEqual([LOGO_SIZE, LOGO_SIZE])
    expect(Buffer.from(png.rgba).equals(Buffer.from(logoRgba()))).toBe(true)
  })
})

interface Transport {
  label: string
  start(example: ExampleApp): Promise<{ send: Send; stop(): Promise<void> }>
  /** What /api/whoami must say about where the request came from. */
  whoami: { servedBy: string; stage: string | null; requestId: string | null; ip: RegExp }
}

const handlerTransport: Transport = {
  label: 'its SCF handler',
  start: async (example) => {
    assertBuilt()
    const send = handlerClient(loadHandler(example), { context: () => scfContext({ request_id: 'inv-0001' }) })
    return { send, stop: async () => {} }
  },
  whoami: { servedBy: 'scf', stage: 'release', requestId: 'inv-0001', ip: /^20\.197\.69\.95$/ },
}

const serverTransport: Transport = {
  label: 'node server.js',
  start: async (example) => {
    assertBuilt()
    const { process: server, match } = await startProcess(['server.js'], {
      cwd: example.dir,
      env: { PORT: '0', HOST: '127.0.0.1' },
      ready: /Listening on http:\/\/127\.0\.0\.1:(\d+)/,
    })
    return { send: httpClient(Number(match[1])), stop: () => server.stop() }
  },
  whoami: { servedBy: 'server', stage: null, requestId: null, ip: /^(::ffff:)?127\.0\.0\.1$/ },
}

const CASES = EXAMPLES.flatMap((example) =>
  [handlerTransport, serverTransport].map((transport) => ({ example, transport })),
)

describe.each(CASES)('the $example.name example through $transport.label', ({ example, transport }) => {
  let send: Send
  let stop: () => Promise<void> = async () => {}

  beforeAll(async () => {
    const started = await transport.start(example)
    send = started.send
    stop = started.stop
  })
  afterAll(() => stop())

  it('serves the home page that links the CSS, the PNG and the script with relative URLs', async () => {
    const page = await send({ path: '/', headers: { accept: 'text/html', 'accept-encoding': 'gzip, deflate, br' } })
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toMatch(/^text\/html; charset=utf-8/)
    expect(page.text).toContain(`<title>scf-bridge on ${example.framework}</title>`)
    expect(page.text).toContain('<base href="./">')
    expect(page.text).toContain('<link rel="stylesheet" href="static/style.css">')
    expect(page.text).toContain('<img id="logo" src="static/logo.png"')
    expect(page.text).toContain('<script src="static/app.js" defer></script>')
  })

  it('serves the PNG byte for byte', async () => {
    const logo = await send({ path: '/static/logo.png', headers: { accept: 'image/*', 'accept-encoding': 'gzip' } })
    expect(logo.status).toBe(200)
    expect(logo.headers['content-type']).toBe('image/png')
    expect(logo.body.equals(exampleFile(example, 'public/logo.png'))).toBe(true)
    if (logo.integrated) expect(logo.integrated.isBase64Encoded).toBe(true)
  })

  it('serves the CSS file', async () => {
    const css = await send({ path: '/static/style.css' })
    expect(css.status).toBe(200)
    expect(css.headers['content-type']).toMatch(/^text\/css/)
    expect(css.body.equals(exampleFile(example, 'public/style.css'))).toBe(true)
  })

  it('gzips the script for a client that accepts gzip, and the bytes inflate to the file', async () => {
    const script = await send({ path: '/static/app.js', headers: { 'accept-encoding': 'gzip' } })
    expect(script.status).toBe(200)
    expect(script.headers['content-type']).toMatch(/^(text|application)\/javascript/)
    expect(script.headers['content-encoding']).toBe('gzip')
    expect(script.raw.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]))
    expect(script.body.equals(exampleFile(example, 'public/app.js'))).toBe(true)
    if (script.integrated) expect(script.integrated.isBase64Encoded).toBe(true)
  })

  it('sends the script uncompressed to a client that does not accept gzip', async () => {
    const script = await send({ path: '/static/app.js', headers: { 'accept-encoding': 'identity' } })
    expect(script.headers['content-encoding']).toBeUndefined()
    expect(script.raw.equals(exampleFile(example, 'public/app.js'))).toBe(true)
  })

  it('answers the JSON API, Chinese query values included', async () => {
    const hello = await send({ path: '/api/hello', query: { name: '云函数' } })
    expect(hello.status).toBe(200)
    expect(hello.headers['content-type']).toMatch(/^application\/json/)
    expect(json(hello.text)).toEqual({ hello: '云函数' })
    expect(json((await send({ path: '/api/hello' })).text)).toEqual({ hello: 'world' })

    const items = await send({ path: '/api/items' })
    expect((JSON.parse(items.text) as Array<{ name: string }>).map((item) => item.name)).toEqual([
      'Function',
      'Gateway',
      'Bridge',
    ])
    expect(json((await send({ path: '/api/items/2' })).text)).toMatchObject({ id: 2, name: 'Gateway' })
    const missing = await send({ path: '/api/items/99' })
    expect(missing.status).toBe(404)
    expect(json(missing.text)).toEqual({ error: 'no item 99' })
  })

  it('echoes a JSON body and repeated query keys', async () => {
    const payload = { text: '你好, SCF', list: [1, 2, 3], nested: { ok: true } }
    const echo = await send({
      method: 'POST',
      path: '/api/echo',
      query: { tag: ['a', 'b'], one: '1' },
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    })
    expect(echo.status).toBe(200)
    expect(json(echo.text)).toEqual({ body: payload, query: { tag: ['a', 'b'], one: '1' } })
  })

  it('tells the app where the request came from', async () => {
    const who = json((await send({ path: '/api/whoami' })).text)
    const { ip, ...rest } = transport.whoami
    expect(who).toMatchObject(rest)
    expect(String(who.ip)).toMatch(ip)
  })

  it('answers a malformed JSON body with 400 JSON', async () => {
    const bad = await send({
      method: 'POST',
      path: '/api/echo',
      headers: { 'content-type': 'application/json' },
      body: '{"text": ',
    })
    expect(bad.status).toBe(400)
    expect(bad.headers['content-type']).toMatch(/^application\/json/)
    expect(typeof json(bad.text).error).toBe('string')
  })

  it('echoes a posted form with Chinese text intact and HTML escaped', async () => {
    const text = '你好，世界！ 5 < 6 & "quoted" 😀'
    const echo = await send({ method: 'POST', path: '/echo', headers: FORM, body: form({ text }) })
    expect(echo.status).toBe(200)
    expect(echo.headers['content-type']).toMatch(/^text\/html; charset=utf-8/)
    expect(echo.text).toContain('<p id="echo" class="echo">你好，世界！ 5 &lt; 6 &amp; &quot;quoted&quot; 😀</p>')
  })

  it('signs in with two cookies that the next page reads back', async () => {
    const login = await send({ method: 'POST', path: '/login', headers: FORM, body: form({ name: '张三' }) })
    expect(login.status).toBe(200)
    expect(login.text).toContain('<strong id="welcome">张三</strong>')
    const names = login.setCookies.map((line) => line.split('=')[0])
    expect(names).toContain('session')
    expect(names).toContain('user')
    expect(login.setCookies.find((line) => line.startsWith('session='))).toMatch(/;\s*httponly/i)
    expect(login.setCookies.find((line) => line.startsWith('user='))).not.toMatch(/httponly/i)
    if (login.integrated) expect(Array.isArray(login.integrated.headers['set-cookie'])).toBe(true)

    const account = await send({ path: '/account', headers: { cookie: cookieHeader(login.setCookies) } })
    expect(account.status).toBe(200)
    expect(account.text).toContain('<dd id="session">张三</dd>')
    expect(account.text).toContain('<dd id="user">张三</dd>')
  })

  it('refuses the account page without a session or with a forged one', async () => {
    const anonymous = await send({ path: '/account' })
    expect(anonymous.status).toBe(401)
    expect(anonymous.text).toContain('Not signed in')

    const login = await send({ method: 'POST', path: '/login', headers: FORM, body: form({ name: 'alice' }) })
    const forged = cookieHeader(login.setCookies).replace(/session=([^;]*?)alice/, 'session=$1mallory')
    expect(forged).toContain('mallory')
    expect((await send({ path: '/account', headers: { cookie: forged } })).status).toBe(401)
  })

  it('refuses a sign-in without a name', async () => {
    const login = await send({ method: 'POST', path: '/login', headers: FORM, body: form({ name: '  ' }) })
    expect(login.status).toBe(400)
    expect(login.setCookies).toEqual([])
  })

  it('clears both cookies on sign-out', async () => {
    const logout = await send({ method: 'POST', path: '/logout' })
    expect(logout.status).toBe(200)
    for (const name of ['session', 'user']) {
      expect(logout.setCookies.find((line) => line.startsWith(`${name}=`))).toMatch(/expires=Thu, 01 Jan 1970/i)
    }
  })

  it('receives a binary upload byte for byte, with a UTF-8 file name', async () => {
    const content = Buffer.alloc(64 * 1024)
    for (let i = 0; i < content.length; i++) content[i] = (i * 7 + (i >> 8)) & 0xff
    const { body, contentType } = multipartFile('file', '数据.bin', 'application/octet-stream', content)
    const upload = await send({ method: 'POST', path: '/upload', headers: { 'content-type': contentType }, body })
    expect(upload.status).toBe(201)
    expect(json(upload.text)).toMatchObject({
      name: '数据.bin',
      type: 'application/octet-stream',
      size: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
    })
  })

  it('refuses a file over the 4 MB upload limit with 413 JSON', async () => {
    const { body, contentType } = multipartFile(
      'file',
      'big.bin',
      'application/octet-stream',
      Buffer.alloc(4 * 1024 * 1024 + 1, 0xab),
    )
    const upload = await send({ method: 'POST', path: '/upload', headers: { 'content-type': contentType }, body })
    expect(upload.status).toBe(413)
    expect(upload.headers['content-type']).toMatch(/^application\/json/)
    expect(json(upload.text).error).toMatch(/too large/i)
  })

  it('answers an upload without a file with 400 JSON', async () => {
    const { body, contentType } = multipartFile('other', 'x.txt', 'text/plain', Buffer.from('x'))
    const upload = await send({ method: 'POST', path: '/upload', headers: { 'content-type': contentType }, body })
    expect(upload.status).toBeGreaterThanOrEqual(400)
    expect(upload.status).toBeLessThan(500)
    expect(upload.headers['content-type']).toMatch(/^application\/json/)
  })

  it('shows a 404 page for an unknown page, with links that lead back to the root', async () => {
    const missing = await send({ path: '/no/such/page', headers: { accept: 'text/html' } })
    expect(missing.status).toBe(404)
    expect(missing.headers['content-type']).toMatch(/^text\/html/)
    expect(missing.text).toContain('<h1>Page not found</h1>')
    expect(missing.text).toContain('<base href="../../">')
    expect(missing.text).toContain('<code>/no/such/page</code>')
  })

  it('answers an unknown API route with 404 JSON', async () => {
    const missing = await send({ path: '/api/nope' })
    expect(missing.status).toBe(404)
    expect(json(missing.text).error).toMatch(/no API route GET \/api\/nope/)
  })
})

describe.each(EXAMPLES)('the $name example behind a Function URL', (example) => {
  it('serves the same app from a Function URL event', async () => {
    assertBuilt()
    const send = handlerClient(loadHandler(example), {
      dialect: 'url',
      context: () => scfContext({ request_id: 'inv-url' }),
    })
    const who = json((await send({ path: '/api/whoami' })).text)
    expect(who).toEqual({ servedBy: 'scf', ip: '203.0.113.7', stage: null, requestId: 'inv-url' })
    const logo = await send({ path: '/static/logo.png' })
    expect(logo.integrated?.isBase64Encoded).toBe(true)
    expect(logo.body.equals(exampleFile(example, 'public/logo.png'))).toBe(true)
  })
})
