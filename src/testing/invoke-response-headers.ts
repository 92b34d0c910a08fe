/**
 * The headers of an `invoke` result, read like fetch's `Headers`. Exported as `ResponseHeaders` from
 * `scf-bridge/testing`; named apart here from the response headers binary/ reads.
 */
export class InvokeResponseHeaders implements Iterable<[string, string]> {
  readonly #values: Record<string, string[]>

  constructor(values: Record<string, string[]>) {
    this.#values = values
  }

  /** The value, several values joined with `, ` (as fetch does); null when absent. Case-insensitive. */
  get(name: string): string | null {
    const values = this.#lookup(name)
    return values ? values.join(', ') : null
  }

  has(name: string): boolean {
    return this.#lookup(name) !== undefined
  }

  /** Every `Set-Cookie` value, one string per cookie. */
  getSetCookie(): string[] {
    return [...(this.#lookup('set-cookie') ?? [])]
  }

  /** Every value of a header as sent, e.g. each cookie of `set-cookie`. */
  getAll(name: string): string[] {
    return [...(this.#lookup(name) ?? [])]
  }

  forEach(callback: (value: string, name: string) => void): void {
    for (const [name, value] of this) callback(value, name)
  }

  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.#values).sort()) {
      // As in fetch, each Set-Cookie is its own entry; other repeated headers are joined.
      if (name === 'set-cookie') for (const cookie of this.#values[name]) yield [name, cookie]
      else yield [name, this.#values[name].join(', ')]
    }
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this) yield name
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this) yield value
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries()
  }

  /** A plain object of lowercased names to every value. */
  toJSON(): Record<string, string[]> {
    const copy: Record<string, string[]> = {}
    for (const name of Object.keys(this.#values)) copy[name] = [...this.#values[name]]
    return copy
  }

  #lookup(name: string): string[] | undefined {
    const lower = name.toLowerCase()
    return Object.hasOwn(this.#values, lower) ? this.#values[lower] : undefined
  }
}
