import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { CliError } from '../cli-error'
import { bundleHandler, loadEsbuild } from './bundle'
import { makeCodeCache } from './code-cache'
import type { LeftOut } from './collect-files'
import { type CollectedFile, type Collection, collectFiles } from './collect-files'
import { type DependencyReport, dependencyReport } from './dependency-report'
import {
  CODE_LIMIT,
  type CodeLocation,
  type FunctionSettings,
  INLINE_ZIP_LIMIT,
  writeDeployFiles,
} from './deploy-files'
import { type Exclusion, IGNORE_FILE } from './file-rules'
import { nodeBinaryOf } from './node-binary'
import { nodeModulesFiles } from './node-modules-files'
import type { PackOptions } from './pack-args'
import { type Proof, proveZip } from './prove-zip'
import { findRuntime, type Runtime, runtimeFromEngines } from './runtimes'
import { findLockfile, stageProduction } from './stage-production'
import { writeWebDeployFiles } from './web-deploy-files'
import { addWebInputs, proveWebZip } from './web-target'
import { writeZip } from './zip'

/** Where pack writes its lines. */
export interface PackIo {
  out: (line: string) => void
  err: (line: string) => void
}

/** A project pack cannot turn into a zip, or a zip that failed its proof; the message says why. */
export class PackError extends CliError {
  override name = 'PackError'
}

/** What one run produced. */
export interface PackResult {
  zipPath: string
  zipBytes: number
  unpackedBytes: number
  runtime: Runtime
  report: DependencyReport
  /** Undefined with --no-prove. */
  proof: Proof | undefined
  deployDir: string | undefined
}

const HANDLER_EXTENSIONS = ['.js', '.cjs', '.mjs']

