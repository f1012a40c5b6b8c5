/**
 * `elicit diagram [--format mermaid|dot|scxml|json]`: prints the statechart of the
 * elicitation machine, generated from its XState definition.
 */
import { diagramFormats, isDiagramFormat, renderDiagram } from '../../inspector/diagram/renderDiagram.js';
import { parseOptions, UsageError, type Command } from '../commandSupport.js';

export const diagramCommand: Command = {
  synopsis: `elicit diagram [--format ${diagramFormats.join('|')}]`,
  summary: 'prints the elicitation statechart, generated from the machine, with guards and delays; Mermaid by default',
  run,
};

async function run(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, { format: { type: 'string' } });
  if (positionals.length > 0) throw new UsageError(`diagram takes no arguments, but was given ${positionals.join(' ')}`);

  const format = (values.format as string | undefined) ?? 'mermaid';
  if (!isDiagramFormat(format)) throw new UsageError(`--format ${format} is not a diagram format; use one of ${diagramFormats.join(', ')}`);

  process.stdout.write(renderDiagram(format));
  return 0;
}
