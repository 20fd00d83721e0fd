import type { Command } from 'commander';
import { editorSchema } from '../config/editorSchema.js';

/** `config schema`: the config file's JSON Schema, for editors (e.g. `"$schema"` or VS Code's json.schemas). */
export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('The settings file');
  config
    .command('schema')
    .description('Print the JSON Schema of the config file (draft-07, with every default and description)')
    .action(() => {
      process.stdout.write(`${JSON.stringify(editorSchema(), null, 2)}\n`);
    });
}
