import { expect } from "bun:test";
import { KilnError } from "../../../src/errors";

/** Runs `action` and returns the KilnError it must reject with (any other outcome fails the test). */
export async function rejection(action: () => Promise<unknown>): Promise<KilnError> {
  let caught: unknown;
  try {
    await action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(KilnError);
  return caught as KilnError;
}
