/**
 * The source of the handler file `pack --bundle --code-cache` writes in place of the bundle: plain
 * CommonJS for every SCF Node (16.13 on), no dependency. It compiles the bundle beside it with
 * `vm.Script`, handing V8 the code cache only when the running Node is exactly the build that made it:
 * V8's own check has let a cache from another patch release through, and running it crashed the
 * process. The same source, in its `produce` form, runs once at pack time on the chosen Node to make
 * the cache after one request and to write that Node's fingerprint.
 */

/** The files the loader reads, beside it in the zip. */
export interface CodeCacheFiles {
  /** The loader's own file name (the handler file), what the bundle sees as `__filename`. */
  handler: string
  bundle: string
  cache: string
  fingerprint: string
}

/** The version of the fingerprint file's layout: a loader reads only its own. */
export const FINGERPRINT_FORMAT = 1

/**
 * What must be equal for a cache to be used: the Node build (version, the versions of everything
 * compiled in, arch, platform, its build configuration) and what changes V8's flags (execArgv,
 * NODE_OPTIONS). The values of execArgv and NODE_OPTIONS can be anything (a path, a token), so the
 * fingerprint keeps the option names and a digest of the values: it is printed in the log and shipped in
 * the zip. Kept as one function source, run both at pack time and in the loader.
 */
const FINGERPRINT_FUNCTION = `function fingerprint() {
  var nodeOptions = process.env.NODE_OPTIONS || ''
  return {
    node: process.version,
    arch: process.arch,
    platform: process.platform,
    versions: process.versions,
    config: process.config,
    execArgv: hiddenOptions(process.execArgv),
    nodeOptions: hiddenOptions(nodeOptions.split(/\\s+/).filter(Boolean)),
  }
}

function hiddenOptions(list) {
  if (list.length === 0) return { names: [], digest: '' }
  var names = list.filter(function (arg) { return arg.charAt(0) === '-' }).map(function (arg) { return arg.split('=')[0] })
  var digest = require('crypto').createHash('sha256').update(JSON.stringify(list)).digest('hex')
  return { names: names, digest: digest }
}`

/** The loader, the handler file of the zip. */
export function loaderSource(files: CodeCacheFiles): string {
  return source(files, false)
}

/**
 * The same loader in its pack-time form: run as a script (`node <file> <path?query> <timeoutMs>`) in the
 * staging folder, it compiles the bundle without a cache, serves one GET as a Function URL event, then
 * writes the code cache and the fingerprint beside it and prints one JSON line.
 */
export function producerSource(files: CodeCacheFiles): string {
  return source(files, true)
}

