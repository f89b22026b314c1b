// What a test started (Sentry, daprd, apps, servers), stopped after it in reverse order whether it passed or not.
export class Started {
  private readonly things: {stop(): Promise<void>}[] = []

  track<T extends {stop(): Promise<void>}>(thing: T): T {
    this.things.push(thing)
    return thing
  }

  /** Stops everything started after the first `keep` things (those started in a before hook, for example). */
  async stop(keep = 0): Promise<void> {
    for (const thing of this.things.splice(keep).reverse()) await thing.stop()
  }
}
