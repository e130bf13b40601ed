/**
 * Cheap receiver typing: what type (or module) is `x` in `x.method()`? Sources, in order: `self`/`this`,
 * fields (`self.x = Foo()`, Rust struct fields), locals and typed parameters, class names, and imported
 * modules. Also the class hierarchy (Python bases, Rust trait impls) for method lookup.
 */
import type { Def, FileRecord } from '../index/model.js';
import { isTestPath } from '../index/paths.js';
import type { DefRef, Workspace } from '../index/workspace.js';
import { followReexports, importMap, resolvePythonModule, type FileRef } from './modules.js';

const WRAPPERS = new Set(['Arc', 'Rc', 'Box', 'Mutex', 'RwLock', 'Option', 'Cell', 'RefCell', 'Vec', 'HashMap', 'BTreeMap', 'dyn',
  'mut', 'impl', 'Send', 'Sync', 'static', 'str', 'String', 'Result', 'Weak', 'tokio', 'std', 'sync', 'parking_lot', 'OnceCell',
  'OnceLock', 'Pin', 'Optional', 'List', 'Dict', 'Union', 'Any', 'typing', 'int', 'float', 'bool', 'bytes', 'None', 'Tuple',
  'Sequence', 'Iterable', 'Callable', 'Type', 'const', 'std', 'shared_ptr', 'unique_ptr', 'u8', 'u32', 'u64', 'usize', 'i32', 'i64',
  'f32', 'f64', 'Self', 'self', 'crate', 'super', 'collections', 'Awaitable', 'AsyncIterator', 'Iterator', 'Generator', 'ClassVar', 'Final']);

export interface TypeRef {
  name: string;
  dyn: boolean;
  /** Qualifying path as written (`llm_rs::kv_router`, `sgl`), when there is one. */
  path?: string;
}

/** Type names mentioned by a type expression, outermost wrappers removed (`Arc<dyn Foo + Send>` → dyn Foo). */
export function typeNames(text: string): TypeRef[] {
  const dyn = /\bdyn\s+/.test(text) || /\bimpl\s+/.test(text);
  const out: TypeRef[] = [];
  for (const m of text.matchAll(/[A-Za-z_]\w*(?:(?:::|\.)[A-Za-z_]\w*)*/g)) {
    const segs = m[0].split(/::|\./);
    const n = segs[segs.length - 1];
    if (WRAPPERS.has(n) || /^[a-z]/.test(n)) continue;
    const path = segs.slice(0, -1).filter((x) => !WRAPPERS.has(x)).join('::');
    const ref = path ? { name: n, dyn, path } : { name: n, dyn };
    // `PushRouter<Value, Annotated<Value>>`: the first type applied to generic arguments is the type; the
    // arguments are its parameters, not what the receiver is.
    if (!out.length && /^\s*</.test(text.slice(m.index! + m[0].length))) return [ref];
    out.push(ref);
  }
  return out.slice(-2);
}

export interface Receiver {
  /** Types whose methods the call may reach. */
  types: TypeRef[];
  /** Module files the receiver names (`import x as m; m.f()`). */
  modules: FileRef[];
  /** The receiver is the enclosing class itself (`self`, `this`, `Self::`). */
  self: boolean;
}

function enclosingClass(rec: FileRecord, inIdx: number): string | undefined {
  const d = inIdx >= 0 ? rec.defs[inIdx] : undefined;
  if (!d) return undefined;
  if (d.kind === 'class' || d.kind === 'struct' || d.kind === 'impl' || d.kind === 'trait') return d.name;
  if (!d.container) return undefined;
  const parts = d.container.split(/\.|::/);
  return parts[parts.length - 1];
}

/**
 * Python: a type name as `rec` sees it → the class it names. An alias import or re-export
 * (`from dynamo._core import ZmqKvEventRelay as ZmqKvEventPublisher`, `KvEventRelay = ZmqKvEventPublisher`)
 * renames a class; its methods are found under the real name. Names defined in the file, or not imported, stay.
 */
