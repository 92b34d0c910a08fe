/**
 * The runtime ids the project names are ones Tencent uses, and the README's "Supported runtimes" table
 * lists exactly the runtimes the matrix tests. Cheap: no Node binary is fetched.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { RUNTIMES, TENCENT_RUNTIME_IDS } from './runtimes'
import { REPO_ROOT } from './toolchain'

// Real events quote the runtime that served them; the examples' serverless.yml files are being replaced.
const EXEMPT = (file: string) =>
  file.startsWith('test/fixtures/real-events/') || /^examples\/[^/]+\/serverless\.yml$/.test(file)

describe('runtime ids', () => {
  it('are all ids Tencent uses (none ending in .x) in every tracked file', () => {
    const files = execFileSync('git', ['ls-files'], { cwd: REPO_ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((file) => file && !EXEMPT(file) && !/\.(png|jpe?g|gif|ico|woff2?|zip|gz)$|package-lock\.json$/.test(file))
    const unknown: string[] = []
    for (const file of files) {
      let text: string
      try {
        text = readFileSync(join(REPO_ROOT, file), 'utf8')
      } catch {
        continue // listed but deleted in the working tree
      }
      for (const [id] of text.matchAll(/Nodejs\d+\.[0-9A-Za-z]+/g))
        if (!TENCENT_RUNTIME_IDS.includes(id)) unknown.push(`${file}: ${id}`)
    }
    expect(unknown).toEqual([])
  })

  it('in the README table are the runtimes the matrix tests, with their Node versions', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')
    const section = readme.slice(readme.indexOf('## Supported runtimes'))
    const rows = [...section.matchAll(/^\| `(Nodejs[^`]+)` \| ([^|]+) \|/gm)].map(([, id, versions]) => ({
      id,
      versions,
    }))
    const ids = [...new Set(RUNTIMES.map((runtime) => runtime.scf))]
    expect(rows.map((row) => row.id)).toEqual(ids)
    for (const runtime of RUNTIMES) {
      const row = rows.find((r) => r.id === runtime.scf)!
      // Node 20 is the one running the tests when it is a 20: the table names the pinned fallback.
      if (runtime.major !== 20) expect(row.versions, runtime.scf).toContain(runtime.node)
    }
  })
})
