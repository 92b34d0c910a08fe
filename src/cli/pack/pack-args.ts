import { scanArgs, UsageError } from '../scan-args'
import { findRuntime, RUNTIMES } from './runtimes'

/** The settings of `scf-bridge pack`, defaults applied where they do not depend on the project. */
export interface PackOptions {
  dir: string
  handler: string
  /** The zip's path; default `function.zip` in the project folder. */
  out: string | undefined
  /** An SCF runtime id; default from the project's `engines.node`. */
  runtime: string | undefined
  /** The path and query the proof requests. */
  check: string
  bundle: boolean
  external: string[]
  deploy: 'tccli' | 'none'
  /** The function's name; default from package.json's name. */
  name: string | undefined
  region: string
  memoryMb: number
  timeoutS: number
  auth: 'NONE' | 'CAM'
  env: Record<string, string>
  cosBucket: string | undefined
  cosRegion: string | undefined
  cosObject: string | undefined
  /** The Node binary the proof runs on; default the one running pack. */
  node: string | undefined
  /** `event`: the bridge as an event function; `web`: a Web function started by scf_bootstrap (docs/web-functions.md). */
  target: 'event' | 'web'
  /** With `--target web`: create the function with WebSockets on, and this idle timeout in seconds. */
  websocketIdleTimeoutS: number | undefined
}

export const PACK_USAGE = `Usage: scf-bridge pack [dir] [options]

Builds the deployable zip of a project (function.zip in the project folder): the
handler, the project's files and its production dependencies installed from the
lockfile (npm ci --omit=dev, in a staging folder). It reports dependencies that do
not fit the runtime, then proves the zip: unpacked in a temporary folder, the
handler is loaded with nothing but the zip's files and answers GET / through the
emulator of scf-bridge dev. It also writes the tccli request files (deploy/tccli/).

Options:
  --handler <file.export> SCF's handler setting (default: index.main_handler)
  -o, --out <file>        The zip to write (default: <dir>/function.zip)
  --runtime <id>          ${RUNTIMES.map((r) => r.id).join(', ')}
                          (default: from engines.node, else Nodejs18.15)
  --check <path>          What the proof requests (default: /)
  --bundle                One bundled handler file instead of node_modules (needs esbuild)
  --external <pkg>        With --bundle, keep a package as files (repeatable; packages
                          with native addons are kept anyway)
  --deploy <tccli|none>   Write the tccli request files beside the zip (default: tccli)
  --name <function>       The function's name (default: package.json's name)
  --region <region>       Default region in deploy.sh (default: ap-guangzhou)
  --memory <mb>           MemorySize, 64 or a multiple of 128 up to 3072 (default: 256)
  -t, --timeout <s>       Timeout in seconds, 1-900 (default: 30)
  --auth <NONE|CAM>       The Function URL's AuthType (default: NONE)
  --env <KEY=VALUE>       An environment variable of the function (repeatable;
                          NODE_ENV=production is set unless given)
  --cos-bucket <bucket-appid> --cos-region <region> --cos-object </path.zip>
                          Deploy the code through COS (needed above the ~7 MB an
                          inline upload allows)
  --node <path>           The Node binary the proof runs on (default: this one)
  --target <event|web>    event: an event function served by bridge(); web: a Web
                          function (scf_bootstrap, streaming, WebSockets; see
                          docs/choosing-a-target.md) (default: event)
  --websocket             With --target web: create the function with WebSockets on
  --ws-idle-timeout <s>   With --websocket: the WebSocket idle timeout (default: 15)

Examples:
  npx scf-bridge pack
  npx scf-bridge pack ./app --runtime Nodejs20.19 --check /health
  npx scf-bridge pack --bundle --external sharp
`

const FLAGS: Record<string, string> = {
  '--handler': 'handler',
  '--out': 'out',
  '-o': 'out',
  '--runtime': 'runtime',
  '--check': 'check',
  '--external': 'external',
  '--deploy': 'deploy',
  '--name': 'name',
  '--region': 'region',
  '--memory': 'memory',
  '--timeout': 'timeout',
  '-t': 'timeout',
  '--auth': 'auth',
  '--env': 'env',
  '--cos-bucket': 'cosBucket',
  '--cos-region': 'cosRegion',
  '--cos-object': 'cosObject',
  '--node': 'node',
  '--target': 'target',
  '--ws-idle-timeout': 'wsIdleTimeout',
}

const SWITCHES = new Set(['--bundle', '--websocket'])

