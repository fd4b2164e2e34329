// drizzle-kit generates the SQL in src/store/migrations from the schema (`bunx drizzle-kit generate`);
// the server embeds that SQL and applies it at start (store/migrate.ts).
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./src/store/schema.ts",
  out: "./src/store/migrations",
});
