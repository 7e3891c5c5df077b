import { ConfigError } from '../errors.js'
import type { Logger } from '../runtime/types.js'
import {
  excerpt,
  HASH,
  isBlank,
  LEFT_BRACKET,
  NEWLINE,
  opensNestedBlock,
  readValue,
  SEMICOLON,
  SPACE,
  skipBlanks,
  TAB,
} from './ini-value.js'
import type { ConfigSection } from './types.js'

const PREFIXES = ['profile', 'sso-session'] as const

/**
 * A line that indexIni must check one by one; a file with none is indexed by its header lines
 * alone, since every other line is then a comment, a blank or a `key = value` inside a section.
 * One native regex pass over the file, instead of interpreted work on every line. Any of:
 * - a line before the first header that is not blank or a comment (a key outside any section;
 *   a byte-order mark counts);
 * - an indented `[` (a header, or a line of a nested block); unindented header lines are checked
 *   in full either way;
 * - a line with no `=`, or nothing before it, that is not blank or a comment;
 * - a carriage return not before a newline (such as a line starting `\r[`, which indexIni
 *   rejects). JavaScript's `^` and `$` also end lines at `\r`, U+2028 and U+2029, where indexIni
 *   does not: that only names more lines.
 * It may name lines the rules accept (a nested block's lines, for instance): those files are
 * checked line by line, as every file was before.
 */
