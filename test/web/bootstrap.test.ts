/**
 * scf_bootstrap as pack writes it: what the platform needs (web-functions.md §1: #!/bin/bash, LF, mode 755,
 * the runtime's absolute node path, exec, PORT=9000), its local rewrite, and its words quoted for bash
 * whatever the handler setting holds.
 */
import { spawnSync } from 'node:child_process'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parsePackArgs } from '../../src/cli/pack/pack-args'
import { RUNTIMES } from '../../src/cli/pack/runtimes'
import {
  bootstrapProblem,
  bootstrapScript,
  localBootstrap,
  nodePathOf,
  RUNNER_IN_NODE_MODULES,
  shellWord,
} from '../../src/cli/pack/web-bootstrap'
import { addWebInputs } from '../../src/cli/pack/web-target'
import type { ZipInput } from '../../src/cli/pack/zip'

const SEED = Number(process.env.FC_SEED ?? 2207)

describe('the bootstrap file', () => {
  it.each(RUNTIMES.map((runtime) => [runtime.id, runtime.node[0]] as const))(
    '%s runs /var/lang/node%d/bin/node with exec, after export PORT=9000, LF only',
    (id, major) => {
      const runtime = RUNTIMES.find((r) => r.id === id)!
      const script = bootstrapScript({
        nodePath: nodePathOf(runtime),
        runner: RUNNER_IN_NODE_MODULES,
        handler: 'index.main_handler',
      })
      const lines = script.split('\n')
      expect(lines[0]).toBe('#!/bin/bash')
      expect(script).not.toContain('\r')
      expect(script.endsWith('\n')).toBe(true)
      expect(lines).toContain('export PORT=9000')
      expect(lines).toContain(
        `exec /var/lang/node${major}/bin/node node_modules/scf-bridge/dist/web-runner.js index.main_handler`,
      )
      expect(lines.indexOf('export PORT=9000')).toBeLessThan(lines.findIndex((line) => line.startsWith('exec ')))
      expect(bootstrapProblem(Buffer.from(script), 0o100755)).toBeUndefined()
    },
  )

  it('is added to the zip with mode 755, replacing a project file of the same name with a warning', () => {
    const runtime = RUNTIMES.find((r) => r.id === 'Nodejs20.19')!
    const inputs: ZipInput[] = [
      { name: 'index.js', data: Buffer.from(''), mode: 0o644 },
      { name: 'scf_bootstrap', data: Buffer.from('#!/bin/bash\r\nnode app.js\r\n'), mode: 0o644 },
      { name: RUNNER_IN_NODE_MODULES, data: Buffer.from(''), mode: 0o644 },
    ]
    const result = addWebInputs(inputs, { runtime, handler: 'index.main_handler', bundle: false })
    expect(result.problem).toBeUndefined()
    expect(result.warnings).toEqual([expect.stringContaining('replaced')])
    const bootstraps = inputs.filter((input) => input.name === 'scf_bootstrap')
    expect(bootstraps).toHaveLength(1)
    expect(bootstraps[0].mode).toBe(0o755)
    expect(bootstraps[0].data.toString()).toContain('exec /var/lang/node20/bin/node ')
  })

  it('refuses a project without the runner, saying what to install', () => {
    const runtime = RUNTIMES[1]
    const none = addWebInputs([{ name: 'index.js', data: Buffer.from(''), mode: 0o644 }], {
      runtime,
      handler: 'index.main_handler',
      bundle: false,
    })
    expect(none.problem).toMatch(/npm install scf-bridge/)
    const old = addWebInputs([{ name: 'node_modules/scf-bridge/package.json', data: Buffer.from('{}'), mode: 0o644 }], {
      runtime,
      handler: 'index.main_handler',
      bundle: false,
    })
    expect(old.problem).toMatch(/predates Web functions/)
  })

  it('with --bundle, ships the runner beside the bundle and runs that one', () => {
    const inputs: ZipInput[] = [{ name: 'index.js', data: Buffer.from(''), mode: 0o644 }]
    expect(
      addWebInputs(inputs, { runtime: RUNTIMES[1], handler: 'index.main_handler', bundle: true }).problem,
    ).toBeUndefined()
    expect(inputs.map((input) => input.name).sort()).toEqual(['index.js', 'scf-bridge-web-runner.js', 'scf_bootstrap'])
    expect(inputs.find((input) => input.name === 'scf_bootstrap')!.data.toString()).toContain(
      ' scf-bridge-web-runner.js index.main_handler',
    )
  })

  it('names what the platform would refuse: CRLF, another first line, a mode without exec', () => {
    const good = bootstrapScript({ nodePath: '/var/lang/node18/bin/node', runner: 'r.js', handler: 'index.h' })
    expect(bootstrapProblem(Buffer.from(good.replace(/\n/g, '\r\n')), 0o755)).toMatch(/CRLF/)
    expect(bootstrapProblem(Buffer.from(`#!/bin/sh\n${good}`), 0o755)).toMatch(/first line/)
    expect(bootstrapProblem(Buffer.from(good), 0o644)).toMatch(/not 755/)
  })

  it('runs locally with another node and port, and refuses a script pack did not write', () => {
    const script = bootstrapScript({ nodePath: '/var/lang/node18/bin/node', runner: 'r.js', handler: 'index.h' })
    const local = localBootstrap(script, '/opt/my node/bin/node', 40123)
    expect(local).toContain("exec '/opt/my node/bin/node' r.js index.h")
    expect(local).toContain('export PORT=40123')
    expect(local).not.toContain('9000')
    expect(() => localBootstrap('#!/bin/bash\nnode app.js\n', '/usr/bin/node', 1)).toThrow(
      /not written by scf-bridge pack/,
    )
  })
})

describe('shell words', () => {
  it('bash reads back every handler setting and path exactly (property)', () => {
    // Batched into one bash run: each word printed between NUL bytes.
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 20 }),
        (words) => {
          const clean = words.map((word) => word.replace(/\0/g, ''))
          const result = spawnSync('bash', ['-c', `printf '%s\\0' ${clean.map(shellWord).join(' ')}`], {
            encoding: 'utf8',
          })
          expect(result.status).toBe(0)
          expect(result.stdout.split('\0').slice(0, -1)).toEqual(clean)
        },
      ),
      { seed: SEED, numRuns: 40 },
    )
  })
})

describe('pack flags for the Web target', () => {
  it('reads --target web, --websocket and --ws-idle-timeout', () => {
    expect(parsePackArgs(['--target', 'web'])).toMatchObject({ target: 'web', websocketIdleTimeoutS: undefined })
    expect(parsePackArgs(['--target=web', '--websocket'])).toMatchObject({ websocketIdleTimeoutS: 15 })
    expect(parsePackArgs(['--target', 'web', '--websocket', '--ws-idle-timeout', '25', '-t', '60'])).toMatchObject({
      websocketIdleTimeoutS: 25,
      timeoutS: 60,
    })
    expect(parsePackArgs([])).toMatchObject({ target: 'event' })
  })

  it.each([
    [['--target', 'lambda'], /event or web/],
    [['--websocket'], /needs --target web/],
    [['--target', 'web', '--ws-idle-timeout', '20'], /only means something with --websocket/],
    [['--target', 'web', '--websocket', '--ws-idle-timeout', '0'], /from 1 to 7200/],
    [['--target', 'web', '--websocket', '--ws-idle-timeout', '120'], /above the function's timeout \(30 s\)/],
  ])('refuses %j', (args, message) => {
    expect(() => parsePackArgs(args)).toThrow(message)
  })
})
