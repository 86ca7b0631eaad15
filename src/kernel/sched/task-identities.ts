/**
 * Names for tasks that are the same in every run of a scenario. A pid is
 * given in spawn order, as the kernel gives it, so when two tasks spawn
 * children in a different order in two runs, the same task gets another pid.
 * The explorer compares steps across runs, so it names a task by its lineage
 * instead: the parent's identity and how many children the parent had spawned
 * before it (Nidhugg's CPids). This maps each lineage to a small number, the
 * same for every run that shares the map.
 */
export class TaskIdentities {
  private readonly byLineage = new Map<number, Map<number, number>>();
  private next = 1;

  /** The identity of the `childIndex`-th task spawned by the task with identity `parent` (0: the run itself). */
  of(parent: number, childIndex: number): number {
    let children = this.byLineage.get(parent);
    if (!children) this.byLineage.set(parent, (children = new Map()));
    let uid = children.get(childIndex);
    if (uid === undefined) children.set(childIndex, (uid = this.next++));
    return uid;
  }
}
