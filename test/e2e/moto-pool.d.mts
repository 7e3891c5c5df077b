// Types of moto-pool.mjs (plain JavaScript, so that test/run.js can load it without a TypeScript loader).
import type { ChildProcess } from 'node:child_process'

export function freePort(): Promise<number>

export function startMotoServer(
  dir: string,
  onChild?: (child: ChildProcess) => void,
): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }>

export function startMotoPool(): Promise<{ env: { VAULT_TEST_MOTO_POOL: string }; stop: () => Promise<void> }>

/** A server of the pool, this process's alone until release(); `strictSts` is the bundled strict STS. */
export interface MotoClaim {
  url: string
  strictSts: string
  release: () => Promise<void>
}

export function claimMoto(socketPath: string, timeoutMs?: number): Promise<MotoClaim>
