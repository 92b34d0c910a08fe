import type { IntegratedResponse } from './types'

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const UNSAFE_VALUE = /[\0\r\n]/

/**
 * The response an `onError` hook returned, completed (`headers` {}, `body` '', `isBase64Encoded` false
 * when missing) and copied, or a description of what makes it unusable: SCF would reject it, or its
 * headers could split the reply.
 */
export function customResponse(value: unknown): IntegratedResponse | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return `${Array.isArray(value) ? 'an array' : `a ${typeof value}`}, not an object`
  const { statusCode, headers = {}, body = '', isBase64Encoded = false } = value as Partial<IntegratedResponse>
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    return `statusCode ${String(statusCode)} is not an HTTP status`
  }
  if (typeof body !== 'string') return `body is of type ${typeof body}, not a string`
  if (typeof isBase64Encoded !== 'boolean') return `isBase64Encoded is of type ${typeof isBase64Encoded}, not a boolean`
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) return 'headers is not an object'
  const copied: IntegratedResponse['headers'] = {}
  for (const name of Object.keys(headers)) {
    const header: unknown = headers[name]
    const values = Array.isArray(header) ? header : [header]
    if (!TOKEN.test(name) || values.some((item) => typeof item !== 'string' || UNSAFE_VALUE.test(item))) {
      return `header ${JSON.stringify(name)} is not a header name with string values free of CR, LF and NUL`
    }
    copied[name] = Array.isArray(header) ? [...(header as string[])] : (header as string)
  }
  return { ...(value as IntegratedResponse), statusCode, headers: copied, body, isBase64Encoded }
}
