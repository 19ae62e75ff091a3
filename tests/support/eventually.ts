// Waiting on a condition, not on time: poll until it holds and fail loudly (never return quietly) when it does not
// within a generous bound — the bound only turns a hang into a readable failure on a loaded machine.
export async function eventually<T>(probe: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > until) throw new Error(`${what}: not reached within ${timeoutMs} ms (last value: ${JSON.stringify(value)?.slice(0, 300)})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
