import { ConfigError, UsageError } from '../errors.js'

export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov'

interface PartitionHosts {
  signin: string
  console: string
}

const hosts: Record<Partition, PartitionHosts> = {
  aws: { signin: 'signin.aws.amazon.com', console: 'console.aws.amazon.com' },
  'aws-cn': { signin: 'signin.amazonaws.cn', console: 'console.amazonaws.cn' },
  'aws-us-gov': { signin: 'signin.amazonaws-us-gov.com', console: 'console.amazonaws-us-gov.com' },
}

/** The partition a region belongs to; no region means the commercial partition. */
export function partitionOf(region: string | undefined): Partition {
  if (region?.startsWith('cn-')) return 'aws-cn'
  if (region?.startsWith('us-gov-')) return 'aws-us-gov'
  return 'aws'
}

/**
 * The federation endpoint that trades credentials for a sign-in token and signs the browser in.
 * VAULT_FEDERATION_ENDPOINT replaces it whole (tests, and partitions vault does not know).
 */
export function federationEndpoint(partition: Partition, override: string | undefined): URL {
  if (override === undefined || override === '') return new URL(`https://${hosts[partition].signin}/federation`)
  let url: URL
  try {
    url = new URL(override)
  } catch {
    url = new URL('invalid:')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(
      `VAULT_FEDERATION_ENDPOINT "${override}" is not an http(s) URL`,
      'set it to the federation endpoint, e.g. https://signin.aws.amazon.com/federation, or unset it',
    )
  }
  return url
}

/**
 * Where the console opens: the region's console (its home, or `path` such as s3/home) when the
 * region is known, else the partition's global console.
 */
export function consoleDestination(partition: Partition, region: string | undefined, path: string | undefined): string {
  const relative = (path ?? '').replace(/^\/+/, '')
  const base = `https://${region ? `${region}.` : ''}${hosts[partition].console}/`
  const url = new URL(relative || (region ? 'console/home' : ''), base)
  if (url.origin !== new URL(base).origin) {
    throw new UsageError(`--path "${path}" leaves the AWS console`, 'give a console path such as s3/home or ec2/home')
  }
  if (region && !url.searchParams.has('region')) url.searchParams.set('region', region)
  return url.toString()
}
