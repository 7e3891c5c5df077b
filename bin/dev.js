#!/usr/bin/env -S node --import tsx --no-warnings
// Runs the TypeScript sources directly (no build), for development: bin/dev.js exec caktus -- aws s3 ls
import { main } from '../src/cli/main.ts'

await main(process.argv.slice(2), import.meta.url, true)
