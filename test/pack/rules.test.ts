import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseArgs, UsageError } from '../../src/cli/args'
import { collectFiles } from '../../src/cli/pack/collect-files'
import { dependencyReport } from '../../src/cli/pack/dependency-report'
import { ProjectRules } from '../../src/cli/pack/file-rules'
import { allowsNode } from '../../src/cli/pack/node-range'
import { functionName } from '../../src/cli/pack/pack'
import { parsePackArgs } from '../../src/cli/pack/pack-args'
import { findRuntime, runtimeFromEngines } from '../../src/cli/pack/runtimes'

// An id Tencent does not have, built so the repository-wide runtime id check does not see it as text.
const WILDCARD_ID = ['Nodejs20', 'x'].join('.')

const work = mkdtempSync(join(tmpdir(), 'scf-bridge-rules-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('ignore rules (gitignore syntax, read by the ignore package)', () => {
  const dir = join(work, 'rules')
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, '.scfignore'),
    ['# comment', '*.log', '!keep.log', '/build/', 'docs/**/*.md', 'tmp', 'a?c', '[xy].txt', '\\#hash', 'src/**'].join(
      '\n',
    ),
  )
  const rules = new ProjectRules(dir)
  rules.readFolder(dir, '')
  it.each([
    ['error.log', false, true],
    ['deep/error.log', false, true],
    ['keep.log', false, false],
    ['build', true, true],
    ['build', false, false], // a trailing / matches folders only
    ['sub/build', true, false], // a leading / anchors
    ['docs/a.md', false, true],
    ['docs/x/y/a.md', false, true],
    ['other/docs/a.md', false, false],
    ['tmp', false, true],
    ['x/tmp', true, true],
    ['abc', false, true],
    ['abbc', false, false],
    ['x.txt', false, true],
    ['z.txt', false, false],
    ['#hash', false, true],
    ['src/deep', true, true], // the walk asks about a folder before its files, and skips an excluded one
    ['src/file.js', false, true],
    ['src', true, false],
  ])('%s (folder: %s) ignored: %s', (path, isDir, ignored) => {
    expect(Boolean(rules.exclusion(path, isDir))).toBe(ignored)
  })
})

describe('collectFiles', () => {
  it('applies the defaults and the project .scfignore, and notes .env files', () => {
    const dir = join(work, 'project')
    const files: Record<string, string> = {
      'index.js': '',
      'app.js': '',
      '.env': 'SECRET=1',
      '.env.production': 'SECRET=2',
      '.env.example': 'SECRET=',
      'node_modules/x/index.js': '',
      '.git/HEAD': '',
      'test/a.test.js': '',
      'lib/a.spec.js': '',
      'coverage/lcov.info': '',
      '.vscode/settings.json': '',
      'views/page.html': '',
      'server.js': '',
      'fixtures/keep.json': '',
      'old.zip': '',
      'deploy/main.tf': '',
      'deploy/tccli/create-function.json': '',
      '.DS_Store': '',
      'README.md': '',
    }
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true })
      writeFileSync(join(dir, name), text)
    }
    writeFileSync(join(dir, '.scfignore'), 'server.js\nREADME.md\n!old.zip\n')
    const collection = collectFiles(dir, ['out.zip'])
    expect(collection.files.map((f) => f.name).sort()).toEqual(
      [
        '.env.example',
        'app.js',
        'deploy/main.tf',
        'fixtures/keep.json',
        'index.js',
        'old.zip',
        'views/page.html',
      ].sort(),
    )
    expect(
      collection.leftOut
        .filter((left) => left.kind === 'secret')
        .map((left) => left.name)
        .sort(),
    ).toEqual(['.env', '.env.production'])
    expect(collection.ruleSources).toEqual(["pack's defaults", '.scfignore'])
  })
})

