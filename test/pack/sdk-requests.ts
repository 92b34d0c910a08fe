/**
 * What the tccli request-file tests share: a work folder under the repository (so the types of
 * tencentcloud-sdk-nodejs-scf resolve from its node_modules), a file typing each request as the SDK's request
 * type, and tsc --strict over such files, since nothing here can call Tencent.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll } from 'vitest'
import type { CodeLocation, FunctionSettings } from '../../src/cli/pack/deploy-files'

export const REPO = resolve(__dirname, '../..')

/** A fresh folder under node_modules/.cache, removed after the test file. */
export function workUnderRepo(prefix: string): string {
  const cacheDir = join(REPO, 'node_modules', '.cache')
  mkdirSync(cacheDir, { recursive: true })
  const work = mkdtempSync(join(cacheDir, prefix))
  afterAll(() => rmSync(work, { recursive: true, force: true }))
  return work
}

/** The settings of the function the request files create, with `overrides`. */
export function functionSettings(overrides: Partial<FunctionSettings> = {}): FunctionSettings {
  return {
    name: 'my-app',
    namespace: 'default',
    region: 'ap-guangzhou',
    runtime: 'Nodejs18.15',
    handler: 'index.main_handler',
    memoryMb: 256,
    timeoutS: 30,
    environment: { NODE_ENV: 'production' },
    auth: 'NONE',
    ...overrides,
  }
}

export const inlineZip: CodeLocation = { kind: 'inline', zip: Buffer.from('PK fake zip') }

/** Writes a file in `work` typing each request as the SDK's request type; returns its path. */
export function requestFile(
  work: string,
  name: string,
  requests: Record<string, [type: string, value: unknown]>,
): string {
  const lines = [
    `import type * as Scf from 'tencentcloud-sdk-nodejs-scf/tencentcloud/services/scf/v20180416/scf_models'`,
  ]
  for (const [variable, [type, value]] of Object.entries(requests))
    lines.push(`export const ${variable}: Scf.${type} = ${JSON.stringify(value, null, 2)}`)
  const file = join(work, `${name}.ts`)
  writeFileSync(file, `${lines.join('\n')}\n`)
  return file
}

/** Runs tsc --strict on the files; returns its output and status. */
export function typeCheck(files: string[]): { status: number | null; output: string } {
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
    ...files,
  ]
  const result = spawnSync(process.execPath, [tsc, ...args], { encoding: 'utf8' })
  return { status: result.status, output: result.stdout + result.stderr }
}
