import { closeSync, openSync, readFileSync, readSync } from 'node:fs'
import { allowsNode } from './node-range'
import type { Runtime } from './runtimes'

/** A file as the report needs it: its path in the zip, and where to read it. */
export interface ReportFile {
  name: string
  path: string
  size: number
}

/** A dependency whose `engines.node` excludes the runtime's Node. */
export interface EnginesMismatch {
  pkg: string
  version: string
  engines: string
  /** true when the range could not be read (reported, not judged). */
  unreadable: boolean
}

/** A compiled addon (`.node` file) and the platform it was built for. */
export interface NativeAddon {
  pkg: string
  file: string
  platform: string
  /** The newest `GLIBC_2.x` it needs, when it names one. */
  glibc?: string
}

/** What pack tells before anything is uploaded. */
export interface DependencyReport {
  enginesMismatches: EnginesMismatch[]
  addons: NativeAddon[]
  /** Packages with addons but none for linux-x64: they cannot load on SCF. */
  wrongPlatform: string[]
  /** Packages whose linux-x64 addon needs a glibc newer than SCF's CentOS 7 (2.17). */
  newGlibc: NativeAddon[]
  /** Top-level dependencies by size (nested copies included), largest first. */
  largest: Array<{ pkg: string; bytes: number }>
}

/** glibc of CentOS 7, which SCF documents as its OS (tencentcloud.com 583/46771). */
const SCF_GLIBC = [2, 17]

/** Inspects the `node_modules/` files bound for the zip against the runtime. */
export function dependencyReport(files: readonly ReportFile[], runtime: Runtime): DependencyReport {
  const enginesMismatches: EnginesMismatch[] = []
  const addons: NativeAddon[] = []
  const sizes = new Map<string, number>()
  for (const file of files) {
    const top = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file.name)
    if (!top) continue
    sizes.set(top[1], (sizes.get(top[1]) ?? 0) + file.size)
    const pkg = owningPackage(file.name)
    if (pkg && file.name === `${pkg.dir}/package.json`) {
      let manifest: { version?: string; engines?: { node?: unknown } }
      try {
        manifest = JSON.parse(readFileSync(file.path, 'utf8'))
      } catch {
        continue
      }
      const engines = manifest.engines?.node
      if (typeof engines !== 'string') continue
      const ok = allowsNode(runtime.node, engines)
      if (ok !== true)
        enginesMismatches.push({
          pkg: pkg.name,
          version: manifest.version ?? '?',
          engines,
          unreadable: ok === undefined,
        })
    }
    if (pkg && file.name.endsWith('.node'))
      addons.push({ pkg: pkg.name, file: file.name, ...binaryPlatform(file.path) })
  }
  const byPackage = new Map<string, NativeAddon[]>()
  for (const addon of addons) byPackage.set(addon.pkg, [...(byPackage.get(addon.pkg) ?? []), addon])
  const wrongPlatform = [...byPackage]
    .filter(([, list]) => !list.some((a) => a.platform === 'linux-x64'))
    .map(([pkg]) => pkg)
  const newGlibc = addons.filter((a) => a.platform === 'linux-x64' && a.glibc && newerThan(a.glibc, SCF_GLIBC))
  const largest = [...sizes].map(([pkg, bytes]) => ({ pkg, bytes })).sort((a, b) => b.bytes - a.bytes)
  return { enginesMismatches, addons, wrongPlatform, newGlibc, largest }
}

/** The innermost package a node_modules path belongs to. */
function owningPackage(name: string): { name: string; dir: string } | undefined {
  const at = name.lastIndexOf('node_modules/')
  if (at === -1) return undefined
  const match = /^((?:@[^/]+\/)?[^/]+)\//.exec(name.slice(at + 'node_modules/'.length))
  return match ? { name: match[1], dir: `${name.slice(0, at)}node_modules/${match[1]}` } : undefined
}

/** Reads an addon's header: ELF machine, Mach-O or PE, and the newest glibc symbol version it names. */
function binaryPlatform(path: string): { platform: string; glibc?: string } {
  const head = Buffer.alloc(20)
  const fd = openSync(path, 'r')
  try {
    readSync(fd, head, 0, 20, 0)
  } finally {
    closeSync(fd)
  }
  if (head.readUInt32BE(0) === 0x7f454c46) {
    const machine = head.readUInt16LE(18)
    const arch =
      machine === 0x3e
        ? 'x64'
        : machine === 0xb7
          ? 'arm64'
          : machine === 0x03
            ? 'ia32'
            : machine === 0x28
              ? 'arm'
              : `machine-${machine}`
    const versions =
      readFileSync(path)
        .toString('latin1')
        .match(/GLIBC_2\.\d+/g) ?? []
    const glibc = versions.sort((a, b) => Number(a.slice(8)) - Number(b.slice(8))).pop()
    return { platform: `linux-${arch}`, glibc: glibc?.slice('GLIBC_'.length) }
  }
  const magic = head.readUInt32BE(0)
  if (magic === 0xcffaedfe || magic === 0xfeedfacf || magic === 0xcafebabe) return { platform: 'darwin' }
  if (head.toString('latin1', 0, 2) === 'MZ') return { platform: 'win32' }
  return { platform: 'unknown' }
}

function newerThan(version: string, than: number[]): boolean {
  const [major, minor] = version.split('.').map(Number)
  return major > than[0] || (major === than[0] && minor > than[1])
}
