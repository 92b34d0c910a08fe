import { TRIGGER_EVENT_KINDS, type Trigger } from '../emulator'
import type { InvokeCliOptions } from './invoke'
import { type PackOptions, parsePackArgs } from './pack/pack-args'
import { scanArgs, UsageError } from './scan-args'

export { UsageError }

/** The settings of `scf-bridge dev`, every default applied. */
export interface DevOptions {
  /** The handler file, or the code folder the `--handler` file is in. Default `.`. */
  entry: string
  /** SCF's handler setting `file.export`, or just `export`. */
  handler: string | undefined
  port: number
  host: string
  stage: string
  timeoutMs: number
  memoryMb: number
  trigger: Trigger
  /** Tell the app its client used HTTPS (API Gateway's `x-api-scheme: https`); the server itself stays HTTP. */
  https: boolean
  watch: boolean
  /** `web`: run the function as a Web function (scf_bootstrap behind a local front proxy; src/cli/dev-web.ts). */
  target: 'event' | 'web'
  /** With `--target web`: requests the instance takes at once (SCF's MaxConcurrency, default 1). */
  concurrency: number
  /** With `--target web`: how long scf_bootstrap may take to listen (SCF's InitTimeout). */
  initTimeoutMs: number
}

export type Command =
  | { name: 'dev'; options: DevOptions }
  | { name: 'pack'; options: PackOptions }
  | { name: 'invoke'; options: InvokeCliOptions }
  | { name: 'help' }
  | { name: 'version' }

export const USAGE = `Usage: scf-bridge dev [entry] [options]
       scf-bridge invoke [entry] --event <kind>   (one invocation with a trigger's event: below)
       scf-bridge pack [dir] [options]   (the deployable zip: scf-bridge pack --help)

Runs an SCF handler locally behind an emulated API Gateway (or Function URL): a real
HTTP server that turns each request into the event Tencent sends, calls the handler,
and writes its integrated response back. Works with any handler, async or
callback-style, made with bridge() or not.

Arguments:
  entry                   The handler file (./index.js) or the code folder (default: .)

Options:
  --handler <file.export> SCF's handler setting, e.g. index.main_handler
                          (default: main_handler of the entry file, or index.main_handler
                          in the entry folder)
  -p, --port <n>          Port to listen on; 0 picks a free one (default: 9000)
  --host <addr>           Address to listen on (default: 127.0.0.1)
  --stage <name>          API Gateway stage; a leading /<stage> in the URL is removed
                          from event.path, as on API Gateway's default domain
                          (default: release)
  -t, --timeout <s>       Function timeout in seconds (default: 3)
  --memory <mb>           context.memory_limit_in_mb (default: 128)
  --trigger <apigw|url>   Event to build: API Gateway integrated request, or
                          Function URL (default: apigw)
  --https                 Tell the app the client used HTTPS (x-api-scheme: https),
                          as on a deployed API; the server itself stays plain HTTP
                          (default: http, the scheme this server speaks; a Function
                          URL is HTTPS only, so --trigger url always says https)
  -w, --watch             Reload the handler when a file under its folder changes
  --target <event|web>    web: run it as a Web function (scf_bootstrap, streaming,
                          WebSockets) behind a local front (default: event)
  --concurrency <n>       With --target web: requests served at once (default: 1)
  --init-timeout <s>      With --target web: how long the server may take to
                          listen on its port (default: 65)
  -h, --help              Show this help
  -v, --version           Show the version

Examples:
  npx scf-bridge dev ./index.js
  npx scf-bridge dev . --handler app.main_handler --port 3000 --watch
  npx scf-bridge dev ./index.js --trigger url --timeout 10

Limits as on Tencent Cloud: requests over 6 MB (as an event) get 413, responses over
6 MB get 502, an invalid integrated response gets 502 saying what is wrong, a
handler that throws gets 502, one that runs past --timeout gets 504.

Usage: scf-bridge invoke [entry] --event <kind> | --event-file <file.json> [options]

Runs one invocation of the handler with a trigger's event, as SCF would, and prints
the result as JSON (or the error); the handler's own log shows as it runs. Exits 1
when the invocation fails or times out.

Options:
  --event <kind>          A realistic event of this kind: ${TRIGGER_EVENT_KINDS.join(', ')}
  --event-file <file>     The event as JSON (any event, e.g. a direct invocation's)
  --handler, -t/--timeout, --memory as for dev

Examples:
  npx scf-bridge invoke ./index.js --event timer
  npx scf-bridge invoke . --handler app.main_handler --event-file cos-event.json
`

