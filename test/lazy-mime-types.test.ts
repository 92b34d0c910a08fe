import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildSync } from 'esbuild'
import { describe, expect, it } from 'vitest'

// mime-types builds its tables from mime-db when it loads: 10–35 ms of cold start on the test machine.
// The bridge decides JSON, HTML, images and the other common types without it and loads it on first use,
// with a lazy require(): plain in the CommonJS build, made with createRequire(import.meta.url) in the ES
// module build. Each build runs in a fresh node, which reports what had loaded after each response.

const ROOT = fileURLToPath(new URL('..', import.meta.url))

const PROBE = `
const loadedMime = () => Object.keys(cjsRequire.cache).filter((file) => /[\\\\/]mime-(types|db)[\\\\/]/.test(file)).length > 0
const bodies = {
  '/json': ['application/json; charset=utf-8', '{"ok":true}'],
  '/html': ['text/html; charset=utf-8', '<p>ok</p>'],
  '/png': ['image/png', Buffer.from([0x89, 0x50, 0x4e, 0x47])],
  '/octet': ['application/octet-stream', Buffer.from([0, 255])],
  '/rare': ['application/vnd.wap.wbxml', 'text by mime-db'],
  '/unknown': ['application/x-scf-bridge-unknown', 'binary by default'],
}
const handler = bridge((req, res) => {
  const [type, body] = bodies[req.url]
  res.setHeader('content-type', type)
  res.end(body)
})
const report = []
for (const path of Object.keys(bodies)) {
  const reply = await handler({ httpMethod: 'GET', path, headers: { host: 'x' }, requestContext: { sourceIp: '203.0.113.7' } }, {})
  report.push({ path, base64: reply.isBase64Encoded, mimeTypesLoaded: loadedMime() })
}
console.log(JSON.stringify(report))
`

function run(kind: 'cjs' | 'esm'): Array<{ path: string; base64: boolean; mimeTypesLoaded: boolean }> {
  const script =
    kind === 'cjs'
      ? `const cjsRequire = require; const { bridge } = require('./dist/index.js'); (async () => {${PROBE}})()`
      : `import { createRequire } from 'node:module'; import { bridge } from './dist/index.mjs'; const cjsRequire = createRequire(import.meta.url);${PROBE}`
  const out = execFileSync(
    process.execPath,
    [kind === 'esm' ? '--input-type=module' : '--input-type=commonjs', '-e', script],
    { cwd: ROOT, encoding: 'utf8' },
  )
  return JSON.parse(out.trim().split('\n').pop()!)
}

describe.each(['cjs', 'esm'] as const)('mime-types from the %s build', (kind) => {
  it('is not loaded for JSON, HTML, images or octet-stream, and is loaded (and used) for a rare type', () => {
    expect(run(kind)).toEqual([
      { path: '/json', base64: false, mimeTypesLoaded: false },
      { path: '/html', base64: false, mimeTypesLoaded: false },
      { path: '/png', base64: true, mimeTypesLoaded: false },
      { path: '/octet', base64: true, mimeTypesLoaded: false },
      // mime-db gives this type charset UTF-8: only mime-types can call it text.
      { path: '/rare', base64: false, mimeTypesLoaded: true },
      { path: '/unknown', base64: true, mimeTypesLoaded: true },
    ])
  })
})

// The lazy load is a plain require() in the CommonJS build, so an SCF function bundled into one file (esbuild,
// webpack, ncc) still carries mime-types and runs with no node_modules beside it.
describe('an app bundled from the CommonJS build', () => {
  it('carries mime-types: a rare type is still classified with no node_modules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scf-bridge-bundle-'))
    try {
      const entry = join(dir, 'app.js')
      writeFileSync(
        entry,
        `const { bridge } = require(${JSON.stringify(join(ROOT, 'dist', 'index.js'))})
exports.main_handler = bridge((req, res) => { res.setHeader('content-type', 'application/vnd.wap.wbxml'); res.end('rare') })`,
      )
      const outfile = join(dir, 'out', 'index.js')
      buildSync({
        entryPoints: [entry],
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node16',
        outfile,
        logLevel: 'silent',
      })
      const out = execFileSync(
        process.execPath,
        [
          '-e',
          `require('./index.js').main_handler({ httpMethod: 'GET', path: '/', headers: { host: 'x' }, requestContext: {} }, {})
  .then((r) => console.log(JSON.stringify(r)))`,
        ],
        { cwd: join(dir, 'out'), encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } },
      )
      expect(JSON.parse(out)).toMatchObject({ statusCode: 200, isBase64Encoded: false, body: 'rare' })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
