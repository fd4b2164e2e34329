import { describe, expect, test } from "bun:test";
import { KilnError } from "../../src/errors.ts";
import { prepareUserInputs, type StartVariable } from "../../src/workflow/nodes/start-inputs.ts";
import type { WorkflowFile } from "../../src/workflow/segments.ts";

const file: WorkflowFile = { dify_model_identity: "__dify__file__", type: "image", transfer_method: "remote_url", remote_url: "https://x.test/a.png" };

function rejection(variables: StartVariable[], inputs: Record<string, unknown>): string {
  try {
    prepareUserInputs(variables, inputs);
  } catch (error) {
    if (error instanceof KilnError && error.code === "invalid_param" && error.status === 400) return error.message;
    throw error;
  }
  throw new Error("accepted");
}

describe("prepareUserInputs (service-api §5.1)", () => {
  test("Dify's messages, word for word", () => {
    expect(rejection([{ variable: "q", type: "text-input", required: true }], {})).toBe("q is required in input form");
    expect(rejection([{ variable: "q", type: "paragraph" }], { q: 5 })).toBe("(type 'paragraph') q in input form must be a string");
    expect(rejection([{ variable: "q", type: "text-input", max_length: 3 }], { q: "abcd" })).toBe("q in input form must be less than 3 characters");
    expect(rejection([{ variable: "c", type: "select", options: ["a", "b"] }], { c: "z" })).toBe(
      "c in input form must be one of the following: ['a', 'b']",
    );
    expect(rejection([{ variable: "n", type: "number" }], { n: "abc" })).toBe("n in input form must be a valid number");
    expect(rejection([{ variable: "q", type: "text-input" }], { q: { a: 1 } })).toBe('Invalid input type for ["q"]');
    expect(rejection([{ variable: "f", type: "file-list", max_length: 1 }], { f: [file, file] })).toBe("f in input form must be less than 1 files");
  });

  test("conversions, defaults and dropping undeclared inputs", () => {
    const variables: StartVariable[] = [
      { variable: "n", type: "number" },
      { variable: "m", type: "number" },
      { variable: "blank", type: "number" },
      { variable: "ok", type: "checkbox" },
      { variable: "no", type: "checkbox" },
      { variable: "text", type: "paragraph", default: "dflt" },
      { variable: "empty", type: "text-input", required: true },
      { variable: "f", type: "file" },
      { variable: "nul", type: "text-input" },
      { variable: "obj", type: "json_object" },
    ];
    expect(
      prepareUserInputs(variables, { n: "42", m: "1.5", blank: " ", ok: "yes", no: 0, empty: "", f: "", nul: "a\u0000b", obj: { a: 1 }, extra: 1 }),
    ).toEqual({ n: 42, m: 1.5, blank: null, ok: true, no: false, text: "dflt", empty: "", f: null, nul: "ab", obj: { a: 1 } });
  });
});
