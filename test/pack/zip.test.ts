import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { unpackZip } from '../../src/cli/pack/unpack-zip'
import { readZip, writeZip, ZipFormatError, type ZipInput, ZipLimitError } from '../../src/cli/pack/zip'

const work = mkdtempSync(join(tmpdir(), 'scf-bridge-zip-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const inputs: ZipInput[] = [
  { name: 'index.js', data: Buffer.from("exports.main_handler = async () => 'hi'\n".repeat(50)), mode: 0o644 },
  { name: 'bin/start.sh', data: Buffer.from('#!/bin/sh\necho ok\n'), mode: 0o755 },
  { name: 'public/logo.png', data: randomBytes(5000), mode: 0o644 },
  { name: 'empty.txt', data: Buffer.alloc(0), mode: 0o600 },
  { name: 'views/中文 页面.html', data: Buffer.from('<p>你好</p>'), mode: 0o644 },
  { name: 'lib/__proto__', data: Buffer.from('a file like any other'), mode: 0o644 },
  { name: '1', data: Buffer.from('a numeric name'), mode: 0o644 },
]

describe('writeZip (fflate)', () => {
  const zip = writeZip(inputs)
  const file = join(work, 'out.zip')
  writeFileSync(file, zip)

  it('passes unzip -t and zip -T (Info-ZIP)', () => {
    expect(execFileSync('unzip', ['-t', file], { encoding: 'utf8' })).toMatch(/No errors detected/)
    expect(execFileSync('zip', ['-T', file], { encoding: 'utf8' })).toMatch(/test of .* OK/)
  })

  it('keeps Unix permissions, as unzip sees them', () => {
    const listing = execFileSync('unzip', ['-Z', file], { encoding: 'utf8' })
    expect(listing).toMatch(/^-rwxr-xr-x .* unx .* bin\/start\.sh$/m)
    expect(listing).toMatch(/^-rw-r--r-- .* unx .* index\.js$/m)
    expect(listing).toMatch(/^-rw------- .* unx .* empty\.txt$/m)
    const dir = join(work, 'unzipped')
    mkdirSync(dir)
    execFileSync('unzip', ['-q', file, '-d', dir])
    expect(statSync(join(dir, 'bin/start.sh')).mode & 0o777).toBe(0o755)
    for (const input of inputs) expect(readFileSync(join(dir, input.name))).toEqual(input.data)
  })

  it('deflates what compresses', () => {
    const listing = execFileSync('unzip', ['-v', file], { encoding: 'utf8' })
    const indexLine = listing.split('\n').find((line) => line.endsWith(' index.js'))!
    expect(indexLine).toMatch(/Defl:/)
    const [length, , size] = indexLine.trim().split(/\s+/)
    expect(Number(size)).toBeLessThan(Number(length) / 10)
  })

  it('is reproducible: the same files make the same bytes, whatever the time', () => {
    expect(writeZip(inputs).equals(zip)).toBe(true)
  })

  it('reads back what it wrote, in order', () => {
    const entries = readZip(zip)
    expect(entries.map((e) => e.name).sort()).toEqual(inputs.map((i) => i.name).sort())
    for (const input of inputs) expect(entries.find((e) => e.name === input.name)!.data.equals(input.data)).toBe(true)
  })

  it('refuses bad names and duplicates', () => {
    for (const name of ['../x', '/abs', 'a//b', 'dir/', 'a\\b', '', 'a/./b', '__proto__']) {
      expect(() => writeZip([{ name, data: Buffer.alloc(1), mode: 0o644 }])).toThrow(ZipLimitError)
    }
    expect(() => writeZip([inputs[0], inputs[0]])).toThrow(/twice/)
  })
})

describe('readZip', () => {
  it('reads a zip made by zip(1)', () => {
    const src = join(work, 'src')
    mkdirSync(join(src, 'lib'), { recursive: true })
    writeFileSync(join(src, 'lib/a.js'), 'module.exports = 1\n'.repeat(100))
    writeFileSync(join(src, 'run'), '#!/bin/sh\n', { mode: 0o755 })
    execFileSync('zip', ['-qr', join(work, 'by-zip.zip'), '.'], { cwd: src })
    const entries = readZip(readFileSync(join(work, 'by-zip.zip')))
    expect(entries.find((e) => e.name === 'lib/a.js')!.data.toString()).toBe('module.exports = 1\n'.repeat(100))
    expect(entries.map((e) => e.name).sort()).toEqual(['lib/a.js', 'run'])
    expect(entries.find((e) => e.name === 'run')!.mode).toBe(0o755)
  })

  it('rejects bytes that are not a zip with a clear error', () => {
    expect(() => readZip(Buffer.from('not a zip at all, not at all'))).toThrow(ZipFormatError)
    expect(() => readZip(Buffer.from('not a zip at all, not at all'))).toThrow(/not a readable zip/)
  })

  it('unpacks every file', () => {
    const dir = join(work, 'unpacked')
    expect(unpackZip(writeZip(inputs), dir)).toBe(inputs.length)
    expect(readFileSync(join(dir, 'views/中文 页面.html'), 'utf8')).toBe('<p>你好</p>')
    expect(statSync(join(dir, 'bin/start.sh')).mode & 0o777).toBe(0o755)
    expect(statSync(join(dir, 'empty.txt')).mode & 0o777).toBe(0o600)
  })
})
