/**
 * The `@example` check over TypeDoc's reflection model: every function, every
 * function-valued const and every public class method that an entry point
 * exports must carry an `@example` block. Used by test/docs and, as a TypeDoc
 * plugin (`load`), by `pnpm docs`, which then fails listing what is missing.
 */
import { relative } from 'node:path';
import {
  Application,
  Converter,
  ReflectionKind,
  type Comment,
  type DeclarationReflection,
  type ProjectReflection,
  type Reflection,
  type SomeType,
} from 'typedoc';
import { publicEntries, typedocModuleName } from './public-surface.js';

/** One exported callable without an `@example`, named as the reference names it. */
export interface MissingExample {
  /** `module.name` or `module.Class.method`, e.g. `@latchkey/core.createLatchkey`. */
  name: string;
  /** Path relative to the working directory. */
  file: string;
  line: number;
}

const containers = ReflectionKind.Project | ReflectionKind.Module | ReflectionKind.Namespace;

function hasExample(comment: Comment | undefined): boolean {
  return comment?.blockTags.some((tag) => tag.tag === '@example') ?? false;
}

/** The reflection's own comment, or any of its signatures' (TypeDoc puts a function's there). */
function documented(reflection: DeclarationReflection): boolean {
  if (hasExample(reflection.comment)) return true;
  const signatures =
    reflection.signatures ??
    (reflection.type?.type === 'reflection' ? reflection.type.declaration.signatures : undefined);
  return (signatures ?? []).some((signature) => hasExample(signature.comment));
}

/** Whether a type has call signatures, directly or through a type alias of ours. */
function callable(type: SomeType | undefined): boolean {
  if (type?.type === 'reflection') return (type.declaration.signatures?.length ?? 0) > 0;
  if (type?.type === 'reference' && type.reflection?.kindOf(ReflectionKind.TypeAlias))
    return callable((type.reflection as DeclarationReflection).type);
  return false;
}

/** A const whose value is a function but which TypeDoc kept as a variable (`const f: Alias = …`). */
function callableVariable(reflection: DeclarationReflection): boolean {
  return reflection.kindOf(ReflectionKind.Variable) && callable(reflection.type);
}

/** Our own source (not a method inherited from a library class such as Error). */
function ownSource(reflection: Reflection, root: string): boolean {
  const file = (reflection as DeclarationReflection).sources?.[0]?.fullFileName;
  return (
    file !== undefined && !relative(root, file).startsWith('..') && !file.includes('/node_modules/')
  );
}

/**
 * Lists every exported function, callable const and public class method of
 * `project` that has no `@example`, sorted by file and line.
 *
 * @example
 * ```ts
 * const project = await app.convert();
 * for (const miss of missingExamples(project!)) console.log(`${miss.name} (${miss.file}:${miss.line})`);
 * ```
 */
export function missingExamples(
  project: ProjectReflection,
  root: string = process.cwd(),
): MissingExample[] {
  const found = new Map<string, MissingExample>();
  const report = (reflection: DeclarationReflection, name: string) => {
    const source = reflection.sources?.[0];
    const file = source ? relative(root, source.fullFileName) : '(unknown)';
    const line = source?.line ?? 0;
    // The same declaration reached through two entry points is listed once.
    const key = `${file}:${line}:${reflection.name}`;
    if (!found.has(key)) found.set(key, { name, file, line });
  };
  const walk = (container: ProjectReflection | DeclarationReflection, prefix: string) => {
    for (const child of container.children ?? []) {
      const name = prefix ? `${prefix}.${child.name}` : child.name;
      if (child.kindOf(containers)) walk(child, name);
      else if (child.kindOf(ReflectionKind.Function) || callableVariable(child)) {
        if (!documented(child)) report(child, name);
      } else if (child.kindOf(ReflectionKind.Class)) {
        for (const member of child.children ?? []) {
          if (!member.kindOf(ReflectionKind.Method)) continue;
          if (member.flags.isPrivate || member.flags.isProtected) continue;
          if (member.inheritedFrom && !ownSource(member, root)) continue;
          if (!documented(member)) report(member, `${name}.${member.name}`);
        }
      }
    }
  };
  walk(project, '');
  return [...found.values()].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

/**
 * Converts the entry points of a TypeDoc config file (typedoc.json by
 * default) in process and returns what {@link missingExamples} finds; renders
 * nothing. Paths in the result are relative to the working directory.
 *
 * @example
 * ```ts
 * const missing = await checkApiExamples('typedoc.json');
 * expect(missing).toEqual([]);
 * ```
 */
export async function checkApiExamples(config = 'typedoc.json'): Promise<MissingExample[]> {
  // Type errors are `pnpm typecheck`'s business; skipping them here halves the time.
  const app = await Application.bootstrap({
    options: config,
    plugin: [],
    logLevel: 'Error',
    skipErrorChecking: true,
  });
  const project = await app.convert();
  if (!project)
    throw new Error(
      `TypeDoc could not convert the entry points of ${config} (see the errors above)`,
    );
  namePublicModules(project);
  return missingExamples(project);
}

/**
 * Renames each entry point's module from its path to the specifier it is
 * published as (`packages/core/src/testing` → `@latchkey/core/testing`) and
 * returns the module names it did not know.
 *
 * @example
 * const project = await app.convert();
 * const unknown = namePublicModules(project!); // [] when typedoc.json matches publicEntries
 */
export function namePublicModules(project: ProjectReflection): string[] {
  const names = new Map(
    Object.entries(publicEntries).map(([file, specifier]) => [typedocModuleName(file), specifier]),
  );
  const unknown: string[] = [];
  for (const module of project.children ?? []) {
    if (!module.kindOf(ReflectionKind.Module)) continue;
    const specifier = names.get(module.name);
    if (specifier) module.name = specifier;
    else unknown.push(module.name);
  }
  return unknown;
}

/** Formats the list the way the test and `pnpm docs` print it. */
export function describeMissing(missing: MissingExample[]): string {
  return missing.map((m) => `  ${m.name} (${m.file}:${m.line})`).join('\n');
}

/**
 * TypeDoc plugin entry (`--plugin ./test/docs/api-examples.ts`): names the
 * modules by their import specifiers and, after conversion, logs an error
 * listing every missing `@example`, so the build fails.
 *
 * @example
 * ```sh
 * node --import tsx node_modules/typedoc/bin/typedoc --plugin ./test/docs/api-examples.ts
 * ```
 */
export function load(app: Application): void {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const name of namePublicModules(context.project))
      app.logger.error(`${name}: an entry point missing from test/docs/public-surface.ts`);
  });
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    const missing = missingExamples(context.project);
    if (missing.length === 0) return;
    app.logger.error(
      `${missing.length} exported function(s) without an @example:\n${describeMissing(missing)}`,
    );
  });
}