function source(files: CodeCacheFiles, produce: boolean): string {
  const name = (value: string) => JSON.stringify(value)
  return `'use strict'
// Written by scf-bridge pack --bundle --code-cache: loads ${files.bundle} with the V8 code cache in
// ${files.cache} when this Node is exactly the build that made it (${files.fingerprint}), and
// compiles it as usual otherwise. NODE_DEBUG=scf-bridge logs which. See scf-bridge's docs/code-cache.md.
var fs = require('fs')
var path = require('path')
var vm = require('vm')

var BUNDLE = path.join(__dirname, ${name(files.bundle)})
var CACHE = path.join(__dirname, ${name(files.cache)})
var FINGERPRINT = path.join(__dirname, ${name(files.fingerprint)})
var FORMAT = ${FINGERPRINT_FORMAT}

${FINGERPRINT_FUNCTION}

// Whether to hand V8 the cache: only for the exact build that made it, and a cache file of the size it had.
function decide(sourceBytes) {
  var running = fingerprint()
  var stored
  try {
    stored = JSON.parse(fs.readFileSync(FINGERPRINT, 'utf8'))
  } catch (error) {
    return { use: false, running: running, why: 'no readable fingerprint file' }
  }
  if (!stored || stored.format !== FORMAT) return { use: false, running: running, why: 'a fingerprint of another format' }
  if (stored.bundleBytes !== sourceBytes) return { use: false, running: running, why: 'the bundle changed since the cache was made' }
  var differs = []
  for (var key in running) if (JSON.stringify(running[key]) !== JSON.stringify(stored.node && stored.node[key])) differs.push(key)
  if (differs.length) return { use: false, running: running, stored: stored.node || {}, why: 'made by another Node build', differs: differs }
  return { use: true, running: running, cacheBytes: stored.cacheBytes }
}

function describe(print) {
  return print.node + ' ' + print.platform + '-' + print.arch + ', v8 ' + print.versions.v8 +
    ', execArgv [' + print.execArgv.names.join(' ') + ']' + (print.execArgv.digest ? ' (values not shown)' : '') +
    ', NODE_OPTIONS [' + print.nodeOptions.names.join(' ') + ']' + (print.nodeOptions.digest ? ' (values not shown)' : '')
}

function differences(verdict) {
  return verdict.differs.map(function (key) {
    // Another release differs in most of its versions: they are listed only for the same release.
    if (key === 'versions' && verdict.differs.indexOf('node') === -1) {
      var changed = []
      var all = Object.assign({}, verdict.stored.versions, verdict.running.versions)
      for (var name in all) {
        var made = verdict.stored.versions && verdict.stored.versions[name]
        if (made !== verdict.running.versions[name]) changed.push(name + ' ' + made + ' -> ' + verdict.running.versions[name])
      }
      return 'versions (' + changed.join(', ') + ')'
    }
    if (key === 'config') return 'config (process.config)'
    if (key === 'node' || key === 'arch' || key === 'platform') return key + ' (' + verdict.stored[key] + ' -> ' + verdict.running[key] + ')'
    return key + ' (names or values)'
  }).join(', ')
}

function compile(produce) {
  var source = fs.readFileSync(BUNDLE, 'utf8')
  var wrapper = '(function (exports, require, module, __filename, __dirname) { ' + source + '\\n});'
  var verdict = produce ? { use: false, running: fingerprint(), why: 'making the cache' } : decide(Buffer.byteLength(source))
  var cachedData
  if (verdict.use) {
    try {
      cachedData = fs.readFileSync(CACHE)
    } catch (error) {
      verdict = { use: false, running: verdict.running, why: 'no readable cache file' }
    }
    if (cachedData && cachedData.length !== verdict.cacheBytes) {
      cachedData = undefined
      verdict = { use: false, running: verdict.running, why: 'the cache file is not the size it was made with' }
    }
  }
  var script = new vm.Script(wrapper, { filename: BUNDLE, cachedData: cachedData })
  if (cachedData && script.cachedDataRejected) verdict = { use: false, running: verdict.running, why: 'V8 rejected it' }
  return { script: script, verdict: verdict, bytes: Buffer.byteLength(source) }
}

var compiled = compile(${produce})
${produce ? '' : 'report(compiled.verdict)\n'}compiled.script.runInThisContext().call(module.exports, module.exports, require, module, path.join(__dirname, ${name(files.handler)}), __dirname)
${produce ? PRODUCE_PART : REPORT_PART}`
}

const REPORT_PART = `
function report(verdict) {
  var debug = require('util').debuglog('scf-bridge')
  if (!debug.enabled) return
  if (verdict.use) debug('code cache used (%s)', describe(verdict.running))
  else debug('code cache not used: %s%s; this Node: %s', verdict.why, verdict.differs ? ': ' + differences(verdict) : '', describe(verdict.running))
}
`

const PRODUCE_PART = `
// Pack time only: one request, then the cache of everything compiled so far.
if (require.main === module) {
  var target = process.argv[2] || '/'
  var timeoutMs = Number(process.argv[3]) || 30000
  var exportName = process.argv[4] || 'main_handler'
  var query = target.indexOf('?')
  var queryString = {}
  if (query >= 0) new URLSearchParams(target.slice(query + 1)).forEach(function (value, key) { queryString[key] = value })
  var event = {
    httpMethod: 'GET',
    path: query >= 0 ? target.slice(0, query) : target,
    queryString: queryString,
    headers: { host: 'scf-bridge-pack.local', 'user-agent': 'scf-bridge-pack', accept: '*/*' },
    body: '',
    isBase64Encoded: false,
    requestContext: { sourceIp: '127.0.0.1' },
  }
  var started = Date.now()
  var context = {
    request_id: 'scf-bridge-pack-code-cache',
    function_name: 'scf-bridge-pack-code-cache',
    memory_limit_in_mb: 128,
    time_limit_in_ms: timeoutMs,
    getRemainingTimeInMillis: function () { return Math.max(0, timeoutMs - (Date.now() - started)) },
  }
  var finished = false
  var finish = function (status) {
    if (finished) return
    finished = true
    var data = compiled.script.createCachedData()
    fs.writeFileSync(CACHE, data)
    var stored = { format: FORMAT, bundleBytes: compiled.bytes, cacheBytes: data.length, node: compiled.verdict.running }
    fs.writeFileSync(FINGERPRINT, JSON.stringify(stored))
    process.stdout.write('\\n' + JSON.stringify({ status: status, cacheBytes: data.length, node: process.version, describe: describe(compiled.verdict.running) }) + '\\n', function () {
      process.exit(0)
    })
  }
  setTimeout(function () { finish('no answer in time') }, timeoutMs)
  Promise.resolve()
    .then(function () { return module.exports[exportName](event, context) })
    .then(function (reply) { finish(reply && reply.statusCode) }, function (error) { finish('threw ' + (error && error.name)) })
}
`
