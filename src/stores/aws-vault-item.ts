import { goField, goMarshal, goString, parseJson } from './go-json.js'
import type { SecretItem } from './secret-store.js'

/**
 * The plaintext of one file-backend item: 99designs/keyring's Item struct as json.Marshal writes
 * it, fields in struct order, Data ([]byte) as standard base64.
 */
export function marshalItem(item: SecretItem): string {
  return goMarshal({
    Key: item.key,
    Data: Buffer.from(item.data, 'utf8').toString('base64'),
    Label: item.label ?? '',
    Description: item.description ?? '',
    KeychainNotTrustApplication: false,
    KeychainNotSynchronizable: false,
  })
}

/** The item in a decrypted payload, or undefined when it is not one. Data may be null (Go's nil). */
export function unmarshalItem(json: string): SecretItem | undefined {
  const obj = parseJson(json)
  const key = goString(obj, 'Key')
  const data = goField(obj, 'Data')
  if (key === undefined || (data !== null && data !== undefined && typeof data !== 'string')) return undefined
  const item: SecretItem = { key, data: typeof data === 'string' ? Buffer.from(data, 'base64').toString('utf8') : '' }
  const label = goString(obj, 'Label')
  const description = goString(obj, 'Description')
  if (label) item.label = label
  if (description) item.description = description
  return item
}
