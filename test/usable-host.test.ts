import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isUsableHost } from '../src/request-from-event'

// isUsableHost answers the common shape of a Host without the URL parser: it must agree with the parser-only
// check it replaces on every input, odd ones included (Punycode labels, numeric last labels, ports).
const HOST_SYNTAX = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/
function byTheParser(host: string): boolean {
  if (!HOST_SYNTAX.test(host)) return false
  try {
    new URL(`https://${host}`)
    return true
  } catch {
    return false
  }
}

const seed = Number(process.env.FC_SEED ?? 2326)
const label = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9-]{1,12}$/),
  fc.constantFrom('xn--', 'XN--a', 'xn--abc', 'xn--nxasmq6b', '0x1f', '255', '256', '08', '-', 'a-', '_x', 'a%41'),
)
const host = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 5 }), fc.constantFrom('', '.', ':80', ':65535', ':65536', ':0'))
  .map(([labels, tail]) => labels.join('.') + tail)

describe('isUsableHost', () => {
  it('agrees with the URL parser on host-like strings', () => {
    fc.assert(
      fc.property(host, (h) => isUsableHost(h) === byTheParser(h)),
      { seed, numRuns: 3000 },
    )
  })

  it('agrees with the URL parser on any short string', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 24 }), (h) => isUsableHost(h) === byTheParser(h)),
      { seed, numRuns: 3000 },
    )
  })

  it.each([
    ['service-bench-1250000000.gz.apigw.tencentcs.com', true],
    ['api.example.com:8443', true],
    ['1.2.3.4', true],
    ['1.2.3.256', false],
    ['xn--a.com', false],
    ['example.com:99999', false],
    ['[::1]', true],
    ['a b', false],
  ])('%s: %s', (h, usable) => {
    expect(isUsableHost(h)).toBe(usable)
    expect(byTheParser(h)).toBe(usable)
  })
})
