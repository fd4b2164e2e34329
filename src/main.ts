/**
 * The `kiln` command line (spec README, "CLI"): `serve`, `app import|list|export|delete`,
 * `key create|list|revoke`, `version`. From a checkout the same verbs run as
 * `bun src/main.ts VERB`.
 */
import { parseArgs } from "node:util";
import { appDelete, appExport, appImport, appList, CliError, keyCreate, keyList, keyRevoke } from "./cli/commands";
import { serve } from "./cli/serve";
import { describeSettings, loadSettings, SettingsError } from "./config";
import { DslError } from "./dsl/parse-dsl";
import { KilnError } from "./errors";
import { ModelConfigError } from "./models/provider-config";
import { KILN_VERSION } from "./version";

const USAGE = `Kiln ${KILN_VERSION}: Dify's Service API in one executable.

Usage:
  kiln serve [--host H] [--port P] [--data DIR] [--config FILE]
  kiln app import FILE [--data DIR] [--json]   import a Dify DSL file and create an API key
  kiln app list [--data DIR] [--json]
  kiln app export APP_ID [--data DIR]          print the app as Dify DSL YAML
  kiln app delete APP_ID [--data DIR] [--json]
  kiln key create APP_ID [--data DIR] [--json]
  kiln key list APP_ID [--data DIR] [--json]
  kiln key revoke KEY [--data DIR] [--json]
  kiln version

Flags and environment variables (flag wins over environment):
${describeSettings()}
  --json                                       print one JSON line instead of text
  --help                                       show this help`;

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        host: { type: "string" },
        port: { type: "string" },
        data: { type: "string" },
        config: { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    console.error(`kiln: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [verb, sub, arg] = positionals;
  if (values.help || verb === "help" || verb === undefined) {
    console.log(USAGE);
    return verb === undefined && !values.help ? 2 : 0;
  }
  if (verb === "version") {
    console.log(KILN_VERSION);
    return 0;
  }

  const flags: Record<string, string> = {};
  for (const name of ["host", "port", "data", "config"] as const) if (values[name] !== undefined) flags[`--${name}`] = values[name]!;
  const out = { json: values.json ?? false, print: (line: string) => console.log(line) };
  try {
    const settings = loadSettings(flags);
    switch (`${verb} ${verb === "serve" ? "" : (sub ?? "")}`.trim()) {
      case "serve":
        await serve(settings, out.print);
        return -1; // keeps running until a signal
      case "app import": appImport(settings, out, arg); return 0;
      case "app list": appList(settings, out); return 0;
      case "app export": appExport(settings, out, arg); return 0;
      case "app delete": appDelete(settings, out, arg); return 0;
      case "key create": keyCreate(settings, out, arg); return 0;
      case "key list": keyList(settings, out, arg); return 0;
      case "key revoke": keyRevoke(settings, out, arg); return 0;
      default:
        console.error(`kiln: unknown command "${positionals.join(" ")}"\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof CliError || error instanceof SettingsError || error instanceof ModelConfigError || error instanceof DslError || error instanceof KilnError) {
      console.error(`kiln: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

if (import.meta.main) {
  const code = await main(process.argv.slice(2));
  if (code >= 0) process.exit(code);
}
