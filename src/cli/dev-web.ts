import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { basename, dirname, join, relative } from 'node:path'
import type { DevOptions } from './args'
import { createWebProxy } from './dev-web-proxy'
import { resolveHandler } from './load-handler'
import { RUNTIMES } from './pack/runtimes'
import { BOOTSTRAP_NAME, bootstrapScript, RUNNER_IN_NODE_MODULES } from './pack/web-bootstrap'
import { freePort } from './pack/web-target'
import { type BootstrapProcess, platformEnv, startBootstrap } from './run-bootstrap'

/** Where `dev --target web` writes. */
export interface DevWebIo {
  out: (line: string) => void
  err: (line: string) => void
}

/** A running local Web function: the front proxy and the instance behind it. */
export interface DevWeb {
  server: Server
  url: string
  /** Stops the front, then the instance (SIGTERM, as the platform retires it). */
  close(): Promise<void>
}

/**
 * `scf-bridge dev --target web`: runs the function as a Web function instance, as the platform does. A
 * `scf_bootstrap` as pack writes it (with this machine's Node, and the project's scf-bridge runner) is
 * started in the code folder with the platform's environment variables, and must listen within
 * `--init-timeout`; the front proxy adds the `X-Scf-*` headers, passes streams and upgrades through, and
 * lets `--concurrency` requests in at once. An instance that exits is started again by the next request.
 */
export async function startDevWeb(options: DevOptions, io: DevWebIo, cwd = process.cwd()): Promise<DevWeb> {
  const location = resolveHandler(options.entry, options.handler, cwd)
  const codeDir = dirname(location.file)
  const functionName = basename(codeDir) || 'local-function'
  const region = 'ap-guangzhou'
  const scratch = mkdtempSync(join(tmpdir(), 'scf-bridge-dev-web-'))
  const script = join(scratch, BOOTSTRAP_NAME)
  const projectRunner = join(codeDir, RUNNER_IN_NODE_MODULES)
  const runner = existsSync(projectRunner) ? RUNNER_IN_NODE_MODULES : ownRunner()
  const handler = `${relative(codeDir, location.file).replace(/\.(c|m)?js$/, '')}.${location.setting.split('.').pop()}`
  const port = await freePort()
  const bootstrap = bootstrapScript({ nodePath: process.execPath, runner, handler }).replace(
    /^export PORT=9000$/m,
    `export PORT=${port}`,
  )
  writeFileSync(script, bootstrap)
  chmodSync(script, 0o755)

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...platformEnv({ runtime: runtimeId(), functionName, region, codeDir }),
  }
  let instance: Promise<BootstrapProcess> | undefined
  const start = () => {
    const starting = startBootstrap({
      script,
      cwd: codeDir,
      env,
      port,
      deadlineMs: options.initTimeoutMs,
      onOutput: (chunk) => process.stderr.write(chunk),
    })
    starting.then(
      (running) =>
        running.exited.then((code) => {
          if (instance !== starting) return
          instance = undefined
          io.err(`scf-bridge dev: ${BOOTSTRAP_NAME} exited (${code}); the next request starts it again`)
        }),
      () => {
        if (instance === starting) instance = undefined
      },
    )
    instance = starting
    return starting
  }
  await start()

  const server = createWebProxy({
    target: async () => {
      await (instance ?? start())
      return port
    },
    concurrency: options.concurrency,
    timeoutMs: options.timeoutS * 1000,
    headerValues: { memoryMb: options.memoryMb, timeoutS: options.timeoutS, functionName, region },
    log: io.err,
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => resolve())
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    server,
    url: `http://${host}:${address.port}`,
    async close() {
      server.close()
      server.closeAllConnections?.()
      const running = instance
      instance = undefined
      if (running) await (await running.catch(() => undefined))?.stop()
      rmSync(scratch, { recursive: true, force: true })
    },
  }
}

/** dist/web-runner.js beside the CLI, for a project whose node_modules has no scf-bridge of its own. */
function ownRunner(): string {
  const here = typeof __dirname === 'string' ? __dirname : dirname(process.argv[1] ?? '.')
  for (const candidate of [join(here, 'web-runner.js'), join(here, '../../dist/web-runner.js')])
    if (existsSync(candidate)) return candidate
  throw new Error(`web-runner.js not found beside ${here}: build scf-bridge first (npm run build)`)
}

/** The SCF runtime id for this Node's major version, as SCF_RUNTIME names it. */
function runtimeId(): string {
  const major = Number(process.versions.node.split('.')[0])
  return RUNTIMES.find((runtime) => runtime.node[0] === major)?.id ?? 'Nodejs18.15'
}

/** The CLI's `dev --target web`: starts, prints where, stops on SIGINT/SIGTERM. */
export async function runDevWeb(options: DevOptions): Promise<number | undefined> {
  const io: DevWebIo = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  }
  let dev: DevWeb | undefined
  let stopping = false
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130)
    stopping = true
    io.out(`scf-bridge: ${signal}, stopping`)
    if (!dev) process.exit(0)
    dev.close().then(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  try {
    dev = await startDevWeb(options, io)
  } catch (error) {
    io.err(`scf-bridge: ${error instanceof Error ? error.message : String(error)}`)
    return 1
  }
  io.out(
    `scf-bridge dev: Web function, ${BOOTSTRAP_NAME} serving ${options.handler ?? 'main_handler'} from ${options.entry};` +
      ` ${options.concurrency} request${options.concurrency === 1 ? '' : 's'} at a time, timeout ${options.timeoutS} s`,
  )
  io.out(`Listening on ${dev.url}`)
  return undefined
}
