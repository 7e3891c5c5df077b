// How a test runs a TypeScript file in another process or a worker, declared once: test/run.js for
// the test files, and the tests for their drivers. Plain JavaScript, so that test/run.js loads it
// without a loader; run-ts.d.mts declares it for TypeScript.

/** The URL of the module that registers the TypeScript hooks (register.mjs). */
export const tsLoader = new URL('./register.mjs', import.meta.url).href

/** Node's arguments that come before a .ts file (or `--input-type=module -e` code importing one). */
export const tsNode = ['--import', tsLoader]
