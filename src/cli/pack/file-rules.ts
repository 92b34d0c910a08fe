import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import ignore, { type Ignore } from 'ignore'

/** The file a project uses to add rules or re-include files (gitignore syntax); read in every folder. */
export const IGNORE_FILE = '.scfignore'

/**
 * What a deployed function never needs. node_modules comes from the production install, never from the
 * project folder.
 */
export const DEFAULT_IGNORES = [
  'node_modules/',
  '.git/',
  '.hg/',
  '.svn/',
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
  '.yarn/',
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
  '.editorconfig',
]

/**
 * Secrets: left out whatever git's rules say (a `!` in a .gitignore does not bring one back); only a `!` rule in
 * a `.scfignore` does. Matched without regard to case. SCF gives the function environment variables instead of
 * `.env` files (`--env`, or the console); `.env.example` and the like are templates and ship.
 */
export const SECRET_RULES = [
  '.env',
  '.env.*',
  '!.env.example',
  '!.env.sample',
  '!.env.template',
  '.envrc',
  '.aws/',
  '.ssh/',
  '.gnupg/',
  '.azure/',
  '.kube/',
  '.tccli/',
  '.docker/config.json',
  '*.pem',
  '*.key',
  '*.p12',
  '*.pfx',
  '*.jks',
  '*.keystore',
  '*.kdbx',
  '*.credential',
  'id_rsa*',
  'id_dsa*',
  'id_ecdsa*',
  'id_ed25519*',
  '.npmrc',
  '.yarnrc.yml',
  '.pypirc',
  '.netrc',
  '_netrc',
  '.pgpass',
  '.htpasswd',
  '.git-credentials',
  'credentials.json',
  'service-account*.json',
  '*.tfstate',
  '*.tfstate.*',
  '*.tfvars',
]

/** Why a path stays out of the zip. */
export interface Exclusion {
  kind: 'secret' | 'rule'
  /** The rule as written. */
  rule: string
  /** Where it is: `pack's defaults`, `pack's secret rules`, or a file such as `app/.gitignore`. */
  source: string
}

interface Layer {
  /** The folder the rules are relative to (`` for the project, else `a/b/`). */
  base: string
  source: string
  rules: Ignore
  /** A `.scfignore`: the one kind of file whose `!` rules bring a secret back. */
  scfignore: boolean
}

/**
 * The rules that decide what of a project ships, read as git reads ignore files: pack's defaults, then
 * `.git/info/exclude`, then in each folder its `.gitignore` and `.scfignore` (a deeper file wins over a
 * shallower one, a later line over an earlier one; nothing inside an excluded folder is looked at). Secrets
 * are decided apart, by SECRET_RULES and the `.scfignore` files alone.
 */
export class ProjectRules {
  private readonly layers: Layer[] = []
  private readonly secrets = ignore({ ignorecase: true }).add(SECRET_RULES)
  /** The files the rules came from, in the order they apply. */
  readonly sources: string[] = ["pack's defaults"]

  constructor(projectDir: string) {
    this.layers.push({
      base: '',
      source: "pack's defaults",
      rules: ignore({ ignorecase: false }).add(DEFAULT_IGNORES),
      scfignore: false,
    })
    this.addFile(join(projectDir, '.git', 'info', 'exclude'), '', '.git/info/exclude', false)
  }

  /** Reads the ignore files of a folder (`dir` on disk, `base` its project path with a trailing `/`, or ``). */
  readFolder(dir: string, base: string): void {
    this.addFile(join(dir, '.gitignore'), base, `${base}.gitignore`, false)
    this.addFile(join(dir, IGNORE_FILE), base, `${base}${IGNORE_FILE}`, true)
  }

  private addFile(file: string, base: string, source: string, scfignore: boolean): void {
    if (!existsSync(file)) return
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      return // a folder or an unreadable file named like an ignore file: git skips it too
    }
    this.layers.push({ base, source, rules: ignore({ ignorecase: false }).add(text), scfignore })
    this.sources.push(source)
  }

  /**
   * Why the project path (`/`-separated; `isDir` for a folder) stays out, or undefined when it ships. Asked,
   * as git does, only about paths whose folder ships.
   */
  exclusion(path: string, isDir: boolean): Exclusion | undefined {
    if (path === '') return undefined // the project folder itself, reached through a link: a loop, not a rule
    const tested = isDir ? `${path}/` : path
    let verdict: Exclusion | undefined
    let reincluded = false
    for (const layer of this.layers) {
      // A layer speaks of what is inside its folder, not of the folder itself.
      if (!tested.startsWith(layer.base) || tested === layer.base) continue
      const relative = tested.slice(layer.base.length)
      // The walk only gets here when the parent folder ships, so a layer that excludes this path only because
      // it excludes the parent (the ignore package's answer) has been overruled by a later one: as in git,
      // it has no say.
      const parent = relative.slice(0, relative.lastIndexOf('/', relative.length - 2) + 1)
      if (parent && layer.rules.test(parent).ignored) continue
      const result = layer.rules.test(relative)
      if (result.ignored && result.rule) {
        verdict = { kind: 'rule', rule: result.rule.pattern, source: layer.source }
        if (layer.scfignore) reincluded = false
      } else if (result.unignored) {
        verdict = undefined
        if (layer.scfignore) reincluded = true
      }
    }
    const secret = this.secrets.test(tested)
    if (secret.ignored && secret.rule && !reincluded)
      return { kind: 'secret', rule: secret.rule.pattern, source: "pack's secret rules" }
    return verdict
  }
}
