// Types of run-ts.mjs (plain JavaScript, so that test/run.js can load it without a loader).

/** The URL of the module that registers the TypeScript hooks (register.mjs). */
export const tsLoader: string

/** Node's arguments that come before a .ts file (or `--input-type=module -e` code importing one). */
export const tsNode: readonly string[]
