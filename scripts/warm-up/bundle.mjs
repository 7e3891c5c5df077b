// Bundles the build's warm-up (warm-up.ts) into one CommonJS file for scripts/build.mjs, and for
// the test that runs it (test/e2e/fast-path.e2e.test.ts). It bundles only the stand-ins: the code
// it drives is the product bundle's, which it receives as an argument (see warm-up.ts).
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** Writes the warm-up to `outfile` (outside dist/: it is never shipped); its export is `warmUp`. */
export function bundleWarmUp(outfile) {
  createRequire(join(root, 'package.json'))('esbuild').buildSync({
    absWorkingDir: root,
    entryPoints: ['scripts/warm-up/warm-up.ts'],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    logLevel: 'warning',
  })
}
