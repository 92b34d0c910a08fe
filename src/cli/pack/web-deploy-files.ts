import { appendFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  type CodeLocation,
  createFunctionRequest,
  type FunctionSettings,
  updateFunctionCodeRequest,
  writeDeployFiles,
} from './deploy-files'

/** What makes a Web function's requests differ from an event function's. */
export interface WebFunctionSettings {
  /** WebSocket support: `ProtocolType: "WS"` with this idle timeout in seconds, fixed once created. */
  websocketIdleTimeoutS: number | undefined
}

/**
 * CreateFunction for a Web function: `Type: "HTTP"` and no `Handler` (the platform runs `scf_bootstrap`);
 * with WebSockets, `ProtocolType: "WS"` and the idle timeout, which can only be chosen at creation.
 */
export function createWebFunctionRequest(
  settings: FunctionSettings,
  code: CodeLocation,
  web: WebFunctionSettings,
): Record<string, unknown> {
  const { Handler: _handler, ...request } = createFunctionRequest(settings, code)
  return {
    ...request,
    Type: 'HTTP',
    ...(web.websocketIdleTimeoutS === undefined
      ? {}
      : { ProtocolType: 'WS', ProtocolParams: { WSParams: { IdleTimeOut: web.websocketIdleTimeoutS } } }),
  }
}

/** UpdateFunctionCode for a Web function: the code only (no `Handler`). */
export function updateWebFunctionCodeRequest(settings: FunctionSettings, code: CodeLocation): Record<string, unknown> {
  const { Handler: _handler, ...request } = updateFunctionCodeRequest(settings, code)
  return request
}

/**
 * The event target's deploy files (deploy.sh, the Function URL trigger, README) with the two requests that
 * differ for a Web function, and a README section saying what is different.
 */
export function writeWebDeployFiles(
  dir: string,
  settings: FunctionSettings,
  code: CodeLocation,
  zipName: string,
  cosUri: string | undefined,
  web: WebFunctionSettings,
): void {
  writeDeployFiles(dir, settings, code, zipName, cosUri)
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`
  writeFileSync(join(dir, 'create-function.json'), json(createWebFunctionRequest(settings, code, web)))
  writeFileSync(join(dir, 'update-function-code.json'), json(updateWebFunctionCodeRequest(settings, code)))
  appendFileSync(
    join(dir, 'README.md'),
    `
## A Web function

These files create a **Web function** (\`Type: "HTTP"\`): the platform runs \`scf_bootstrap\` from the zip,
which serves the app on port 9000, so replies stream (Server-Sent Events) ${
      web.websocketIdleTimeoutS === undefined
        ? 'and WebSockets stay off (pack with `--websocket` to create the function with them: they cannot be turned on later)'
        : `and WebSockets are on (\`ProtocolType: "WS"\`, idle timeout ${web.websocketIdleTimeoutS} s; this cannot be undone after creation)`
    }. The handler setting does not apply. A function's type is fixed at creation: an existing event function of
the same name must be deleted first. Terraform's \`tencentcloud_scf_function\` creates Web functions
(\`func_type = "HTTP"\`) but has no WebSocket setting: use these files for a WebSocket function.
`,
  )
}