/** `scf-bridge pack`: collect, install, (bundle,) zip, prove, write the deploy files. */
export async function pack(options: PackOptions, io: PackIo): Promise<PackResult> {
  const projectDir = resolve(options.dir)
  if (!existsSync(projectDir)) throw new PackError(`${options.dir} does not exist (resolved to ${projectDir})`)
  if (!statSync(projectDir).isDirectory())
    throw new PackError(`${options.dir} is not a folder: pack takes the project folder (the one with package.json)`)
  const manifestPath = join(projectDir, 'package.json')
  if (!existsSync(manifestPath))
    throw new PackError(
      `no package.json in ${projectDir}: pack installs the production dependencies it lists (npm init creates one)`,
    )
  let manifest: { name?: unknown; type?: unknown; engines?: { node?: unknown } }
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
  } catch (error) {
    throw new PackError(`${manifestPath} is not valid JSON: ${(error as Error).message}`)
  }
  const engines = typeof manifest.engines?.node === 'string' ? manifest.engines.node : undefined
  // biome-ignore lint/style/noNonNullAssertion: parsePackArgs has refused a --runtime that findRuntime does not know
  const runtime = options.runtime ? findRuntime(options.runtime)! : runtimeFromEngines(engines)
  const dot = options.handler.lastIndexOf('.')
  const handlerStem = options.handler.slice(0, dot)
  const handlerFile = HANDLER_EXTENSIONS.map((ext) => handlerStem + ext).find((file) =>
    existsSync(join(projectDir, file)),
  )
  if (!handlerFile) {
    throw new PackError(
      `handler ${options.handler}: no ${handlerStem}.js (or .cjs, .mjs) in ${projectDir}; SCF looks for the file before the last dot of the handler setting (--handler file.export)`,
    )
  }
  findLockfile(projectDir)
  const name = options.name ?? functionName(manifest.name, projectDir)

  const zipPath = resolve(projectDir, options.out ?? 'function.zip')
  const deployDir = options.deploy === 'tccli' ? join(dirname(zipPath), 'deploy', 'tccli') : undefined
  const ownOutput = [zipPath, join(dirname(zipPath), 'deploy', 'tccli')]
    .map((p) => relative(projectDir, p))
    .filter((p) => !p.startsWith('..'))
  io.out(`scf-bridge pack: ${projectDir}`)
  io.out(
    `  handler ${options.handler}, runtime ${runtime.id}${options.runtime ? '' : engines ? ` (from engines.node ${engines})` : ' (the default)'}${runtime.attested === 'third-party' ? ' (seen only in third-party notes: check the console lists it)' : ''}`,
  )

  const collection = collectFiles(projectDir, ownOutput)
  if (!collection.files.some((file) => file.name === handlerFile)) {
    const why = collection.leftOut.find((left) => left.name === handlerFile || handlerFile.startsWith(`${left.name}/`))
    throw new PackError(
      `the handler file ${handlerFile} is left out${why ? ` by ${describeRule(why)}` : ''}: re-include it with !${handlerFile} in ${IGNORE_FILE}`,
    )
  }
  printLeftOut(collection, options.verbose, io)

  const node = nodeBinaryOf(options.node, io.out)
  const staging = stageProduction(projectDir, { log: io.out })
  try {
    if (staging.devOnly.length)
      io.out(
        `  left out development packages npm installed: ${staging.devOnly.join(', ')} (not needed by dependencies)`,
      )
    const dependencyFiles = nodeModulesFiles(staging.dir)
    const report = dependencyReport(dependencyFiles, runtime)
    printReport(report, runtime, io)

    let entries: CollectedFile[]
    const contents = new Map<string, Buffer>()
    if (options.bundle) {
      const esbuild = loadEsbuild(projectDir)
      for (const file of collection.files) {
        const target = join(staging.dir, file.name)
        mkdirSync(dirname(target), { recursive: true })
        copyFileSync(file.path, target)
      }
      const esm = handlerFile.endsWith('.mjs') || (manifest.type === 'module' && handlerFile.endsWith('.js'))
      const bundle = await bundleHandler({
        esbuild,
        stagingDir: staging.dir,
        handlerFile,
        nodeMajor: runtime.node[0],
        external: options.external,
        esm,
      })
      for (const warning of bundle.warnings) io.err(`  esbuild: ${warning}`)
      contents.set(handlerFile, bundle.code)
      const kept = nodeModulesFiles(staging.dir, bundle.keptPackageDirs)
      io.out(
        `  bundled ${handlerFile} (${formatBytes(bundle.code.length)})${bundle.externals.length ? `; kept as files: ${bundle.externals.join(', ')}` : ''}`,
      )
      entries = [...collection.files, ...kept]
      if (options.codeCache) {
        const cache = makeCodeCache({
          stagingDir: staging.dir,
          handlerFile,
          handler: options.handler,
          bundle: bundle.code,
          esm,
          node: node ?? process.execPath,
          check: options.check,
          timeoutMs: options.timeoutS * 1000,
          taken: new Set(entries.map((entry) => entry.name)),
        })
        for (const file of cache.files) {
          contents.set(file.name, file.data)
          if (file.name !== handlerFile)
            entries.push({ name: file.name, path: '', mode: 0o644, size: file.data.length })
        }
        io.out(
          `  code cache: ${formatBytes(cache.cacheBytes)} made after GET ${options.check} (${cache.status}) on Node ${cache.nodeVersion}; used only on that exact build (${cache.described})`,
        )
        if (Number(cache.nodeVersion.slice(1).split('.')[0]) !== runtime.node[0])
          io.err(
            `  warning: ${runtime.id} runs Node ${runtime.node[0]}: a cache made by Node ${cache.nodeVersion} will never be used there; --node <the exact ${runtime.node[0]}.x.y SCF runs> (docs/code-cache.md)`,
          )
      }
    } else entries = [...collection.files, ...dependencyFiles]

    const unique = new Map<string, CollectedFile>()
    for (const entry of entries) unique.set(entry.name, entry)
    const files = [...unique.values()]
    // Sizes first: nothing is read when the code could not be deployed anyway.
    const unpackedBytes = files.reduce((sum, file) => sum + (contents.get(file.name)?.length ?? file.size), 0)
    const projectCount = collection.files.length
    io.out(
      `  files: ${projectCount} from the project (rules: ${collection.ruleSources.join(', ')}), ${files.length - projectCount} from node_modules`,
    )
    if (unpackedBytes > CODE_LIMIT)
      throw new PackError(
        `the code is ${formatBytes(unpackedBytes)} unpacked; SCF allows ${formatBytes(CODE_LIMIT)} per version, layers included`,
      )
    const inputs = files.map((file) => ({
      name: file.name,
      data: contents.get(file.name) ?? readFileSync(file.path),
      mode: file.mode,
    }))
    if (options.target === 'web') {
      const web = addWebInputs(inputs, { runtime, handler: options.handler, bundle: options.bundle })
      for (const warning of web.warnings) io.err(`  warning: ${warning}`)
      if (web.problem) throw new PackError(web.problem)
    }
    const zip = writeZip(inputs)

    let proof: Proof | undefined
    if (options.noProve) io.out('  proof: skipped (--no-prove)')
    else proof = await proveOrFail(zip, options, runtime, name, node, io)

    // Only a proved zip gets the name a console or Terraform upload takes: written beside it, then renamed.
    mkdirSync(dirname(zipPath), { recursive: true })
    const partial = join(dirname(zipPath), `.${basename(zipPath)}.${process.pid}.partial`)
    try {
      writeFileSync(partial, zip)
      renameSync(partial, zipPath)
    } finally {
      rmSync(partial, { force: true })
    }
    const inline = zip.length <= INLINE_ZIP_LIMIT
    io.out(
      `wrote ${relative(process.cwd(), zipPath) || zipPath}: ${formatBytes(zip.length)} (${inline ? 'fits' : 'over'} the ~7 MB inline upload limit; ` +
        `${formatBytes(unpackedBytes)} unpacked of SCF's 500 MB)`,
    )

    let writtenDeployDir: string | undefined
    if (deployDir) {
      const settings: FunctionSettings = {
        name,
        namespace: 'default',
        region: options.region,
        runtime: runtime.id,
        handler: options.handler,
        memoryMb: options.memoryMb,
        timeoutS: options.timeoutS,
        environment: { NODE_ENV: 'production', ...options.env },
        auth: options.auth,
      }
      const code = codeLocation(options, zip, zipPath, name)
      if (!code) {
        io.err(
          `  the zip is over the inline limit: pass --cos-bucket <bucket-appid> to write deploy files that take the code from COS`,
        )
      } else {
        const cosUri = code.kind === 'cos' ? `cos://${options.cosBucket}${code.object}` : undefined
        if (options.target === 'web')
          writeWebDeployFiles(deployDir, settings, code, basename(zipPath), cosUri, {
            websocketIdleTimeoutS: options.websocketIdleTimeoutS,
          })
        else writeDeployFiles(deployDir, settings, code, basename(zipPath), cosUri)
        writtenDeployDir = deployDir
        io.out(
          `deploy files: ${relative(process.cwd(), deployDir) || deployDir}/ (${code.kind === 'inline' ? 'code inline' : `code from cos://${options.cosBucket}${code.object}`}); run ${relative(process.cwd(), join(deployDir, 'deploy.sh'))}`,
        )
      }
    }
    return { zipPath, zipBytes: zip.length, unpackedBytes, runtime, report, proof, deployDir: writtenDeployDir }
  } finally {
    staging.remove()
  }
}

