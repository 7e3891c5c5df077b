/**
 * Mask an access key id for display, as aws-vault's FormatKeyForDisplay does:
 * every character but the last four becomes `*`.
 */
export function maskKey(accessKeyId: string): string {
  if (accessKeyId.length <= 4) return '****'
  return `${'*'.repeat(accessKeyId.length - 4)}${accessKeyId.slice(-4)}`
}
