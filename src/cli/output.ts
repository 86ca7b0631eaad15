/**
 * Terminal output for the kemu command: colours only on a TTY (and never with
 * NO_COLOR), tables, and a progress line on stderr that redraws in place.
 */
import Table from 'cli-table3';
import pc from 'picocolors';

export type Colors = ReturnType<typeof pc.createColors>;

export interface Output {
  readonly color: Colors;
  print(text?: string): void;
  table(head: string[], rows: (string | number)[][]): string;
  progress(text: string): void;
  endProgress(): void;
}

export function terminalOutput(): Output {
  const colorful = process.stdout.isTTY === true && !process.env.NO_COLOR;
  const color = pc.createColors(colorful);
  const progressOn = process.stderr.isTTY === true;
  let progressShown = false;
  return {
    color,
    print: (text = '') => void process.stdout.write(`${text}\n`),
    table(head, rows) {
      const t = new Table({ head, style: colorful ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] } });
      for (const row of rows) t.push(row.map(String));
      return t.toString();
    },
    progress(text) {
      if (!progressOn) return;
      process.stderr.write(`\r\x1b[K${text}`);
      progressShown = true;
    },
    endProgress() {
      if (progressShown) process.stderr.write('\r\x1b[K');
      progressShown = false;
    },
  };
}
