import { CliError } from './cli-error'
/** The commands of the CLI. */
export type CommandName = 'dev' | 'invoke' | 'pack'

/** A command line the CLI cannot run; the message says what to change, and the usage of `command` follows it. */
export class UsageError extends CliError {
  override name = 'UsageError'
  /** The command whose usage to show; none for a mistake before the command is known. */
  command: CommandName | undefined
  constructor(message: string, command?: CommandName) {
    super(message)
    this.command = command
  }
}
