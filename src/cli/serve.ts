/**
 * `kiln serve`: opens the data folder, imports the demo app on the very first start, listens,
 * and shuts down gracefully on SIGINT/SIGTERM (stop accepting, let in-flight requests finish
 * within the timeout, close the database).
 */
import type { Settings } from "../config";
import demoDsl from "../dsl/demo-app.yml" with { type: "text" };
import { importApp } from "../dsl/import-app";
import { parseDsl } from "../dsl/parse-dsl";
import { startHttpServer } from "../http/server";
import { listApps } from "../store/apps";
import { createServices } from "../services";
import { KILN_VERSION } from "../version";

export async function serve(settings: Settings, print: (line: string) => void): Promise<void> {
  const services = createServices(settings);
  const firstStart = listApps(services.db).length === 0;
  const demo = firstStart ? importApp(services.db, parseDsl(demoDsl)) : undefined;
  const server = startHttpServer(services);
  // Interpreters load in the background so the first code node costs milliseconds, not seconds;
  // a server with only easy-UI apps does not pay their memory (about 100 MB each).
  if (listApps(services.db).some((app) => app.mode === "workflow" || app.mode === "advanced-chat")) {
    void services.sandbox.warmUp().catch((error) => console.error("[kiln] sandbox warm-up failed:", error));
  }

  print(`Kiln ${KILN_VERSION} listening on ${server.url} (data: ${settings.dataDir})`);
  if (demo) {
    print(`\nFirst start: imported the demo chat app "${demo.app.name}" on the built-in echo model.`);
    print(`  app id:  ${demo.app.id}\n  api key: ${demo.apiKey}\n\nTry it:\n`);
    print(
      `curl -X POST '${server.url}/v1/chat-messages' -H 'Authorization: Bearer ${demo.apiKey}' ` +
        `-H 'Content-Type: application/json' -d '{"inputs": {}, "query": "Hello Kiln", "response_mode": "blocking", "user": "me"}'\n`,
    );
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    print(`${signal}: finishing in-flight requests…`);
    await server.stop();
    await services.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}
