import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, sep } from 'node:path'
import { CliError } from '../cli-error'

/** esbuild is missing, or it could not bundle the handler; the message says what to do. */
export class BundleError extends CliError {
  override name = 'BundleError'
}

/** The bundled handler and the packages kept as files beside it. */
export interface Bundle {
  /** The handler file's code, with every bundled dependency inside. */
  code: Buffer
  /** Packages left out of the bundle (`--external`, native addons), each with what it needs at runtime. */
  externals: string[]
  /** `node_modules/...` folders (relative to the staging folder) to put in the zip for those packages. */
  keptPackageDirs: string[]
  warnings: string[]
}

interface EsbuildMessage {
  text: string
  location?: { file: string; line: number } | null
}
interface Esbuild {
  build(
    options: Record<string, unknown>,
  ): Promise<{ outputFiles?: Array<{ contents: Uint8Array }>; warnings: EsbuildMessage[] }>
}

/** esbuild from the project, else from beside scf-bridge: it is an optional peer dependency. */
export function loadEsbuild(projectDir: string): Esbuild {
  for (const from of [join(projectDir, 'package.json'), __filename]) {
    try {
      return createRequire(from)('esbuild') as Esbuild
    } catch {
      // try the next place
    }
  }
  throw new BundleError(
    '--bundle needs esbuild, an optional peer dependency of scf-bridge: npm install --save-dev esbuild',
  )
}

/**
 * Bundles the handler file (in a staging folder holding the project's files and its production
 * node_modules) into one file for the runtime's Node, leaving out the packages that cannot be bundled:
 * those with compiled addons (`.node`), and those named with `--external` (which keep their own
 * dependencies as files too).
 */
export async function bundleHandler(options: {
  esbuild: Esbuild
  stagingDir: string
  handlerFile: string
  nodeMajor: number
  external: readonly string[]
  esm: boolean
}): Promise<Bundle> {
  const nodeModules = join(options.stagingDir, 'node_modules')
  const addonPackages = existsSync(nodeModules) ? packagesWithAddons(nodeModules) : []
  const externals = [...new Set([...options.external, ...addonPackages])].sort()
  let result: Awaited<ReturnType<Esbuild['build']>>
  try {
    result = await options.esbuild.build({
      entryPoints: [join(options.stagingDir, options.handlerFile)],
      absWorkingDir: options.stagingDir,
      bundle: true,
      write: false,
      outfile: join(options.stagingDir, '__bundle__', options.handlerFile),
      platform: 'node',
      target: `node${options.nodeMajor}`,
      format: options.esm ? 'esm' : 'cjs',
      // CommonJS packages inside an ES module bundle still call require() for Node's modules.
      banner: options.esm
        ? {
            js: "import { createRequire as __scfCreateRequire } from 'node:module';\nconst require = __scfCreateRequire(import.meta.url);",
          }
        : undefined,
      external: externals,
      minify: true,
      keepNames: true,
      legalComments: 'none',
      logLevel: 'silent',
      nodePaths: [],
      plugins: [largeJsonAsString],
    })
  } catch (error) {
    const errors = (error as { errors?: EsbuildMessage[] }).errors ?? []
    const lines = errors.length ? errors.map(formatMessage) : [String(error)]
    throw new BundleError(
      `esbuild could not bundle ${options.handlerFile}:\n  ${lines.join('\n  ')}\nA package that cannot be bundled can stay a file: --external <name>`,
    )
  }
  const output = result.outputFiles?.[0]
  if (!output) throw new BundleError('esbuild wrote no output')
  const keptPackageDirs = new Set<string>()
  for (const name of externals) keepWithDependencies(options.stagingDir, options.stagingDir, name, keptPackageDirs)
  return {
    code: Buffer.from(output.contents),
    externals,
    keptPackageDirs: [...keptPackageDirs].sort(),
    warnings: result.warnings.map(formatMessage),
  }
}

/**
 * Large JSON files (mime-db, encoding tables) become `JSON.parse('…')`: on a cold start V8 scans a string
 * literal faster than it parses the same data as an object literal, and the parse then happens only if the
 * module is required at all.
 */
const largeJsonAsString = {
  name: 'scf-bridge-large-json',
  setup(build: {
    onLoad(
      options: { filter: RegExp },
      load: (args: { path: string }) => { contents: string; loader: string } | undefined,
    ): void
  }) {
    build.onLoad({ filter: /\.json$/ }, ({ path }) => {
      const text = readFileSync(path, 'utf8')
      if (text.length < 10 * 1024) return undefined
      let data: unknown
      try {
        data = JSON.parse(text)
      } catch {
        return undefined // esbuild reports the bad JSON itself
      }
      return { contents: `module.exports = JSON.parse(${JSON.stringify(JSON.stringify(data))})`, loader: 'js' }
    })
  },
}

function formatMessage(message: EsbuildMessage): string {
  return message.location ? `${message.location.file}:${message.location.line}: ${message.text}` : message.text
}

/** Top-level package names whose folder holds a compiled addon. */
function packagesWithAddons(nodeModules: string): string[] {
  const found: string[] = []
  for (const name of listPackages(nodeModules)) if (hasAddon(join(nodeModules, name))) found.push(name)
  return found
}

function listPackages(nodeModules: string): string[] {
  const names: string[] = []
  for (const entry of readdirSync(nodeModules)) {
    if (entry.startsWith('.')) continue
    if (entry.startsWith('@')) for (const sub of readdirSync(join(nodeModules, entry))) names.push(`${entry}/${sub}`)
    else names.push(entry)
  }
  return names
}

function hasAddon(dir: string): boolean {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && (entry.name.endsWith('.node') || entry.name === 'binding.gyp')) return true
    if (entry.isDirectory() && entry.name !== 'node_modules' && hasAddon(join(dir, entry.name))) return true
  }
  return false
}

/** Adds a package's folder and, by Node's lookup from where it is, those of its dependencies. */
function keepWithDependencies(stagingDir: string, fromDir: string, name: string, kept: Set<string>): void {
  const dir = findPackageDir(stagingDir, fromDir, name)
  if (!dir) return // an optional dependency that was not installed
  const rel = relative(stagingDir, dir).split(sep).join('/')
  if (kept.has(rel)) return
  kept.add(rel)
  let manifest: { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  } catch {
    return
  }
  for (const dependency of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies }))
    keepWithDependencies(stagingDir, dir, dependency, kept)
}

function findPackageDir(stagingDir: string, fromDir: string, name: string): string | undefined {
  for (let dir = fromDir; dir.startsWith(stagingDir); dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return candidate
    if (dir === stagingDir) break
  }
  return undefined
}
