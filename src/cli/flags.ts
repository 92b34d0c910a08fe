import { TRIGGER_EVENT_KINDS } from '../emulator'
import * as rules from './option-rules'
import { RUNTIMES } from './pack/runtimes'
import type { CommandName } from './usage-error'

/** What every flag has: its names, the commands that take it, where its value goes and its line of help. */
interface FlagBase<C extends CommandName, K extends string> {
  /** The long name, without `--`. */
  name: string
  /** One letter, without `-`. */
  short?: string
  /** The option's property in the parsed options. */
  key: K
  commands: readonly C[]
  /** The help text; more lines are indented under the first. */
  help: string
}

/** A flag without a value: present or not. */
export interface Switch<C extends CommandName = CommandName, K extends string = string> extends FlagBase<C, K> {
  value?: undefined
}

/** A flag with a value, read by its one rule. */
export interface ValueFlag<C extends CommandName = CommandName, K extends string = string, T = unknown>
  extends FlagBase<C, K> {
  /** What the value is, as the usage shows it: `<s>`. */
  value: string
  /** Given more than once, each value is read in turn (`previous` is what the ones before made); else the last counts. */
  repeatable?: boolean
  /** The flag's one rule: the text as given (`flag` as typed, for the message) to the value, or a UsageError. */
  parse: (text: string, flag: string, previous: T) => T
  default: T
}

const switchFlag = <C extends CommandName, K extends string>(flag: Switch<C, K>) => flag
const valueFlag = <C extends CommandName, K extends string, T>(flag: ValueFlag<C, K, T>) => flag

const ALL = ['dev', 'invoke', 'pack'] as const

/**
 * Every flag of every command, one row each; a command's options and its usage come from the rows that name
 * it. A new flag is a new row (and the code that reads its key).
 */
