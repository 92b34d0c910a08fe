'use strict'
// Summarises a .cpuprofile: self time by function and by file. Usage: node bench/profile-summary.cjs <file> [top]
const fs = require('node:fs')

const [file, top = '30'] = process.argv.slice(2)
const profile = JSON.parse(fs.readFileSync(file, 'utf8'))
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const self = new Map()
const deltas = profile.timeDeltas
for (let i = 0; i < profile.samples.length; i++) {
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (deltas[i] ?? 0))
}
let total = 0
for (const v of self.values()) total += v

const shortUrl = (url) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/.*node_modules\//, '')
    .replace(`${process.cwd()}/`, '')
const fnKey = (n) =>
  `${n.callFrame.functionName || '(anonymous)'} ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`
const fileKey = (n) => {
  const url = shortUrl(n.callFrame.url)
  if (!url) return n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : '(native)'
  const m = url.match(/^(@[^/]+\/[^/]+|[^/]+)/)
  return url.startsWith('node:') || url.startsWith('dist/') || url.startsWith('bench/') || !m ? url : m[1]
}

function table(keyOf) {
  const sums = new Map()
  for (const [id, t] of self) {
    const key = keyOf(byId.get(id))
    sums.set(key, (sums.get(key) ?? 0) + t)
  }
  return [...sums]
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(top))
    .map(([k, t]) => `${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`)
    .join('\n')
}

// Inclusive time of the functions of one file (default dist/): each sample counts once per function on its stack.
const parent = new Map()
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
function inclusive(match) {
  const sums = new Map()
  for (const [id, t] of self) {
    const seen = new Set()
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const n = byId.get(at)
      if (!shortUrl(n.callFrame.url).startsWith(match)) continue
      const key = fnKey(n)
      if (seen.has(key)) continue
      seen.add(key)
      sums.set(key, (sums.get(key) ?? 0) + t)
    }
  }
  return [...sums]
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(top))
    .map(([k, t]) => `${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`)
    .join('\n')
}
const focus = process.argv[4] ?? 'dist/'

console.log(
  `total ${(total / 1000).toFixed(0)} ms sampled\n\nby file/package:\n${table(fileKey)}\n\nby function:\n${table(fnKey)}\n\ninclusive, ${focus}:\n${inclusive(focus)}`,
)
