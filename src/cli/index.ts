#!/usr/bin/env node
import { version } from '../../package.json'
import { type DevOptions, parseArgs, UsageError } from './args'
import { type DevServer, startDevServer } from './dev-server'
import { runDevWeb } from './dev-web'
import { runInvoke } from './invoke'
import { runPack } from './pack/run-pack'
import { usage } from './usage'

/** Runs the CLI; resolves with the exit code once a one-shot command is done (`dev` keeps running). */
async function main(argv: readonly string[]): Promise<number | undefined> {
  let command: ReturnType<typeof parseArgs>
  try {
    command = parseArgs(argv)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    // The cause first, then the usage of that command only (all of them when the command is unknown).
    const name = error.command ? `scf-bridge ${error.command}` : 'scf-bridge'
    process.stderr.write(`${name}: ${error.message}\n\n${error.command ? usage(error.command) : usage()}`)
    return 2
  }
  if (command.name === 'help') {
    process.stdout.write(usage(command.command))
    return 0
  }
  if (command.name === 'version') {
    process.stdout.write(`${version}\n`)
    return 0
  }
  if (command.name === 'pack') return runPack(command.options)
  if (command.name === 'invoke') return invoke(command.options)
  return dev(command.options)
}

async function invoke(options: Parameters<typeof runInvoke>[0]): Promise<number> {
  let code: number
  try {
    code = await runInvoke(options, {
      out: (text) => process.stdout.write(text),
      err: (line) => process.stderr.write(`${line}\n`),
    })
  } catch (error) {
    process.stderr.write(`scf-bridge: ${error instanceof Error ? error.message : String(error)}\n`)
    code = 1
  }
  // One invocation, then done: the app's pools and timers would keep the process alive (SCF freezes it instead).
  process.stdout.write('', () => process.exit(code))
  return code
}

async function dev(options: DevOptions): Promise<number | undefined> {
  if (options.target === 'web') return runDevWeb(options)
  const io = {
    out: (line: string) => process.stdout.write(`${line}\n`),
    err: (line: string) => process.stderr.write(`${line}\n`),
  }
  // Installed before anything is printed: whoever reads "Listening on" may signal at once.
  let devServer: DevServer | undefined
  let stopping = false
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130) // a second Ctrl-C: do not wait for requests in flight
    stopping = true
    io.out(`scf-bridge: ${signal}, stopping`)
    if (!devServer) process.exit(0)
    devServer.close().then(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)

  try {
    devServer = await startDevServer(options, io)
  } catch (error) {
    io.err(`scf-bridge: ${error instanceof Error ? error.message : String(error)}`)
    return 1
  }
  // The handler's stray async errors would end SCF's invocation; here they are reported and the server stays up.
  process.on('uncaughtException', (error) =>
    io.err(`scf-bridge: uncaught exception in the handler: ${error.stack ?? error}`),
  )
  process.on('unhandledRejection', (reason) =>
    io.err(
      `scf-bridge: unhandled rejection in the handler: ${reason instanceof Error ? reason.stack : String(reason)}`,
    ),
  )

  const stagePath = options.trigger === 'apigw' && options.stage ? `/${options.stage}/` : '/'
  io.out(`scf-bridge dev: ${devServer.location.setting} from ${devServer.location.file}`)
  io.out(
    `  trigger ${options.trigger === 'apigw' ? `API Gateway, stage ${options.stage}` : 'Function URL'},` +
      ` the app sees ${options.https || options.trigger === 'url' ? 'https' : 'http'}, timeout ${options.timeoutS} s,` +
      ` memory ${options.memoryMb} MB${options.watch ? ', watching for changes' : ''}`,
  )
  io.out(`Listening on ${devServer.url}${stagePath === '/' ? '' : ` (try ${devServer.url}${stagePath})`}`)
  return undefined
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`scf-bridge: ${error instanceof Error ? error.stack : String(error)}\n`)
    process.exitCode = 1
  },
)
