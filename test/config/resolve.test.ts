import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ConfigFile } from '../../src/config/config-file.js'
import { resolveProfile } from '../../src/config/resolve.js'
import type { ProfileOverrides } from '../../src/config/types.js'
import { ConfigError, NotFoundError } from '../../src/errors.js'
import { assertSubset, CONFIG_PATH, ini, offLogger, recordingLogger } from './helpers.js'

interface Row {
  name: string
  config: string
  profile: string
  env?: Record<string, string>
  overrides?: ProfileOverrides
  allowMissing?: boolean
  /** Subset of the resolved profile. */
  want?: Record<string, unknown>
  /** Keys that must be absent from the resolved profile. */
  absent?: string[]
  error?: { type: typeof ConfigError | typeof NotFoundError; message: RegExp }
  /** Each must match some --debug line. */
  notes?: RegExp[]
}

const CHAIN = ini(`
  [default]
  region = us-east-1
  mfa_serial = arn:aws:iam::1:mfa/me

  [profile base]
  region = eu-west-1

  [profile admin]
  source_profile = base
  role_arn = arn:aws:iam::2:role/admin
  role_session_name = me
`)

function run(row: Row) {
  const log = recordingLogger()
  const config = ConfigFile.fromText(row.config, CONFIG_PATH, log)
  const opts = { env: row.env ?? {}, overrides: row.overrides, log, allowMissing: row.allowMissing }
  return { log, resolve: () => resolveProfile(config, row.profile, opts) }
}

