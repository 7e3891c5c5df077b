import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ConfigError, UsageError } from '../../src/errors.js'
import { consoleDestination, federationEndpoint, partitionOf } from '../../src/login/console-urls.js'

describe('console URLs per partition (issue 8)', () => {
  const partitions: Array<[string | undefined, string, string]> = [
    [undefined, 'aws', 'https://signin.aws.amazon.com/federation'],
    ['eu-west-1', 'aws', 'https://signin.aws.amazon.com/federation'],
    ['cn-north-1', 'aws-cn', 'https://signin.amazonaws.cn/federation'],
    ['cn-northwest-1', 'aws-cn', 'https://signin.amazonaws.cn/federation'],
    ['us-gov-west-1', 'aws-us-gov', 'https://signin.amazonaws-us-gov.com/federation'],
  ]
  for (const [region, partition, endpoint] of partitions) {
    it(`${region ?? 'no region'} → ${partition}, ${endpoint}`, () => {
      const p = partitionOf(region)
      assert.equal(p, partition)
      assert.equal(federationEndpoint(p, undefined).toString(), endpoint)
    })
  }

  const destinations: Array<[string | undefined, string | undefined, string]> = [
    [undefined, undefined, 'https://console.aws.amazon.com/'],
    [undefined, 's3/home', 'https://console.aws.amazon.com/s3/home'],
    ['eu-west-1', undefined, 'https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1'],
    ['eu-west-1', 's3/home', 'https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1'],
    ['eu-west-1', '/ec2/home', 'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1'],
    [
      'eu-west-1',
      'ec2/home#Instances:',
      'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#Instances:',
    ],
    [
      'eu-west-1',
      'cloudwatch/home?region=us-east-1',
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1',
    ],
    ['cn-north-1', undefined, 'https://cn-north-1.console.amazonaws.cn/console/home?region=cn-north-1'],
    ['us-gov-west-1', 's3/home', 'https://us-gov-west-1.console.amazonaws-us-gov.com/s3/home?region=us-gov-west-1'],
  ]
  for (const [region, path, expected] of destinations) {
    it(`destination for region ${region ?? '(none)'} and path ${path ?? '(none)'}`, () => {
      assert.equal(consoleDestination(partitionOf(region), region, path), expected)
    })
  }

  it('refuses a --path that leaves the console, and keeps protocol-relative paths on it', () => {
    assert.throws(() => consoleDestination('aws', 'eu-west-1', 'https://example.com/x'), UsageError)
    assert.equal(
      consoleDestination('aws', 'eu-west-1', '//example.com/x'),
      'https://eu-west-1.console.aws.amazon.com/example.com/x?region=eu-west-1',
    )
  })

  it('VAULT_FEDERATION_ENDPOINT replaces the endpoint whole, and must be an http(s) URL', () => {
    assert.equal(
      federationEndpoint('aws-cn', 'http://127.0.0.1:8080/federation').toString(),
      'http://127.0.0.1:8080/federation',
    )
    assert.equal(federationEndpoint('aws', '').toString(), 'https://signin.aws.amazon.com/federation')
    for (const bad of ['signin.example.com', 'file:///etc/passwd']) {
      assert.throws(
        () => federationEndpoint('aws', bad),
        (err: Error) => {
          assert.ok(err instanceof ConfigError)
          assert.equal(err.message, `VAULT_FEDERATION_ENDPOINT "${bad}" is not an http(s) URL`)
          return true
        },
      )
    }
  })
})
