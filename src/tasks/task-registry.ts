/**
 * The in-memory task registry: every running generation (message or workflow run) has a task id
 * that clients get in the first stream chunk or the blocking body, and a stop signal that the
 * stop routes trigger (§11.4). Tasks live only as long as their run; stopping an unknown or
 * finished task is silently a no-op, as Dify's stop routes always answer success.
 */

export type TaskKind = "message" | "workflow";

export interface Task {
  id: string;
  appId: string;
  endUserId: string;
  kind: TaskKind;
  /** Aborted by a stop; runs pass `controller.signal` down to model calls and the engine. */
  controller: AbortController;
}

export class TaskRegistry {
  private readonly tasks = new Map<string, Task>();

  start(appId: string, endUserId: string, kind: TaskKind): Task {
    const task: Task = { id: crypto.randomUUID(), appId, endUserId, kind, controller: new AbortController() };
    this.tasks.set(task.id, task);
    return task;
  }

  finish(task: Task): void {
    this.tasks.delete(task.id);
  }

  /**
   * Stops a task of this app and kind. With an `endUserId` the task must also belong to that end
   * user (message stops); a mismatch is ignored silently, as Dify does. Workflow stops pass none.
   */
  stop(taskId: string, scope: { appId: string; kind: TaskKind; endUserId?: string }): void {
    const task = this.tasks.get(taskId);
    if (!task || task.appId !== scope.appId || task.kind !== scope.kind) return;
    if (scope.endUserId !== undefined && task.endUserId !== scope.endUserId) return;
    task.controller.abort();
  }

  get size(): number {
    return this.tasks.size;
  }
}