function pythonClassNames(ws: Workspace, repo: string, rec: FileRecord, types: TypeRef[]): TypeRef[] {
  if (rec.lang !== 'python') return types;
  const self: FileRef = { repo, file: rec.path };
  return types.flatMap((t) => {
    if (t.path || rec.defs.some((d) => d.name === t.name && !d.container)) return [t];
    const real = [...new Set(followReexports(ws, [self], t.name).filter((r) => ws.def(r).kind === 'class').map((r) => ws.def(r).name))];
    return real.length && !real.includes(t.name) ? real.map((name) => ({ name, dyn: t.dyn })) : [t];
  });
}

/** Bindings of `target` visible from the enclosing def (locals), or fields of the enclosing class and its bases. */
function bindingTypes(ws: Workspace, repo: string, rec: FileRecord, inIdx: number, target: string): TypeRef[] {
  const cls = enclosingClass(rec, inIdx);
  if (!target.startsWith('self.')) {
    const out: TypeRef[] = [];
    for (const b of rec.bindings) {
      if (b.target !== target || b.in !== inIdx) continue;
      if (!b.alias) out.push(...pythonClassNames(ws, repo, rec, typeNames(b.type)));
      // `let router = self.inner.clone()`: the type of what it copies (one level, no recursion).
      else if (b.in >= 0 && /^(self|this)\.\w+$/.test(b.type)) out.push(...bindingTypes(ws, repo, rec, inIdx, 'self.' + b.type.split('.')[1]));
    }
    return out;
  }
  if (!cls) return [];
  return memberTypes(ws, repo, rec.path, cls, target.slice(5));
}

/** Types of `field` on class `cls` or its bases; the class is the one defined closest to `fromFile`. */
function memberTypes(ws: Workspace, repo: string, fromFile: string, cls: string, field: string): TypeRef[] {
  const out: TypeRef[] = [];
  for (const owner of [cls, ...basesOf(ws, cls)]) {
    // The class itself is the one defined closest to the call: same file, then same crate/package.
    const defs = (ws.byName.get(owner) ?? []).filter((ref) => { const k = ws.def(ref).kind; return k === 'class' || k === 'struct'; });
    const near = defs.filter((r) => r.repo === repo && r.file === fromFile);
    const unit = defs.filter((r) => r.repo === repo && unitOf(r.file) === unitOf(fromFile));
    for (const ref of near.length ? near : unit.length ? unit : defs) {
      const owner = ws.record(ref.repo, ref.file)!;
      out.push(...pythonClassNames(ws, ref.repo, owner, fieldTypes(owner, ref.i, ws.def(ref), `self.${field}`, field)));
    }
    if (out.length) break;
  }
  return out;
}