function check(rows: Row[]) {
  for (const row of rows) {
    test(row.name, () => {
      const { log, resolve } = run(row)
      if (row.error) {
        const { type, message } = row.error
        assert.throws(resolve, (err: unknown) => {
          assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`)
          assert.match((err as Error).message, message)
          return true
        })
        return
      }
      const profile = resolve()
      if (row.want) assertSubset(profile, row.want)
      for (const key of row.absent ?? []) assert.equal(Object.hasOwn(profile, key), false, `${key} should be absent`)
      for (const note of row.notes ?? []) {
        assert.ok(
          log.lines.some((l) => note.test(l)),
          `no debug line matches ${note}:\n${log.lines.join('\n')}`,
        )
      }
    })
  }
}

describe('resolveProfile: reading the section', () => {
  check([
    {
      name: 'maps every key of the section',
      config: ini(`
        [profile all]
        region = eu-west-2
        mfa_serial = arn:mfa
        role_arn = arn:role
        external_id = ext
        role_session_name = sess
        credential_process = /bin/creds
        mfa_process = /bin/otp
        web_identity_token_file = /tok
        web_identity_token_process = /bin/tok
        sso_account_id = 123
        sso_role_name = Admin
        sso_start_url = https://x.awsapps.com/start#/
        sso_region = us-east-2
        sso_registration_scopes = sso:account:access
        source_identity = me@example.com
        endpoint_url = http://localhost:4566
        sts_regional_endpoints = regional
      `),
      profile: 'all',
      want: {
        name: 'all',
        region: 'eu-west-2',
        mfaSerial: 'arn:mfa',
        roleArn: 'arn:role',
        externalId: 'ext',
        roleSessionName: 'sess',
        credentialProcess: '/bin/creds',
        mfaProcess: '/bin/otp',
        webIdentityTokenFile: '/tok',
        webIdentityTokenProcess: '/bin/tok',
        ssoAccountId: '123',
        ssoRoleName: 'Admin',
        ssoStartUrl: 'https://x.awsapps.com/start#/',
        ssoRegion: 'us-east-2',
        ssoRegistrationScopes: 'sso:account:access',
        sourceIdentity: 'me@example.com',
        endpointUrl: 'http://localhost:4566',
        stsRegionalEndpoints: 'regional',
      },
    },
    {
      name: 'built-in defaults: AssumeRole 1h, GetSessionToken 1h, chained 8h, federation 1h, expiry window 5 min',
      config: '[profile a]\n',
      profile: 'a',
      want: {
        assumeRoleDuration: 3600,
        getSessionTokenDuration: 3600,
        chainedGetSessionTokenDuration: 28800,
        federationTokenDuration: 3600,
        minTtl: 300,
      },
      absent: ['durationSeconds', 'source', 'sourceProfileName', 'region'],
    },
    {
      name: 'duration_seconds sets assumeRoleDuration and durationSeconds',
      config: '[profile a]\nduration_seconds = 43200\n',
      profile: 'a',
      want: { durationSeconds: 43200, assumeRoleDuration: 43200, getSessionTokenDuration: 3600 },
    },
    {
      name: 'duration_seconds accepts the bounds 900',
      config: '[profile a]\nduration_seconds = 900\n',
      profile: 'a',
      want: { durationSeconds: 900 },
    },
    {
      name: 'session_tags and transitive_session_tags are parsed with trimming',
      config: '[profile a]\nsession_tags = team = core , env=prod\ntransitive_session_tags =  team , env ,\n',
      profile: 'a',
      want: { sessionTags: { team: 'core', env: 'prod' }, transitiveSessionTags: ['team', 'env'] },
    },
    {
      name: 'an empty value counts as unset, so [default] shows through',
      config: '[default]\nregion = us-east-1\n[profile a]\nregion =\n',
      profile: 'a',
      want: { region: 'us-east-1' },
    },
    {
      name: 'sso_session pulls sso_start_url, sso_region and sso_registration_scopes from its section',
      config: ini(`
        [profile dev]
        sso_session = corp
        sso_account_id = 111
        sso_role_name = Dev
        [sso-session corp]
        sso_start_url = https://corp.awsapps.com/start#/
        sso_region = eu-central-1
        sso_registration_scopes = sso:account:access
      `),
      profile: 'dev',
      want: {
        ssoSession: 'corp',
        ssoStartUrl: 'https://corp.awsapps.com/start#/',
        ssoRegion: 'eu-central-1',
        ssoRegistrationScopes: 'sso:account:access',
        ssoAccountId: '111',
      },
    },
    {
      name: 'sso_session beats sso_start_url in the same section, as in aws-vault, and says so',
      config: ini(`
        [profile dev]
        sso_session = corp
        sso_start_url = https://old.awsapps.com/start
        [sso-session corp]
        sso_start_url = https://corp.awsapps.com/start
        sso_region = eu-central-1
      `),
      profile: 'dev',
      want: { ssoStartUrl: 'https://corp.awsapps.com/start' },
      notes: [/sso_start_url "https:\/\/corp.awsapps.com\/start" from \[sso-session corp\] wins over "https:\/\/old/],
    },
    {
      name: 'sso_start_url in a section of higher precedence beats an included sso_session',
      config: ini(`
        [profile dev]
        include_profile = sso
        sso_start_url = https://mine.awsapps.com/start
        [profile sso]
        sso_session = corp
        [sso-session corp]
        sso_start_url = https://corp.awsapps.com/start
        sso_region = eu-central-1
      `),
      profile: 'dev',
      want: { ssoStartUrl: 'https://mine.awsapps.com/start', ssoRegion: 'eu-central-1', ssoSession: 'corp' },
    },
    {
      name: 'sso_session naming a missing [sso-session] is an error naming the profile and file:line',
      config: '[profile dev]\nregion = x\nsso_session = corp\n',
      profile: 'dev',
      error: {
        type: ConfigError,
        message:
          /^profile "dev": sso_session \(at \/home\/u\/\.aws\/config:3\): there is no \[sso-session corp\] section/,
      },
    },
  ])
})

describe('resolveProfile: include_profile and [default]', () => {
  const layered = ini(`
    [default]
    region = us-east-1
    mfa_serial = arn:default-mfa
    external_id = from-default
    [profile a]
    include_profile = b
    region = eu-west-1
    [profile b]
    include_profile = c
    region = eu-west-2
    role_arn = arn:b
    [profile c]
    role_arn = arn:c
    mfa_serial = arn:c-mfa
    role_session_name = from-c
  `)
  check([
    {
      name: 'precedence: own section > include chain (depth first) > [default]',
      config: layered,
      profile: 'a',
      want: {
        region: 'eu-west-1',
        roleArn: 'arn:b',
        mfaSerial: 'arn:c-mfa',
        roleSessionName: 'from-c',
        externalId: 'from-default',
      },
      notes: [/^profile "a": reading \[profile a\] ← \[profile b\] ← \[profile c\] ← \[default\]$/],
    },
    {
      name: '[default] fills what the profile leaves unset',
      config: CHAIN,
      profile: 'base',
      want: { region: 'eu-west-1', mfaSerial: 'arn:aws:iam::1:mfa/me' },
    },
    {
      name: '[default] including the profile being resolved is not a cycle (the fallback is implicit)',
      config: '[default]\ninclude_profile = base\n[profile base]\nregion = x\n',
      profile: 'base',
      want: { region: 'x' },
    },
    {
      name: 'regression (cycles): an include_profile cycle is an error naming the cycle',
      config: '[profile a]\ninclude_profile = b\n[profile b]\ninclude_profile = a\n',
      profile: 'a',
      error: { type: ConfigError, message: /^include_profile cycle: a → b → a in \/home\/u\/\.aws\/config$/ },
    },
    {
      name: 'regression (cycles): a profile including itself is a cycle',
      config: '[profile a]\ninclude_profile = a\n',
      profile: 'a',
      error: { type: ConfigError, message: /^include_profile cycle: a → a / },
    },
    {
      name: 'include_profile naming a missing profile is an error with file:line',
      config: '[profile a]\nregion = x\ninclude_profile = nope\n',
      profile: 'a',
      error: {
        type: ConfigError,
        message:
          /^\/home\/u\/\.aws\/config:3: \[profile a\] includes profile "nope", which is not in \/home\/u\/\.aws\/config$/,
      },
    },
    {
      name: 'regression (dotted names): [profile team.dev] does not inherit [profile team]',
      config: '[profile team]\nregion = us-west-2\nrole_arn = arn:team\n[profile team.dev]\nmfa_serial = arn:mfa\n',
      profile: 'team.dev',
      want: { mfaSerial: 'arn:mfa' },
      absent: ['region', 'roleArn'],
    },
  ])
})

describe('resolveProfile: source_profile chains', () => {
  check([
    {
      name: 'source_profile is resolved recursively into a chain',
      config: `${CHAIN}\n[profile deep]\nsource_profile = admin\nrole_arn = arn:deep\n`,
      profile: 'deep',
      want: {
        roleArn: 'arn:deep',
        sourceProfileName: 'admin',
        source: {
          name: 'admin',
          roleArn: 'arn:aws:iam::2:role/admin',
          region: 'us-east-1',
          source: { name: 'base', region: 'eu-west-1', mfaSerial: 'arn:aws:iam::1:mfa/me' },
        },
      },
    },
    {
      name: 'a profile naming itself as source_profile: the source is ignored, with a note',
      config: '[profile me]\nsource_profile = me\nrole_arn = arn:x\n',
      profile: 'me',
      want: { roleArn: 'arn:x' },
      absent: ['source', 'sourceProfileName'],
      notes: [/profile "me": source_profile names the profile itself; ignored/],
    },
    {
      name: 'source_profile inherited from [default] is ignored in the profile it names',
      config: '[default]\nsource_profile = base\n[profile base]\n[profile dev]\nrole_arn = arn:dev\n',
      profile: 'dev',
      want: { sourceProfileName: 'base', source: { name: 'base' } },
    },
    {
      name: 'regression (cycles): a source_profile cycle a → b → a is an error naming it',
      config: '[profile a]\nsource_profile = b\n[profile b]\nsource_profile = a\n',
      profile: 'a',
      error: { type: ConfigError, message: /^source_profile cycle: a → b → a in \/home\/u\/\.aws\/config$/ },
    },
    {
      name: 'regression (cycles): a longer source_profile cycle names only the loop',
      config:
        '[profile x]\nsource_profile = a\n[profile a]\nsource_profile = b\n[profile b]\nsource_profile = c\n[profile c]\nsource_profile = a\n',
      profile: 'x',
      error: { type: ConfigError, message: /^source_profile cycle: a → b → c → a / },
    },
    {
      name: 'a source_profile with no section resolves (its keys live in the store), with a note',
      config: '[profile dev]\nsource_profile = keys-only\nrole_arn = arn:dev\n',
      profile: 'dev',
      want: { source: { name: 'keys-only', assumeRoleDuration: 3600 } },
      notes: [
        /source_profile "keys-only" has no section in \/home\/u\/\.aws\/config; its keys must be in vault's store/,
      ],
    },
  ])
})

describe('resolveProfile: unknown profiles', () => {
  check([
    {
      name: 'regression (unknown profile): an error, not a fall-through to [default]',
      config: '[default]\nregion = us-east-1\n',
      profile: 'x',
      error: { type: NotFoundError, message: /^profile "x" not found in \/home\/u\/\.aws\/config$/ },
    },
    {
      name: 'default with no [default] section resolves to built-in defaults',
      config: '[profile a]\n',
      profile: 'default',
      want: { name: 'default', assumeRoleDuration: 3600 },
    },
    {
      name: 'allowMissing resolves a profile that only exists in the store, still reading [default]',
      config: '[default]\nregion = us-east-1\n',
      profile: 'foo',
      allowMissing: true,
      want: { name: 'foo', region: 'us-east-1' },
    },
  ])
})

describe('resolveProfile: the environment', () => {
  check([
    {
      name: 'AWS_REGION beats the section and AWS_DEFAULT_REGION',
      config: CHAIN,
      profile: 'base',
      env: { AWS_REGION: 'ap-south-1', AWS_DEFAULT_REGION: 'sa-east-1' },
      want: { region: 'ap-south-1' },
      notes: [/profile "base": using region "ap-south-1" from AWS_REGION/],
    },
    {
      name: 'AWS_DEFAULT_REGION applies when AWS_REGION is unset or empty',
      config: CHAIN,
      profile: 'base',
      env: { AWS_REGION: '', AWS_DEFAULT_REGION: 'sa-east-1' },
      want: { region: 'sa-east-1' },
    },
    {
      name: 'region and MFA variables apply to every profile in the chain',
      config: CHAIN,
      profile: 'admin',
      env: { AWS_REGION: 'ap-south-1', AWS_MFA_SERIAL: 'arn:env-mfa' },
      want: {
        region: 'ap-south-1',
        mfaSerial: 'arn:env-mfa',
        source: { region: 'ap-south-1', mfaSerial: 'arn:env-mfa' },
      },
    },
    {
      name: 'AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME, AWS_SESSION_TAGS, AWS_TRANSITIVE_TAGS, AWS_SOURCE_IDENTITY: active profile only',
      config: CHAIN,
      profile: 'admin',
      env: {
        AWS_ROLE_ARN: 'arn:env-role',
        AWS_ROLE_SESSION_NAME: 'env-sess',
        AWS_SESSION_TAGS: 'a = 1, b=2',
        AWS_TRANSITIVE_TAGS: ' a ,b',
        AWS_SOURCE_IDENTITY: 'env-id',
      },
      want: {
        roleArn: 'arn:env-role',
        roleSessionName: 'env-sess',
        sessionTags: { a: '1', b: '2' },
        transitiveSessionTags: ['a', 'b'],
        sourceIdentity: 'env-id',
      },
    },
    {
      name: 'active-only variables do not reach the source profile',
      config: CHAIN,
      profile: 'admin',
      env: { AWS_ROLE_ARN: 'arn:env-role', AWS_SESSION_TAGS: 'a=1', AWS_SOURCE_IDENTITY: 'x' },
      want: { source: { name: 'base' } },
    },
    {
      name: 'TTL variables accept unit durations and plain seconds, for every profile in the chain',
      config: CHAIN,
      profile: 'admin',
      env: {
        AWS_ASSUME_ROLE_TTL: '90m',
        AWS_SESSION_TOKEN_TTL: '8h',
        AWS_CHAINED_SESSION_TOKEN_TTL: '1h30m',
        AWS_FEDERATION_TOKEN_TTL: '7200',
        AWS_MIN_TTL: '10m',
      },
      want: {
        assumeRoleDuration: 5400,
        getSessionTokenDuration: 28800,
        chainedGetSessionTokenDuration: 5400,
        federationTokenDuration: 7200,
        minTtl: 600,
        source: { chainedGetSessionTokenDuration: 5400, minTtl: 600 },
      },
    },
    {
      name: 'AWS_ASSUME_ROLE_TTL beats duration_seconds; durationSeconds still records the file value',
      config: '[profile a]\nduration_seconds = 7200\n',
      profile: 'a',
      env: { AWS_ASSUME_ROLE_TTL: '2h30m' },
      want: { assumeRoleDuration: 9000, durationSeconds: 7200 },
    },
    {
      name: 'AWS_MIN_TTL=0 turns the expiry window off',
      config: '[profile a]\n',
      profile: 'a',
      env: { AWS_MIN_TTL: '0' },
      want: { minTtl: 0 },
    },
    {
      name: 'a malformed TTL variable is an error naming the variable and profile',
      config: '[profile a]\n',
      profile: 'a',
      env: { AWS_SESSION_TOKEN_TTL: 'eight hours' },
      error: {
        type: ConfigError,
        message: /^AWS_SESSION_TOKEN_TTL \(for profile "a"\): "eight hours" is not a duration/,
      },
    },
    {
      name: 'a malformed AWS_SESSION_TAGS is an error naming the variable',
      config: '[profile a]\n',
      profile: 'a',
      env: { AWS_SESSION_TAGS: 'team' },
      error: { type: ConfigError, message: /^AWS_SESSION_TAGS \(for profile "a"\): "team" is not key=value/ },
    },
    {
      name: 'AWS_STS_REGIONAL_ENDPOINTS applies to the chain (as in aws-vault v7)',
      config: CHAIN,
      profile: 'admin',
      env: { AWS_STS_REGIONAL_ENDPOINTS: 'legacy' },
      want: { stsRegionalEndpoints: 'legacy', source: { stsRegionalEndpoints: 'legacy' } },
    },
  ])
})

describe('resolveProfile: command-line flags', () => {
  check([
    {
      name: 'flags beat the environment and the file',
      config: CHAIN,
      profile: 'admin',
      env: { AWS_REGION: 'ap-south-1', AWS_ROLE_ARN: 'arn:env', AWS_MFA_SERIAL: 'arn:env-mfa' },
      overrides: { region: 'eu-north-1', roleArn: 'arn:flag', mfaSerial: 'arn:flag-mfa' },
      want: { region: 'eu-north-1', roleArn: 'arn:flag', mfaSerial: 'arn:flag-mfa' },
      notes: [/profile "admin": using region "eu-north-1" from the command line/],
    },
    {
      name: '--duration sets the duration of every STS call that can make the final credentials',
      config: '[profile a]\nduration_seconds = 7200\n',
      profile: 'a',
      env: { AWS_ASSUME_ROLE_TTL: '3h' },
      overrides: { duration: 1800 },
      want: {
        durationSeconds: 7200,
        durationFlag: 1800,
        assumeRoleDuration: 1800,
        getSessionTokenDuration: 1800,
        federationTokenDuration: 1800,
      },
    },
    {
      // issue 13: aws-vault's --region and --duration fill the BaseConfig of every profile (cli/exec.go).
      name: 'issue 13: --region and --duration apply to every profile in the chain',
      config: CHAIN,
      profile: 'admin',
      overrides: { region: 'eu-north-1', duration: 1800 },
      want: {
        region: 'eu-north-1',
        assumeRoleDuration: 1800,
        source: { region: 'eu-north-1', getSessionTokenDuration: 1800, assumeRoleDuration: 1800, durationFlag: 1800 },
      },
    },
    {
      name: 'issue 13: role_arn and mfa_serial flags apply to the profile asked for only',
      config: CHAIN,
      profile: 'admin',
      overrides: { roleArn: 'arn:flag', mfaSerial: 'arn:flag-mfa' },
      want: { roleArn: 'arn:flag', mfaSerial: 'arn:flag-mfa', source: { mfaSerial: 'arn:aws:iam::1:mfa/me' } },
      notes: [/profile "admin": using role_arn "arn:flag" from the command line/],
    },
  ])
})

describe('resolveProfile: bad values', () => {
  check([
    {
      name: 'regression (bad numbers): non-numeric duration_seconds names the profile and the key',
      config: '[profile a]\nregion = x\nduration_seconds = 1h\n',
      profile: 'a',
      error: {
        type: ConfigError,
        message:
          /^profile "a": duration_seconds \(at \/home\/u\/\.aws\/config:3\): "1h" is not a whole number of seconds$/,
      },
    },
    {
      name: 'regression (bad numbers): duration_seconds below 900 is out of range',
      config: '[profile a]\nduration_seconds = 899\n',
      profile: 'a',
      error: {
        type: ConfigError,
        message:
          /^profile "a": duration_seconds = 899 \(at \/home\/u\/\.aws\/config:2\) is below AWS's minimum of 15m for AssumeRole$/,
      },
    },
    {
      name: 'regression (bad numbers): duration_seconds above 43200 is out of range',
      config: '[profile a]\nduration_seconds = 43201\n',
      profile: 'a',
      error: {
        type: ConfigError,
        message: /^profile "a": duration_seconds = 43201 .*is above AWS's maximum of 12h for AssumeRole$/,
      },
    },
    {
      name: 'regression (bad numbers): a bad value in an included section names both profiles',
      config: '[profile a]\ninclude_profile = b\n[profile b]\nduration_seconds = -1\n',
      profile: 'a',
      error: {
        type: ConfigError,
        message: /^profile "a": duration_seconds \(in \[profile b\] at \/home\/u\/\.aws\/config:4\): "-1"/,
      },
    },
    {
      name: 'a bad duration_seconds on a source profile is reported against that profile',
      config: '[profile a]\nsource_profile = b\n[profile b]\nduration_seconds = lots\n',
      profile: 'a',
      error: { type: ConfigError, message: /^profile "b": duration_seconds/ },
    },
    {
      name: 'malformed session_tags is an error naming the profile, key and line',
      config: '[profile a]\nsession_tags = team=core,env\n',
      profile: 'a',
      error: {
        type: ConfigError,
        message: /^profile "a": session_tags \(at \/home\/u\/\.aws\/config:2\): "env" is not key=value/,
      },
    },
    {
      name: 'sts_regional_endpoints must be regional or legacy',
      config: '[profile a]\nsts_regional_endpoints = global\n',
      profile: 'a',
      error: {
        type: ConfigError,
        message: /^profile "a": sts_regional_endpoints .*must be "regional" or "legacy", not "global"$/,
      },
    },
  ])
})

describe('resolveProfile: ambiguous profiles (--debug says which setting wins)', () => {
  check([
    {
      name: 'regression (ambiguous): credential_process + role_arn + source_profile: the source wins',
      config: '[profile base]\n[profile a]\nsource_profile = base\nrole_arn = arn:a\ncredential_process = /bin/creds\n',
      profile: 'a',
      want: { roleArn: 'arn:a', credentialProcess: '/bin/creds', source: { name: 'base' } },
      notes: [
        /^profile "a": source_profile "base" supplies the credentials that assume role_arn; credential_process is ignored/,
      ],
    },
    {
      name: 'regression (ambiguous): credential_process + role_arn, no source_profile: credential_process, role not assumed',
      config: '[profile a]\nrole_arn = arn:a\ncredential_process = /bin/creds\n',
      profile: 'a',
      want: { roleArn: 'arn:a', credentialProcess: '/bin/creds' },
      notes: [
        /^profile "a": role_arn is not assumed: with no source_profile, aws-vault uses the credential_process credentials as they are/,
      ],
    },
    {
      name: 'SSO beats web identity and credential_process',
      config: '[profile a]\nsso_start_url = https://x\nweb_identity_token_file = /t\ncredential_process = /c\n',
      profile: 'a',
      notes: [
        /^profile "a": sso_start_url wins over web_identity_token_file and credential_process \(aws-vault's order/,
      ],
    },
    {
      name: 'web_identity_token_file beats web_identity_token_process',
      config: '[profile a]\nrole_arn = arn:a\nweb_identity_token_file = /t\nweb_identity_token_process = /bin/t\n',
      profile: 'a',
      notes: [/^profile "a": web_identity_token_file wins over web_identity_token_process/],
    },
  ])

  test('nothing is formatted for a disabled logger', () => {
    const config = ConfigFile.fromText(
      '[profile a]\nrole_arn = r\ncredential_process = c\nsource_profile = a\n',
      CONFIG_PATH,
    )
    resolveProfile(config, 'a', { env: { AWS_REGION: 'x' }, log: offLogger, overrides: { region: 'y' } })
  })
})
