import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { UserError } from './errors.ts';
import { displayPath } from './files.ts';

/**
 * YAML files with positions: every problem found in a file (syntax, schema, rule) carries its line and column, so
 * the action can print `file:line` and a GitHub annotation on the right line of the pull request.
 */

export interface Problem {
  message: string;
  line?: number;
  column?: number;
}

export class YamlFileError extends UserError {
  override name = 'YamlFileError';
  readonly file: string;
  readonly problems: Problem[];

  constructor(file: string, problems: Problem[], hint = '') {
    const lines = problems.map((p) => `  ${file}${p.line ? `:${p.line}:${p.column ?? 1}` : ''}: ${p.message}`);
    super(`${file} is not valid:\n${lines.join('\n')}${hint ? `\n${hint}` : ''}`, {
      file,
      ...(problems[0]?.line !== undefined && { line: problems[0].line }),
    });
    this.file = file;
    this.problems = problems;
  }
}

export type Path = readonly PropertyKey[];

export class YamlFile {
  /** The file as messages name it (relative to the repository). */
  readonly file: string;
  /** Where it is on disk; local paths in the file resolve against its folder. */
  readonly path: string;
  readonly text: string;
  readonly document: Document;
  private readonly lineCounter: LineCounter;

  private constructor(file: string, path: string, text: string, document: Document, lineCounter: LineCounter) {
    this.file = file;
    this.path = path;
    this.text = text;
    this.document = document;
    this.lineCounter = lineCounter;
  }

  static parse(text: string, file: string, path = resolve(file)): YamlFile {
    const lineCounter = new LineCounter();
    const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    const yamlFile = new YamlFile(file, path, text, document, lineCounter);
    // Placeholders also break the YAML around them; report the cause, not the syntax errors it makes.
    const placeholders = templatePlaceholders(text);
    if (placeholders.length > 0) {
      throw new YamlFileError(
        file,
        placeholders,
        'The azureml-examples templates are filled in by their scripts (sed) before use.',
      );
    }
    const syntax = document.errors.map((error) => ({
      message: error.message.replace(/ at line \d+, column \d+.*$/s, ''),
      ...yamlFile.position(error.pos[0]),
    }));
    if (syntax.length > 0) throw new YamlFileError(file, syntax);
    if (!isMap(document.contents)) {
      throw new YamlFileError(file, [{ message: 'the file must be a YAML mapping (key: value lines)', line: 1 }]);
    }
    return yamlFile;
  }

  /** Reads a file; messages and annotations name it relative to the repository. */
  static read(path: string): YamlFile {
    const file = displayPath(path);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw new UserError(
        `${file} cannot be read: check the path (relative to the repository root) and that the job checked out the repository.`,
        { file },
      );
    }
    return YamlFile.parse(text, file, resolve(path));
  }

  position(offset: number): { line: number; column: number } {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  /**
   * Line and column of the value at a path (or, with `key`, of the field's name); falls back to the nearest
   * ancestor that exists, so a missing field points at the object that should hold it.
   */
  locate(path: Path, options: { key?: boolean } = {}): { line: number; column: number } | undefined {
    for (let depth = path.length; depth >= 0; depth--) {
      const sub = path.slice(0, depth);
      const valueNode = depth === 0 ? this.document.contents : this.document.getIn(sub, true);
      const node = (options.key && depth === path.length) || !isNode(valueNode) ? this.keyNode(sub) : valueNode;
      const offset = isNode(node) ? node.range?.[0] : undefined;
      if (offset !== undefined) return this.position(offset);
    }
    return undefined;
  }

  private keyNode(path: Path): Node | undefined {
    if (path.length === 0) return undefined;
    const parent = path.length === 1 ? this.document.contents : this.document.getIn(path.slice(0, -1), true);
    if (!isMap(parent)) return undefined;
    const pair = parent.items.find((item) => isScalar(item.key) && String(item.key.value) === String(path.at(-1)));
    return isNode(pair?.key) ? pair.key : undefined;
  }

  toJS(): Record<string, unknown> {
    return this.document.toJS({ maxAliasCount: 100 }) as Record<string, unknown>;
  }

  /** Validates with a zod schema; problems carry the line of the offending field. */
  validate<T>(schema: z.ZodType<T>, data: unknown = this.toJS()): T {
    const result = schema.safeParse(data);
    if (result.success) return result.data;
    throw new YamlFileError(this.file, this.problemsOf(result.error.issues));
  }

  problemsOf(issues: readonly z.core.$ZodIssue[]): Problem[] {
    return issues.flatMap((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => ({
          message: `unknown field '${[...issue.path, key].join('.')}'${suggestion(key)}`,
          ...this.locate([...issue.path, key], { key: true }),
        }));
      }
      const field = issue.path.join('.');
      return [{ message: field ? `${field}: ${issue.message}` : issue.message, ...this.locate(issue.path) }];
    });
  }
}

/** Unsubstituted `{{PLACEHOLDER}}` tokens, as the azureml-examples templates carry before their scripts run sed. */
function templatePlaceholders(text: string): Problem[] {
  const problems: Problem[] = [];
  text.split('\n').forEach((lineText, index) => {
    if (lineText.trimStart().startsWith('#')) return;
    const match = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/.exec(lineText);
    if (match) {
      problems.push({
        message: `unsubstituted template placeholder '${match[0]}': replace it with a real value before deploying`,
        line: index + 1,
        column: match.index + 1,
      });
    }
  });
  return problems;
}

const KNOWN_MISSPELLINGS: Record<string, string> = {
  instance_size: 'instance_type',
  instances: 'instance_count',
  endpoint: 'endpoint_name',
  auth: 'auth_mode',
  scoring_file: 'code_configuration.scoring_script',
  env: 'environment',
  environment_variable: 'environment_variables',
  code: 'code_configuration.code',
  scoring_script: 'code_configuration.scoring_script',
};

function suggestion(key: string): string {
  const known = KNOWN_MISSPELLINGS[key];
  return known ? ` (did you mean '${known}'?)` : '';
}
