import { ConfigError, UsageError } from '../errors.js'

export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov'

interface PartitionHosts {
  signin: string
  console: string
  /** The sign-out endpoint --auto-logout goes through; known for the commercial partition only. */
  signout?: string
}

const hosts: Record<Partition, PartitionHosts> = {
  // ByteNess aws-vault cli/login.go (AutoLogout) signs out at us-east-1's sign-in host.
  aws: {
    signin: 'signin.aws.amazon.com',
    console: 'console.aws.amazon.com',
    signout: 'us-east-1.signin.aws.amazon.com',
  },
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

/**
 * `vault login --auto-logout`: the sign-out endpoint the browser goes through before signing in,
 * so a browser signed in to another account switches without a manual sign-out, as ByteNess
 * aws-vault does (cli/login.go loginCommand:
 * https://us-east-1.signin.aws.amazon.com/oauth?Action=logout&redirect_uri=<the login URL>).
 * With VAULT_FEDERATION_ENDPOINT set, it is /oauth on that endpoint's origin. ByteNess uses the
 * commercial sign-out for every partition; vault refuses aws-cn and aws-us-gov instead of sending
 * their browsers to a sign-out that does not know them.
 */
export function signOutEndpoint(partition: Partition, override: string | undefined): URL {
  if (override) return new URL('/oauth', federationEndpoint(partition, override))
  const host = hosts[partition].signout
  if (!host)
    throw new UsageError(
      `--auto-logout knows no sign-out endpoint for the ${partition} partition`,
      'sign out of the console by hand, then run vault login without --auto-logout',
    )
  return new URL(`https://${host}/oauth`)
}

/** The sign-out URL that then redirects to `loginUrl`. */
export function signOutThen(signOut: URL, loginUrl: string): string {
  const url = new URL(signOut)
  url.search = new URLSearchParams({ Action: 'logout', redirect_uri: loginUrl }).toString()
  return url.toString()
}
