// Issue 13.2/13.3/13.5: durations are checked against AWS's STS limits wherever they are given,
// with one error naming the source; the environment beats duration_seconds; mfa_process is
// inherited from the source profile. Limits: AWS STS API reference, DurationSeconds of
// AssumeRole (900–43200), GetSessionToken (900–129600), GetFederationToken (900–129600).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ConfigFile } from '../../src/config/config-file.js'
import { resolveProfile } from '../../src/config/resolve.js'
import type { ProfileOverrides } from '../../src/config/types.js'
import { ConfigError, UsageError } from '../../src/errors.js'
import { assertSubset, CONFIG_PATH, recordingLogger } from './helpers.js'

interface Row {
  name: string
  config?: string
  profile?: string
  env?: Record<string, string>
  overrides?: ProfileOverrides
  error?: { type: typeof ConfigError | typeof UsageError; message: RegExp }
  want?: Record<string, unknown>
  note?: RegExp
}

const ROLE = '[profile keys]\n[profile role]\nsource_profile = keys\nrole_arn = arn:aws:iam::2:role/x\n'

function check(rows: Row[]) {
  for (const row of rows) {
    test(row.name, () => {
      const log = recordingLogger()
      const config = ConfigFile.fromText(row.config ?? ROLE, CONFIG_PATH, log)
      const resolve = () =>
        resolveProfile(config, row.profile ?? 'role', { env: row.env ?? {}, overrides: row.overrides, log })
      if (row.error) {
        const { type, message } = row.error
        assert.throws(resolve, (err: unknown) => {
          assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`)
          assert.match((err as Error).message, message)
          return true
        })
        return
      }
      const p = resolve()
      if (row.want) assertSubset(p, row.want)
      if (row.note)
        assert.ok(
          log.lines.some((l) => row.note?.test(l)),
          `no line matches ${row.note}:\n${log.lines.join('\n')}`,
        )
    })
  }
}

describe('issue 13.2: --duration is checked against AWS limits (UsageError)', () => {
  check([
    {
      name: '--duration 5m',
      overrides: { duration: 300 },
      error: { type: UsageError, message: /^--duration 5m is below AWS's minimum of 15m$/ },
    },
    {
      name: '--duration 0',
      overrides: { duration: 0 },
      error: { type: UsageError, message: /^--duration 0s is below AWS's minimum of 15m$/ },
    },
    {
      name: '--duration 37h is above what any STS call takes',
      profile: 'keys',
      overrides: { duration: 37 * 3600 },
      error: { type: UsageError, message: /^--duration 37h is above AWS's maximum of 36h$/ },
    },
    {
      name: "--duration 13h for a role is above AssumeRole's maximum, naming the role profile",
      overrides: { duration: 13 * 3600 },
      error: {
        type: UsageError,
        message: /^--duration 13h is above AWS's maximum of 12h for AssumeRole \(profile "role" assumes a role\)$/,
      },
    },
    {
      name: '--duration 13h for a keys profile is a GetSessionToken duration, and fine',
      profile: 'keys',
      overrides: { duration: 13 * 3600 },
      want: { getSessionTokenDuration: 46800 },
    },
    {
      name: '--duration 15m is the minimum, and fine',
      overrides: { duration: 900 },
      want: { assumeRoleDuration: 900, durationFlag: 900 },
    },
  ])
})

describe('issue 13.2: TTL variables are checked against AWS limits (ConfigError naming the variable)', () => {
  check([
    {
      name: 'AWS_ASSUME_ROLE_TTL=120',
      env: { AWS_ASSUME_ROLE_TTL: '120' },
      error: { type: ConfigError, message: /^AWS_ASSUME_ROLE_TTL=120 is below AWS's minimum of 15m for AssumeRole$/ },
    },
    {
      name: 'AWS_ASSUME_ROLE_TTL=13h',
      env: { AWS_ASSUME_ROLE_TTL: '13h' },
      error: { type: ConfigError, message: /^AWS_ASSUME_ROLE_TTL=13h is above AWS's maximum of 12h for AssumeRole$/ },
    },
    {
      name: 'AWS_SESSION_TOKEN_TTL=37h',
      env: { AWS_SESSION_TOKEN_TTL: '37h' },
      error: {
        type: ConfigError,
        message: /^AWS_SESSION_TOKEN_TTL=37h is above AWS's maximum of 36h for GetSessionToken$/,
      },
    },
    {
      name: 'AWS_CHAINED_SESSION_TOKEN_TTL=10m',
      env: { AWS_CHAINED_SESSION_TOKEN_TTL: '10m' },
      error: {
        type: ConfigError,
        message: /^AWS_CHAINED_SESSION_TOKEN_TTL=10m is below AWS's minimum of 15m for GetSessionToken$/,
      },
    },
    {
      name: 'AWS_FEDERATION_TOKEN_TTL=0',
      env: { AWS_FEDERATION_TOKEN_TTL: '0' },
      error: {
        type: ConfigError,
        message: /^AWS_FEDERATION_TOKEN_TTL=0 is below AWS's minimum of 15m for GetFederationToken$/,
      },
    },
    {
      name: 'AWS_SESSION_TOKEN_TTL=36h is the maximum, and fine',
      env: { AWS_SESSION_TOKEN_TTL: '36h' },
      want: { getSessionTokenDuration: 129600 },
    },
    { name: 'AWS_MIN_TTL is a window, not an STS duration: 0 is fine', env: { AWS_MIN_TTL: '0' }, want: { minTtl: 0 } },
  ])
})

describe('issue 13.2: duration_seconds is checked the same way (ConfigError naming profile, key, value, file:line)', () => {
  check([
    {
      name: 'duration_seconds = 300',
      config: '[profile x]\nduration_seconds = 300\n',
      profile: 'x',
      error: {
        type: ConfigError,
        message:
          /^profile "x": duration_seconds = 300 \(at \/home\/u\/\.aws\/config:2\) is below AWS's minimum of 15m for AssumeRole$/,
      },
    },
  ])
})

describe('issue 13.3: precedence as aws-vault (flag > environment > file > default)', () => {
  check([
    {
      name: 'AWS_ASSUME_ROLE_TTL beats duration_seconds, and --debug says so',
      config: `${ROLE}duration_seconds = 7200\n`,
      env: { AWS_ASSUME_ROLE_TTL: '3h' },
      want: { assumeRoleDuration: 10800, durationSeconds: 7200 },
      note: /^profile "role": AWS_ASSUME_ROLE_TTL \(3h\) beats duration_seconds \(2h\), as in aws-vault$/,
    },
    {
      name: '--duration beats AWS_ASSUME_ROLE_TTL and duration_seconds, on every profile of the chain',
      config: `${ROLE}duration_seconds = 7200\n`,
      env: { AWS_ASSUME_ROLE_TTL: '3h', AWS_SESSION_TOKEN_TTL: '5h' },
      overrides: { duration: 1800 },
      want: { assumeRoleDuration: 1800, getSessionTokenDuration: 1800, source: { getSessionTokenDuration: 1800 } },
    },
    {
      name: '--region beats AWS_REGION and the file, on every profile of the chain',
      config:
        '[profile keys]\nregion = eu-west-1\n[profile role]\nsource_profile = keys\nrole_arn = arn:aws:iam::2:role/x\nregion = us-west-2\n',
      env: { AWS_REGION: 'sa-east-1' },
      overrides: { region: 'ap-south-1' },
      want: { region: 'ap-south-1', source: { region: 'ap-south-1' } },
    },
  ])
})

describe('issue 13.5: mfa_process is inherited from the source profile', () => {
  check([
    {
      // ByteNess aws-vault vault/config_mfa_process_test.go TestMfaProcessInheritedFromSourceProfile (issue 389)
      name: "a role profile without mfa_process uses its source profile's",
      config: `[profile fooprofile]
credential_process = aws-vault export --debug --format=json fooprofile
mfa_process = op item get 'AWS Login' --otp
mfa_serial = arn:aws:iam::123456789012:mfa/me
region = us-east-1

[profile barprofile]
mfa_serial = arn:aws:iam::123456789012:mfa/me
region = us-east-1
role_arn = arn:aws:iam::987654321098:role/Administrator
source_profile = fooprofile
`,
      profile: 'barprofile',
      want: { mfaProcess: "op item get 'AWS Login' --otp" },
      note: /^profile "barprofile": using mfa_process of source profile "fooprofile"$/,
    },
    {
      // ByteNess aws-vault vault/config_mfa_process_test.go TestMfaProcessOnProfileNotOverriddenBySource
      name: 'a profile with its own mfa_process keeps it',
      config: `[profile source]
mfa_process = source-otp
mfa_serial = arn:aws:iam::123456789012:mfa/me
region = us-east-1

[profile target]
mfa_process = target-otp
mfa_serial = arn:aws:iam::123456789012:mfa/me
role_arn = arn:aws:iam::987654321098:role/Administrator
source_profile = source
region = us-east-1
`,
      profile: 'target',
      want: { mfaProcess: 'target-otp' },
    },
    {
      name: 'inherited through a chain of profiles without mfa_process',
      config:
        '[profile k]\nmfa_process = otp\n[profile a]\nsource_profile = k\n[profile r]\nsource_profile = a\nrole_arn = arn:aws:iam::2:role/x\n',
      profile: 'r',
      want: { mfaProcess: 'otp', source: { mfaProcess: 'otp' } },
    },
  ])
})
