import { errorSummary } from '../values'
import { loadWebHandle, WebLoadError } from './load-handler'
import { createWebServer } from './web-server'
import { IGNORED_OPTIONS } from './web-settings'

/**
 * dist/web-runner.js: what `scf_bootstrap` runs in a Web function (`node web-runner.js index.main_handler`).
 * Loads the handler from the code folder (the working directory), takes the app its `bridge()` wraps and
 * serves it on 0.0.0.0:$PORT, the address the platform's proxy connects to.
 */
const SHUTDOWN_GRACE_MS = 10_000

async function main(argv: readonly string[]): Promise<number | undefined> {
  const setting = argv[0] ?? 'index.main_handler'
  const port = Number(process.env.PORT ?? 9000)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    fatal(`PORT must be a port number, got ${JSON.stringify(process.env.PORT)}`)
    return 1
  }
  let web: ReturnType<typeof createWebServer>
  try {
    web = createWebServer(await loadWebHandle(setting, process.cwd()))
    for (const name of web.settings.ignored)
      warn(`the ${name} option does not apply to a Web function (${IGNORED_OPTIONS[name]}); it is ignored`)
    await web.start()
  } catch (error) {
    fatal(error instanceof WebLoadError ? error.message : `the app failed to start: ${errorSummary(error)}`)
    return 1
  }
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    const closed = web.close(SHUTDOWN_GRACE_MS)
    // Written once the server stopped accepting: whoever reads it finds the port closed.
    info(`${signal}: no new connections; finishing the requests in flight, then exiting`)
    closed.then(() => process.exit(0))
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
  web.server.once('error', (error) => {
    fatal(`cannot listen on 0.0.0.0:${port}: ${errorSummary(error)}`)
    process.exit(1)
  })
  // The platform's proxy reaches the instance on 0.0.0.0:9000; 127.0.0.1 is not reachable from it.
  web.server.listen(port, '0.0.0.0', () => info(`serving ${setting} on 0.0.0.0:${port}`))
  return undefined
}

const line = (level: string, message: string) => JSON.stringify({ level, source: 'scf-bridge', target: 'web', message })
const info = (message: string) => console.log(line('info', message))
const warn = (message: string) => console.error(line('warn', message))
const fatal = (message: string) => console.error(line('error', message))

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exit(code)
  },
  (error: unknown) => {
    fatal(errorSummary(error))
    process.exit(1)
  },
)
