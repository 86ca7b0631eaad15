/**
 * The leaves of a split search (split.ts) claimed through a directory that
 * every shard of the search can write: a volume mounted in every pod of a
 * Kubernetes Job, NFS, or a local directory for processes on one machine.
 * The first shard to claim a leaf explores it, so a shard done with a big
 * subtree takes the next leaf nobody has claimed, as the worker threads of
 * one search do through shared memory, and the shards come out even although
 * no shard knows a leaf's size beforehand.
 *
 * A claim is a hard link, named after the leaf's ordinal, to the claiming
 * shard's own file (`shard-<i>`, then `shard-<i>.2`, … once a file has
 * CLAIMS_PER_FILE links). link() fails when the name exists, and does
 * so atomically, on a local filesystem and on NFS alike; a claim that is a
 * link to this shard's file is its own, so a shard started again (a pod
 * restarted) explores again the leaves it claimed before it died, and two
 * processes with one index at once (a pod and its replacement) each explore
 * every leaf of that shard, so the file of either is the shard's. The
 * directory also names the exploration it belongs to (`exploration`): a shard
 * of another exploration refuses it, since its leaf numbers mean other
 * subtrees.
 */
import { linkSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KemuError } from '../kernel/errors.js';

/** What a shard needs to claim leaves in a directory. */
export interface ClaimSpec {
  /** The directory every shard of the exploration shares. */
  readonly directory: string;
  /** What identifies the exploration (the same text in every shard of it, another text in any other exploration). */
  readonly exploration: string;
}

/**
 * Claims one own file takes before the shard starts another (`shard-<i>.2`,
 * …): a file has at most 65,000 links on ext4, and a shard of a big
 * exhaustive search can claim more leaves than that.
 */
export const CLAIMS_PER_FILE = 60_000;

export class ClaimDirectory {
  /** The inodes of this shard's own files: a claim that links to one of them is this shard's. */
  private readonly ownInodes = new Set<number>();
  /** The own file new claims link to, and how many links it has. */
  private current = '';
  private links = 0;

  /**
   * Joins (or starts) the claims of `spec.exploration` in `spec.directory` as
   * shard `index` (0-based), each of its own files taking `claimsPerFile`.
   */
  constructor(private readonly spec: ClaimSpec, private readonly index: number, private readonly claimsPerFile = CLAIMS_PER_FILE) {
    this.attempt('cannot make the directory', () => mkdirSync(spec.directory, { recursive: true }));
    this.checkExploration();
    // The files this shard made before a restart are kept: the claims it made then are links to them.
    for (let n = 1; ; n++) {
      this.startOwnFile(n);
      if (this.links < claimsPerFile) break;
    }
  }

  /** Whether this shard explores leaf `ordinal`: it claimed it now, or before a restart. */
  claim(ordinal: number): boolean {
    const entry = join(this.spec.directory, `leaf-${ordinal}`);
    if (this.links >= this.claimsPerFile) this.startOwnFile(this.ownInodes.size + 1);
    try {
      linkSync(this.current, entry);
      this.links++;
      return true;
    } catch (error) {
      const code = codeOf(error);
      if (code === 'EEXIST') return this.isOwn(statSync(entry).ino);
      if (code === 'EMLINK') {
        // The file is full before CLAIMS_PER_FILE (a filesystem with a lower limit, or another process with this index).
        this.links = this.claimsPerFile;
        return this.claim(ordinal);
      }
      throw this.problem(code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP'
        ? `its filesystem does not make hard links (${code}), which claims are; use a POSIX filesystem such as NFS, or static shards (no --claims)`
        : `cannot claim leaf ${ordinal} (${code})`);
    }
  }

  /** Whether a claim's inode is one of this shard's files, those another process with this index started included. */
  private isOwn(inode: number): boolean {
    for (let n = this.ownInodes.size + 1; !this.ownInodes.has(inode); n++) {
      const later = this.attempt('cannot read the directory', () => statSync(this.ownFile(n), { throwIfNoEntry: false }));
      if (later === undefined) return false;
      this.ownInodes.add(later.ino);
    }
    return true;
  }

  private ownFile(n: number): string {
    return join(this.spec.directory, n === 1 ? `shard-${this.index + 1}` : `shard-${this.index + 1}.${n}`);
  }

  /** Opens this shard's `n`th own file (made if it is new), which new claims then link to. */
  private startOwnFile(n: number): void {
    const file = this.ownFile(n);
    const stat = this.attempt(`cannot write ${file}`, () => {
      writeFileSync(file, '', { flag: 'a' });
      return statSync(file);
    });
    this.ownInodes.add(stat.ino);
    this.current = file;
    this.links = stat.nlink - 1;
  }

  /** Names this exploration in the directory, or checks the name it has. */
  private checkExploration(): void {
    const { directory, exploration } = this.spec;
    const named = join(directory, 'exploration');
    const draft = join(directory, `.exploration-shard-${this.index + 1}`);
    this.attempt(`cannot write ${draft}`, () => writeFileSync(draft, exploration));
    try {
      // A link, not a write, so that no shard reads a name half written.
      linkSync(draft, named);
    } catch (error) {
      if (codeOf(error) !== 'EEXIST') throw this.problem(`cannot name the exploration in it (${codeOf(error)})`);
      const found = readFileSync(named, 'utf8');
      if (found !== exploration) {
        throw this.problem(`it holds the claims of another exploration (${found}); give each exploration a directory of its own`);
      }
    }
  }

  /** Runs a filesystem call; its failure is the user's to fix, said with the call's error code. */
  private attempt<T>(what: string, call: () => T): T {
    try {
      return call();
    } catch (error) {
      throw this.problem(`${what} (${codeOf(error)})`);
    }
  }

  private problem(what: string): KemuError {
    return new KemuError('bad-usage', `--claims ${this.spec.directory}: ${what}`);
  }
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}
