/**
 * The two ways docs/scaling.md shards an exploration across machines, as
 * committed: the GitHub Actions matrix (.github/workflows/shard-explore.yml)
 * and the Kubernetes Indexed Job (docs/examples/kubernetes/shard-explore.yaml).
 * Each file is parsed and its structure checked (the matrix or completions
 * match the shard count, the merge runs after the shards and sees every shard
 * file, the kemu commands are ones the command accepts); then its scripts run
 * for real, every shard and the merge, against the compiled command, and the
 * merged result must be the single exploration's.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { readShardFile } from '../../src/cli/shard-file.js';
import { buildKemu } from '../support/built-kemu.js';
import { kemu } from '../support/run-kemu.js';

const root = resolve(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'kemu-ci-'));

/** A small question in place of the files' TARGET and STRATEGY, so that the scripts run in seconds: the v6.11 lockup, found in shards. */
const SMALL = { TARGET: 'qi-zero-count --kernel v6.11 --counts 1,1,0', STRATEGY: '--strategy dpor' };

/** `text` with `$NAME`, `${NAME}` and GitHub's `${{ matrix.NAME }}` replaced from `vars`. */
function expand(text: string, vars: Readonly<Record<string, string | number>>): string {
  return text.replace(/\$\{\{\s*matrix\.(\w+)\s*\}\}|\$\{(\w+)\}|\$(\w+)/g, (whole, m, braced, bare) => String(vars[m ?? braced ?? bare] ?? whole));
}

/** The arguments of the `npx kemu …` command in a script line, up to a redirection or `||`. */
function kemuArgv(line: string): string[] {
  const m = /npx kemu ((?:(?! >| \|\|).)+)/.exec(line);
  expect(m, `a kemu command in: ${line}`).not.toBeNull();
  return m![1]!.trim().split(/\s+/);
}

/**
 * Runs a kemu command of the file with its real variables, through the command's own parser, cut to one schedule
 * (so the merge notes each shard as stopped by that limit, and says nothing else on stderr).
 */
async function accepted(argv: string[]): Promise<string> {
  const { code, text, errors } = await kemu([...argv, ...(argv[0] === 'merge' ? [] : ['--max-schedules', '1'])]);
  const cut = /^kemu: shard \d+\/\d+ \(.*\) was stopped by its --max-schedules after 1 schedule: /;
  expect(errors.split('\n').filter((line) => !(argv[0] === 'merge' && cut.test(line))).join('\n')).not.toMatch(/^kemu: |internal error/m);
  expect([0, 1]).toContain(code);
  return text;
}

/** A directory whose `npx` runs the compiled kemu: what a shard's machine has after `npm ci` and the build. Written once: pods that start at once run it. */
let npxDirectory: string | null = null;
function fakeNpx(): string {
  if (npxDirectory !== null) return npxDirectory;
  const bin = join(work, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'npx'), `#!/bin/sh\n[ "$1" = kemu ] || exit 127\nshift\nexec "${process.execPath}" "${buildKemu('ci-shards')}" "$@"\n`);
  chmodSync(join(bin, 'npx'), 0o755);
  return (npxDirectory = bin);
}