const LINES_TO_CHECK =
  /(?<![\s\S])(?:[ \t]*(?:[#;][^\n]*)?\r?\n)*[ \t]*[^ \t\r\n#;[]|^[ \t]+\[|^[ \t]*=|^[ \t]*[^ \t\r\n#;=[][^=\n]*$|\r(?!\n)/m

/** True when indexIni must check `text` line by line (see LINES_TO_CHECK). */
export function needsEveryLine(text: string): boolean {
  return LINES_TO_CHECK.test(text)
}

/**
 * A header line findSection cannot look for by its text: anything but one word, or two words with
 * one space between (`[default]`, `[profile NAME]`, `[sso-session NAME]`, or a section vault
 * ignores), then only blanks or a comment. `[profile]` and `[sso-session]` count, since indexIni
 * rejects them. A file with one is indexed in full, which also reports the broken ones.
 */
const UNCANONICAL_HEADER = new RegExp(
  `^\\[(?!(?!(?:${PREFIXES.join('|')})\\])[^\\s\\]]+(?: [^\\s\\]]+)?\\][ \\t]*(?:[#;][^\\n]*)?\\r?$)`,
  'm',
)

/**
 * True when findSection gives for `text` what indexIni would: the header-only scan applies (see
 * LINES_TO_CHECK) and every header is written in its one plain form (see UNCANONICAL_HEADER).
 * Then indexIni would reject nothing, and each section's header lines can be found by their text.
 */
export function canFindSections(text: string): boolean {
  return !needsEveryLine(text) && !UNCANONICAL_HEADER.test(text)
}

/**
 * The section indexIni would give for `kind` and `name`, found by searching for its header lines,
 * with the same bodies and line numbers; only for a text where canFindSections holds. Looking up
 * the few sections a cache hit reads costs a native string search each, where indexing a
 * 1,000-profile file costs about 5 ms of interpreted work on every run (V8 has optimised nothing
 * yet). `[profile default]` and `[default]` are one section, as in indexIni.
 */
export function findSection(text: string, kind: ConfigSection['kind'], name: string): IndexedSection | undefined {
  // A name with whitespace or "]" has no plain header, so canFindSections rules it out.
  if (name === '' || /[\s\]]/.test(name)) return undefined
  const headers = kind === 'profile' && name === 'default' ? ['[default]', '[profile default]'] : [`[${kind} ${name}]`]
  const starts: number[] = []
  for (const header of headers) {
    for (let at = text.indexOf(header); at >= 0; at = text.indexOf(header, at + 1)) {
      if (at === 0 || text.charCodeAt(at - 1) === NEWLINE) starts.push(at)
    }
  }
  if (starts.length === 0) return undefined
  starts.sort((a, b) => a - b)
  const length = text.length
  const bodies: number[] = []
  let line = 0 // newlines before the header: its line number is one more
  let counted = 0
  for (const start of starts) {
    line += countNewlines(text, counted, start)
    counted = start
    let end = text.indexOf('\n', start)
    if (end < 0) end = length
    // The body runs to the next header: a line that starts with "[" (none is indented here).
    const next = end < length ? text.indexOf('\n[', end) : -1
    bodies.push(end + 1, next < 0 ? length : next + 1, line + 2)
  }
  return { kind, name, line: (bodies[2] as number) - 1, bodies }
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0
  for (let at = text.indexOf('\n', from); at >= 0 && at < to; at = text.indexOf('\n', at + 1)) n++
  return n
}

/** Keys under a section vault does not know are checked (so nested blocks parse) but not kept. */
const IGNORED = 'ignored'

/**
 * A section found by indexIni: where its lines are, not yet what they say. A section that
 * appears twice in the file has two bodies. `parsed` caches materializeSection.
 */
export interface IndexedSection {
  kind: ConfigSection['kind']
  name: string
  line: number
  /** Flat triples: body start offset, body end offset, line number of the body's first line. */
  bodies: number[]
  parsed?: ConfigSection
}

/** The sections of a file in order, and by kind and name. */
export interface IniIndex {
  sections: IndexedSection[]
  profiles: Map<string, IndexedSection>
  ssoSessions: Map<string, IndexedSection>
}

/**
 * Parse the text of an AWS config file into its `[default]`, `[profile NAME]` and
 * `[sso-session NAME]` sections, in file order, every section materialized.
 * See indexIni for the rules; ConfigFile uses indexIni directly and materializes lazily.
 */
export function parseIni(text: string, file: string, log?: Logger): ConfigSection[] {
  return indexIni(text, file, log).sections.map((s) => materializeSection(text, file, s, log))
}

/**
 * Check every line of an AWS config file and find its sections, without building their values.
 * vault runs this on every command before V8 has optimised anything, so it allocates almost
 * nothing per line; a profile's values are built only when something asks for them.
 *
 * Rules (differences from aws-vault's go-ini on purpose):
 * - Keys are case-insensitive, section names case-sensitive. `#` and `;` start whole-line
 *   comments; inline, only after whitespace, so `https://x/start#/` survives.
 * - `s3 =` followed by indented lines is a nested block, kept as raw text.
 * - `[profile team.dev]` is its own section; go-ini made it inherit `[profile team]`.
 * - A key outside any section, a broken header, or a line without `=` is a ConfigError naming
 *   file:line, where go-ini guessed or failed without saying where.
 * - A section that appears twice is merged, later keys winning (as go-ini and the AWS CLI do).
 * - Unknown sections are skipped with a --debug note.
 *
 * Most files hold no line these rules could reject: then only the header lines are looked at
 * (see LINES_TO_CHECK), which makes indexing a 1,000-profile file several times faster.
 * `options.everyLine` checks every line anyway (tests compare the two).
 */
export function indexIni(text: string, file: string, log?: Logger, options: { everyLine?: boolean } = {}): IniIndex {
  const debug = log?.enabled ? log : undefined
  const sections: IndexedSection[] = []
  const profiles = new Map<string, IndexedSection>()
  const ssoSessions = new Map<string, IndexedSection>()
  let current: IndexedSection | typeof IGNORED | undefined
  let bodyStart = 0
  let bodyLine = 0
  let nested = false
  const length = text.length
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0
  let lineNo = 0
  const headersOnly = !options.everyLine && !needsEveryLine(text)

  while (pos < length) {
    lineNo++
    const lineStart = pos
    let end = text.indexOf('\n', pos)
    if (end < 0) end = length
    pos = end + 1
    if (headersOnly && text.charCodeAt(lineStart) !== LEFT_BRACKET) continue
    if (end > lineStart && text.charCodeAt(end - 1) === 13) end--
    let i = lineStart
    let c = text.charCodeAt(i)
    while (i < end && (c === SPACE || c === TAB)) c = text.charCodeAt(++i)
    if (i === end || c === HASH || c === SEMICOLON) continue
    if (nested && i > lineStart) continue
    nested = false

    if (c === LEFT_BRACKET) {
      const close = text.indexOf(']', i + 1)
      if (close < 0 || close >= end) throw brokenHeader(text, i, end, file, lineNo, 'no closing "]"')
      const after = skipBlanks(text, close + 1, end)
      if (after < end && text.charCodeAt(after) !== HASH && text.charCodeAt(after) !== SEMICOLON) {
        throw brokenHeader(text, i, end, file, lineNo, 'unexpected text after "]"')
      }
      if (current !== undefined && current !== IGNORED) current.bodies.push(bodyStart, lineStart, bodyLine)
      bodyStart = pos
      bodyLine = lineNo + 1
      const inner = text.slice(i + 1, close).trim()
      const kind = headerKind(inner)
      if (kind === undefined) {
        if (inner === '' || inner === 'profile' || inner === 'sso-session') {
          throw brokenHeader(text, i, end, file, lineNo, 'no name', inner && `write [${inner} NAME]`)
        }
        debug?.debug(`${file}:${lineNo}: ignoring unknown section [${inner}]`)
        current = IGNORED
        continue
      }
      const name = kind === 'profile' && inner === 'default' ? inner : inner.slice(kind.length + 1).trim()
      const byName = kind === 'profile' ? profiles : ssoSessions
      const existing = byName.get(name)
      if (existing) {
        debug?.debug(
          `${file}:${lineNo}: ${label(existing)} appears again (first at line ${existing.line}); merging, later keys win`,
        )
        current = existing
        continue
      }
      current = { kind, name, line: lineNo, bodies: [] }
      byName.set(name, current)
      sections.push(current)
      continue
    }

    const eq = text.indexOf('=', i)
    if (eq < 0 || eq >= end) {
      throw new ConfigError(
        `${file}:${lineNo}: ${excerpt(text.slice(lineStart, end))} is not a setting: expected key = value`,
      )
    }
    if (eq === i) throw new ConfigError(`${file}:${lineNo}: missing key before "="`)
    if (current === undefined) {
      const key = text.slice(i, eq).trim().toLowerCase()
      throw new ConfigError(
        `${file}:${lineNo}: "${key}" is outside any section`,
        'put it under [default] or [profile NAME]',
      )
    }
    nested = opensNestedBlock(text, eq + 1, end)
  }
  if (current !== undefined && current !== IGNORED) current.bodies.push(bodyStart, length, bodyLine)
  return { sections, profiles, ssoSessions }
}

/**
 * Build a section's values from its bodies (already checked by indexIni). Under --debug, a key
 * set twice is noted, since only the last value counts.
 */
export function materializeSection(text: string, file: string, indexed: IndexedSection, log?: Logger): ConfigSection {
  if (indexed.parsed) return indexed.parsed
  const section: ConfigSection = {
    name: indexed.name,
    kind: indexed.kind,
    values: {},
    file,
    line: indexed.line,
    keyLines: {},
  }
  const values = section.values
  const keyLines = section.keyLines as Record<string, number>
  const debug = log?.enabled ? log : undefined
  const { bodies } = indexed
  for (let b = 0; b < bodies.length; b += 3) {
    const stop = bodies[b + 1] as number
    let pos = bodies[b] as number
    let lineNo = (bodies[b + 2] as number) - 1
    let nestedKey: string | undefined
    while (pos < stop) {
      lineNo++
      const lineStart = pos
      let end = text.indexOf('\n', pos)
      if (end < 0 || end > stop) end = stop
      pos = end + 1
      if (end > lineStart && text.charCodeAt(end - 1) === 13) end--
      const i = skipBlanks(text, lineStart, end)
      const c = text.charCodeAt(i)
      if (i === end || c === HASH || c === SEMICOLON) continue
      if (nestedKey !== undefined && i > lineStart) {
        const line = text.slice(lineStart, end).trimEnd()
        const prev = values[nestedKey]
        values[nestedKey] = prev ? `${prev}\n${line}` : line
        continue
      }
      const eq = text.indexOf('=', i)
      const key = text.slice(i, eq).trimEnd().toLowerCase()
      nestedKey = opensNestedBlock(text, eq + 1, end) ? key : undefined
      if (key === '__proto__') continue
      if (debug && Object.hasOwn(values, key))
        debug.debug(`${file}:${lineNo}: ${key} is set again in ${label(section)}; the last value wins`)
      values[key] = readValue(text, eq + 1, end)
      keyLines[key] = lineNo
    }
  }
  indexed.parsed = section
  return section
}

/** `[default]`, `[profile x]` or `[sso-session x]`, for messages. */
export function label(section: Pick<ConfigSection, 'kind' | 'name'>): string {
  if (section.kind === 'profile') return section.name === 'default' ? '[default]' : `[profile ${section.name}]`
  return `[sso-session ${section.name}]`
}

/** The kind of a header's text (between the brackets), or undefined for one vault does not know. */
function headerKind(inner: string): ConfigSection['kind'] | undefined {
  if (inner === 'default') return 'profile'
  for (let p = 0; p < PREFIXES.length; p++) {
    const prefix = PREFIXES[p] as (typeof PREFIXES)[number]
    if (inner.length > prefix.length + 1 && inner.startsWith(prefix) && isBlank(inner.charCodeAt(prefix.length)))
      return prefix
  }
  return undefined
}

function brokenHeader(
  text: string,
  i: number,
  end: number,
  file: string,
  lineNo: number,
  why: string,
  hint?: string,
): ConfigError {
  return new ConfigError(
    `${file}:${lineNo}: broken section header ${excerpt(text.slice(i, end))}: ${why}`,
    hint || undefined,
  )
}
