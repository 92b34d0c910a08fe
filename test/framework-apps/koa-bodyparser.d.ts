// koa-bodyparser ships no types (and @types/koa-bodyparser is not installed): what the test app uses.
declare module 'koa-bodyparser' {
  const bodyParser: () => import('koa').Middleware
  export default bodyParser
}