const DEV_SWITCHES = new Set(['--watch', '-w', '--https'])

const VALUE_OPTIONS: Record<string, keyof DevOptions> = {
  '--handler': 'handler',
  '--port': 'port',
  '-p': 'port',
  '--host': 'host',
  '--stage': 'stage',
  '--timeout': 'timeoutMs',
  '-t': 'timeoutMs',
  '--memory': 'memoryMb',
  '--trigger': 'trigger',
  '--target': 'target',
  '--concurrency': 'concurrency',
  '--init-timeout': 'initTimeoutMs',
}

/** Parses the CLI arguments (without `node` and the script). Pure; throws `UsageError`. */
export function parseArgs(argv: readonly string[]): Command {
  if (argv.includes('-h') || argv.includes('--help') || argv[0] === 'help') return { name: 'help' }
  if (argv[0] === '-v' || argv[0] === '--version' || argv[0] === 'version') return { name: 'version' }
  const [command, ...rest] = argv
  if (command === undefined) throw new UsageError('missing command: try `scf-bridge dev ./index.js`')
  if (command === 'pack') return { name: 'pack', options: parsePackArgs(rest) }
  if (command === 'invoke') return { name: 'invoke', options: parseInvokeArgs(rest) }
  if (command !== 'dev') {
    throw new UsageError(
      `unknown command ${JSON.stringify(command)}: the commands are \`dev\`, \`invoke\` and \`pack\``,
    )
  }

  const options: DevOptions = {
    entry: '.',
    handler: undefined,
    port: 9000,
    host: '127.0.0.1',
    stage: 'release',
    timeoutMs: 3000,
    memoryMb: 128,
    trigger: 'apigw',
    https: false,
    watch: false,
    target: 'event',
    concurrency: 1,
    initTimeoutMs: 65_000,
  }
  let entry: string | undefined
  const takes = (flag: string) => (DEV_SWITCHES.has(flag) ? false : flag in VALUE_OPTIONS ? true : undefined)
  for (const arg of scanArgs(rest, takes, ' (see scf-bridge --help)')) {
    if ('positional' in arg) entry = setEntry(entry, arg.positional)
    else if (arg.value !== undefined) applyOption(options, VALUE_OPTIONS[arg.flag], arg.flag, arg.value)
    else if (arg.flag === '--https') options.https = true
    else options.watch = true
  }
  if (entry !== undefined) options.entry = entry
  if (options.target === 'web' && options.watch)
    throw new UsageError('--watch is not available with --target web: restart dev after a change')
  return { name: 'dev', options }
}

function setEntry(previous: string | undefined, arg: string): string {
  if (previous !== undefined)
    throw new UsageError(`one entry only: got ${JSON.stringify(previous)} and ${JSON.stringify(arg)}`)
  return arg
}

