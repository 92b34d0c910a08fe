'use strict'
// Request and response bodies shared by every adapter, built once and deterministically.

/** Deterministic pseudo-random bytes (xorshift32), so runs are comparable and bodies are not valid UTF-8. */
function noise(length, seed) {
  const bytes = Buffer.allocUnsafe(length)
  let x = seed >>> 0 || 1
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    bytes[i] = x & 0xff
  }
  return bytes
}

const MiB = 1024 * 1024
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/** A 1 MiB "PNG": the real signature followed by incompressible bytes. */
const PNG = Buffer.concat([PNG_SIGNATURE, noise(MiB - PNG_SIGNATURE.length, 0x5eed)])

/** A 1 MiB binary upload. */
const UPLOAD = noise(MiB, 0xb10b)

/** A JSON document of about 10 KB. */
const ECHO = (() => {
  const items = []
  const doc = { kind: 'order', items }
  for (let i = 0; JSON.stringify(doc).length < 10 * 1024; i++) {
    items.push({
      id: i,
      sku: `SKU-${String(i).padStart(5, '0')}`,
      name: `Item number ${i} ünïcødé`,
      qty: i % 7,
      price: (i * 13.37) % 100,
    })
  }
  return doc
})()
const ECHO_TEXT = JSON.stringify(ECHO)

/** A cheap fingerprint of a body (length plus a sample of 256 bytes), computed by the apps. */
function digest(bytes) {
  let sample = 0
  const step = Math.max(1, Math.floor(bytes.length / 256))
  for (let i = 0; i < bytes.length; i += step) sample = (sample * 31 + bytes[i]) >>> 0
  return { bytes: bytes.length, sample }
}

const SMALL = { hello: 'world', q: 'bench' }
const COOKIES = 5

module.exports = { PNG, UPLOAD, ECHO, ECHO_TEXT, SMALL, COOKIES, digest }