/** Types of `self.field` inside one class/struct: assignments in its methods, class annotations, Rust fields. */
function fieldTypes(rec: FileRecord, classIdx: number, cls: Def, target: string, field: string): TypeRef[] {
  const out: TypeRef[] = [];
  const inClass = (i: number) => i === classIdx || (i >= 0 && rec.defs[i].line >= cls.line && rec.defs[i].endLine <= cls.endLine);
  for (const b of rec.bindings) {
    if (!inClass(b.in)) continue;
    if (b.target === target || (b.in === classIdx && b.target === field)) {
      if (!b.alias) out.push(...typeNames(b.type));
      else {
        // self.x = param → the parameter's annotation in the same method.
        for (const p of rec.bindings) if (p.in === b.in && p.target === b.type && !p.alias) out.push(...typeNames(p.type));
      }
    }
  }
  // A `@property` with a return annotation (`def model_runner(self) -> ModelRunner`), often declared
  // abstract on a base class and backed by a private field in the subclass.
  if (!out.length) {
    rec.defs.forEach((d, i) => {
      if (d.name !== field || !inClass(i) || i === classIdx || !d.attrs?.some((a) => /^(property|functools\.cached_property|cached_property)$/.test(a))) return;
      const ret = /\)\s*->\s*(.+)$/.exec(d.sig)?.[1];
      if (ret) out.push(...typeNames(ret.replace(/^["']|["']$/g, '')));
    });
  }
  // Rust: fields are declared in the struct, methods live in `impl` blocks elsewhere.
  return out;
}

export function receiverOf(ws: Workspace, repo: string, rec: FileRecord, inIdx: number, receiver: string | undefined): Receiver {
  const res: Receiver = { types: [], modules: [], self: false };
  if (!receiver) return res;
  const r = receiver.replace(/\s+/g, '');
  const cls = enclosingClass(rec, inIdx);
  if (r === 'self' || r === 'this' || r === 'Self' || r === 'cls') {
    if (cls) res.types.push({ name: cls, dyn: false });
    res.self = true;
    return res;
  }
  if (r === 'super()' && cls) {
    for (const b of basesOf(ws, cls)) res.types.push({ name: b, dyn: false });
    return res;
  }
  if (/^(self|this)(\.|->)\w+$/.test(r)) {
    const field = r.split(/\.|->/)[1];
    res.types.push(...bindingTypes(ws, repo, rec, inIdx, 'self.' + field));
    if (!res.types.length && rec.lang === 'python') res.types.push(...namedAfter(ws, field, new Set([repo])));
    return res;
  }
  // `self._engine.tokenizer_manager`: each attribute typed on the type of the one before.
  if (/^(self|this)((\.|->)\w+){2,4}$/.test(r)) {
    const [, first, ...rest] = r.split(/\.|->/);
    let types = bindingTypes(ws, repo, rec, inIdx, 'self.' + first);
    for (const attr of rest) {
      const owners = types;
      types = owners.flatMap((t) => memberTypes(ws, repo, rec.path, t.name, attr));
      // The guess stays in the repo(s) that define the owner type (sgl.Engine's attribute → an SGLang class).
      if (!types.length && rec.lang === 'python') types = namedAfter(ws, attr, reposDefining(ws, owners));
      if (!types.length) break;
    }
    if (types.length) {
      res.types.push(...types);
      return res;
    }
  }
  if (/^[A-Za-z_]\w*$/.test(r)) {
    res.types.push(...bindingTypes(ws, repo, rec, inIdx, r));
    if (res.types.length) return res;
    const imp = importMap(rec).get(r);
    if (imp && rec.lang === 'python') {
      if (imp.name) {
        // `from pkg import mod` (a module) or `from m import Class`.
        const sub = resolvePythonModule(ws, repo, rec.path, `${imp.module}.${imp.name}`);
        if (sub.length) res.modules.push(...sub);
        else res.types.push(...pythonClassNames(ws, repo, rec, [{ name: r, dyn: false }]).map((t) => (t.name === r ? { name: imp.name!, dyn: false } : t)));
      } else res.modules.push(...resolvePythonModule(ws, repo, rec.path, imp.module));
      return res;
    }
    if (/^[A-Z]/.test(r)) res.types.push({ name: r, dyn: false });
    else if (rec.lang === 'rust' || rec.lang === 'cpp' || rec.lang === 'cuda') res.types.push({ name: r, dyn: false });
    return res;
  }
  const made = constructedType(r);
  if (made) {
    res.types.push({ name: made, dyn: false });
    return res;
  }
  // Dotted module paths (`sglang.srt.x.f()`), Rust/C++ paths (`a::Foo::new`).
  const segs = r.split(/::|\./);
  const last = segs[segs.length - 1];
  if (rec.lang === 'python') {
    const head = importMap(rec).get(segs[0]);
    const mod = head ? [head.module, ...(head.name ? [head.name] : []), ...segs.slice(1)].join('.') : r;
    const files = resolvePythonModule(ws, repo, rec.path, mod);
    if (files.length) res.modules.push(...files);
    else if (/^[A-Z]/.test(last)) res.types.push({ name: last, dyn: false });
    else res.types.push(...attributeTypes(rec, last));
    return res;
  }
  if (/^[A-Za-z_]\w*$/.test(last)) res.types.push({ name: last, dyn: false });
  return res;
}

/**
 * Python attributes are usually named after their class (`self.tokenizer_manager` holds a
 * `TokenizerManager`, assigned from an untyped tuple unpacking): the class of that name, when the owner's repo
 * defines exactly one (a guess never crosses into another repo). Only a method that class has resolves through it.
 */
function namedAfter(ws: Workspace, attr: string, repos: ReadonlySet<string>): TypeRef[] {
  const name = attr.replace(/^_+/, '').split('_').filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  if (!/[a-z]/.test(name) || !attr.includes('_')) return [];
  const classes = (ws.byName.get(name) ?? []).filter((ref) => repos.has(ref.repo) && ws.def(ref).kind === 'class' && !isTestPath(ref.file));
  return classes.length === 1 ? [{ name, dyn: false }] : [];
}

/** The repos whose classes or structs carry these type names. */
function reposDefining(ws: Workspace, types: TypeRef[]): Set<string> {
  const out = new Set<string>();
  for (const t of types) for (const ref of ws.byName.get(t.name) ?? []) if (/^(class|struct)$/.test(ws.def(ref).kind)) out.add(ref.repo);
  return out;
}

/**
 * `request.app.state.serving_chat.handle(..)`: an attribute reached through objects the file does not type,
 * assigned a constructed object somewhere in the same file (`app.state.serving_chat = ServingChat(..)`).
 * Matched by the attribute's name; only when every such assignment agrees on one type.
 */
function attributeTypes(rec: FileRecord, attr: string): TypeRef[] {
  const types = new Set<string>();
  for (const b of rec.bindings) {
    if (b.alias || !b.target.endsWith('.' + attr) || /^(self|cls)\./.test(b.target)) continue;
    types.add(b.type);
  }
  return types.size === 1 ? typeNames([...types][0]) : [];
}

/** Rust constructors by convention: `Foo::new(..)`, `Foo::default()`, `Foo::with_capacity(..)`, `Foo::from(..)`. */
const RUST_CTOR = /^(new|default|with_\w+|from|from_\w+)$/;

/**
 * The type of a receiver that constructs an object in place: `Indexer()` / `mod.Indexer(cfg)` (a capitalised
 * Python or C++ callee) or `Indexer::new(x)` (a Rust constructor). Only when the receiver is one call whose
 * closing parenthesis ends it, so `a(b).c(d)` is not mistaken for a constructor.
 */
function constructedType(r: string): string | undefined {
  const open = r.indexOf('(');
  if (open <= 0 || !r.endsWith(')')) return undefined;
  let depth = 0;
  for (let i = open; i < r.length; i++) {
    if (r[i] === '(') depth++;
    else if (r[i] === ')' && --depth === 0 && i !== r.length - 1) return undefined;
  }
  const segs = r.slice(0, open).split(/::|\./);
  const last = segs[segs.length - 1];
  if (segs.length >= 2 && RUST_CTOR.test(last) && /^[A-Z]\w*$/.test(segs[segs.length - 2])) return segs[segs.length - 2];
  return /^[A-Z]\w*$/.test(last) && /[a-z]/.test(last) ? last : undefined;
}

/** Python base classes / Rust-irrelevant: names of the bases of a class, transitively (depth-bounded). */
export function basesOf(ws: Workspace, cls: string, depth = 4): string[] {
  const out: string[] = [];
  const seen = new Set([cls]);
  let frontier = [cls];
  for (let d = 0; d < depth && frontier.length; d++) {
    const next: string[] = [];
    for (const c of frontier) {
      for (const ref of ws.byName.get(c) ?? []) {
        const def = ws.def(ref);
        if (def.kind !== 'class' && def.kind !== 'struct') continue;
        for (const b of def.bases ?? []) {
          const name = b.split('.').pop()!.replace(/\[.*$/, '');
          if (!seen.has(name)) { seen.add(name); out.push(name); next.push(name); }
        }
      }
    }
    frontier = next;
  }
  return out;
}

export interface CallSite { repo: string; file: string; inIdx: number }

/** The crate or package a file belongs to: the path up to its `src/`, else its directory. */
export function unitOf(file: string): string {
  const i = file.indexOf('/src/');
  return i >= 0 ? file.slice(0, i) : file.slice(0, file.lastIndexOf('/'));
}

/**
 * Methods named `name` on a type, its bases (Python), or — for a trait object — every implementation.
 * Same-named types in several crates are told apart by the path the type was written with
 * (`llm_rs::kv_router::KvRouter` is not the binding crate's own `KvRouter`) and by the caller's crate.
 */
export function methodsOn(ws: Workspace, t: TypeRef, name: string, site?: CallSite): DefRef[] {
  let out: DefRef[] = [];
  // Implementations of a trait (`dyn Trait`, or a trait named as the type) are all valid targets, in any crate.
  const impls: DefRef[] = [];
  const cands = ws.byName.get(name) ?? [];
  const owners = new Set([t.name, ...basesOf(ws, t.name)]);
  const notSelf = (r: DefRef) => !(site && r.repo === site.repo && r.file === site.file && r.i === site.inIdx);
  for (const ref of cands) {
    const d: Def = ws.def(ref);
    const owner = d.container?.split(/\.|::/).pop();
    if (d.trait === t.name) impls.push(ref);
    else if (owner && owners.has(owner)) out.push(ref);
  }
  if (!site || out.length < 2) return [...out, ...impls].filter(notSelf);
  out = out.filter(notSelf);
  return [...pickCrate(out, t, site), ...impls.filter(notSelf)];
}

/** Same-named types in several crates: keep the one the type's path or the caller's crate points at. */
function pickCrate(out: DefRef[], t: TypeRef, site: CallSite): DefRef[] {
  const unit = unitOf(site.file);
  const external = t.path && !/^(crate|self|super|Self)(::|$)/.test(t.path);
  if (external) {
    const outside = out.filter((r) => unitOf(r.file) !== unit);
    const segs = t.path!.split('::').slice(1).filter(Boolean);
    const onPath = outside.filter((r) => segs.some((sg) => r.file.includes(sg)));
    if (onPath.length) return onPath;
    if (outside.length) return outside;
  } else {
    const same = out.filter((r) => r.repo === site.repo && unitOf(r.file) === unit);
    if (same.length) return same;
  }
  return out;
}

/** Is this method abstract (Python @abstractmethod, a Rust trait method without a body)? */
export function isAbstract(def: Def): boolean {
  return (def.attrs ?? []).some((a) => a === 'abstractmethod' || a === 'abc.abstractmethod') || (def.decl === true && def.kind === 'method');
}

/** Overrides of an abstract method: same-named methods of subclasses (Python) or trait impls (Rust). */
export function overridesOf(ws: Workspace, ref: DefRef, max = 8): DefRef[] {
  const def = ws.def(ref);
  const owner = def.container?.split(/\.|::/).pop();
  if (!owner) return [];
  const out: DefRef[] = [];
  for (const r of ws.byName.get(def.name) ?? []) {
    if (r === ref) continue;
    const d = ws.def(r);
    const o = d.container?.split(/\.|::/).pop();
    if (!o || o === owner) continue;
    if (d.trait === owner || basesOf(ws, o).includes(owner)) out.push(r);
    if (out.length >= max) break;
  }
  return out;
}
