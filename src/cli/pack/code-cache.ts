import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join, posix } from 'node:path'
import { CliError } from '../cli-error'
import { type CodeCacheFiles, loaderSource, producerSource } from './code-cache-loader'

/** `--code-cache` cannot be made for this project or on this Node; the message says why. */
export class CodeCacheError extends CliError {
  override name = 'CodeCacheError'
}

/** What `pack --bundle --code-cache` puts in the zip in place of the bundled handler. */
export interface CodeCache {
  /** Zip entries: the loader as the handler file, the bundle, the cache and the fingerprint. */
  files: Array<{ name: string; data: Buffer }>
  /** The Node that made the cache (`v20.19.5`), and its fingerprint as the loader's log line shows it. */
  nodeVersion: string
  described: string
  cacheBytes: number
  /** The status of the one request served to make it, or what went wrong with it. */
  status: number | string
}

/** The zip paths of the code-cache files for a handler file (`index.js`, `src/main.js`). */
export function codeCachePaths(handlerFile: string): { [K in keyof CodeCacheFiles]: string } {
  const stem = handlerFile.replace(/\.[cm]?js$/, '')
  return {
    handler: handlerFile,
    bundle: `${stem}.bundle.js`,
    cache: `${stem}.bundle.v8-cache`,
    fingerprint: `${stem}.bundle.fingerprint.json`,
  }
}

// A V8 code cache drops what import() needs (the script's host options): a call compiled from the cache
// fails. esbuild's minified output writes such a call as `import(`.
const DYNAMIC_IMPORT = /(?<![\w$.])import\s*\(/

/**
 * Makes the code cache of a bundled CommonJS handler on `node`: in the staging folder (where the packages
 * kept as files are), the bundle is compiled without a cache, serves one GET of `check`, and the code V8
 * compiled by then is written with the fingerprint of that Node.
 */
export function makeCodeCache(options: {
  stagingDir: string
  handlerFile: string
  /** SCF's handler setting, `file.export`. */
  handler: string
  bundle: Buffer
  esm: boolean
  /** The Node binary to make it with. */
  node: string
  check: string
  timeoutMs: number
  /** The zip paths already taken by the project's own files. */
  taken: ReadonlySet<string>
}): CodeCache {
  if (options.esm)
    throw new CodeCacheError(
      `--code-cache needs a CommonJS handler: ${options.handlerFile} is an ES module, which vm.Script cannot load; use --bundle alone`,
    )
  const text = options.bundle.toString('utf8')
  const dynamicImport = DYNAMIC_IMPORT.exec(text)
  if (dynamicImport) {
    throw new CodeCacheError(
      `--code-cache: the bundle calls import() (near "${text.slice(Math.max(0, dynamicImport.index - 30), dynamicImport.index + 30).replace(/\s+/g, ' ')}"), which fails in code compiled from a V8 code cache; keep that module in the bundle (a require() or a static import) or use --bundle alone`,
    )
  }
  const paths = codeCachePaths(options.handlerFile)
  for (const path of [paths.bundle, paths.cache, paths.fingerprint])
    if (options.taken.has(path))
      throw new CodeCacheError(`--code-cache writes ${path}, and the project has a file of that name: rename it`)
  const local: CodeCacheFiles = {
    handler: basename(paths.handler),
    bundle: basename(paths.bundle),
    cache: basename(paths.cache),
    fingerprint: basename(paths.fingerprint),
  }
  const dir = join(options.stagingDir, ...dirname(paths.handler).split(posix.sep))
  writeFileSync(join(dir, local.bundle), options.bundle)
  const producer = join(dir, '.scf-bridge-code-cache.cjs')
  writeFileSync(producer, producerSource(local))
  const home = mkdtempSync(join(tmpdir(), 'scf-bridge-code-cache-'))
  try {
    const exportName = options.handler.slice(options.handler.lastIndexOf('.') + 1)
    // As the proof runs the handler: the code folder as cwd, no NODE_OPTIONS (its flags would be in the
    // fingerprint), nothing global to resolve modules from.
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, USERPROFILE: home, NODE_ENV: 'production' }
    delete env.NODE_PATH
    delete env.NODE_OPTIONS
    delete env.NODE_DEBUG
    const result = spawnSync(options.node, [producer, options.check, String(options.timeoutMs), exportName], {
      cwd: options.stagingDir,
      env,
      encoding: 'utf8',
      timeout: options.timeoutMs + 60_000,
      maxBuffer: 16 * 1024 * 1024,
    })
    const line = result.stdout?.trim().split('\n').pop() ?? ''
    let made: { status: number | string; cacheBytes: number; node: string; describe: string }
    try {
      made = JSON.parse(line)
    } catch {
      const why = result.error?.message ?? `exit ${result.status ?? result.signal}`
      const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().slice(-4000)
      throw new CodeCacheError(
        `the code cache could not be made on ${options.node} (${why}): the bundle failed to load or to answer${output ? `:\n${output}` : ''}`,
      )
    }
    const loader = Buffer.from(loaderSource(local))
    return {
      files: [
        { name: paths.handler, data: loader },
        { name: paths.bundle, data: options.bundle },
        { name: paths.cache, data: readFileSync(join(dir, local.cache)) },
        { name: paths.fingerprint, data: readFileSync(join(dir, local.fingerprint)) },
      ],
      nodeVersion: made.node,
      described: made.describe,
      cacheBytes: made.cacheBytes,
      status: made.status,
    }
  } finally {
    rmSync(home, { recursive: true, force: true })
    rmSync(producer, { force: true })
  }
}
