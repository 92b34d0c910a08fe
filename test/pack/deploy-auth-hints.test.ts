/**
 * deploy.sh when tccli answers with an authorisation error: tccli's own answer, then the likely cause
 * (docs/deploying.md, "What the deploying key needs"), and a failing exit code.
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { writeDeployFiles } from '../../src/cli/pack/deploy-files'
import { functionSettings, inlineZip } from './sdk-requests'

const work = mkdtempSync(join(tmpdir(), 'scf-bridge-deploy-auth-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const settings = functionSettings()
const inline = inlineZip

/** deploy.sh against a tccli whose CreateFunction fails with `answer` (tccli prints SDK errors this way). */
function deployWith(name: string, answer: string) {
  const dir = join(work, name)
  const bin = join(dir, 'bin')
  mkdirSync(bin, { recursive: true })
  writeFileSync(
    join(bin, 'tccli'),
    `#!/bin/sh
case "$2" in
  GetFunction) echo 'ResourceNotFound.Function' >&2; exit 1 ;;
  CreateFunction) echo ${JSON.stringify(answer)} >&2; exit 255 ;;
  *) echo "unexpected $2" >&2; exit 9 ;;
esac
`,
  )
  chmodSync(join(bin, 'tccli'), 0o755)
  writeDeployFiles(join(dir, 'deploy'), settings, inline, 'function.zip')
  return spawnSync(join(dir, 'deploy', 'deploy.sh'), {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
  })
}

describe('deploy.sh names the likely cause of an authorisation error', () => {
  it.each([
    [
      'unauthorized',
      '[TencentCloudSDKException] code:AuthFailure.UnauthorizedOperation message:you are not authorized to perform operation (scf:CreateFunction)',
      /this key's CAM user may not do that: attach the preset policy QcloudSCFFullAccess/,
    ],
    [
      'role',
      '[TencentCloudSDKException] code:FailedOperation.QcsRoleNotFound message:The role does not exist',
      /SCF's service role SCF_QcsRole is missing: the account's owner authorises it once/,
    ],
    [
      'secret',
      '[TencentCloudSDKException] code:AuthFailure.SecretIdNotFound message:The SecretId is not found',
      /the credentials were refused: check TENCENTCLOUD_SECRET_ID/,
    ],
    [
      'service',
      '[TencentCloudSDKException] code:FailedOperation.UnOpenedService message:service not opened',
      /SCF is not activated for this account/,
    ],
  ])('%s', (name, answer, hint) => {
    const result = deployWith(name, answer)
    expect(result.status).not.toBe(0)
    expect(result.stderr).toContain(answer)
    expect(result.stderr).toMatch(hint)
    expect(result.stderr.match(/^scf-bridge: /gm)).toHaveLength(1)
  })

  it('says nothing more for another failure', () => {
    const result = deployWith(
      'other',
      '[TencentCloudSDKException] code:InvalidParameterValue.Runtime message:bad runtime',
    )
    expect(result.status).not.toBe(0)
    expect(result.stderr).toContain('InvalidParameterValue.Runtime')
    expect(result.stderr).not.toMatch(/^scf-bridge: /m)
  })
})
