// Preloaded (node --import) by the benchmarks to switch on oclif's own timers, which it prints under DEBUG=oclif:perf.
globalThis.oclif = {...globalThis.oclif, performanceEnabled: true}