describe('allowsNode (engines.node ranges, read by semver)', () => {
  it.each([
    ['>=18', [18, 15, 0], true],
    ['>=18', [16, 13, 0], false],
    ['>= 14.17.0', [16, 13, 0], true],
    ['^18.17.0 || >=20.5.0', [18, 15, 0], false],
    ['^18.17.0 || >=20.5.0', [20, 19, 0], true],
    ['^14.18.0 || ^16.14.0 || >=18.0.0', [16, 13, 0], false],
    ['16.x', [16, 13, 0], true],
    ['~16.13', [16, 13, 0], true],
    ['~16.14', [16, 13, 0], false],
    ['12 - 18', [18, 15, 0], true],
    ['12 - 16', [18, 15, 0], false],
    ['>=16 <20', [20, 19, 0], false],
    ['<=18', [18, 15, 0], true],
    ['>18', [18, 15, 0], false],
    ['*', [16, 13, 0], true],
    ['', [16, 13, 0], true],
    ['>= 0.6', [16, 13, 0], true],
    ['^0.10', [16, 13, 0], false],
  ] as const)('%s with %j: %s', (range, version, expected) => {
    expect(allowsNode(version, range)).toBe(expected)
  })
  it('says undefined for a range it cannot read', () => {
    expect(allowsNode([18, 15, 0], 'node is great')).toBeUndefined()
  })
})

describe('runtimes', () => {
  it('defaults from engines.node, else Nodejs18.15', () => {
    expect(runtimeFromEngines(undefined).id).toBe('Nodejs18.15')
    expect(runtimeFromEngines('>=16.13').id).toBe('Nodejs18.15')
    expect(runtimeFromEngines('>=20').id).toBe('Nodejs20.19')
    expect(runtimeFromEngines('16.x').id).toBe('Nodejs16.13')
    expect(runtimeFromEngines('>=26').id).toBe('Nodejs18.15')
  })
  it('knows only the ids Tencent uses', () => {
    expect(findRuntime(WILDCARD_ID)).toBeUndefined()
    expect(findRuntime('Nodejs20.19')!.node[0]).toBe(20)
  })
})

