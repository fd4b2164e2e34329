/**
 * Node type → implementation. A type missing here loads fine and fails when it runs
 * ("Node type 'x' is not supported"), so graphs using Dify-only nodes get a clear node error.
 */
import { answerNode } from "./answer.ts";
import { assignerNode } from "./assigner.ts";
import { codeNode } from "./code.ts";
import { documentExtractorNode } from "./document-extractor.ts";
import { endNode } from "./end.ts";
import { ifElseNode } from "./if-else.ts";
import { llmNode } from "./llm.ts";
import type { NodeRunner } from "./node.ts";
import { startNode } from "./start.ts";
import { templateTransformNode } from "./template-transform.ts";
import { variableAggregatorNode } from "./variable-aggregator.ts";

const runners: Record<string, NodeRunner> = {
  start: startNode,
  end: endNode,
  answer: answerNode,
  llm: llmNode,
  "if-else": ifElseNode,
  code: codeNode,
  "template-transform": templateTransformNode,
  "variable-aggregator": variableAggregatorNode,
  assigner: assignerNode,
  "document-extractor": documentExtractorNode,
};

export function nodeRunner(type: string): NodeRunner | undefined {
  return Object.hasOwn(runners, type) ? runners[type] : undefined;
}
