import { optionLines } from './command-line'
import type { CommandName } from './usage-error'

const DEV = `Usage: scf-bridge dev [entry] [options]

Runs an SCF handler locally behind an emulated Function URL (or, with --trigger apigw,
the legacy API Gateway): a real HTTP server that turns each request into the event
Tencent sends, calls the handler, and writes its integrated response back. Works with
any handler, async or callback-style, made with bridge() or not.

Arguments:
  entry                   The handler file (./index.js) or the code folder (default: .)

Options:
${optionLines('dev')}

Examples:
  npx scf-bridge dev ./index.js
  npx scf-bridge dev . --handler app.main_handler --port 3000 --watch
  npx scf-bridge dev ./index.js --trigger apigw --timeout 10

Limits as on Tencent Cloud: requests over 6 MB (as an event) get 413, responses over
6 MB get 502, an invalid integrated response gets 502 saying what is wrong, a
handler that throws gets 502, one that runs past --timeout gets 504.
`

const INVOKE = `Usage: scf-bridge invoke [entry] --event <kind> | --event-file <file.json> [options]

Runs one invocation of the handler with a trigger's event, as SCF would, and prints
the result as JSON (or the error); the handler's own log shows as it runs. Exits 1
when the invocation fails or times out.

Arguments:
  entry                   The handler file (./index.js) or the code folder (default: .)

Options:
${optionLines('invoke')}

Examples:
  npx scf-bridge invoke ./index.js --event timer
  npx scf-bridge invoke . --handler app.main_handler --event-file cos-event.json
`

const PACK = `Usage: scf-bridge pack [dir] [options]

Builds the deployable zip of a project (function.zip in the project folder): the
handler, the project's files and its production dependencies installed from the
lockfile (in a staging folder). It reports dependencies that do not fit the runtime,
then proves the zip: unpacked in a temporary folder, the handler is loaded with
nothing but the zip's files and answers GET / through the emulator of scf-bridge dev.
It also writes the tccli request files (deploy/tccli/).

Arguments:
  dir                     The project folder, with package.json (default: .)

Options:
${optionLines('pack')}

Examples:
  npx scf-bridge pack
  npx scf-bridge pack ./app --runtime Nodejs20.19 --check /health
  npx scf-bridge pack --bundle --external sharp
`

const USAGES: Record<CommandName, string> = { dev: DEV, invoke: INVOKE, pack: PACK }

/** The usage of one command, or of all of them. */
export function usage(command?: CommandName): string {
  if (command) return USAGES[command]
  return [DEV, INVOKE, PACK].join('\n')
}