function applyOption(options: Partial<DevOptions>, key: keyof DevOptions, flag: string, value: string): void {
  switch (key) {
    case 'port': {
      const port = Number(value)
      if (!/^\d+$/.test(value) || port > 65535)
        throw new UsageError(`${flag} must be a port number from 0 to 65535, got ${JSON.stringify(value)}`)
      options.port = port
      return
    }
    case 'timeoutMs': {
      const seconds = Number(value)
      if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0 || seconds > 86400) {
        throw new UsageError(`${flag} must be a number of seconds above 0, got ${JSON.stringify(value)}`)
      }
      options.timeoutMs = Math.round(seconds * 1000)
      return
    }
    case 'memoryMb': {
      const mb = Number(value)
      if (!/^\d+$/.test(value) || mb <= 0)
        throw new UsageError(`${flag} must be a whole number of MB, got ${JSON.stringify(value)}`)
      options.memoryMb = mb
      return
    }
    case 'trigger': {
      const trigger = value === 'function-url' ? 'url' : value
      if (trigger !== 'apigw' && trigger !== 'url')
        throw new UsageError(`${flag} must be apigw or url, got ${JSON.stringify(value)}`)
      options.trigger = trigger
      return
    }
    case 'stage': {
      if (!/^[A-Za-z0-9_-]*$/.test(value))
        throw new UsageError(`${flag} must be a stage name such as release, got ${JSON.stringify(value)}`)
      options.stage = value
      return
    }
    case 'handler': {
      if (!/^[^\s]+$/.test(value) || value.endsWith('.')) {
        throw new UsageError(`${flag} must look like index.main_handler (file.export), got ${JSON.stringify(value)}`)
      }
      options.handler = value
      return
    }
    case 'target': {
      if (value !== 'event' && value !== 'web')
        throw new UsageError(`${flag} must be event or web, got ${JSON.stringify(value)}`)
      options.target = value
      return
    }
    case 'concurrency': {
      const n = Number(value)
      if (!/^\d+$/.test(value) || n < 1 || n > 100)
        throw new UsageError(`${flag} must be a whole number from 1 to 100, got ${JSON.stringify(value)}`)
      options.concurrency = n
      return
    }
    case 'initTimeoutMs': {
      const seconds = Number(value)
      if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0 || seconds > 3600)
        throw new UsageError(`${flag} must be a number of seconds above 0, got ${JSON.stringify(value)}`)
      options.initTimeoutMs = Math.round(seconds * 1000)
      return
    }
    case 'host': {
      if (value.trim() === '') throw new UsageError(`${flag} needs an address`)
      options.host = value
      return
    }
    default:
      throw new UsageError(`unknown option ${flag}`)
  }
}

const INVOKE_OPTIONS: Record<string, 'handler' | 'timeoutMs' | 'memoryMb' | 'event' | 'eventFile'> = {
  '--handler': 'handler',
  '--timeout': 'timeoutMs',
  '-t': 'timeoutMs',
  '--memory': 'memoryMb',
  '--event': 'event',
  '--event-file': 'eventFile',
}

/** The arguments of `scf-bridge invoke` (after the command). */
function parseInvokeArgs(rest: readonly string[]): InvokeCliOptions {
  const options: InvokeCliOptions = {
    entry: '.',
    handler: undefined,
    event: undefined,
    eventFile: undefined,
    timeoutMs: 3000,
    memoryMb: 128,
  }
  let entry: string | undefined
  const takes = (flag: string) => (flag in INVOKE_OPTIONS ? true : undefined)
  for (const arg of scanArgs(rest, takes, ' for invoke (see scf-bridge --help)')) {
    if ('positional' in arg) {
      entry = setEntry(entry, arg.positional)
      continue
    }
    const { flag } = arg
    const value = arg.value as string
    const key = INVOKE_OPTIONS[flag]
    if (key === 'event') {
      if (!(TRIGGER_EVENT_KINDS as readonly string[]).includes(value)) {
        throw new UsageError(
          `${flag} must be one of ${TRIGGER_EVENT_KINDS.join(', ')}, got ${JSON.stringify(value)} (for any other event, use --event-file)`,
        )
      }
      options.event = value as InvokeCliOptions['event']
    } else if (key === 'eventFile') {
      options.eventFile = value
    } else {
      applyOption(options, key, flag, value)
    }
  }
  if (entry !== undefined) options.entry = entry
  if ((options.event === undefined) === (options.eventFile === undefined)) {
    throw new UsageError(
      'invoke needs either --event <kind> or --event-file <file.json>, e.g. scf-bridge invoke ./index.js --event timer',
    )
  }
  return options
}
