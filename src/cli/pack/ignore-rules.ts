/**
 * Which project files stay out of the zip: pack's defaults, then the project's `.scfignore` (gitignore
 * syntax: `#` comments, `!` re-includes, a leading or inner `/` anchors to the project folder, a trailing `/`
 * matches folders only, `*`, `?`, `[…]` and `**`). As in git, the last matching rule wins, and nothing inside
 * an excluded folder can be re-included (the folder is never walked).
 */

/** One parsed line of an ignore file. */
export interface IgnoreRule {
  pattern: string
  negated: boolean
  dirOnly: boolean
  regexp: RegExp
  /** Where it came from, for messages: `defaults` or the file name. */
  source: string
}

/** The file a project uses to add or remove entries (gitignore syntax). */
export const IGNORE_FILE = '.scfignore'

/**
 * What a deployed function never needs. `.env*` is the one secret store left out on purpose: SCF gives the
 * function its environment variables instead (pack says so when it skips one). node_modules comes from the
 * production install, never from the project folder.
 */
export const DEFAULT_IGNORES = [
  'node_modules/',
  '.git/',
  '.hg/',
  '.svn/',
  '.env',
  '.env.*',
  '!.env.example',
  IGNORE_FILE,
  // pack's own output: zips (earlier runs, other archives; re-include one with !name.zip) and the deploy files
  '*.zip',
  '/deploy/tccli/',
  // editors and operating systems
  '.DS_Store',
  'Thumbs.db',
  '.idea/',
  '.vscode/',
  '*.swp',
  '*.swo',
  '*~',
  // caches and tool output
  '.cache/',
  '.npm/',
  '.yarn/cache/',
  '.nyc_output/',
  'coverage/',
  '.turbo/',
  '.eslintcache',
  '*.tsbuildinfo',
  'npm-debug.log*',
  'yarn-debug.log*',
  'yarn-error.log*',
  // tests
  'test/',
  'tests/',
  '__tests__/',
  '__mocks__/',
  '*.test.js',
  '*.test.mjs',
  '*.test.cjs',
  '*.spec.js',
  '*.spec.mjs',
  '*.spec.cjs',
  // CI and repository metadata
  '.github/',
  '.gitlab-ci.yml',
  '.gitignore',
  '.gitattributes',
  '.npmrc',
  '.editorconfig',
]

/** Parses the lines of an ignore file. */
export function parseIgnoreRules(text: string, source: string): IgnoreRule[] {
  const rules: IgnoreRule[] = []
  for (const rawLine of text.split(/\r?\n/)) {
    let line = rawLine.replace(/(?<!\\)\s+$/, '')
    if (line === '' || line.startsWith('#')) continue
    let negated = false
    if (line.startsWith('!')) {
      negated = true
      line = line.slice(1)
    } else if (line.startsWith('\\!') || line.startsWith('\\#')) line = line.slice(1)
    const dirOnly = line.endsWith('/')
    if (dirOnly) line = line.slice(0, -1)
    if (line === '') continue
    const anchored = line.includes('/')
    if (line.startsWith('/')) line = line.slice(1)
    rules.push({ pattern: rawLine.trim(), negated, dirOnly, regexp: globToRegExp(line, anchored), source })
  }
  return rules
}

/**
 * Whether the project-relative path (`/`-separated) is excluded by the rules; `isDir` for folders. The
 * caller walks top-down and skips excluded folders, which gives git's rule for their contents.
 */
export function isIgnored(rules: readonly IgnoreRule[], path: string, isDir: boolean): IgnoreRule | undefined {
  let verdict: IgnoreRule | undefined
  for (const rule of rules) {
    if (rule.dirOnly && !isDir) continue
    if (rule.regexp.test(path)) verdict = rule.negated ? undefined : rule
  }
  return verdict
}

function globToRegExp(glob: string, anchored: boolean): RegExp {
  let out = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const atStart = i === 0 || glob[i - 1] === '/'
        const atEnd = i + 2 === glob.length || glob[i + 2] === '/'
        if (atStart && atEnd) {
          i++
          if (glob[i + 1] === '/') {
            i++
            out += '(?:.*/)?' // `**/`: any number of folders, none included
          } else out += '.*' // trailing `/**`: everything inside
          continue
        }
      }
      out += '[^/]*'
    } else if (c === '?') out += '[^/]'
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2)
      if (close === -1) out += '\\['
      else {
        let set = glob.slice(i + 1, close).replace(/\\/g, '\\\\')
        if (set.startsWith('!')) set = `^${set.slice(1)}`
        out += `[${set}]`
        i = close
      }
    } else if (c === '\\' && i + 1 < glob.length) {
      i++
      out += escapeRegExp(glob[i])
    } else out += escapeRegExp(c)
  }
  return new RegExp(anchored ? `^${out}$` : `(?:^|/)${out}$`)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}
