/** `npm run bench`: runs every benchmark in this folder, one after another. */
const benches = ["chat-messages.ts", "workflow-runs.ts", "models-stream.ts", "sandbox.ts", "workflow-engine.ts"];
for (const bench of benches) {
  const path = `${import.meta.dir}/${bench}`;
  if (!(await Bun.file(path).exists())) continue;
  console.log(`\n== ${bench}`);
  const child = Bun.spawn([process.execPath, path], { stdout: "inherit", stderr: "inherit" });
  if ((await child.exited) !== 0) process.exitCode = 1;
}
