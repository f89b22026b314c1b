// "Did you mean": the closest known command or flag to what was typed, by edit distance. Pure, so the unknown-command
// hook and the base command's error rendering suggest the same way.

function editDistance(a: string, b: string): number {
  let previous = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost)
    }
    previous = current
  }
  return previous[b.length] ?? 0
}

/**
 * The candidate meant by `typed`: one it begins ("mtls renew" for "mtls renew-certificate"), one whose last word it is
 * ("expiry" for "mtls expiry"), else the closest by edit distance when close enough (a third of its length).
 */
export function closest(typed: string, candidates: readonly string[]): string | undefined {
  const started = candidates.find((candidate) => typed.length >= 3 && candidate.startsWith(typed))
  if (started !== undefined) return started
  const lastWord = candidates.find((candidate) => candidate.split(' ').at(-1) === typed && candidate !== typed)
  if (lastWord !== undefined) return lastWord
  let best: {candidate: string; distance: number} | undefined
  for (const candidate of candidates) {
    const distance = editDistance(typed, candidate)
    if (best === undefined || distance < best.distance) best = {candidate, distance}
  }
  if (best === undefined) return undefined
  return best.distance <= Math.max(2, Math.floor(typed.length / 3)) ? best.candidate : undefined
}

/** Command ids as users type them: "mtls expiry", not "mtls:expiry". */
export function spokenCommandId(id: string): string {
  return id.replaceAll(':', ' ')
}
