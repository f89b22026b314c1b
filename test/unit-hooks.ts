// Root hooks for unit and command tests: no state leaks from one test into the next.
export const mochaHooks = {
  afterEach(): void {
    process.exitCode = undefined
  },
}
