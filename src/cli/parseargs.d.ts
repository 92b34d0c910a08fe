// @pkgjs/parseargs is Node's own util.parseArgs published as a package (it has no types of its own).
declare module '@pkgjs/parseargs' {
  export const parseArgs: typeof import('node:util').parseArgs
}