/** Parses `scf-bridge pack`'s arguments (after the command). Pure; throws `UsageError`. */
export function parsePackArgs(argv: readonly string[]): PackOptions {
  const options: PackOptions = {
    dir: '.',
    handler: 'index.main_handler',
    out: undefined,
    runtime: undefined,
    check: '/',
    bundle: false,
    external: [],
    deploy: 'tccli',
    name: undefined,
    region: 'ap-guangzhou',
    memoryMb: 256,
    timeoutS: 30,
    auth: 'NONE',
    env: {},
    cosBucket: undefined,
    cosRegion: undefined,
    cosObject: undefined,
    node: undefined,
    target: 'event',
    websocketIdleTimeoutS: undefined,
  }
  let websocket = false
  let idleTimeoutS: number | undefined
  let dir: string | undefined
  const takes = (flag: string) => (SWITCHES.has(flag) ? false : FLAGS[flag] ? true : undefined)
  for (const arg of scanArgs(argv, takes, ' for pack (see scf-bridge pack --help)')) {
    if ('positional' in arg) {
      if (dir !== undefined)
        throw new UsageError(
          `one project folder only: got ${JSON.stringify(dir)} and ${JSON.stringify(arg.positional)}`,
        )
      dir = arg.positional
    } else if (arg.flag === '--bundle') options.bundle = true
    else if (arg.flag === '--websocket') websocket = true
    else if (arg.flag === '--ws-idle-timeout') idleTimeoutS = wholeSeconds(arg.flag, arg.value as string, 1, 7200)
    else apply(options, FLAGS[arg.flag], arg.flag, arg.value as string)
  }
  if (dir !== undefined) options.dir = dir
  if (options.external.length && !options.bundle) throw new UsageError('--external only means something with --bundle')
  const cos = [options.cosBucket, options.cosRegion, options.cosObject].filter((v) => v !== undefined).length
  if (cos && options.cosBucket === undefined) throw new UsageError('--cos-region and --cos-object need --cos-bucket')
  if (websocket && options.target !== 'web')
    throw new UsageError('--websocket needs --target web: event functions cannot hold a WebSocket')
  if (idleTimeoutS !== undefined && !websocket)
    throw new UsageError('--ws-idle-timeout only means something with --websocket')
  if (websocket) {
    options.websocketIdleTimeoutS = idleTimeoutS ?? 15
    // Tencent's WebSocket doc: the function's timeout must be at least the idle timeout.
    if (options.websocketIdleTimeoutS > options.timeoutS)
      throw new UsageError(
        `--ws-idle-timeout ${options.websocketIdleTimeoutS} is above the function's timeout (${options.timeoutS} s): raise --timeout`,
      )
  }
  return options
}

function apply(options: PackOptions, key: string, flag: string, value: string): void {
  switch (key) {
    case 'handler':
      if (!/^[^\s./][^\s]*\.[A-Za-z_$][\w$]*$/.test(value))
        throw new UsageError(`${flag} must look like index.main_handler (file.export), got ${JSON.stringify(value)}`)
      options.handler = value
      return
    case 'out':
      if (!/\.zip$/i.test(value)) throw new UsageError(`${flag} must name a .zip file, got ${JSON.stringify(value)}`)
      options.out = value
      return
    case 'runtime':
      if (!findRuntime(value)) {
        const hint = /^nodejs/i.test(value)
          ? ` (Tencent's ids name a minor version, e.g. Nodejs20.19, never a .x wildcard)`
          : ''
        throw new UsageError(
          `${flag} must be one of ${RUNTIMES.map((r) => r.id).join(', ')}, got ${JSON.stringify(value)}${hint}`,
        )
      }
      options.runtime = value
      return
    case 'check':
      if (!value.startsWith('/'))
        throw new UsageError(`${flag} must be a path starting with /, got ${JSON.stringify(value)}`)
      options.check = value
      return
    case 'external':
      options.external.push(
        ...value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      return
    case 'deploy':
      if (value !== 'tccli' && value !== 'none')
        throw new UsageError(`${flag} must be tccli or none, got ${JSON.stringify(value)}`)
      options.deploy = value
      return
    case 'name':
      if (!/^[A-Za-z][A-Za-z0-9_-]{0,58}[A-Za-z0-9]$/.test(value)) {
        throw new UsageError(
          `${flag}: an SCF function name has 2-60 letters, digits, - and _, starts with a letter and ends with a letter or digit; got ${JSON.stringify(value)}`,
        )
      }
      options.name = value
      return
    case 'region':
      if (!/^[a-z]+-[a-z0-9-]+$/.test(value))
        throw new UsageError(`${flag} must be a region such as ap-guangzhou, got ${JSON.stringify(value)}`)
      options.region = value
      return
    case 'memory': {
      const mb = Number(value)
      if (!/^\d+$/.test(value) || !(mb === 64 || (mb % 128 === 0 && mb >= 128 && mb <= 3072))) {
        throw new UsageError(
          `${flag} must be 64 or a multiple of 128 from 128 to 3072 (MB), got ${JSON.stringify(value)}`,
        )
      }
      options.memoryMb = mb
      return
    }
    case 'timeout': {
      const s = Number(value)
      if (!/^\d+$/.test(value) || s < 1 || s > 900)
        throw new UsageError(`${flag} must be a whole number of seconds from 1 to 900, got ${JSON.stringify(value)}`)
      options.timeoutS = s
      return
    }
    case 'auth': {
      const auth = value.toUpperCase()
      if (auth !== 'NONE' && auth !== 'CAM')
        throw new UsageError(`${flag} must be NONE or CAM, got ${JSON.stringify(value)}`)
      options.auth = auth
      return
    }
    case 'env': {
      const eq = value.indexOf('=')
      if (eq < 1 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(value.slice(0, eq)))
        throw new UsageError(`${flag} must be KEY=VALUE, got a value without a valid KEY`)
      options.env[value.slice(0, eq)] = value.slice(eq + 1)
      return
    }
    case 'cosBucket':
      if (!/^[a-z0-9][a-z0-9-]*-\d+$/.test(value))
        throw new UsageError(
          `${flag} must be the full bucket name with its APPID, e.g. my-bucket-1250000000; got ${JSON.stringify(value)}`,
        )
      options.cosBucket = value
      return
    case 'cosRegion':
      options.cosRegion = value
      return
    case 'cosObject':
      options.cosObject = value.startsWith('/') ? value : `/${value}`
      return
    case 'node':
      options.node = value
      return
    case 'target':
      if (value !== 'event' && value !== 'web')
        throw new UsageError(`${flag} must be event or web, got ${JSON.stringify(value)}`)
      options.target = value
      return
  }
}

function wholeSeconds(flag: string, value: string, min: number, max: number): number {
  const s = Number(value)
  if (!/^\d+$/.test(value) || s < min || s > max)
    throw new UsageError(
      `${flag} must be a whole number of seconds from ${min} to ${max}, got ${JSON.stringify(value)}`,
    )
  return s
}