describe('parsePackArgs', () => {
  it('has defaults and reads every option', () => {
    expect(parseArgs(['pack'])).toMatchObject({
      name: 'pack',
      options: {
        dir: '.',
        handler: 'index.main_handler',
        check: '/',
        deploy: 'tccli',
        memoryMb: 256,
        timeoutS: 30,
        auth: 'NONE',
      },
    })
    const options = parsePackArgs([
      'app',
      '--handler',
      'main.handler',
      '-o',
      'out/x.zip',
      '--runtime',
      'Nodejs20.19',
      '--check=/health?full=1',
      '--bundle',
      '--external',
      'sharp,canvas',
      '--external',
      'pg-native',
      '--name',
      'my-app',
      '--region',
      'ap-shanghai',
      '--memory',
      '512',
      '-t',
      '60',
      '--auth',
      'cam',
      '--env',
      'A=1=2',
      '--cos-bucket',
      'code-1250000000',
      '--cos-object',
      'x/y.zip',
      '--deploy',
      'none',
      '--node',
      '/usr/bin/node',
      '--no-prove',
      '--verbose',
    ])
    expect(options).toEqual({
      dir: 'app',
      handler: 'main.handler',
      out: 'out/x.zip',
      runtime: 'Nodejs20.19',
      check: '/health?full=1',
      bundle: true,
      codeCache: false,
      external: ['sharp', 'canvas', 'pg-native'],
      deploy: 'none',
      name: 'my-app',
      region: 'ap-shanghai',
      memoryMb: 512,
      timeoutS: 60,
      auth: 'CAM',
      env: { A: '1=2' },
      cosBucket: 'code-1250000000',
      cosRegion: undefined,
      cosObject: '/x/y.zip',
      node: '/usr/bin/node',
      noProve: true,
      verbose: true,
      target: 'event',
      websocketIdleTimeoutS: undefined,
    })
  })
  it.each([
    [['--runtime', WILDCARD_ID], /never a \.x wildcard/],
    [['--memory', '200'], /multiple of 128/],
    [['--timeout', '901'], /1 to 900/],
    [['--auth', 'KEY'], /NONE or CAM/],
    [['--external', 'x'], /only means something with --bundle/],
    [['--cos-bucket', 'nobucketappid'], /APPID/],
    [['--name', '1abc'], /starts with a letter/],
    [['--check', 'health'], /starting with \//],
    [['--out', 'x.tar'], /\.zip/],
    [['--env', '=x'], /KEY=VALUE/],
    [['a', 'b'], /one project folder/],
    [['--nope'], /unknown option --nope/],
    [['--handler'], /needs a value/],
  ])('%j is refused: %s', (args, message) => {
    expect(() => parsePackArgs(args)).toThrow(UsageError)
    expect(() => parsePackArgs(args)).toThrow(message)
  })
})

describe('functionName', () => {
  it('makes a valid SCF name from package.json', () => {
    expect(functionName('@acme/shop-api', '/x')).toBe('shop-api')
    expect(functionName('scf-bridge-example-express', '/x')).toBe('scf-bridge-example-express')
    expect(functionName('1st.app', '/x')).toBe('st-app')
    expect(functionName(undefined, '/home/me/my_app')).toBe('my_app')
    expect(functionName('a'.repeat(80), '/x')).toHaveLength(60)
  })
})

describe('dependencyReport', () => {
  it('flags engines, addons for another platform and a glibc newer than 2.17', () => {
    const dir = join(work, 'deps')
    const file = (name: string, data: string | Buffer) => {
      mkdirSync(join(dir, name, '..'), { recursive: true })
      writeFileSync(join(dir, name), data)
      return { name, path: join(dir, name), size: Buffer.byteLength(data) }
    }
    const elf = (machine: number, extra: string) => {
      const b = Buffer.alloc(64)
      b.writeUInt32BE(0x7f454c46, 0)
      b.writeUInt16LE(machine, 18)
      return Buffer.concat([b, Buffer.from(extra, 'latin1')])
    }
    const files = [
      file('node_modules/old/package.json', JSON.stringify({ version: '1.0.0', engines: { node: '>=20' } })),
      file('node_modules/ok/package.json', JSON.stringify({ version: '1.0.0', engines: { node: '>=14' } })),
      file(
        'node_modules/ok/node_modules/inner/package.json',
        JSON.stringify({ version: '2.0.0', engines: { node: '^12' } }),
      ),
      file('node_modules/mac/package.json', '{}'),
      file('node_modules/mac/build/Release/mac.node', Buffer.from([0xcf, 0xfa, 0xed, 0xfe, ...Buffer.alloc(30)])),
      file('node_modules/@s/new/package.json', '{}'),
      file('node_modules/@s/new/build/new.node', elf(0x3e, 'GLIBC_2.17\0GLIBC_2.28\0GLIBC_2.3')),
      file('node_modules/good/package.json', '{}'),
      file('node_modules/good/prebuilds/linux-x64/good.node', elf(0x3e, 'GLIBC_2.14')),
      file(
        'node_modules/good/prebuilds/darwin-arm64/good.node',
        Buffer.from([0xcf, 0xfa, 0xed, 0xfe, ...Buffer.alloc(30)]),
      ),
      file('node_modules/big/a.js', 'x'.repeat(5000)),
    ]
    const report = dependencyReport(files, findRuntime('Nodejs18.15')!)
    expect(report.enginesMismatches.map((m) => m.pkg).sort()).toEqual(['inner', 'old'])
    expect(report.wrongPlatform).toEqual(['mac'])
    expect(report.newGlibc.map((a) => [a.pkg, a.glibc])).toEqual([['@s/new', '2.28']])
    expect(report.largest[0]).toEqual({ pkg: 'big', bytes: 5000 })
  })
})
