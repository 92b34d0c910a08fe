/**
 * The import rule of src/ (CONTRIBUTING.md, "Layout"): imports run one way, down the layers below; no circle,
 * not even through a type import; nothing imports bridge.ts but the package index. A file or folder new to src/
 * is placed in LAYERS (and in CONTRIBUTING.md's drawing) before the check passes.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * Bottom to top. A unit is a file of src/ (without `.ts`) or a folder (with `/`), whose files may import each
 * other (without a circle). A unit imports only units of lower layers: never one of its own layer, never up.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['values'],
  ['http-syntax'],
  ['trigger-types'],
  ['types'],
  ['errors', 'event-kind', 'current-invoke', 'scf-contract', 'log', 'binary/', 'engine/', 'web-handle'],
  ['options'],
  ['request-from-event', 'response-to-integrated', 'emulator/'],
  ['plain-reply', 'fetch-mapping'],
  ['invocation'],
  ['stray-rejections', 'apps/'],
  ['in-memory-exchange', 'fetch-exchange', 'triggers/'],
  ['serve', 'settings'],
  ['bridge', 'web/'],
  ['index', 'testing/', 'cli/'],
]

/** Units only the named units may import, whatever their layers. */
const ONLY_IMPORTED_BY: Record<string, readonly string[]> = {
  bridge: ['index'],
  'web/': ['cli/'],
}

const SRC = resolve(__dirname, '../src')

interface Import {
  from: string
  to: string
}

function sourceFiles(dir: string): string[] {
  const files: string[] = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path))
    else if (/\.[cm]?ts$/.test(name) && !name.endsWith('.d.ts')) files.push(path)
  }
  return files
}

/** Static and dynamic imports, re-exports and require() calls of relative paths, type-only ones included. */
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]*|\.{1,2})['"]/g

function importsOf(file: string): string[] {
  // Comments may quote code: `// import { x } from './y'` is no import.
  const code = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
  const targets: string[] = []
  for (const match of code.matchAll(IMPORT)) {
    const base = resolve(dirname(file), match[1])
    const target = [`${base}.ts`, join(base, 'index.ts'), base].find(
      (path) => existsSync(path) && statSync(path).isFile(),
    )
    // package.json and other non-source files are no part of the layering.
    if (target?.endsWith('.ts') && target.startsWith(SRC)) targets.push(target)
  }
  return targets
}

const unitOf = (file: string): string => {
  const path = relative(SRC, file).split('\\').join('/')
  const slash = path.indexOf('/')
  return slash === -1 ? path.replace(/\.[cm]?ts$/, '') : path.slice(0, slash + 1)
}

const layerOf = new Map<string, number>()
LAYERS.forEach((units, layer) => {
  for (const unit of units) layerOf.set(unit, layer)
})

const files = sourceFiles(SRC)
const imports: Import[] = files.flatMap((from) => importsOf(from).map((to) => ({ from, to })))
const show = (file: string) => relative(resolve(SRC, '..'), file).split('\\').join('/')

/** Every circle of file imports, each as the files along it (found by a depth-first search). */
function circles(): string[][] {
  const next = new Map<string, string[]>()
  for (const { from, to } of imports) next.set(from, [...(next.get(from) ?? []), to])
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const found: string[][] = []
  const visit = (file: string) => {
    state.set(file, 'open')
    stack.push(file)
    for (const to of next.get(file) ?? []) {
      if (state.get(to) === 'open') found.push([...stack.slice(stack.indexOf(to)), to].map(show))
      else if (!state.has(to)) visit(to)
    }
    stack.pop()
    state.set(file, 'done')
  }
  for (const file of files) if (!state.has(file)) visit(file)
  return found
}

/** Imports of a unit of the same layer or a higher one. */
function upward(): string[] {
  return imports
    .filter(({ from, to }) => {
      const [a, b] = [unitOf(from), unitOf(to)]
      if (a === b || !layerOf.has(a) || !layerOf.has(b)) return false
      return (layerOf.get(b) as number) >= (layerOf.get(a) as number)
    })
    .map(({ from, to }) => `${show(from)} -> ${show(to)}`)
}

describe('the import rule of src/', () => {
  it('reads the imports it checks', () => {
    // A regular expression that stopped matching would pass every check below.
    expect(files.length).toBeGreaterThan(50)
    expect(imports.length).toBeGreaterThan(150)
    const bridgeImports = imports.filter(({ from }) => unitOf(from) === 'bridge').map(({ to }) => unitOf(to))
    expect(bridgeImports).toEqual(expect.arrayContaining(['serve', 'settings', 'triggers/']))
  })

  it('places every file of src/ in a layer', () => {
    const unplaced = [...new Set(files.map(unitOf))].filter((unit) => !layerOf.has(unit))
    expect(unplaced, 'add these to LAYERS here and to the drawing in CONTRIBUTING.md').toEqual([])
  })

  it('has no circle of imports', () => {
    expect(circles()).toEqual([])
  })

  it('imports only down: no import of the same layer or a higher one', () => {
    expect(upward()).toEqual([])
  })

  it('lets only the package index import bridge.ts, and only the CLI import web/', () => {
    const wrong = imports
      .filter(({ from, to }) => {
        const allowed = ONLY_IMPORTED_BY[unitOf(to)]
        return allowed !== undefined && unitOf(from) !== unitOf(to) && !allowed.includes(unitOf(from))
      })
      .map(({ from, to }) => `${show(from)} -> ${show(to)}`)
    expect(wrong).toEqual([])
  })

  it('finds a circle and an upward import when there is one', () => {
    // The checks above on a made-up graph, so that a check that can no longer fail is noticed.
    const saved = imports.splice(0, imports.length)
    try {
      const a = join(SRC, 'values.ts')
      const b = join(SRC, 'http-syntax.ts')
      imports.push({ from: a, to: b }, { from: b, to: a })
      const [circle, ...others] = circles()
      expect(others).toEqual([])
      expect(circle).toHaveLength(3)
      expect(new Set(circle)).toEqual(new Set(['src/http-syntax.ts', 'src/values.ts']))
      expect(circle[0]).toBe(circle[circle.length - 1])
      expect(upward()).toEqual(['src/values.ts -> src/http-syntax.ts'])
    } finally {
      imports.splice(0, imports.length, ...saved)
    }
  })
})