/** Runs `script` with `shell` in `cwd` with `env` added; returns its exit code and output. */
function sh(shell: string, script: string, cwd: string, env: Record<string, string>): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(shell, ['-c', script], { cwd, encoding: 'utf8', env: { ...process.env, PATH: `${fakeNpx()}:${process.env.PATH}`, ...env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** As sh(), without waiting: the pods of a Job run at once. */
function shAsync(shell: string, script: string, cwd: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(shell, ['-c', script], { cwd, env: { ...process.env, PATH: `${fakeNpx()}:${process.env.PATH}`, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

/** What must agree between the merged result and the single exploration's. */
function essence(json: string): unknown {
  const r = JSON.parse(json);
  return {
    target: r.target, strategy: r.strategy, schedules: r.schedules, pruned: r.pruned, exhausted: r.exhausted, stoppedBy: r.stoppedBy,
    failures: r.failures.map((f: Record<string, unknown>) => [f.signature, f.token, f.preemptions, f.firstSchedule, f.occurrences]),
  };
}

/** The single exploration the shards split. */
async function single(vars: typeof SMALL): Promise<unknown> {
  const { text } = await kemu(['explore', ...`${vars.TARGET} ${vars.STRATEGY}`.split(' '), '--json']);
  const result = essence(text);
  expect(result).toMatchObject({ exhausted: true, failures: [expect.anything()] });
  return result;
}

interface Step { uses?: string; run?: string; with?: Record<string, unknown> }

describe('the GitHub Actions matrix', () => {
  const workflow = parse(readFileSync(join(root, '.github/workflows/shard-explore.yml'), 'utf8'));
  const env = workflow.env as { TARGET: string; STRATEGY: string; SHARDS: number };
  const explore = workflow.jobs.explore as { strategy: { matrix: { shard: number[] } }; steps: Step[] };
  const merge = workflow.jobs.merge as { needs: string | string[]; steps: Step[] };
  const runOf = (steps: Step[], what: string) => steps.find((s) => s.run?.includes(what))!;
  const shardStep = runOf(explore.steps, 'npx kemu explore');
  const mergeStep = runOf(merge.steps, 'npx kemu merge');
  const upload = explore.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
  const download = merge.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'))!;

  test('runs by hand, one job per shard, and merges after every shard', () => {
    expect(Object.keys(workflow.on)).toEqual(['workflow_dispatch']);
    expect(explore.strategy.matrix.shard).toEqual(Array.from({ length: env.SHARDS }, (_, i) => i + 1));
    expect([merge.needs].flat()).toContain('explore');
  });

  test('each job checks out, sets up node, installs and builds before it runs kemu', () => {
    for (const steps of [explore.steps, merge.steps]) {
      const at = (p: (s: Step) => boolean) => steps.findIndex(p);
      const order = [at((s) => s.uses === 'actions/checkout@v4'), at((s) => s.uses === 'actions/setup-node@v4'), at((s) => s.run === 'npm ci'),
        at((s) => s.run === 'npm run build'), at((s) => s.run?.includes('npx kemu') ?? false)];
      expect(order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1]!)), JSON.stringify(order)).toBe(true);
      expect(Number(steps.find((s) => s.uses === 'actions/setup-node@v4')!.with!['node-version'])).toBeGreaterThanOrEqual(20);
    }
  });

  test('every shard\'s file is uploaded under its own name and downloaded where the merge reads it', () => {
    const files = explore.strategy.matrix.shard.map((shard) => {
      const output = /> (\S+)/.exec(expand(shardStep.run!, { shard }))![1]!;
      expect(expand(String(upload.with!.path), { shard })).toBe(output);
      return { artifact: expand(String(upload.with!.name), { shard }), output };
    });
    expect(new Set(files.map((f) => f.artifact)).size).toBe(env.SHARDS);
    const pattern = (glob: string) => new RegExp(`^${glob.replace(/\./g, '\\.').replace(/\*/g, '.*')}$`);
    expect(files.every((f) => pattern(String(download.with!.pattern)).test(f.artifact))).toBe(true);
    expect(download.with!['merge-multiple']).toBe(true);
    const mergeGlob = kemuArgv(mergeStep.run!).slice(1);
    expect(mergeGlob).toHaveLength(1);
    expect(files.every((f) => pattern(mergeGlob[0]!).test(`${download.with!.path}/${f.output}`))).toBe(true);
  });

  test('its kemu commands, with its variables, are commands kemu accepts', async () => {
    const dir = join(work, 'gha-accepted');
    mkdirSync(dir);
    for (const shard of explore.strategy.matrix.shard) {
      const text = await accepted(kemuArgv(expand(shardStep.run!, { ...env, shard })));
      writeFileSync(join(dir, `shard-${shard}.json`), text);
      expect(readShardFile(join(dir, `shard-${shard}.json`)).shard).toEqual({ index: shard - 1, count: env.SHARDS });
    }
    await accepted(['merge', ...readdirSync(dir).map((f) => join(dir, f))]);
  });

  test('its scripts, run shard by shard and then the merge, give the single exploration\'s result', async () => {
    const job = join(work, 'gha');
    mkdirSync(join(job, 'shards'), { recursive: true });
    for (const shard of explore.strategy.matrix.shard) {
      const r = sh('bash', `set -e\n${expand(shardStep.run!, { shard })}`, job, { ...SMALL, SHARDS: String(env.SHARDS) });
      expect(r.code, r.stderr).toBe(0);
      // upload-artifact, then download-artifact with merge-multiple: every file in one directory.
      execFileSync('cp', [join(job, `shard-${shard}.json`), join(job, 'shards')]);
    }
    const merged = sh('bash', `${mergeStep.run!.trimEnd()} --json`, job, SMALL);
    expect(merged.code, merged.stderr).toBe(1);
    expect(essence(merged.stdout)).toEqual(await single(SMALL));
  });
});

describe('the Kubernetes Indexed Job', () => {
  const docs = parseAllDocuments(readFileSync(join(root, 'docs/examples/kubernetes/shard-explore.yaml'), 'utf8')).map((d) => d.toJS());
  const ofKind = (kind: string) => docs.filter((d) => d.kind === kind);
  const [config] = ofKind('ConfigMap');
  const [claim] = ofKind('PersistentVolumeClaim');
  const [shards, merge] = ofKind('Job');
  const vars = config.data as { TARGET: string; STRATEGY: string; SHARDS: string };
  const podOf = (job: typeof shards) => job.spec.template.spec;
  const script = (job: typeof shards): string => podOf(job).containers[0].args[0];
  const mountOf = (job: typeof shards): string => {
    const pod = podOf(job);
    const volume = pod.volumes.find((v: { persistentVolumeClaim?: { claimName: string } }) => v.persistentVolumeClaim?.claimName === claim.metadata.name);
    expect(volume, `${job.metadata.name} mounts claim ${claim.metadata.name}`).toBeDefined();
    return pod.containers[0].volumeMounts.find((m: { name: string }) => m.name === volume.name).mountPath;
  };

  test('one pod per shard index, as many as SHARDS, sharing a volume many pods can write', () => {
    expect(shards.spec).toMatchObject({ completionMode: 'Indexed', completions: Number(vars.SHARDS) });
    expect(shards.spec.parallelism).toBeLessThanOrEqual(shards.spec.completions);
    expect(claim.spec.accessModes).toContain('ReadWriteMany');
    for (const job of [shards, merge]) {
      expect(['Never', 'OnFailure']).toContain(podOf(job).restartPolicy);
      expect(podOf(job).containers[0].envFrom).toContainEqual({ configMapRef: { name: config.metadata.name } });
    }
    expect(mountOf(merge)).toBe(mountOf(shards));
  });

  test('each pod knows its Job\'s uid, for a claims directory of this run of the Job', () => {
    expect(podOf(shards).containers[0].env).toContainEqual({ name: 'JOB_UID', valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/controller-uid']" } } });
    expect(script(shards)).toMatch(/--claims \/shards\/claims-\$JOB_UID /);
  });

  test('its kemu commands, for every completion index, are commands kemu accepts and cover every shard', async () => {
    expect(script(shards)).toContain('i=$((JOB_COMPLETION_INDEX + 1))');
    const dir = join(work, 'k8s-accepted');
    mkdirSync(dir);
    for (let index = 0; index < shards.spec.completions; index++) {
      const onVolume = script(shards).replaceAll(mountOf(shards), join(work, 'k8s-accepted-volume'));
      const argv = kemuArgv(expand(onVolume, { ...vars, i: index + 1, JOB_UID: 'accepted' }));
      expect(argv.slice(-2)).toEqual(['--shard', `${index + 1}/${vars.SHARDS}`]);
      writeFileSync(join(dir, `shard-${index + 1}.json`), await accepted(argv));
    }
    await accepted(['merge', ...readdirSync(dir).map((f) => join(dir, f))]);
  });

  test('its scripts, every pod at once and then the merge, give the single exploration\'s result', async () => {
    const volume = join(work, 'k8s-volume');
    mkdirSync(volume);
    const onVolume = (text: string) => text.replaceAll(mountOf(shards), volume);
    const pods = await Promise.all(Array.from({ length: shards.spec.completions }, (_, index) =>
      shAsync('sh', onVolume(script(shards)), work, { ...SMALL, SHARDS: vars.SHARDS, JOB_COMPLETION_INDEX: String(index), JOB_UID: 'b5e3c1d2' })));
    for (const pod of pods) expect(pod.code, pod.stderr).toBe(0);
    expect(readdirSync(volume).sort()).toEqual(['claims-b5e3c1d2', ...Array.from({ length: Number(vars.SHARDS) }, (_, i) => `shard-${i + 1}.json`)]);
    const files = readdirSync(volume).filter((f) => f.endsWith('.json')).map((f) => readShardFile(join(volume, f)));
    expect(files.reduce((n, f) => n + f.result.leaves!.owned, 0)).toBe(files[0]!.result.leaves!.met);
    const merged = sh('sh', `${onVolume(script(merge)).trimEnd()} --json`, work, { ...SMALL, SHARDS: vars.SHARDS });
    expect(merged.code, merged.stderr).toBe(1);
    expect(essence(merged.stdout)).toEqual(await single(SMALL));
  });
});
