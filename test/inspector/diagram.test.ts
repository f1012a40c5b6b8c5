/**
 * The statecharts that `elicit diagram` prints, read back in each format: SCXML through an
 * XML parser, DOT through its statements, JSON against the machine itself. Mermaid's own
 * parser runs in the browser test, because Mermaid needs a DOM. A machine made here shows
 * that a new guard, delay or nested state reaches every format without any drawing code.
 */
import { spawnSync } from 'node:child_process';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { and, not, setup, type AnyStateMachine, type AnyStateNode } from 'xstate';
import { beforeAll, describe, expect, it } from 'vitest';
import { elicitationMachine } from '../../src/machines/elicitationMachine.js';
import { renderDiagram, diagramFormats } from '../../src/inspector/diagram/renderDiagram.js';
import { elicitBin, requireBuiltCli } from '../cli/elicitCli.js';

/** Lists every state of a machine, nested ones too, by its dotted path below the root. */
function stateIdsOf(machine: AnyStateMachine): string[] {
  const walk = (node: AnyStateNode): string[] => Object.values(node.states).flatMap((child) => [child.path.join('.'), ...walk(child)]);
  return walk(machine.root);
}

/** A machine the runtime does not have: a compound state, an `and` guard, a numeric delay. */
const reviewMachine = setup({
  types: { events: {} as { type: 'SUBMIT' } | { type: 'APPROVE' } },
  guards: { isUrgent: () => true, isLate: () => false },
}).createMachine({
  id: 'review',
  initial: 'drafting',
  states: {
    drafting: { on: { SUBMIT: { guard: and(['isUrgent', not('isLate')]), target: 'inReview' } } },
    inReview: {
      initial: 'queued',
      states: {
        queued: { after: { 500: 'reading' } },
        reading: { on: { APPROVE: '#review.done' } },
      },
    },
    done: { type: 'final' },
  },
});

interface ScxmlElement {
  readonly [name: string]: unknown;
}

function parseScxml(text: string): ScxmlElement {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['state', 'final', 'transition', 'send', 'cancel', 'script'].includes(name) });
  return parser.parse(text) as ScxmlElement;
}

/** Finds every element named `name` below `element`, depth first. */
function elementsNamed(element: unknown, name: string): ScxmlElement[] {
  if (element === null || typeof element !== 'object') return [];
  const found: ScxmlElement[] = [];
  for (const [key, value] of Object.entries(element)) {
    const children = Array.isArray(value) ? value : [value];
    if (key === name) found.push(...(children as ScxmlElement[]));
    for (const child of children) found.push(...elementsNamed(child, name));
  }
  return found;
}

/** Splits a DOT digraph into its statements, without comments, one per line as `renderDot` writes them. */
function dotStatements(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('//'));
}

