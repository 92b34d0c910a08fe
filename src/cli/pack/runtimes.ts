import { allowsNode } from './node-range'

/** An SCF Node.js runtime id and the Node version it runs. */
export interface Runtime {
  id: string
  node: [number, number, number]
  /** How sure the id is (see docs/deploying.md): in Tencent's API models, or only seen in use. */
  attested: 'api' | 'in-use' | 'third-party'
}

/**
 * The runtime ids Tencent uses. Nodejs16.13 and Nodejs18.15 are in the published API models; Nodejs20.19 is
 * in Tencent's own CloudBase tooling and in many current deployments; Nodejs22.21 and Nodejs24.11 appear
 * only in third-party CloudBase notes, and one report had a Nodejs24.11 create call rejected.
 */
export const RUNTIMES: readonly Runtime[] = [
  { id: 'Nodejs16.13', node: [16, 13, 0], attested: 'api' },
  { id: 'Nodejs18.15', node: [18, 15, 0], attested: 'api' },
  { id: 'Nodejs20.19', node: [20, 19, 0], attested: 'in-use' },
  { id: 'Nodejs22.21', node: [22, 21, 0], attested: 'third-party' },
  { id: 'Nodejs24.11', node: [24, 11, 0], attested: 'third-party' },
]

const DEFAULT_RUNTIME = 'Nodejs18.15'

/** The runtime for an id, or undefined. */
export function findRuntime(id: string): Runtime | undefined {
  return RUNTIMES.find((runtime) => runtime.id === id)
}

/**
 * The runtime to deploy on when `--runtime` is not given: Nodejs18.15 when the project's `engines.node`
 * allows it (or says nothing), else the first well-attested runtime it allows (`>=20` gives Nodejs20.19,
 * `16.x` Nodejs16.13), else Nodejs18.15 with the mismatch reported by the engines check.
 */
export function runtimeFromEngines(engines: string | undefined): Runtime {
  // biome-ignore lint/style/noNonNullAssertion: DEFAULT_RUNTIME is one of RUNTIMES
  const fallback = findRuntime(DEFAULT_RUNTIME)!
  if (!engines || allowsNode(fallback.node, engines) !== false) return fallback
  return (
    RUNTIMES.find((runtime) => runtime.attested !== 'third-party' && allowsNode(runtime.node, engines) === true) ??
    fallback
  )
}
