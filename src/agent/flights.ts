import { AsyncLocalStorage } from 'node:async_hooks'
import type { Question } from './wire.js'

/** Someone who can put a question to the user: a client waiting on the agent. */
export interface Asker {
  /** Rejects with CannotAsk when this client cannot (it went away, or it has no way to prompt). */
  ask(question: Question): Promise<string>
}

/** This client cannot answer: the next one is asked. */
export class CannotAsk extends Error {}

/** No client of the flight could answer the question: the fast client hands over to the full CLI. */
export class NeedsUser extends Error {
  constructor(readonly question: Question) {
    super(question.need === 'mfa' ? `an MFA code for ${question.serial} is needed` : 'the passphrase is needed')
  }
}

interface Flight<T> {
  askers: Asker[]
  promise?: Promise<T>
}

/**
 * Single-flight inside the agent: clients asking for the same thing at once share one run of the
 * chain. A question the chain raises goes to the flight's clients in the order they came, one at a
 * time: when the first goes away or cannot prompt, the next is asked, so N clients cause at most
 * one prompt, and the run fails (each client then takes the direct path) only when none can answer.
 */
export class Flights<T> {
  private readonly flights = new Map<string, Flight<T>>()
  private readonly current = new AsyncLocalStorage<Flight<T>>()

  run(key: string, asker: Asker, work: () => Promise<T>): Promise<T> {
    const joined = this.flights.get(key)
    if (joined?.promise) {
      joined.askers.push(asker)
      return joined.promise
    }
    const flight: Flight<T> = { askers: [asker] }
    this.flights.set(key, flight)
    flight.promise = this.current.run(flight, work).finally(() => {
      if (this.flights.get(key) === flight) this.flights.delete(key)
    })
    return flight.promise
  }

  /** Asks the user through a client of the flight this call runs in. */
  async ask(question: Question): Promise<string> {
    const flight = this.current.getStore()
    if (!flight) throw new NeedsUser(question)
    // Clients that join while one is being asked are appended, and asked if it fails.
    for (let i = 0; i < flight.askers.length; i++) {
      try {
        return await flight.askers[i].ask(question)
      } catch (err) {
        if (!(err instanceof CannotAsk)) throw err
        flight.askers.splice(i--, 1)
      }
    }
    throw new NeedsUser(question)
  }

  get size(): number {
    return this.flights.size
  }
}

/** The asker of a client that has no way to prompt (the fast path's). */
export const cannotAsk: Asker = { ask: () => Promise.reject(new CannotAsk()) }
