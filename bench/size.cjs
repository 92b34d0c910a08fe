'use strict'
// Installed size and runtime dependency count of each adapter: its own files plus the transitive
// closure of its `dependencies`, as installed (bench/node_modules first, then the root's).
const fs = require('node:fs')
const path = require('node:path')

const ROOT = path.join(__dirname, '..')

function dirSize(dir, skipNodeModules = true) {
  let bytes = 0
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (skipNodeModules && entry.name === 'node_modules') continue
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) bytes += dirSize(full)
    else if (entry.isFile()) bytes += fs.statSync(full).size
  }
  return bytes
}

function findPackage(name, fromDir) {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name)
    if (fs.existsSync(path.join(candidate, 'package.json'))) return fs.realpathSync(candidate)
    if (dir === path.dirname(dir)) throw new Error(`${name} not installed (from ${fromDir})`)
  }
}

function closure(dir, seen = new Map()) {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'))
  for (const name of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
    let depDir
    try {
      depDir = findPackage(name, dir)
    } catch {
      continue // an optional dependency not installed on this platform
    }
    if (seen.has(depDir)) continue
    seen.set(depDir, dirSize(depDir))
    closure(depDir, seen)
  }
  return seen
}

/** What `npm install scf-bridge` would put on disk for the package itself: its `files`. */
function ownPublishedSize(dir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'))
  let bytes = fs.statSync(path.join(dir, 'package.json')).size
  for (const entry of pkg.files ?? []) {
    const full = path.join(dir, entry)
    if (!fs.existsSync(full)) continue
    bytes += fs.statSync(full).isDirectory() ? dirSize(full) : fs.statSync(full).size
  }
  return bytes
}

function measure(name) {
  const dir = name === 'scf-bridge' ? ROOT : findPackage(name, __dirname)
  const own = name === 'scf-bridge' ? ownPublishedSize(dir) : dirSize(dir)
  const deps = closure(dir)
  let depBytes = 0
  for (const bytes of deps.values()) depBytes += bytes
  const version = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version
  return { name, version, own, deps: deps.size, total: own + depBytes }
}

module.exports = { measure }

if (require.main === module) {
  for (const name of [
    'scf-bridge',
    'tencent-serverless-http',
    'serverless-http',
    '@codegenie/serverless-express',
    'light-my-request',
  ]) {
    console.log(measure(name))
  }
}
