/**
 * The Web target's tccli request files, type-checked with tsc against Tencent's published request types
 * (tencentcloud-sdk-nodejs-scf's scf_models.d.ts), as test/pack/deploy-files.test.ts does for event functions.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { CodeLocation } from '../../src/cli/pack/deploy-files'
import {
  createWebFunctionRequest,
  updateWebFunctionCodeRequest,
  writeWebDeployFiles,
} from '../../src/cli/pack/web-deploy-files'
import { functionSettings, inlineZip, requestFile, typeCheck, workUnderRepo } from './sdk-requests'

const work = workUnderRepo('scf-bridge-web-deploy-files-')

const settings = functionSettings({ timeoutS: 60 })
const inline = inlineZip
const cos: CodeLocation = { kind: 'cos', bucket: 'code', object: '/my-app/function.zip', region: 'ap-beijing' }

/** The requests in one file, type-checked against the SDK. */
function typeCheckRequests(name: string, requests: Record<string, [string, unknown]>) {
  return typeCheck([requestFile(work, name, requests)])
}

describe('Web function requests', () => {
  it('CreateFunction (with and without WebSockets) and UpdateFunctionCode type-check against the SDK', () => {
    const result = typeCheckRequests('web-valid', {
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
    const result = typeCheckRequests('web-wrong', { r: ['CreateFunctionRequest', wrong] })
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
