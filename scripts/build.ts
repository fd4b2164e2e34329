/**
 * Compiles Kiln into one executable, `dist/kiln`. Worker scripts must be listed as extra entry
 * points: `bun build --compile` embeds a worker only when it is an entry point of its own.
 */
import { $ } from "bun";

const workerEntryPoints = ["src/sandbox/worker.ts"];

await $`bun build --compile --minify --sourcemap src/main.ts ${workerEntryPoints} --outfile dist/kiln`;
