import { readCommandLine } from '../command-line'
import type { FlagValues } from '../flags'
import { usage } from '../usage'
import { UsageError } from '../usage-error'

/** The settings of `scf-bridge pack`, defaults applied where they do not depend on the project. */
export type PackOptions = Omit<FlagValues<'pack'>, 'handler'> & {
  /** The project folder. */
  dir: string
  /** SCF's handler setting, always `file.export`. */
  handler: string
}

export const PACK_USAGE = usage('pack')

/** Parses `scf-bridge pack`'s arguments (after the command). Pure; throws `UsageError`. */
export function parsePackArgs(argv: readonly string[]): PackOptions {
  const { flags, positional } = readCommandLine('pack', argv, 'project folder')
  const handler = flags.handler ?? 'index.main_handler'
  const options: PackOptions = {
    dir: positional ?? '.',
    ...flags,
    handler: handler.includes('.') ? handler : `index.${handler}`,
  }
  if (options.external.length && !options.bundle)
    throw new UsageError('--external only means something with --bundle', 'pack')
  if ((options.cosRegion !== undefined || options.cosObject !== undefined) && options.cosBucket === undefined)
    throw new UsageError('--cos-region and --cos-object need --cos-bucket', 'pack')
  return options
}
