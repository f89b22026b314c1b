// The exit codes every command shares (DESIGN.md section 4); they keep their meaning under --json.
export const ExitCode = {
  /** Done; everything healthy and valid beyond the warning window. */
  ok: 0,
  /** Could not do it: API error, unreachable cluster, bad certificate or key, permission denied, not installed. */
  failure: 1,
  /** Usage error: unknown flag, bad flag combination, bad value. */
  usage: 2,
  /** A certificate expires within the warning window, or a control-plane component is not healthy. */
  warning: 3,
  /** A certificate has expired or is not yet valid. */
  critical: 4,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]
