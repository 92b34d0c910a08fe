import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'

// What an HTTP function never needs is loaded on first use: node:zlib (CLS events only) and a fatal
// TextDecoder (Node before 18.14 only). Each build runs in a fresh node that reports whether zlib had
// loaded after an HTTP request, then decodes a CLS event, which must load it and work.

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const CLS_DATA = gzipSync(JSON.stringify({ topic_id: 't', records: [{ timestamp: 1, content: 'line' }] })).toString(
  'base64',
)

const PROBE = `
const zlibLoaded = () => process.moduleLoadList.includes('NativeModule zlib')
const handler = bridge((req, res) => res.end('ok'))
const reply = await handler({ httpMethod: 'GET', path: '/', headers: { host: 'x' } }, {})
const afterHttp = zlibLoaded()
const logs = await decodeClsLogs({ clslogs: { data: ${JSON.stringify(CLS_DATA)} } })
console.log(JSON.stringify({ body: reply.body, afterHttp, afterCls: zlibLoaded(), records: logs.records }))
`

function run(kind: 'cjs' | 'esm') {
  const script =
    kind === 'cjs'
      ? `const { bridge, decodeClsLogs } = require('./dist/index.js'); (async () => {${PROBE}})()`
      : `import { bridge, decodeClsLogs } from './dist/index.mjs';${PROBE}`
  const out = execFileSync(
    process.execPath,
    [kind === 'esm' ? '--input-type=module' : '--input-type=commonjs', '-e', script],
    { cwd: ROOT, encoding: 'utf8' },
  )
  return JSON.parse(out.trim().split('\n').pop() as string)
}

describe.each(['cjs', 'esm'] as const)('node:zlib from the %s build', (kind) => {
  it('is not loaded to serve HTTP, and is loaded (and used) for a CLS event', () => {
    expect(run(kind)).toEqual({
      body: 'ok',
      afterHttp: false,
      afterCls: true,
      records: [{ timestamp: 1, content: 'line' }],
    })
  })
})
