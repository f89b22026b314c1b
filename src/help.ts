// `dapr --help` lists every command, the mtls subcommands included (oclif alone shows only the mtls topic), while
// hidden commands and aliases stay out of the list.
import {type Command, Help, type Interfaces} from '@oclif/core'

export default class DaprHelp extends Help {
  constructor(config: Interfaces.Config, options: Partial<Interfaces.HelpOptions> = {}) {
    super(config, {...options, all: true, hideAliasesFromRoot: true})
  }

  protected override get sortedCommands(): Command.Loadable[] {
    return super.sortedCommands.filter((command) => !command.hidden)
  }
}