export const FLAGS = [
  valueFlag({
    name: 'handler',
    key: 'handler',
    commands: ALL,
    value: '<file.export>',
    parse: rules.handlerSetting,
    default: undefined as string | undefined,
    help: "SCF's handler setting file.export, e.g. app.main_handler; the\nexport alone means index's, or the entry file's (default: main_handler)",
  }),
  valueFlag({
    name: 'timeout',
    short: 't',
    key: 'timeoutS',
    commands: ALL,
    value: '<s>',
    parse: rules.functionTimeout,
    default: 30,
    help: `Timeout in whole seconds, ${rules.TIMEOUT_S.min}-${rules.TIMEOUT_S.max} (default: 30, as deployed)`,
  }),
  valueFlag({
    name: 'memory',
    key: 'memoryMb',
    commands: ALL,
    value: '<mb>',
    parse: rules.memorySize,
    default: 256,
    help: `Memory in MB, ${rules.MEMORY_MB.small} or a multiple of ${rules.MEMORY_MB.step} up to ${rules.MEMORY_MB.max}\n(default: 256, as deployed)`,
  }),
  valueFlag({
    name: 'trigger',
    key: 'trigger',
    commands: ['dev'],
    value: '<url|apigw>',
    parse: rules.oneOf(['apigw', 'url'], (text) => (text === 'function-url' ? 'url' : text)),
    default: 'url' as 'url' | 'apigw',
    help: 'The event to build: a Function URL request, as pack deploys, or\nthe legacy API Gateway integrated request (default: url)',
  }),
  valueFlag({
    name: 'port',
    short: 'p',
    key: 'port',
    commands: ['dev'],
    value: '<n>',
    parse: rules.port,
    default: 9000,
    help: 'Port to listen on; 0 picks a free one (default: 9000)',
  }),
  valueFlag({
    name: 'host',
    key: 'host',
    commands: ['dev'],
    value: '<addr>',
    parse: rules.host,
    default: '127.0.0.1',
    help: 'Address to listen on (default: 127.0.0.1)',
  }),
  valueFlag({
    name: 'stage',
    key: 'stage',
    commands: ['dev'],
    value: '<name>',
    parse: rules.stageName,
    default: 'release',
    help: "With --trigger apigw: the stage; a leading /<stage> in the URL is\nremoved from event.path, as on API Gateway's default domain\n(default: release)",
  }),
  switchFlag({
    name: 'https',
    key: 'https',
    commands: ['dev'],
    help: 'With --trigger apigw: tell the app the client used HTTPS\n(x-api-scheme), as on a deployed API; a Function URL is HTTPS only',
  }),
  switchFlag({
    name: 'watch',
    short: 'w',
    key: 'watch',
    commands: ['dev'],
    help: 'Reload the handler when a file under its folder changes',
  }),
  valueFlag({
    name: 'target',
    key: 'target',
    commands: ['dev', 'pack'],
    value: '<event|web>',
    parse: rules.oneOf(['event', 'web']),
    default: 'event' as 'event' | 'web',
    help: 'event: an event function served by bridge(); web: a Web function\n(scf_bootstrap, streaming, WebSockets; docs/choosing-a-target.md) (default: event)',
  }),
  valueFlag({
    name: 'concurrency',
    key: 'concurrency',
    commands: ['dev'],
    value: '<n>',
    parse: rules.wholeNumber(1, 100),
    default: 1,
    help: 'With --target web: requests served at once (default: 1)',
  }),
  valueFlag({
    name: 'init-timeout',
    key: 'initTimeoutMs',
    commands: ['dev'],
    value: '<s>',
    parse: rules.secondsAsMs(3600),
    default: 65_000,
    help: 'With --target web: how long the server may take to listen on its port\n(default: 65)',
  }),
  switchFlag({
    name: 'websocket',
    key: 'websocket',
    commands: ['pack'],
    help: 'With --target web: create the function with WebSockets on',
  }),
  valueFlag({
    name: 'ws-idle-timeout',
    key: 'wsIdleTimeoutS',
    commands: ['pack'],
    value: '<s>',
    parse: rules.wholeNumber(1, 7200, 'seconds'),
    default: undefined as number | undefined,
    help: 'With --websocket: the WebSocket idle timeout (default: 15)',
  }),
  valueFlag({
    name: 'event',
    key: 'event',
    commands: ['invoke'],
    value: '<kind>',
    parse: rules.oneOf(TRIGGER_EVENT_KINDS, undefined, ' (for any other event, use --event-file)'),
    default: undefined as (typeof TRIGGER_EVENT_KINDS)[number] | undefined,
    help: `A realistic event of this kind: ${TRIGGER_EVENT_KINDS.join(', ')}`,
  }),
  valueFlag({
    name: 'event-file',
    key: 'eventFile',
    commands: ['invoke'],
    value: '<file>',
    parse: rules.nonEmpty,
    default: undefined as string | undefined,
    help: "The event as JSON (any event, e.g. a direct invocation's)",
  }),
  valueFlag({
    name: 'out',
    short: 'o',
    key: 'out',
    commands: ['pack'],
    value: '<file>',
    parse: rules.zipPath,
    default: undefined as string | undefined,
    help: 'The zip to write (default: <dir>/function.zip)',
  }),
  valueFlag({
    name: 'runtime',
    key: 'runtime',
    commands: ['pack'],
    value: '<id>',
    parse: rules.runtimeId,
    default: undefined as string | undefined,
    help: `${rules.listed(RUNTIMES.map((r) => r.id))}\n(default: from engines.node, else Nodejs18.15)`,
  }),
  valueFlag({
    name: 'check',
    key: 'check',
    commands: ['pack'],
    value: '<path>',
    parse: rules.requestPath,
    default: '/',
    help: 'What the proof requests (default: /)',
  }),
  switchFlag({
    name: 'no-prove',
    key: 'noProve',
    commands: ['pack'],
    help: 'Skip the proof, for an app that cannot start without its cloud settings',
  }),
  switchFlag({
    name: 'verbose',
    key: 'verbose',
    commands: ['pack'],
    help: 'List every file left out and the rule that left it out',
  }),
  switchFlag({
    name: 'bundle',
    key: 'bundle',
    commands: ['pack'],
    help: 'One bundled handler file instead of node_modules (needs esbuild)',
  }),
  switchFlag({
    name: 'code-cache',
    key: 'codeCache',
    commands: ['pack'],
    help: 'With --bundle, add a V8 code cache made by --node, used only on\nthat exact Node build (docs/code-cache.md)',
  }),
  valueFlag({
    name: 'external',
    key: 'external',
    commands: ['pack'],
    value: '<pkg>',
    repeatable: true,
    parse: rules.nameList,
    default: [] as string[],
    help: 'With --bundle, keep a package as files (repeatable; packages\nwith native addons are kept anyway)',
  }),
  valueFlag({
    name: 'deploy',
    key: 'deploy',
    commands: ['pack'],
    value: '<tccli|none>',
    parse: rules.oneOf(['tccli', 'none']),
    default: 'tccli' as 'tccli' | 'none',
    help: 'Write the tccli request files beside the zip (default: tccli)',
  }),
  valueFlag({
    name: 'name',
    key: 'name',
    commands: ['pack'],
    value: '<function>',
    parse: rules.functionName,
    default: undefined as string | undefined,
    help: "The function's name (default: package.json's name)",
  }),
  valueFlag({
    name: 'region',
    key: 'region',
    commands: ['pack'],
    value: '<region>',
    parse: rules.region,
    default: 'ap-guangzhou',
    help: 'Default region in deploy.sh (default: ap-guangzhou)',
  }),
  valueFlag({
    name: 'auth',
    key: 'auth',
    commands: ['pack'],
    value: '<NONE|CAM>',
    parse: rules.oneOf(['NONE', 'CAM'], (text) => text.toUpperCase()),
    default: 'NONE' as 'NONE' | 'CAM',
    help: "The Function URL's AuthType (default: NONE)",
  }),
  valueFlag({
    name: 'env',
    key: 'env',
    commands: ['pack'],
    value: '<KEY=VALUE>',
    repeatable: true,
    parse: rules.environmentVariable,
    default: {} as Record<string, string>,
    help: 'An environment variable of the function (repeatable;\nNODE_ENV=production is set unless given)',
  }),
  valueFlag({
    name: 'cos-bucket',
    key: 'cosBucket',
    commands: ['pack'],
    value: '<bucket-appid>',
    parse: rules.cosBucket,
    default: undefined as string | undefined,
    help: 'Deploy the code through COS (needed above the ~7 MB an\ninline upload allows)',
  }),
  valueFlag({
    name: 'cos-region',
    key: 'cosRegion',
    commands: ['pack'],
    value: '<region>',
    parse: rules.region,
    default: undefined as string | undefined,
    help: "The bucket's region (needed for ap-beijing only)",
  }),
  valueFlag({
    name: 'cos-object',
    key: 'cosObject',
    commands: ['pack'],
    value: '</path.zip>',
    parse: (text: string, flag: string) => {
      const path = rules.nonEmpty(text, flag)
      return path.startsWith('/') ? path : `/${path}`
    },
    default: undefined as string | undefined,
    help: "The object's key, with --cos-bucket\n(default: /scf-bridge/<name>/<zip>)",
  }),
  valueFlag({
    name: 'node',
    key: 'node',
    commands: ['pack'],
    value: '<path|version>',
    parse: rules.nonEmpty,
    default: undefined as string | undefined,
    help: 'The Node the proof runs on and the code cache is made by: a\nbinary, or an exact version (20.19.5) fetched from the npm\nregistry (default: this one)',
  }),
]

type Row = (typeof FLAGS)[number]
type ValueOf<F> = F extends { parse: (...args: never[]) => infer T } ? T : boolean

/** The options a command's flags make, by their keys: `FlagValues<'pack'>['timeoutS']` is a number. */
export type FlagValues<C extends CommandName> = {
  [F in Row as C extends F['commands'][number] ? F['key'] : never]: ValueOf<F>
}

/** The rows a command takes. */
export function flagsOf(command: CommandName): ReadonlyArray<Switch | ValueFlag> {
  return (FLAGS as ReadonlyArray<Switch | ValueFlag>).filter((flag) => flag.commands.includes(command))
}
