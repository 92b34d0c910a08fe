/**
 * The examples' Terraform files use only what the tencentcloud provider documents. Nothing here runs
 * Terraform; the attribute lists come from the provider's docs and sources (shared/deploy-paths.md §2:
 * website/docs/r/scf_function.html.markdown, tencentcloud/services/scf/resource_tc_scf_trigger.go at the
 * 1.83.16 fix 693fd5c).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { RUNTIMES } from '../../src/cli/pack/runtimes'

const PROVIDER: Record<string, { arguments: string[]; computed: string[]; required: string[] }> = {
  tencentcloud_scf_function: {
    arguments: [
      'name',
      'async_run_enable',
      'cfs_config',
      'cls_logset_id',
      'cls_topic_id',
      'cos_bucket_name',
      'cos_bucket_region',
      'cos_object_name',
      'description',
      'dns_cache',
      'enable_eip_config',
      'enable_public_net',
      'environment',
      'func_type',
      'handler',
      'image_config',
      'intranet_config',
      'l5_enable',
      'layers',
      'mem_size',
      'namespace',
      'role',
      'runtime',
      'subnet_id',
      'tags',
      'timeout',
      'triggers',
      'vpc_id',
      'zip_file',
    ],
    computed: [
      'id',
      'code_error',
      'code_result',
      'code_size',
      'eip_fixed',
      'eips',
      'err_no',
      'function_id',
      'host',
      'install_dependency',
      'modify_time',
      'status_desc',
      'status',
      'trigger_info',
      'vip',
    ],
    required: ['name'],
  },
  tencentcloud_scf_trigger: {
    arguments: [
      'function_name',
      'trigger_name',
      'type',
      'trigger_desc',
      'namespace',
      'qualifier',
      'enable',
      'custom_argument',
      'description',
    ],
    computed: ['id', 'trigger_attribute', 'available_status', 'add_time', 'mod_time'],
    required: ['function_name', 'type', 'namespace'],
  },
}

interface Block {
  kind: string
  labels: string[]
  attributes: Map<string, string>
}

/** The top-level blocks of an HCL file and each block's own `name = value` attributes (nested blocks skipped). */
function blocks(hcl: string): Block[] {
  const result: Block[] = []
  let depth = 0
  let current: Block | undefined
  for (const rawLine of hcl.split('\n')) {
    const line = rawLine.replace(/(^|\s)#.*$/, '').trimEnd()
    if (depth === 0) {
      const open = /^(\w+)((?:\s+"[^"]*")*)\s*\{/.exec(line)
      if (open)
        current = { kind: open[1], labels: [...open[2].matchAll(/"([^"]*)"/g)].map((m) => m[1]), attributes: new Map() }
    } else if (depth === 1 && current) {
      const attribute = /^\s*(\w+)\s*=\s*(.*)$/.exec(line)
      if (attribute) current.attributes.set(attribute[1], attribute[2])
    }
    for (const c of line.replace(/"(?:[^"\\]|\\.)*"/g, '""')) {
      if (c === '{') depth++
      if (c === '}') depth--
    }
    if (depth === 0 && current) {
      result.push(current)
      current = undefined
    }
  }
  return result
}

const EXAMPLES = resolve(__dirname, '../../examples')
const files = readdirSync(EXAMPLES).map((name) => join(EXAMPLES, name, 'deploy', 'main.tf'))

describe.each(files)('%s', (file) => {
  const hcl = readFileSync(file, 'utf8')
  const parsed = blocks(hcl)
  const resources = parsed.filter((b) => b.kind === 'resource')

  it('declares the function and its Function URL trigger, with only documented arguments', () => {
    expect(resources.map((r) => r.labels[0]).sort()).toEqual(['tencentcloud_scf_function', 'tencentcloud_scf_trigger'])
    for (const resource of resources) {
      const schema = PROVIDER[resource.labels[0]]
      for (const name of resource.attributes.keys())
        expect(schema.arguments, `${resource.labels.join('.')}.${name}`).toContain(name)
      for (const name of schema.required)
        expect([...resource.attributes.keys()], `${resource.labels.join('.')} needs ${name}`).toContain(name)
    }
  })

  it('sets a runtime id Tencent uses and the handler pack proves', () => {
    const fn = resources.find((r) => r.labels[0] === 'tencentcloud_scf_function')!
    expect(RUNTIMES.map((r) => `"${r.id}"`)).toContain(fn.attributes.get('runtime'))
    expect(fn.attributes.get('handler')).toBe('"index.main_handler"')
    expect(fn.attributes.get('func_type')).toBe('"Event"')
    expect(fn.attributes.get('zip_file')).toBe('var.zip_path')
  })

  it('makes the trigger a Function URL on $DEFAULT without a trigger_name (the provider refuses one for http)', () => {
    const trigger = resources.find((r) => r.labels[0] === 'tencentcloud_scf_trigger')!
    expect(trigger.attributes.get('type')).toBe('"http"')
    expect(trigger.attributes.get('qualifier')).toBe('"$DEFAULT"')
    expect(trigger.attributes.has('trigger_name')).toBe(false)
    expect(hcl).toMatch(/AuthType\s+= "NONE"/)
    expect(hcl).toMatch(/NetConfig = \{ EnableIntranet = false, EnableExtranet = true \}/)
  })

  it('refers only to attributes the resources export, and pins the provider that has tencentcloud_scf_trigger', () => {
    for (const [, type, , attribute] of hcl.matchAll(/\b(tencentcloud_scf_\w+)\.(\w+)\.(\w+)/g)) {
      const schema = PROVIDER[type]
      expect(schema, type).toBeDefined()
      expect([...schema.arguments, ...schema.computed], `${type}.${attribute}`).toContain(attribute)
    }
    const terraform = parsed.find((b) => b.kind === 'terraform')
    expect(terraform).toBeDefined()
    expect(hcl).toMatch(/tencentcloud = \{ source = "tencentcloudstack\/tencentcloud", version = ">= 1\.83\.16" \}/)
  })

  it('the parser sees the blocks (a file it could not read would pass the checks above)', () => {
    expect(parsed.map((b) => b.kind)).toEqual([
      'terraform',
      'variable',
      'variable',
      'variable',
      'provider',
      'resource',
      'resource',
      'output',
    ])
    const fn = resources.find((r) => r.labels[0] === 'tencentcloud_scf_function')!
    expect(fn.attributes.size).toBeGreaterThanOrEqual(10)
  })
})
