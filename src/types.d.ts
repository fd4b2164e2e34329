// Text imports (`with { type: "text" }`) embed SQL and DSL files into the compiled binary.
declare module "*.sql" {
  const text: string;
  export default text;
}
declare module "*.yml" {
  const text: string;
  export default text;
}
