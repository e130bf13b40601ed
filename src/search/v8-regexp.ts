/**
 * The regex engine grep relies on for safety: V8's own linear-time engine (an automaton, no
 * backtracking). Two process-wide V8 flags, set before any grep pattern is compiled:
 *  - `--enable-experimental-regexp-engine` adds the `l` flag, which compiles a pattern for the linear
 *    engine or refuses it ("Cannot be executed in linear time"): grep uses it to vet every pattern;
 *  - `--enable-experimental-regexp-engine-on-excessive-backtracks` makes the fast backtracking engine
 *    hand a match over to the linear engine once it backtracks too much, so a pathological pattern
 *    such as `(a+)+$` costs linear time instead of hanging. The threshold is raised from 50,000 to
 *    1,000,000 backtracks per exec (~5 ms): the linear engine is slow (0.4–7 MB/s measured) and
 *    memory-hungry, so it should only take over from genuinely exponential cases, not from the
 *    quadratic-but-fine backtracking of patterns like `\w+_\w+\(` (the scanner also bounds each exec
 *    to ~8 KB of text, see scan.ts).
 * Both only apply to patterns the linear engine supports (no backreferences, no look-around, and in
 * node 20 neither the `i` nor the `u` flag): grep rejects the first two and rewrites case-insensitive
 * patterns into case-sensitive ones (`[aA]`) so they stay on the linear path.
 */
import v8 from 'node:v8';

const BACKTRACKS_BEFORE_FALLBACK = 1_000_000;
let applied = false;

export function enableLinearRegexp(): void {
  if (applied) return;
  v8.setFlagsFromString('--enable-experimental-regexp-engine');
  v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
  v8.setFlagsFromString(`--regexp-backtracks-before-fallback=${BACKTRACKS_BEFORE_FALLBACK}`);
  applied = true;
}

/** Whether V8's linear-time engine accepts this source (flags without `l`). */
export function linearCompatible(source: string, flags: string): boolean {
  enableLinearRegexp();
  try {
    new RegExp(source, flags + 'l');
    return true;
  } catch {
    return false;
  }
}
