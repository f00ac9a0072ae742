/** Every sample of one metric in Prometheus text, with its labels. */
export function samples(text: string, name: string): { labels: Record<string, string>; value: number }[] {
  return text.split('\n').flatMap((line) => {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) return [];
    return [
      {
        labels: Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!])),
        value: Number(m[3]),
      },
    ];
  });
}

/** Prometheus text → value of one sample, e.g. `switchboard_calls_total{outcome="connected"}`; 0 when absent. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  return samples(text, name).find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value ?? 0;
}