/** Runs the proof; a handler that does not load, a 5xx or an invalid reply fails the pack with the app's own lines. */
async function proveOrFail(
  zip: Buffer,
  options: PackOptions,
  runtime: Runtime,
  functionName: string,
  node: string | undefined,
  io: PackIo,
): Promise<Proof> {
  const proof =
    options.target === 'web'
      ? await proveWebZip(zip, {
          target: options.check,
          runtime,
          functionName,
          region: options.region,
          node,
        })
      : await proveZip(zip, {
          handler: options.handler,
          target: options.check,
          node,
          timeoutMs: options.timeoutS * 1000,
          memoryMb: options.memoryMb,
        })
  for (const warning of (proof as { warnings?: string[] }).warnings ?? []) io.err(`  warning: ${warning}`)
  const output = proof.output?.trim() ?? ''
  const appLines = output ? `\nthe app's output:\n${indent(lastLines(output, 12))}` : ''
  const skip = '\n(an app that cannot start without its cloud settings: --no-prove)'
  if (!proof.loaded)
    throw new PackError(
      `the zip's handler does not load on its own (nothing but the zip's ${proof.fileCount ?? ''} files):\n${proof.error}${skip}`,
    )
  const answer = `GET ${options.check} -> ${proof.status}${proof.contentType ? ` ${proof.contentType}` : ''} (${formatBytes(proof.bytes)})`
  if (proof.problem) throw new PackError(`the zip loads, but ${answer}: ${proof.problem}${appLines}${skip}`)
  if (proof.status >= 500) throw new PackError(`the zip loads, but the app failed: ${answer}${appLines}${skip}`)
  io.out(`proof: ${answer} on Node ${proof.nodeVersion.slice(1)}, with nothing but the zip's ${proof.fileCount} files`)
  for (const leak of proof.leaks) io.err(`  warning: the proof could also resolve modules from ${leak}`)
  const provedMajor = Number(proof.nodeVersion.slice(1).split('.')[0])
  if (provedMajor !== runtime.node[0])
    io.out(
      `  note: proved on Node ${provedMajor}, ${runtime.id} runs Node ${runtime.node[0]}: --node <a Node ${runtime.node[0]} binary> proves on the same major`,
    )
  return proof
}

