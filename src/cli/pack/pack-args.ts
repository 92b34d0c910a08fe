import { readCommandLine } from '../command-line'
import type { FlagValues } from '../flags'
import { usage } from '../usage'
import { UsageError } from '../usage-error'

/** The settings of `scf-bridge pack`, defaults applied where they do not depend on the project. */
export type PackOptions = Omit<FlagValues<'pack'>, 'handler' | 'websocket' | 'wsIdleTimeoutS'> & {
  /** The project folder. */
  dir: string
  /** SCF's handler setting, always `file.export`. */
  handler: string
  /** With `--target web --websocket`: create the function with WebSockets on, and this idle timeout in seconds. */
  websocketIdleTimeoutS: number | undefined
}

export const PACK_USAGE = usage('pack')

/** Parses `scf-bridge pack`'s arguments (after the command). Pure; throws `UsageError`. */
export function parsePackArgs(argv: readonly string[]): PackOptions {
  const { flags, positional } = readCommandLine('pack', argv, 'project folder')
  const { websocket, wsIdleTimeoutS, ...rest } = flags
  const handler = flags.handler ?? 'index.main_handler'
  const options: PackOptions = {
    dir: positional ?? '.',
    ...rest,
    handler: handler.includes('.') ? handler : `index.${handler}`,
    websocketIdleTimeoutS: undefined,
  }
  if (options.external.length && !options.bundle)
    throw new UsageError('--external only means something with --bundle', 'pack')
  if ((options.cosRegion !== undefined || options.cosObject !== undefined) && options.cosBucket === undefined)
    throw new UsageError('--cos-region and --cos-object need --cos-bucket', 'pack')
  if (options.codeCache && !options.bundle)
    throw new UsageError('--code-cache needs --bundle: the cache is of the bundle', 'pack')
  if (options.codeCache && options.target === 'web')
    throw new UsageError('--code-cache is for event functions: its loader is the handler file SCF requires', 'pack')
  if (websocket && options.target !== 'web')
    throw new UsageError('--websocket needs --target web: event functions cannot hold a WebSocket', 'pack')
  if (wsIdleTimeoutS !== undefined && !websocket)
    throw new UsageError('--ws-idle-timeout only means something with --websocket', 'pack')
  if (websocket) {
    options.websocketIdleTimeoutS = wsIdleTimeoutS ?? 15
    // Tencent's WebSocket doc: the function's timeout must be at least the idle timeout.
    if (options.websocketIdleTimeoutS > options.timeoutS)
      throw new UsageError(
        `--ws-idle-timeout ${options.websocketIdleTimeoutS} is above the function's timeout (${options.timeoutS} s): raise --timeout`,
        'pack',
      )
  }
  return options
}
