/**
 * The base of every error the CLI expects (a bad command line, a handler it cannot load, a zip it cannot
 * build): the message says what to change, so the CLI prints it alone and exits 1 (2 for a bad command
 * line). Any other error is a bug, printed with its stack.
 */
export class CliError extends Error {
  override name = 'CliError'
}
