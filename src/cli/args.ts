import { readCommandLine } from './command-line'
import type { FlagValues } from './flags'
import type { InvokeCliOptions } from './invoke'
import { type PackOptions, parsePackArgs } from './pack/pack-args'
import { type CommandName, UsageError } from './usage-error'

export { UsageError }

/** The settings of `scf-bridge dev`, every default applied. */
export type DevOptions = FlagValues<'dev'> & {
  /** The handler file, or the code folder the `--handler` file is in. Default `.`. */
  entry: string
}

export type Command =
  | { name: 'dev'; options: DevOptions }
  | { name: 'pack'; options: PackOptions }
  | { name: 'invoke'; options: InvokeCliOptions }
  | { name: 'help'; command: CommandName | undefined }
  | { name: 'version' }

const COMMANDS: readonly CommandName[] = ['dev', 'invoke', 'pack']

/** Parses the CLI arguments (without `node` and the script). Pure; throws `UsageError`. */
export function parseArgs(argv: readonly string[]): Command {
  const [command, ...rest] = argv
  const known = COMMANDS.find((name) => name === command)
  const options = argv.indexOf('--') === -1 ? argv : argv.slice(0, argv.indexOf('--'))
  if (options.includes('-h') || options.includes('--help') || command === 'help') {
    return { name: 'help', command: known ?? COMMANDS.find((name) => name === rest[0]) }
  }
  if (command === '-v' || command === '--version' || command === 'version') return { name: 'version' }
  if (command === undefined) throw new UsageError('missing command: try `scf-bridge dev ./index.js`')
  if (known === 'pack') return { name: 'pack', options: parsePackArgs(rest) }
  if (known === 'invoke') return { name: 'invoke', options: parseInvokeArgs(rest) }
  if (known === 'dev') {
    const { flags, positional } = readCommandLine('dev', rest, 'entry')
    if (flags.target === 'web' && flags.watch)
      throw new UsageError('--watch is not available with --target web: restart dev after a change', 'dev')
    return { name: 'dev', options: { entry: positional ?? '.', ...flags } }
  }
  throw new UsageError(`unknown command ${JSON.stringify(command)}: the commands are \`dev\`, \`invoke\` and \`pack\``)
}

/** The arguments of `scf-bridge invoke` (after the command). */
function parseInvokeArgs(rest: readonly string[]): InvokeCliOptions {
  const { flags, positional } = readCommandLine('invoke', rest, 'entry')
  if ((flags.event === undefined) === (flags.eventFile === undefined)) {
    throw new UsageError(
      'invoke needs either --event <kind> or --event-file <file.json>, e.g. scf-bridge invoke ./index.js --event timer',
      'invoke',
    )
  }
  return { entry: positional ?? '.', ...flags }
}
