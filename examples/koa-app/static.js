'use strict'
// Serves the files of one folder under a URL prefix: what koa-static does, in a few lines.
const fs = require('node:fs')
const path = require('node:path')

function serveStatic(prefix, folder, { maxAgeSeconds = 3600 } = {}) {
  // Only the files present at start-up are served, so no part of a URL ever reaches the file system.
  const files = new Map()
  for (const name of fs.readdirSync(folder)) {
    const file = path.join(folder, name)
    if (fs.statSync(file).isFile()) files.set(`${prefix}/${name}`, file)
  }

  return async function staticFiles(ctx, next) {
    const file = ctx.method === 'GET' || ctx.method === 'HEAD' ? files.get(ctx.path) : undefined
    if (!file) return next()
    const stat = await fs.promises.stat(file)
    ctx.status = 200
    ctx.lastModified = stat.mtime
    ctx.set('Cache-Control', `public, max-age=${maxAgeSeconds}`)
    if (ctx.fresh) {
      ctx.status = 304
      return
    }
    ctx.type = path.extname(file)
    ctx.body = await fs.promises.readFile(file)
  }
}

module.exports = serveStatic
