import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))

/**
 * Runs a memory worker of this folder in its own process with --expose-gc (to measure after a full GC) and
 * resolves with the JSON of the last line it prints.
 */
export function runGcWorker<T>(file: string, env: Record<string, string>, timeout: number): Promise<T> {
  const worker = fileURLToPath(new URL(`./${file}`, import.meta.url))
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', worker],
      { cwd: root, env: { ...process.env, ...env }, timeout, maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${file} failed: ${error.message}\n${stderr}`))
        resolve(JSON.parse(stdout.trim().split('\n').pop()!) as T)
      },
    )
  })
}