const dotNode = /^"((?:[^"\\]|\\.)*)" \[(.*)\];$/;
const dotEdge = /^"((?:[^"\\]|\\.)*)" -> "((?:[^"\\]|\\.)*)"(?: \[label="((?:[^"\\]|\\.)*)"\])?;$/;

describe('elicit diagram', () => {
  beforeAll(() => requireBuiltCli());

  it('prints each format as renderDiagram renders it', () => {
    for (const format of diagramFormats) {
      const result = spawnSync(process.execPath, [elicitBin, 'diagram', '--format', format], { encoding: 'utf8' });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toBe(renderDiagram(format));
    }
  });

  it('prints Mermaid when no format is given', () => {
    const result = spawnSync(process.execPath, [elicitBin, 'diagram'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(renderDiagram('mermaid'));
  });

  it('rejects an unknown format with exit code 2', () => {
    const result = spawnSync(process.execPath, [elicitBin, 'diagram', '--format', 'png'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--format png is not a diagram format; use one of mermaid, dot, scxml, json');
    expect(result.stdout).toBe('');
  });
});

describe('JSON diagram', () => {
  const document = JSON.parse(renderDiagram('json')) as {
    machine: {
      id: string;
      initial: string;
      guards: string[];
      delays: string[];
      states: Array<{ id: string; type: string; transitions: Array<{ event: string; targets: string[]; guardExpression: string | null; delay: string | null; order: number }> }>;
    };
  };
  const machine = document.machine;

  it('lists every state of the elicitation machine', () => {
    expect(machine.id).toBe(elicitationMachine.id);
    expect(machine.initial).toBe('pending');
    expect(machine.states.map((state) => state.id)).toEqual(stateIdsOf(elicitationMachine));
    expect(machine.states.filter((state) => state.type === 'final').map((state) => state.id)).toEqual(['answered', 'rejected', 'expired']);
  });

  it('lists every guard the machine implements', () => {
    const implemented = Object.keys(elicitationMachine.implementations.guards);
    expect(implemented.length).toBeGreaterThan(0);
    expect(machine.guards).toEqual(implemented);
  });

  it('puts each guard and delay on its transition', () => {
    const transitions = machine.states.flatMap((state) => state.transitions);
    const guardsUsed = new Set(transitions.flatMap((transition) => (transition.guardExpression === null ? [] : [transition.guardExpression.replace(/^not /, '')])));
    for (const guard of Object.keys(elicitationMachine.implementations.guards)) expect(guardsUsed).toContain(guard);

    const expiry = transitions.find((transition) => transition.delay !== null);
    expect(expiry).toMatchObject({ delay: 'untilDeadline', targets: ['expired'] });
    expect(machine.delays).toEqual(Object.keys(elicitationMachine.implementations.delays));

    const accepts = transitions.filter((transition) => transition.event === 'ACCEPT');
    expect(accepts.map((transition) => transition.guardExpression)).toEqual(['not isSender', 'not hasValidToken', 'not isBeforeDeadline', 'not contentMatchesSchema', null]);
    expect(accepts.map((transition) => transition.order)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('SCXML diagram', () => {
  const text = renderDiagram('scxml');

  it('is well-formed XML', () => {
    expect(XMLValidator.validate(text)).toBe(true);
  });

  it('has each state, each final state and the initial state', () => {
    const scxml = parseScxml(text).scxml as ScxmlElement;
    expect(scxml['@xmlns']).toBe('http://www.w3.org/2005/07/scxml');
    expect(scxml['@version']).toBe('1.0');
    expect(scxml['@initial']).toBe('pending');
    expect(elementsNamed(scxml, 'state').map((state) => state['@id'])).toEqual(['pending']);
    expect(elementsNamed(scxml, 'final').map((state) => state['@id'])).toEqual(['answered', 'rejected', 'expired']);
  });

  it('writes guards as conditions and the deadline as a delayed send', () => {
    const scxml = parseScxml(text).scxml as ScxmlElement;
    const transitions = elementsNamed(scxml, 'transition');
    const conditions = transitions.map((transition) => transition['@cond']).filter((condition) => condition !== undefined);
    for (const guard of Object.keys(elicitationMachine.implementations.guards)) expect(conditions).toContain(`!(${guard}(_event))`);

    const ids = new Set([...elementsNamed(scxml, 'state'), ...elementsNamed(scxml, 'final')].map((state) => state['@id']));
    for (const transition of transitions) if (transition['@target'] !== undefined) expect(ids).toContain(transition['@target']);

    const [send] = elementsNamed(scxml, 'send');
    expect(send).toMatchObject({ '@delayexpr': "untilDeadline() + 'ms'" });
    const expiry = transitions.find((transition) => transition['@event'] === send!['@event']);
    expect(expiry?.['@target']).toBe('expired');
    expect(elementsNamed(scxml, 'cancel')[0]?.['@sendid']).toBe(send!['@id']);
  });
});

describe('DOT diagram', () => {
  const statements = dotStatements(renderDiagram('dot'));

  it('is one digraph whose statements all close', () => {
    expect(statements[0]).toBe('digraph "elicitation" {');
    expect(statements.at(-1)).toBe('}');
    for (const statement of statements.slice(1, -1)) expect(statement).toMatch(/;$/);
  });

  it('declares every state, final ones with a double border', () => {
    const nodes = new Map(statements.flatMap((statement) => {
      const match = dotNode.exec(statement);
      return match === null ? [] : [[match[1]!, match[2]!] as const];
    }));
    for (const id of stateIdsOf(elicitationMachine)) expect(nodes.has(id)).toBe(true);
    for (const id of ['answered', 'rejected', 'expired']) expect(nodes.get(id)).toContain('peripheries=2');
    expect(nodes.get('pending')).not.toContain('peripheries');
  });

  it('draws each transition between declared nodes, guards in its label', () => {
    const declared = new Set(statements.flatMap((statement) => dotNode.exec(statement)?.[1] ?? []));
    const edges = statements.flatMap((statement) => {
      const match = dotEdge.exec(statement);
      return match === null ? [] : [{ from: match[1]!, to: match[2]!, label: match[3] ?? '' }];
    });
    for (const edge of edges) {
      expect(declared).toContain(edge.from);
      expect(declared).toContain(edge.to);
    }

    const transitionCount = [...elicitationMachine.root.states.pending!.transitions.values()].flat().length;
    expect(edges.filter((edge) => edge.from === 'pending')).toHaveLength(transitionCount);
    expect(edges).toContainEqual({ from: 'pending', to: 'pending', label: 'ACCEPT (1) [not isSender] / refuse(UNAUTHORIZED)' });
    expect(edges).toContainEqual({ from: 'pending', to: 'answered', label: 'ACCEPT (5) / recordAnswer' });
    expect(edges).toContainEqual({ from: 'pending', to: 'expired', label: 'after untilDeadline / recordExpiry' });
  });
});

describe('Mermaid diagram', () => {
  const text = renderDiagram('mermaid');

  it('draws the states, guards and the deadline', () => {
    const lines = text.split('\n').map((line) => line.trim());
    expect(lines[0]).toBe('stateDiagram-v2');
    expect(lines).toContain('[*] --> pending');
    for (const state of ['answered', 'rejected', 'expired']) expect(lines).toContain(`${state} --> [*]`);
    expect(lines).toContain('pending : ACCEPT (1) [not isSender] / refuse(UNAUTHORIZED)');
    expect(lines).toContain('pending --> answered : ACCEPT (5) / recordAnswer');
    expect(lines).toContain('pending --> expired : after untilDeadline / recordExpiry');
    for (const guard of Object.keys(elicitationMachine.implementations.guards)) expect(text).toContain(`[not ${guard}]`);
  });
});

describe('diagram of another machine', () => {
  it('shows a new guard, delay and nested state in every format', () => {
    const mermaid = renderDiagram('mermaid', reviewMachine);
    expect(mermaid).toContain('drafting --> inReview : SUBMIT [isUrgent and not isLate]');
    expect(mermaid).toContain('state inReview {');
    expect(mermaid).toContain('inReview_queued --> inReview_reading : after 500 ms');
    expect(mermaid).toContain('inReview_reading --> done : APPROVE');

    const dot = renderDiagram('dot', reviewMachine);
    expect(dot).toContain('subgraph "cluster_inReview" {');
    expect(dot).toContain('"drafting" -> "inReview.[*]" [label="SUBMIT [isUrgent and not isLate]"];');

    const scxml = renderDiagram('scxml', reviewMachine);
    expect(XMLValidator.validate(scxml)).toBe(true);
    expect(scxml).toContain('cond="(isUrgent(_event)) &amp;&amp; (!(isLate(_event)))"');
    expect(scxml).toContain('delay="500ms"');
    expect(scxml).toContain('<state id="inReview" initial="inReview.queued">');

    const json = JSON.parse(renderDiagram('json', reviewMachine)) as { machine: { guards: string[]; states: Array<{ id: string; children: Array<{ id: string }> }> } };
    expect(json.machine.guards).toEqual(['isUrgent', 'isLate']);
    expect(json.machine.states.map((state) => state.id)).toEqual(['drafting', 'inReview', 'done']);
    expect(json.machine.states[1]!.children.map((state) => state.id)).toEqual(['inReview.queued', 'inReview.reading']);
  });
});
