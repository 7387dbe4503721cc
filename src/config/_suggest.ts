/** "Did you mean …?" for misspelled keys and values. */

/** Levenshtein distance between two short strings. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The candidate closest to `word` (case-insensitively), if it is close enough
 * to be a likely typo: at most 2 edits, and fewer edits than it has characters;
 * else a candidate that `word` begins, or that begins `word` (4+ characters).
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best !== undefined && bestDistance <= 2 && bestDistance < best.length) return best;
  // A truncated or extended key: `max_session_duration` for `max_session_duration_secs`.
  if (w.length < 4) return undefined;
  return candidates.find((c) => {
    const lc = c.toLowerCase();
    return lc.length >= 4 && (lc.startsWith(w) || w.startsWith(lc));
  });
}

/** ` (did you mean x?)`, or "" when nothing is close. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const hint = suggest(word, candidates);
  return hint === undefined ? "" : ` (did you mean ${hint}?)`;
}
