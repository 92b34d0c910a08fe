import type { IntegratedResponse } from '../types'

/** A delivery's 2xx answer as the invocation's result: its JSON when it says it is JSON, its text, or null when empty. */
export function resultOf(response: IntegratedResponse): unknown {
  const bytes = Buffer.from(response.body, response.isBase64Encoded ? 'base64' : 'utf8')
  if (bytes.length === 0) return null
  const text = bytes.toString('utf8')
  const type = response.headers['content-type']
  if (typeof type === 'string' && /^[^;]*[/+]json\s*(;|$)/i.test(type)) {
    try {
      return JSON.parse(text)
    } catch {
      return text
    }
  }
  return text
}
