import { type ChildProcess, spawn } from 'node:child_process'
import { connect } from 'node:net'
import { CliError } from './cli-error'

/** What a Web function instance gets in its environment (web-functions.md §1), for a local run. */
export interface PlatformSettings {
  runtime: string
  functionName: string
  region: string
  codeDir: string
}

/** The platform's variables for a Web function; the function's own environment goes on top. */
export function platformEnv(settings: PlatformSettings): Record<string, string> {
  return {
    SCF_RUNTIME: settings.runtime,
    SCF_FUNCTIONNAME: settings.functionName,
    SCF_FUNCTIONVERSION: '$LATEST',
    SCF_NAMESPACE: 'default',
    TENCENTCLOUD_REGION: settings.region,
    TENCENTCLOUD_APPID: '1250000000',
    TENCENTCLOUD_UIN: '100000000001',
    TENCENTCLOUD_TZ: 'UTC',
    TENCENTCLOUD_RUNENV: 'SCF',
    USER_CODE_ROOT: settings.codeDir,
    _SCF_SERVER_PORT: '28902',
  }
}

/** The instance did not come up: the platform answers such a function with 405 ContainerStateExited. */
export class BootstrapError extends CliError {
  override name = 'BootstrapError'
}

/** A running `scf_bootstrap`. */
export interface BootstrapProcess {
  child: ChildProcess
  /** The last lines it wrote (stdout and stderr). */
  output(): string
  /** Resolves with the exit code, or the signal that ended it. */
  exited: Promise<number | string | null>
  /** Sends SIGTERM as the platform does when it retires an instance; SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number | string | null>
}

export interface StartOptions {
  /** The executable script, run directly (so its mode and `#!` line are what start it). */
  script: string
  cwd: string
  env: NodeJS.ProcessEnv
  /** The port the script's server must listen on. */
  port: number
  /** How long it may take to listen (the function's InitTimeout). */
  deadlineMs: number
  /** Each chunk of its output as it comes, besides keeping the tail. */
  onOutput?: (chunk: string) => void
}

/** Starts the script and resolves once something accepts connections on the port, as the platform waits. */
export async function startBootstrap(options: StartOptions): Promise<BootstrapProcess> {
  const child = spawn(options.script, [], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] })
  let tail = ''
  const keep = (chunk: Buffer) => {
    const text = chunk.toString('utf8')
    tail = (tail + text).slice(-8000)
    options.onOutput?.(text)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const exited = new Promise<number | string | null>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal))
    child.once('error', (error) => {
      tail += `\n${error.message}`
      resolve(null)
    })
  })
  let done = false
  exited.then(() => {
    done = true
  })
  const process: BootstrapProcess = {
    child,
    output: () => tail,
    exited,
    stop(graceMs = 15_000) {
      if (!done) child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      return exited.finally(() => clearTimeout(timer))
    },
  }

  const deadline = Date.now() + options.deadlineMs
  for (;;) {
    if (done) {
      throw new BootstrapError(
        `405 ContainerStateExited: ${options.script} exited (${await exited}) before listening on 0.0.0.0:${options.port}` +
          (tail.trim() ? `; its output:\n${tail.trim()}` : ''),
      )
    }
    if (await accepts(options.port)) return process
    if (Date.now() > deadline) {
      await process.stop(1000)
      throw new BootstrapError(
        `405 ContainerStateExited: nothing listened on port ${options.port} within ${Math.round(options.deadlineMs / 1000)} s ` +
          `of starting ${options.script} (a Web function's server must listen on 0.0.0.0:9000)` +
          (tail.trim() ? `; its output:\n${tail.trim()}` : ''),
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}
