import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { crc32 } from '../../src/cli/pack/crc32'
import { unpackZip } from '../../src/cli/pack/unpack-zip'
import { readZip, ZipFormatError } from '../../src/cli/pack/zip-reader'
import { writeZip, type ZipInput, ZipLimitError } from '../../src/cli/pack/zip-writer'

const work = mkdtempSync(join(tmpdir(), 'scf-bridge-zip-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const inputs: ZipInput[] = [
  { name: 'index.js', data: Buffer.from("exports.main_handler = async () => 'hi'\n".repeat(50)), mode: 0o644 },
  { name: 'bin/start.sh', data: Buffer.from('#!/bin/sh\necho ok\n'), mode: 0o755 },
  { name: 'public/logo.png', data: randomBytes(5000), mode: 0o644 }, // incompressible: stored
  { name: 'empty.txt', data: Buffer.alloc(0), mode: 0o600 },
  { name: 'views/中文 页面.html', data: Buffer.from('<p>你好</p>'), mode: 0o644 },
]

describe('crc32', () => {
  it('matches the published check value and zlib', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926)
    expect(crc32(Buffer.alloc(0))).toBe(0)
  })
})

describe('writeZip', () => {
  const zip = writeZip(inputs)
  const file = join(work, 'out.zip')
  writeFileSync(file, zip)

  it('passes unzip -t', () => {
    const out = execFileSync('unzip', ['-t', file], { encoding: 'utf8' })
    expect(out).toMatch(/No errors detected/)
  })

  it('keeps Unix permissions, as unzip sees them', () => {
    const listing = execFileSync('unzip', ['-Z', file], { encoding: 'utf8' })
    expect(listing).toMatch(/^-rwxr-xr-x .* bin\/start\.sh$/m)
    expect(listing).toMatch(/^-rw-r--r-- .* index\.js$/m)
    expect(listing).toMatch(/^-rw------- .* empty\.txt$/m)
    const dir = join(work, 'unzipped')
    mkdirSync(dir)
    execFileSync('unzip', ['-q', file, '-d', dir])
    expect(statSync(join(dir, 'bin/start.sh')).mode & 0o777).toBe(0o755)
    expect(readFileSync(join(dir, 'public/logo.png'))).toEqual(inputs[2].data)
    expect(readFileSync(join(dir, 'views/中文 页面.html'), 'utf8')).toBe('<p>你好</p>')
  })

  it('deflates what compresses and stores what does not', () => {
    const listing = execFileSync('unzip', ['-v', file], { encoding: 'utf8' })
    expect(listing).toMatch(/Defl:\S*\s.*index\.js/)
    expect(listing).toMatch(/Stored.*public\/logo\.png/)
  })

  it('reads back what it wrote, bytes and modes', () => {
    const entries = readZip(zip)
    expect(entries.map((e) => [e.name, e.mode])).toEqual(inputs.map((i) => [i.name, i.mode]))
    for (const [i, entry] of entries.entries()) expect(entry.data.equals(inputs[i].data)).toBe(true)
  })

  it('refuses bad names and duplicates', () => {
    for (const name of ['../x', '/abs', 'a//b', 'dir/', 'a\\b', '']) {
      expect(() => writeZip([{ name, data: Buffer.alloc(1), mode: 0o644 }])).toThrow(ZipLimitError)
    }
    expect(() => writeZip([inputs[0], inputs[0]])).toThrow(/twice/)
  })
})

describe('readZip', () => {
  it('reads a zip made by zip(1), modes included', () => {
    const src = join(work, 'src')
    mkdirSync(join(src, 'lib'), { recursive: true })
    writeFileSync(join(src, 'lib/a.js'), 'module.exports = 1\n'.repeat(100))
    writeFileSync(join(src, 'run'), '#!/bin/sh\n', { mode: 0o755 })
    execFileSync('zip', ['-qr', join(work, 'by-zip.zip'), '.'], { cwd: src })
    const entries = readZip(readFileSync(join(work, 'by-zip.zip')))
    expect(entries.find((e) => e.name === 'lib/a.js')!.data.toString()).toBe('module.exports = 1\n'.repeat(100))
    expect(entries.find((e) => e.name === 'run')!.mode).toBe(0o755)
  })

  it('rejects damaged bytes with a clear error', () => {
    const zip = writeZip(inputs)
    expect(() => readZip(Buffer.from('not a zip at all, not at all'))).toThrow(/not a zip file/)
    const corrupted = Buffer.from(zip)
    corrupted[40 + 'index.js'.length] ^= 0xff // inside index.js's deflated data
    expect(() => readZip(corrupted)).toThrow(ZipFormatError)
    expect(() => readZip(zip.subarray(0, zip.length - 30))).toThrow(ZipFormatError)
  })

  it('unpacks with modes', () => {
    const dir = join(work, 'unpacked')
    expect(unpackZip(writeZip(inputs), dir)).toBe(inputs.length)
    expect(statSync(join(dir, 'bin/start.sh')).mode & 0o777).toBe(0o755)
    expect(statSync(join(dir, 'empty.txt')).mode & 0o777).toBe(0o600)
  })
})
