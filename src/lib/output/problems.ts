// A broken trust bundle as read commands show it under their result: one line per problem and the fix below it.
import type {BundleProblem} from '../expiry.js'

export function renderProblems(problems: BundleProblem[]): string[] {
  return problems.flatMap((problem) => [
    '',
    `Broken: ${problem.message}`,
    ...(problem.hint ? [`  Fix: ${problem.hint}`] : []),
  ])
}
