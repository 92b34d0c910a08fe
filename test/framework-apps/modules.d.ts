// Packages the framework apps use that ship no types of their own: koa-bodyparser (no @types installed) and the
// npm aliases of the previous majors, typed as the current ones (the routes use only what both majors share).
declare module 'koa-bodyparser' {
  const bodyParser: () => import('koa').Middleware
  export default bodyParser
}
declare module 'express4' {
  import express from 'express'
  export default express
}
declare module 'koa2' {
  import Koa from 'koa'
  export default Koa
}