/** What stayed out of the zip: each secret, a count per rule for the rest (all of them with --verbose), warnings. */
function printLeftOut(collection: Collection, verbose: boolean, io: PackIo): void {
  for (const left of collection.leftOut.filter((l) => l.kind === 'secret'))
    io.out(
      `  left out as a secret: ${left.name}${left.target ? ` (a link to ${left.target})` : ''} (${left.rule}; to ship it: ${left.isDir ? `!${left.matched}/ and !${left.matched}/**` : `!${left.matched}`} in ${IGNORE_FILE})`,
    )
  const byRule = collection.leftOut.filter((l) => l.kind === 'rule')
  if (verbose) {
    for (const left of byRule)
      io.out(`  left out ${left.name}${left.target ? ` (a link to ${left.target})` : ''}: ${describeRule(left)}`)
  } else if (byRule.length) {
    const counts = new Map<string, { rule: LeftOut; names: string[] }>()
    for (const left of byRule) {
      const key = describeRule(left)
      counts.set(key, { rule: left, names: [...(counts.get(key)?.names ?? []), left.name] })
    }
    const summary = [...counts].map(
      ([rule, { names }]) =>
        `${names.slice(0, 2).join(', ')}${names.length > 2 ? ` and ${names.length - 2} more` : ''} by ${rule}`,
    )
    io.out(`  left out ${summary.join('; ')} (--verbose lists each)`)
  }
  for (const skipped of collection.skipped) io.err(`  warning: ${skipped.name} is ${skipped.reason}; left out`)
}

function describeRule(left: Exclusion): string {
  return `${left.rule} (${left.source})`
}

function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join('\n')
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')
}

function codeLocation(options: PackOptions, zip: Buffer, zipPath: string, name: string): CodeLocation | undefined {
  if (options.cosBucket) {
    return {
      kind: 'cos',
      bucket: options.cosBucket.replace(/-\d+$/, ''), // the API names the bucket without its APPID
      object: options.cosObject ?? `/scf-bridge/${name}/${basename(zipPath)}`,
      region: options.cosRegion,
    }
  }
  return zip.length <= INLINE_ZIP_LIMIT ? { kind: 'inline', zip } : undefined
}

/** An SCF function name from package.json's name (scope dropped, other characters turned into -). */
export function functionName(packageName: unknown, projectDir: string): string {
  const raw =
    typeof packageName === 'string' && packageName ? packageName.replace(/^@[^/]+\//, '') : basename(projectDir)
  const name = raw
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^[^A-Za-z]+/, '')
    .slice(0, 60)
    .replace(/[-_]+$/, '')
  return name.length >= 2 ? name : 'scf-bridge-app'
}

function printReport(report: DependencyReport, runtime: Runtime, io: PackIo): void {
  const node = runtime.node.slice(0, 2).join('.')
  if (report.enginesMismatches.length === 0) io.out(`  engines: every dependency allows Node ${node}`)
  for (const m of report.enginesMismatches) {
    io.err(
      `  warning: ${m.pkg}@${m.version} ${m.unreadable ? 'has an engines.node pack cannot read' : `does not support Node ${node}`}: engines.node ${JSON.stringify(m.engines)}`,
    )
  }
  for (const pkg of report.wrongPlatform)
    io.err(
      `  warning: ${pkg} has native addons, none built for linux-x64 (SCF): install and pack on Linux x64, or in a Linux container`,
    )
  for (const addon of report.newGlibc)
    io.err(
      `  warning: ${addon.file} needs glibc ${addon.glibc}; SCF documents CentOS 7 (glibc 2.17): it may fail to load there`,
    )
  if (report.addons.length)
    io.out(
      `  native addons: ${[...new Set(report.addons.map((a) => a.pkg))].join(', ')} (built here with Node ${process.versions.node}; an addon not on Node-API must match ${runtime.id})`,
    )
  const top = report.largest.slice(0, 5)
  if (top.length) io.out(`  largest dependencies: ${top.map((d) => `${d.pkg} ${formatBytes(d.bytes)}`).join(', ')}`)
}

/** Bytes in kB/MB (1000s, as a file manager shows them). */
function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`
  if (bytes < 1000 * 1000) return `${(bytes / 1000).toFixed(1)} kB`
  return `${(bytes / 1000 / 1000).toFixed(1)} MB`
}
