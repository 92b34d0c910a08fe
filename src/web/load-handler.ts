import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { type WebHandle, webHandleOf } from '../web-handle'

/** A handler the runner cannot load or serve; the message says why and what to change. */
export class WebLoadError extends Error {
  override name = 'WebLoadError'
}

// Targeting Node 16, the bundler keeps this a real import() in the CommonJS build too.
const importModule = (specifier: string): Promise<Record<string, unknown>> => import(specifier)

/**
 * Loads SCF's handler setting (`index.main_handler`) from the code folder, as an event function would, and
 * returns the app and options the handler's `bridge()` call recorded.
 */
export async function loadWebHandle(setting: string, codeDir: string): Promise<WebHandle> {
  const dot = setting.lastIndexOf('.')
  if (dot < 1 || dot === setting.length - 1)
    throw new WebLoadError(
      `the handler must look like index.main_handler (file.export), got ${JSON.stringify(setting)}`,
    )
  const stem = setting.slice(0, dot)
  const exportName = setting.slice(dot + 1)
  const file = ['.js', '.cjs', '.mjs'].map((ext) => resolve(codeDir, stem + ext)).find((path) => existsSync(path))
  if (!file) throw new WebLoadError(`no ${stem}.js (or .cjs, .mjs) in ${codeDir} for the handler ${setting}`)

  let mod: Record<string, unknown>
  try {
    mod = file.endsWith('.mjs') ? await importModule(pathToFileURL(file).href) : await requireOrImport(file)
  } catch (error) {
    throw new WebLoadError(
      `could not load ${file}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    )
  }
  const fromDefault =
    mod.default !== null && typeof mod.default === 'object' ? (mod.default as Record<string, unknown>) : undefined
  const handler = mod[exportName] ?? fromDefault?.[exportName]
  if (typeof handler !== 'function')
    throw new WebLoadError(
      `${file} has no function export ${JSON.stringify(exportName)}; set exports.${exportName} = bridge(app)`,
    )
  const handle = webHandleOf(handler)
  if (!handle)
    throw new WebLoadError(
      `${setting} is not a handler made by bridge(): the Web function target serves the app that bridge(app) wraps ` +
        `(exports.${exportName} = bridge(app)); if it is, the project's scf-bridge predates Web functions: update it`,
    )
  return handle
}

async function requireOrImport(file: string): Promise<Record<string, unknown>> {
  try {
    return createRequire(join(file, '..', 'noop.js'))(file) as Record<string, unknown>
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code === 'ERR_REQUIRE_ESM' || code === 'ERR_REQUIRE_ASYNC_MODULE') return importModule(pathToFileURL(file).href)
    throw error
  }
}
