/**
 * The tccli request files pack writes, checked against Tencent's published request types
 * (tencentcloud-sdk-nodejs-scf's scf_models.d.ts) with tsc, since nothing here can call Tencent; and
 * deploy.sh run against a stand-in tccli that records the calls.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  type CodeLocation,
  createFunctionRequest,
  createTriggerRequest,
  updateFunctionCodeRequest,
  writeDeployFiles,
} from '../../src/cli/pack/deploy-files'
import { functionSettings, inlineZip, REPO, requestFile, typeCheck, workUnderRepo } from './sdk-requests'

const work = workUnderRepo('scf-bridge-deploy-files-')

const settings = functionSettings({ environment: { NODE_ENV: 'production', COOKIE_SECRET: "it's secret" } })
const inline = inlineZip
const cos: CodeLocation = {
  kind: 'cos',
  bucket: 'code',
  object: '/scf-bridge/my-app/function.zip',
  region: 'ap-beijing',
}

/** The JSON requests shown in docs/deploying.md, each with the request type it stands for. */
function docsRequests(): Record<string, [string, unknown]> {
  const text = readFileSync(join(REPO, 'docs', 'deploying.md'), 'utf8')
  const blocks = [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]) as Record<string, unknown>)
  const typeOf = (b: Record<string, unknown>) =>
    'Domain' in b ? 'CreateCustomDomainRequest' : 'TriggerDesc' in b ? 'CreateTriggerRequest' : 'CreateFunctionRequest'
  expect(blocks.map(typeOf).sort()).toEqual([
    'CreateCustomDomainRequest',
    'CreateFunctionRequest',
    'CreateTriggerRequest',
  ])
  return Object.fromEntries(blocks.map((b, i) => [`doc${i}`, [typeOf(b), b]]))
}

