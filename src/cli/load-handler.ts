import { existsSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename, dirname, extname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { AnyScfHandler } from '../emulator'
import { CliError } from './cli-error'

/** Where a handler lives: the module file and the export name. */
export interface HandlerLocation {
  file: string
  exportName: string
  /** SCF's handler setting for it, e.g. `index.main_handler`. */
  setting: string
}

/** A handler that cannot be found or loaded; the message says why. */
export class HandlerLoadError extends CliError {
  override name = 'HandlerLoadError'
}

const EXTENSIONS = ['.js', '.cjs', '.mjs', '.ts', '.cts', '.mts']

/**
 * Finds the handler from the CLI's entry (a file or the code folder) and SCF's handler setting
 * (`file.export`, or just `export`), resolved like SCF resolves it in the code folder.
 */
export function resolveHandler(entry: string, setting: string | undefined, cwd: string): HandlerLocation {
  const entryPath = resolve(cwd, entry)
  if (!existsSync(entryPath)) throw new HandlerLoadError(`${entry} does not exist (resolved to ${entryPath})`)
  const dot = setting ? setting.lastIndexOf('.') : -1
  const filePart = setting && dot > 0 ? setting.slice(0, dot) : undefined
  const exportName = setting ? setting.slice(dot + 1) : 'main_handler'

  if (statSync(entryPath).isDirectory()) {
    const stem = filePart ?? 'index'
    const file = findModule(join(entryPath, stem))
    if (!file)
      throw new HandlerLoadError(`no ${stem}.js (or .cjs, .mjs) in ${entryPath} for handler ${stem}.${exportName}`)
    return { file, exportName, setting: `${stem}.${exportName}` }
  }
  const stem = basename(entryPath, extname(entryPath))
  if (filePart !== undefined && resolve(dirname(entryPath), filePart) !== join(dirname(entryPath), stem)) {
    throw new HandlerLoadError(
      `--handler ${setting} names the file ${filePart}, but the entry is ${entry}; pass the code folder as the entry, or --handler ${exportName}`,
    )
  }
  return { file: entryPath, exportName, setting: `${stem}.${exportName}` }
}

function findModule(stem: string): string | undefined {
  if (existsSync(stem) && statSync(stem).isFile()) return stem
  for (const extension of EXTENSIONS) if (existsSync(stem + extension)) return stem + extension
  return undefined
}

// Targeting Node 16, the bundler keeps this a real import() in the CommonJS build too.
const importModule = (specifier: string): Promise<Record<string, unknown>> => import(specifier)

/**
 * Loads the handler module and returns the handler function. `generation` makes an ES module load afresh
 * after a change (CommonJS modules are fresh once their require-cache entries are cleared).
 */
export async function loadHandler(location: HandlerLocation, generation = 0): Promise<AnyScfHandler> {
  const { file, exportName } = location
  let mod: Record<string, unknown>
  try {
    mod = await loadModule(file, generation)
  } catch (error) {
    throw new HandlerLoadError(`could not load ${file}: ${loadFailure(error, file)}`)
  }
  const fromDefault =
    mod.default !== null && typeof mod.default === 'object' ? (mod.default as Record<string, unknown>) : undefined
  const handler = mod[exportName] ?? fromDefault?.[exportName]
  if (typeof handler !== 'function') {
    const names = Object.keys(fromDefault ?? mod).filter((name) => name !== '__esModule')
    throw new HandlerLoadError(
      `${file} has no function export ${JSON.stringify(exportName)}` +
        (names.length ? ` (it exports ${names.slice(0, 10).join(', ')})` : ' (it exports nothing)') +
        `; set exports.${exportName} = bridge(app), or pick the export with --handler file.export`,
    )
  }
  return handler as AnyScfHandler
}

async function loadModule(file: string, generation: number): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href + (generation > 0 ? `?v=${generation}` : '')
  if (file.endsWith('.mjs') || file.endsWith('.mts')) return importModule(url)
  try {
    // createRequire works the same from the CommonJS and the ESM build, and shares require.cache.
    return createRequire(file)(file) as Record<string, unknown>
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code === 'ERR_REQUIRE_ESM' || code === 'ERR_REQUIRE_ASYNC_MODULE') return importModule(url)
    throw error
  }
}

function loadFailure(error: unknown, file: string): string {
  const code = (error as { code?: string }).code
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
  if (code === 'ERR_UNKNOWN_FILE_EXTENSION' || (/\.[cm]?ts$/.test(file) && error instanceof SyntaxError)) {
    return `${message}\nTypeScript handlers need a loader: run with NODE_OPTIONS="--import tsx" (Node 18.19+) or compile first.`
  }
  return message
}
