/**
 * End to end in a real browser: Debian's Chromium loads each example app served by the local
 * emulator (`scf-bridge dev`), so every byte goes browser -> emulator -> APIGW event -> bridge -> app
 * -> integrated response -> emulator -> browser. Screenshots land in test-output/browser/.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, EXAMPLES, ROOT, type RunningProcess, startProcess } from './fixtures/example-apps'
import { LOGO_SIZE, logoRgba } from './fixtures/logo-png'

// Debian's Chromium; SCF_BRIDGE_CHROMIUM points elsewhere (or at nothing, to see the skip).
const CHROMIUM = process.env.SCF_BRIDGE_CHROMIUM || '/usr/bin/chromium'
const CLI = join(ROOT, 'dist', 'cli.js')
const OUTPUT = join(ROOT, 'test-output', 'browser')
const ACCENT = 'rgb(0, 82, 217)' // the header colour in style.css: proves the stylesheet applied
const PLAIN_HTTP_HOST = 'scf-bridge.test'

// The functions passed to page.evaluate run in Chromium. tsconfig has no DOM lib, so the few DOM
// names they use are declared here, for this file only.
interface PageImage {
  naturalWidth: number
  naturalHeight: number
  decode(): Promise<void>
}
interface PageCanvas {
  width: number
  height: number
  getContext(kind: '2d'): {
    drawImage(image: PageImage, x: number, y: number): void
    getImageData(x: number, y: number, width: number, height: number): { data: ArrayLike<number> }
  } | null
}
declare const document: {
  querySelector(selector: string): object | null
  getElementById(id: string): unknown
  createElement(tag: 'canvas'): PageCanvas
}
declare function getComputedStyle(element: object): { backgroundColor: string }

const chromiumMissing = !existsSync(CHROMIUM)
// CI installs Chromium (.ci/run), so there a missing browser fails the launch instead of skipping.
const inCi = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0'
const skip = chromiumMissing && !inCi
if (skip) {
  console.warn(
    `browser.test.ts SKIPPED: ${CHROMIUM} not found. Install Debian's chromium ` +
      '(apt-get update && apt-get install -y chromium), as .ci/run does, to run the browser test.',
  )
}

let browser: Browser | undefined

beforeAll(async () => {
  if (skip) return
  assertBuilt()
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\``)
  mkdirSync(OUTPUT, { recursive: true })
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      `--host-resolver-rules=MAP ${PLAIN_HTTP_HOST} 127.0.0.1`,
    ],
  })
})

afterAll(async () => {
  await browser?.close()
})

describe.skipIf(skip).each(EXAMPLES)(
  'the $name example in Chromium through scf-bridge dev',
  (example) => {
    let cli: RunningProcess | undefined
    let context: BrowserContext
    let page: Page
    let base: string
    let plainHttpBase: string
    const pageErrors: string[] = []

    beforeAll(async () => {
      const relativeEntry = `./examples/${example.dir.split(/[\\/]/).pop()}/index.js`
      const started = await startProcess(
        [CLI, 'dev', relativeEntry, '--trigger', 'apigw', '--port', '0', '--host', '127.0.0.1'],
        {
          cwd: ROOT,
          ready: /Listening on http:\/\/127\.0\.0\.1:(\d+)/,
        },
      )
      cli = started.process
      // Under the stage path, as on API Gateway's default domain: relative links must keep it.
      base = `http://127.0.0.1:${started.match[1]}/release/`
      plainHttpBase = `http://${PLAIN_HTTP_HOST}:${started.match[1]}/release/`
      context = await browser!.newContext({ viewport: { width: 900, height: 1000 } })
      page = await context.newPage()
      page.on('pageerror', (error) => pageErrors.push(String(error)))
    })

    afterAll(async () => {
      await context?.close()
      await cli?.stop()
    })

    const headerColour = () => page.evaluate(() => getComputedStyle(document.querySelector('header')!).backgroundColor)

    /** Loads the home page and waits until its script has run; returns the script's content-encoding. */
    async function loadHome(url = base): Promise<string | undefined> {
      const scriptResponse = page.waitForResponse((response) => response.url().endsWith('/static/app.js'))
      const response = await page.goto(url)
      expect(response?.status()).toBe(200)
      const script = await scriptResponse
      expect(script.status()).toBe(200)
      await page.waitForSelector('html[data-script="ran"]', { timeout: 10_000 })
      expect(await page.textContent('#status')).toBe('JavaScript ran: this line was written by static/app.js.')
      return (await script.allHeaders())['content-encoding']
    }

    it('renders the page with its stylesheet, and the script, compressed as Chromium asked, runs', async () => {
      // Chromium offers br (and zstd): the app picks one of those; the gzip case is the next test.
      expect(['br', 'zstd', 'gzip']).toContain(await loadHome())
      expect(await page.title()).toBe(`scf-bridge on ${example.framework}`)
      // The script also fetched the JSON API.
      await page.waitForSelector('#items[data-loaded="3"]', { timeout: 10_000 })
      expect(await page.locator('#items li').allTextContents()).toEqual([
        'Function: one SCF function serves the whole app',
        'Gateway: API Gateway or a Function URL sends each request as an event',
        'Bridge: scf-bridge turns the event into a request and the reply into a response',
      ])
      expect(await headerColour()).toBe(ACCENT)
      expect(pageErrors).toEqual([])
      await page.screenshot({ path: join(OUTPUT, `${example.name}-home.png`), fullPage: true })
    })

    it('runs the script when it arrives gzip-compressed', async () => {
      // Chromium offers br and zstd only to secure origins (localhost counts as one). Through a plain
      // http:// host name, mapped to 127.0.0.1 at launch, it offers gzip and deflate, as an old client would.
      expect(await loadHome(plainHttpBase)).toBe('gzip')
      expect(pageErrors).toEqual([])
    })

    it('decodes the PNG, and its pixels match the design', async () => {
      await page.goto(base)
      const image = await page.evaluate(async () => {
        const img = document.getElementById('logo') as PageImage
        await img.decode()
        const canvas = document.createElement('canvas')
        canvas.width = img.naturalWidth
        canvas.height = img.naturalHeight
        const context2d = canvas.getContext('2d')!
        context2d.drawImage(img, 0, 0)
        const pixels = context2d.getImageData(0, 0, canvas.width, canvas.height).data
        return { width: img.naturalWidth, height: img.naturalHeight, pixels: Array.from(pixels) }
      })
      expect(image.width).toBe(LOGO_SIZE)
      expect(image.height).toBe(LOGO_SIZE)
      expect(image.pixels).toEqual(Array.from(logoRgba()))
    })

    it('posts the form and shows the echoed Chinese text intact', async () => {
      const text = '你好，世界！云函数 <b>bold?</b> & emoji 😀'
      await page.goto(base)
      await page.fill('#text', text)
      await Promise.all([page.waitForURL(`${base}echo`), page.click('#echo-form button[type="submit"]')])
      expect(await page.textContent('#echo')).toBe(text)
      expect(await page.locator('#echo b').count()).toBe(0)
      await page.screenshot({ path: join(OUTPUT, `${example.name}-echo.png`), fullPage: true })
    })

    it('signs in: two cookies are set and the next page sees both', async () => {
      await context.clearCookies()
      await page.goto(base)
      await page.fill('#name', '张三')
      await Promise.all([page.waitForURL(`${base}login`), page.click('#login-form button[type="submit"]')])
      expect(await page.textContent('#welcome')).toBe('张三')

      const cookies = await context.cookies(base)
      const session = cookies.find((cookie) => cookie.name === 'session')
      const user = cookies.find((cookie) => cookie.name === 'user')
      expect(session?.httpOnly).toBe(true)
      expect(user?.httpOnly).toBe(false)
      expect(decodeURIComponent(user!.value)).toBe('张三')

      await Promise.all([page.waitForURL(`${base}account`), page.click('#account-link')])
      expect(await page.textContent('#session')).toBe('张三')
      expect(await page.textContent('#user')).toBe('张三')
      await page.screenshot({ path: join(OUTPUT, `${example.name}-account.png`), fullPage: true })

      // The home page's script reads the readable cookie.
      await page.goto(base)
      await page.waitForSelector('html[data-script="ran"]', { timeout: 10_000 })
      expect(await page.textContent('#greeting')).toBe('Welcome back, 张三.')

      // Signing out clears both; the account page then refuses.
      await page.goto(`${base}account`)
      await Promise.all([page.waitForURL(`${base}logout`), page.click('#logout')])
      expect(
        (await context.cookies(base))
          .map((cookie) => cookie.name)
          .filter((name) => name === 'session' || name === 'user'),
      ).toEqual([])
      const refused = await page.goto(`${base}account`)
      expect(refused?.status()).toBe(401)
    })

    it('uploads a binary file from the form, byte for byte', async () => {
      const content = Buffer.alloc(40 * 1024)
      for (let i = 0; i < content.length; i++) content[i] = (i * 31 + (i >> 7)) & 0xff
      await page.goto(base)
      await page.setInputFiles('#file', { name: '数据.bin', mimeType: 'application/octet-stream', buffer: content })
      const [response] = await Promise.all([
        page.waitForResponse((candidate) => candidate.url() === `${base}upload`),
        page.click('#upload-form button[type="submit"]'),
      ])
      expect(response.status()).toBe(201)
      expect(await response.json()).toMatchObject({
        name: '数据.bin',
        type: 'application/octet-stream',
        size: content.length,
        sha256: createHash('sha256').update(content).digest('hex'),
      })
    })

    it('shows the 404 page, styled through its relative links', async () => {
      const response = await page.goto(`${base}no/such/page`)
      expect(response?.status()).toBe(404)
      expect(await page.textContent('h1')).toBe('Page not found')
      expect(await page.textContent('#missing')).toBe('There is nothing at /no/such/page.')
      expect(await headerColour()).toBe(ACCENT)
      await page.screenshot({ path: join(OUTPUT, `${example.name}-404.png`), fullPage: true })
    })
  },
  60_000,
)