describe('request files against the SDK request types', () => {
  it('CreateFunction, UpdateFunctionCode and CreateTrigger type-check, inline and COS, and so do the docs examples', () => {
    const result = typeCheck([
      requestFile(work, 'valid', {
        createInline: ['CreateFunctionRequest', createFunctionRequest(settings, inline)],
        createCos: ['CreateFunctionRequest', createFunctionRequest(settings, cos)],
        updateInline: ['UpdateFunctionCodeRequest', updateFunctionCodeRequest(settings, inline)],
        updateCos: ['UpdateFunctionCodeRequest', updateFunctionCodeRequest(settings, cos)],
        trigger: ['CreateTriggerRequest', createTriggerRequest({ ...settings, auth: 'CAM' })],
      }),
      requestFile(work, 'docs-deploying', docsRequests()),
    ])
    expect(result.output).toBe('')
    expect(result.status).toBe(0)
  })

  it('the check fails on a wrong field name or type', () => {
    const result = typeCheck([
      requestFile(work, 'wrong-name', {
        r: ['CreateFunctionRequest', { ...createFunctionRequest(settings, inline), MemorySizeMb: 256 }],
      }),
      requestFile(work, 'wrong-type', {
        r: ['CreateFunctionRequest', { ...createFunctionRequest(settings, inline), Timeout: '30' }],
      }),
      requestFile(work, 'wrong-nested', {
        r: ['UpdateFunctionCodeRequest', { ...updateFunctionCodeRequest(settings, inline), Code: { Zipfile: 'x' } }],
      }),
      requestFile(work, 'wrong-trigger', {
        r: ['CreateTriggerRequest', { ...createTriggerRequest(settings), TriggerDesc: { AuthType: 'NONE' } }],
      }),
    ])
    expect(result.status).not.toBe(0)
    expect(result.output).toMatch(
      /wrong-name\.ts\(\d+,\d+\): error TS2353: .*MemorySizeMb.* does not exist in type 'CreateFunctionRequest'/,
    )
    expect(result.output).toMatch(
      /wrong-type\.ts\(\d+,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/,
    )
    expect(result.output).toMatch(
      /wrong-nested\.ts\(\d+,\d+\): error TS2353: .*Zipfile.* does not exist in type 'Code'/,
    )
    expect(result.output).toMatch(/wrong-trigger\.ts\(\d+,\d+\): error TS2322/)
  })

  it('the trigger is a Function URL on $DEFAULT with TriggerDesc as a JSON string', () => {
    const trigger = createTriggerRequest(settings)
    expect(trigger).toMatchObject({ Type: 'http', Qualifier: '$DEFAULT', Enable: 'OPEN' })
    expect(JSON.parse(trigger.TriggerDesc as string)).toEqual({
      AuthType: 'NONE',
      NetConfig: { EnableIntranet: false, EnableExtranet: true },
    })
  })

  it('the COS variant names the bucket without its APPID and an object path starting with /', () => {
    expect(createFunctionRequest(settings, cos)).toMatchObject({
      CodeSource: 'Cos',
      Code: { CosBucketName: 'code', CosObjectName: '/scf-bridge/my-app/function.zip', CosBucketRegion: 'ap-beijing' },
    })
  })
})

/** A stand-in tccli: logs each call and answers like tccli prints (no Response wrapper). */
function fakeTccli(dir: string, exists: boolean): string {
  const bin = join(dir, 'bin')
  mkdirSync(bin, { recursive: true })
  const log = join(dir, 'calls.log')
  const script = `#!/bin/sh
echo "$*" >> ${JSON.stringify(log)}
state=${JSON.stringify(join(dir, 'state'))}
case "$2" in
  GetFunction)
    case "$*" in *--waiter*) echo '{"Status":"Active"}'; exit 0;; esac
    if [ -f "$state.fn" ] || [ "${exists ? 1 : 0}" = 1 ]; then echo '{"Status":"Active"}'; else echo 'ResourceNotFound.Function' >&2; exit 1; fi ;;
  CreateFunction) touch "$state.fn"; echo '{"RequestId":"r1"}' ;;
  UpdateFunctionCode) echo '{"RequestId":"r2"}' ;;
  CreateTrigger) touch "$state.url"; echo '{"TriggerInfo":{}}' ;;
  ListTriggers)
    if [ -f "$state.url" ]; then
      echo '{"TotalCount":1,"Triggers":[{"Type":"http","TriggerDesc":"{\\"AuthType\\":\\"NONE\\",\\"NetConfig\\":{\\"EnableIntranet\\":false,\\"EnableExtranet\\":true,\\"ExtranetUrl\\":\\"https://1250000000-abc.ap-guangzhou.tencentscf.com\\"}}"}]}'
    else echo '{"TotalCount":0,"Triggers":[]}'; fi ;;
  *) echo "unexpected $2" >&2; exit 9 ;;
esac
`
  writeFileSync(join(bin, 'tccli'), script)
  chmodSync(join(bin, 'tccli'), 0o755)
  return bin
}

describe('deploy.sh', () => {
  const hasPython = spawnSync('python3', ['--version']).status === 0

  it.skipIf(!hasPython)('creates the function, waits for Active, adds the URL once and prints it', () => {
    const dir = join(work, 'first')
    const deployDir = join(dir, 'deploy', 'tccli')
    writeDeployFiles(deployDir, settings, inline, 'function.zip')
    expect(execFileSync('sh', ['-n', join(deployDir, 'deploy.sh')], { encoding: 'utf8' })).toBe('')
    const bin = fakeTccli(dir, false)
    const out = execFileSync(join(deployDir, 'deploy.sh'), {
      cwd: REPO,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
    })
    expect(out).toMatch(/Function URL: https:\/\/1250000000-abc\.ap-guangzhou\.tencentscf\.com\n$/)
    const calls = readFileSync(join(dir, 'calls.log'), 'utf8').trim().split('\n')
    expect(calls.map((c) => c.split(' ')[1])).toEqual([
      'GetFunction',
      'CreateFunction',
      'GetFunction',
      'ListTriggers',
      'CreateTrigger',
      'ListTriggers',
    ])
    expect(calls[1]).toBe('scf CreateFunction --region ap-guangzhou --cli-input-json file://create-function.json')
    expect(calls[2]).toMatch(/--FunctionName my-app --Namespace default --waiter \{'expr':'Status','to':'Active'\}/)
    expect(calls[4]).toBe('scf CreateTrigger --region ap-guangzhou --cli-input-json file://create-trigger.json')
  })

  it.skipIf(!hasPython)('updates the code of an existing function and keeps its URL', () => {
    const dir = join(work, 'again')
    const deployDir = join(dir, 'deploy', 'tccli')
    writeDeployFiles(deployDir, settings, inline, 'function.zip')
    const bin = fakeTccli(dir, true)
    writeFileSync(join(dir, 'state.url'), '')
    const out = execFileSync(join(deployDir, 'deploy.sh'), {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, REGION: 'ap-shanghai' },
    })
    expect(out).toMatch(/Updating the code of my-app[\s\S]*Function URL: https:/)
    const calls = readFileSync(join(dir, 'calls.log'), 'utf8').trim().split('\n')
    expect(calls.map((c) => c.split(' ')[1])).toEqual([
      'GetFunction',
      'UpdateFunctionCode',
      'GetFunction',
      'ListTriggers',
    ])
    expect(calls[1]).toBe(
      'scf UpdateFunctionCode --region ap-shanghai --cli-input-json file://update-function-code.json',
    )
  })

  it('the README lists the same commands in order, and the folder is git-ignored', () => {
    const deployDir = join(work, 'readme')
    writeDeployFiles(deployDir, settings, cos, 'function.zip', 'cos://code-1250000000/scf-bridge/my-app/function.zip')
    const readme = readFileSync(join(deployDir, 'README.md'), 'utf8')
    const order = ['coscli cp', 'CreateFunction', 'GetFunction', 'CreateTrigger', 'ListTriggers'].map((s) =>
      readme.indexOf(s),
    )
    expect(order.every((at) => at >= 0)).toBe(true)
    expect([...order].sort((a, b) => a - b)).toEqual(order)
    expect(readFileSync(join(deployDir, 'deploy.sh'), 'utf8')).toMatch(
      /coscli cp '..\/..\/function.zip' 'cos:\/\/code-1250000000\/scf-bridge\/my-app\/function.zip'/,
    )
    expect(readFileSync(join(deployDir, '.gitignore'), 'utf8')).toMatch(/^\*$/m)
  })
})
