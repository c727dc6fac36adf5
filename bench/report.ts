// What the benchmark prints: the median of the runs, and tables of figures against their targets.

/** One line of a table: the figure, its median, its target. */
export type Row = [figure: string, median: string, target: string];

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** Prints `rows` under `heading`: figure, median and target in aligned columns. */
export function printRows(rows: Row[], heading: string) {
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(heading);
  console.log(`${'figure'.padEnd(width)}  ${'median'.padStart(12)}  target`);
  for (const [label, value, target] of rows) {
    console.log(`${label.padEnd(width)}  ${value.padStart(12)}  ${target}`);
  }
}
