// The package's entry: bin/run.js starts oclif through it, so it is the one oclif instance every command shares.
export {execute, run} from '@oclif/core'
