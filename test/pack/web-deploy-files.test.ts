/**
 * The Web target's tccli request files, type-checked with tsc against Tencent's published request types
 * (tencentcloud-sdk-nodejs-scf's scf_models.d.ts), as test/pack/deploy-files.test.ts does for event functions.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { CodeLocation, FunctionSettings } from '../../src/cli/pack/deploy-files'
import {
  createWebFunctionRequest,
  updateWebFunctionCodeRequest,
  writeWebDeployFiles,
} from '../../src/cli/pack/web-deploy-files'

const REPO = resolve(__dirname, '../..')
const cacheDir = join(REPO, 'node_modules', '.cache')
mkdirSync(cacheDir, { recursive: true })
const work = mkdtempSync(join(cacheDir, 'scf-bridge-web-deploy-files-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const settings: FunctionSettings = {
  name: 'my-app',
  namespace: 'default',
  region: 'ap-guangzhou',
  runtime: 'Nodejs18.15',
  handler: 'index.main_handler',
  memoryMb: 256,
  timeoutS: 60,
  environment: { NODE_ENV: 'production' },
  auth: 'NONE',
}
const inline: CodeLocation = { kind: 'inline', zip: Buffer.from('PK fake zip') }
const cos: CodeLocation = { kind: 'cos', bucket: 'code', object: '/my-app/function.zip', region: 'ap-beijing' }

function typeCheck(
  name: string,
  requests: Record<string, [string, unknown]>,
): { status: number | null; output: string } {
  const lines = [
    `import type * as Scf from 'tencentcloud-sdk-nodejs-scf/tencentcloud/services/scf/v20180416/scf_models'`,
  ]
  for (const [variable, [type, value]] of Object.entries(requests))
    lines.push(`export const ${variable}: Scf.${type} = ${JSON.stringify(value, null, 2)}`)
  const file = join(work, `${name}.ts`)
  writeFileSync(file, `${lines.join('\n')}\n`)
  const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc')
  const args = [
    '--noEmit',
    '--strict',
    '--skipLibCheck',
    '--target',
    'es2020',
    '--module',
    'commonjs',
    '--moduleResolution',
    'node',
    file,
  ]
  const result = spawnSync(process.execPath, [tsc, ...args], { encoding: 'utf8' })
  return { status: result.status, output: result.stdout + result.stderr }
}

describe('Web function requests', () => {
  it('CreateFunction (with and without WebSockets) and UpdateFunctionCode type-check against the SDK', () => {
    const result = typeCheck('web-valid', {
      plain: [
        'CreateFunctionRequest',
        createWebFunctionRequest(settings, inline, { websocketIdleTimeoutS: undefined }),
      ],
      ws: ['CreateFunctionRequest', createWebFunctionRequest(settings, cos, { websocketIdleTimeoutS: 30 })],
      update: ['UpdateFunctionCodeRequest', updateWebFunctionCodeRequest(settings, inline)],
    })
    expect(result.output).toBe('')
    expect(result.status).toBe(0)
  })

  it('the check fails on a misspelt WebSocket field', () => {
    const wrong = { ...createWebFunctionRequest(settings, inline, { websocketIdleTimeoutS: 30 }) }
    wrong.ProtocolParams = { WSParams: { IdleTimeout: 30 } }
    const result = typeCheck('web-wrong', { r: ['CreateFunctionRequest', wrong] })
    expect(result.status).not.toBe(0)
    expect(result.output).toMatch(/IdleTimeout.* does not exist in type 'WSParams'/)
  })

  it('is Type HTTP without a Handler; WebSockets add ProtocolType WS and the idle timeout', () => {
    const plain = createWebFunctionRequest(settings, inline, { websocketIdleTimeoutS: undefined })
    expect(plain).toMatchObject({ Type: 'HTTP', Runtime: 'Nodejs18.15', FunctionName: 'my-app' })
    expect(plain).not.toHaveProperty('Handler')
    expect(plain).not.toHaveProperty('ProtocolType')
    expect(createWebFunctionRequest(settings, inline, { websocketIdleTimeoutS: 45 })).toMatchObject({
      ProtocolType: 'WS',
      ProtocolParams: { WSParams: { IdleTimeOut: 45 } },
    })
    expect(updateWebFunctionCodeRequest(settings, cos)).not.toHaveProperty('Handler')
  })

  it('the written files hold the Web requests, the same Function URL trigger, and say what differs', () => {
    const dir = join(work, 'tccli')
    writeWebDeployFiles(dir, settings, inline, 'function.zip', undefined, { websocketIdleTimeoutS: 20 })
    const create = JSON.parse(readFileSync(join(dir, 'create-function.json'), 'utf8'))
    expect(create).toMatchObject({ Type: 'HTTP', ProtocolType: 'WS' })
    expect(create).not.toHaveProperty('Handler')
    expect(JSON.parse(readFileSync(join(dir, 'update-function-code.json'), 'utf8'))).not.toHaveProperty('Handler')
    expect(JSON.parse(readFileSync(join(dir, 'create-trigger.json'), 'utf8'))).toMatchObject({
      Type: 'http',
      Qualifier: '$DEFAULT',
    })
    const readme = readFileSync(join(dir, 'README.md'), 'utf8')
    expect(readme).toContain('## A Web function')
    expect(readme).toMatch(/cannot be undone after creation/)
    expect(readme).toMatch(/func_type = "HTTP"/)
  })
})
