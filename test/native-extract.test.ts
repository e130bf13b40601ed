import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { extract } from '../src/lang/extract.js';
import { loadGrammar } from '../src/lang/grammar.js';
import { nativeUnavailable } from '../src/lang/native.js';
import { LANGUAGES, languageById, languageOf, type LanguageSpec } from '../src/lang/registry.js';
import { decodeEntry, encodeEntry } from '../src/index/cache.js';
import type { FileRecord } from '../src/index/model.js';
import { fixtureSourceFiles } from './helpers/fixture.js';

// The C extractor (native/extract.c) must give the cache entry that encodeEntry makes of the record
// extract.ts builds, byte for byte: the cache, the symbol table and every answer are the same whichever ran.
const optedOut = process.env.DSM_NATIVE === '0';

const PYTHON_EDGES = `# leading comment
"""Module docstring."""
from __future__ import annotations
import os, sys as system
from typing import TYPE_CHECKING
from .a import (b, c as d)
from .e import *
try:
    import torch
except ImportError:
    torch = None

if TYPE_CHECKING:
    from x import Y
    def typed_only(a: int) -> None: ...
else:
    def not_typed(): pass

REGISTRY = {"a": 1}
alias = other.thing

#: doc comment for decorated
@dataclass(frozen=True)
@other.deco
class Foo(Base, metaclass=Meta):
    """  First line.

    More."""
    TABLE = {}
    def method(self, x):  # trailing comment
        r'''raw doc'''
        self.y = x
        z: Bar = make()
        w = await self.fetch(x)
        return asyncio.create_task(self.run(inner(1)))

    async def amethod(self) -> \\
            int:
        '''
        ----
        Real doc line */
        '''
        ...

def long_sig(aaaaaaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb, ccccccccccccccccccccccccccccccccccccccc, dddddddddddddddddddddddddddd, eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee, fffffffffffffffffffffff, gggg):
    kernel[grid](x, y)
    obj.kernel2[grid](x)
    raise ValueError("x")

def unicode_ws(a,\u00a0b, c: "Ünï"):  # nbsp in the signature 🎉
    """\u2003Em-space doc ✓"""
    send_pyobj({"k": "🎉"}); sock.send_pyobj(req)

class Empty(): pass
def bare(
    x,  # the x
    y):
    pass
`;

const RUST_EDGES = `//! crate doc
use std::{collections::{HashMap, HashSet as Set}, sync::Arc};
use crate::a::b::{self, c::*};
use super::x as y;
use self::{};
use tokio::{self, sync::Mutex};
mod inner;
mod outer { pub fn f() {} }

/// Doc line one.
/// Doc line two.
#[derive(Debug, Clone)]
#[cfg(test)]
pub struct S<T> { field: Arc<T>, }

/** Block doc */
pub enum E { A(u32, String), B { x: i32 }, C }

impl<T: Clone> Trait<T> for &mut S<T> {
    async unsafe fn m(&self) -> Result<()> {
        let r = self.inner.clone();
        let v: Vec<u8> = Vec::new();
        let s = S { field };
        tokio::spawn(async move { work().await?; });
        x.method::<u8>(1)?;
        foo::<T>();
        bar::baz::<T>(2);
        println!("{}", "🎉"); let e = "é"; call_after_emoji();
        return Err(anyhow!("e"));
    }
}

extern "C" {
    fn c_fn(x: i32) -> i32;
}

unsafe extern "C" {
    pub fn c_fn2();
}

pub extern "C" fn exported() {}

unsafe extern "C" {
    fn k_launch(p: *const c_void, n: usize) -> i32;

    fn k_other() -> bool;
}

/// Mode doc.
#[repr(i32)]
pub enum Mode { A = 0, B = 1 }

trait Tr: Send { fn req(&self); fn prov(&self) {} }

macro_rules! my_macro { () => {}; }
type Alias = Vec<u8>;
union U { a: u32 }
#[pyfunction]
fn py(m: &Bound<'_, PyModule>) -> PyResult<()> { m.add_class::<Foo>()?; m.add_function(wrap_pyfunction!(py, m)?)?; Ok(()) }
fn broken( { let x = ; }
`;

async function native(spec: LanguageSpec) {
  const g = await loadGrammar(spec, 'native');
  assert.equal(g.backend, 'native', `native binding unavailable: ${nativeUnavailable()}`);
  return g;
}

const FILE = { path: 'dir/f', size: 1234, mtimeMs: 1732400000123.25 };

/** The C extractor's entry for the source. */
async function cEntry(spec: LanguageSpec, source: string, file = FILE): Promise<Buffer> {
  const g = await native(spec);
  const blob = g.parser.encodeEntry?.(source, g.query, spec, file);
  assert.ok(blob, `${spec.id} records are built in C`);
  return Buffer.from(await blob);
}

/** The C extractor's record, decoded from its entry, as plain data. */
async function cRecord(spec: LanguageSpec, source: string): Promise<FileRecord> {
  return JSON.parse(JSON.stringify(decodeEntry(await cEntry(spec, source)))) as FileRecord;
}

/** extract.ts's record, encoded by encodeEntry, against the C extractor's entry: the same bytes. */
async function same(spec: LanguageSpec, source: string, label: string, file = FILE): Promise<void> {
  const g = await native(spec);
  const js = Buffer.from(encodeEntry({ ...file, ...extract(spec, g.parser, g.query, source) }));
  const c = await cEntry(spec, source, file);
  if (!c.equals(js)) {
    assert.deepEqual(JSON.parse(JSON.stringify(decodeEntry(c))), JSON.parse(JSON.stringify(decodeEntry(js))), label);
    assert.fail(`${label}: same records, but the encoded entries differ (key order, absent keys or the codec)`);
  }
}

test('the C extractor builds and encodes the Python and Rust records; C, C++ and CUDA stay on extract.ts', { skip: optedOut && 'DSM_NATIVE=0' }, async () => {
  const inC = [];
  for (const spec of LANGUAGES) {
    const g = await native(spec);
    const p = g.parser.encodeEntry?.('x', g.query, spec, FILE);
    if (p) {
      inC.push(spec.id);
      await p;
    }
  }
  assert.deepEqual(inC.sort(), ['python', 'rust']);
});

test('C and JS extractors give byte-identical records for every Python and Rust fixture file', { skip: optedOut && 'DSM_NATIVE=0' }, async () => {
  let n = 0;
  for (const f of fixtureSourceFiles()) {
    const spec = languageOf(f)!;
    if (spec.id !== 'python' && spec.id !== 'rust') continue;
    await same(spec, readFileSync(f, 'utf8'), f);
    n++;
  }
  assert.ok(n >= 10, `only ${n} Python and Rust fixture files`);
});

test('C and JS extractors agree on the edge cases: docstrings, decorators, guards, use trees, extern blocks, UTF-16, CRLF', { skip: optedOut && 'DSM_NATIVE=0' }, async () => {
  const python = languageById('python')!;
  const rust = languageById('rust')!;
  for (const [spec, src] of [[python, PYTHON_EDGES], [rust, RUST_EDGES]] as const) {
    await same(spec, src, `${spec.id} edge cases`);
    await same(spec, src.replace(/\n/g, '\r\n'), `${spec.id} edge cases, CRLF`);
    await same(spec, '', `${spec.id} empty file`);
  }
  // The entry's own fields: an integer mtime (a uint, not a float64), a path outside ASCII; a lone surrogate
  // in a docstring (the string table's UTF-8 turns it into U+FFFD, as TextEncoder does).
  await same(python, PYTHON_EDGES, 'integer mtime, non-ASCII path', { path: 'dir/ü🎉.py', size: 0, mtimeMs: 1700000000000 });
  await same(python, 'def f():\n    """lone \ud83c surrogate \ud83c\udf89"""\n    g()\n', 'lone surrogate');
  // The cases are there: a few records the JS extractor gives for them.
  const r = await cRecord(python, PYTHON_EDGES);
  const foo = r.defs.find((d) => d.name === 'Foo')!;
  assert.deepEqual([foo.attrs, foo.bases, foo.doc], [['dataclass(frozen=True)', 'other.deco'], ['Base'], 'First line.']);
  assert.deepEqual(r.defs.find((d) => d.name === 'typed_only')?.attrs, ['TYPE_CHECKING']);
  assert.equal(r.defs.find((d) => d.name === 'amethod')?.doc, 'Real doc line');
  assert.ok(r.defs.find((d) => d.name === 'long_sig')!.sig.endsWith('…'));
  assert.ok(r.calls.find((c) => c.name === 'run')?.spawned);
  assert.ok(r.imports.find((i) => i.module === 'torch')?.guarded);
  const rr = await cRecord(rust, RUST_EDGES);
  const externC = rr.defs.filter((d) => d.attrs?.includes('extern "C"')).map((d) => d.name);
  assert.ok(['c_fn', 'exported', 'k_launch', 'k_other'].every((n) => externC.includes(n)), externC.join());
  // The grammar recovers `unsafe extern "C" {` as ERROR siblings: the enum after the block is no declaration of it.
  assert.deepEqual(rr.defs.find((d) => d.name === 'Mode')?.attrs, ['repr(i32)']);
  assert.deepEqual(rr.defs.find((d) => d.name === 'm')?.attrs, ['async', 'unsafe']);
  assert.deepEqual(rr.imports.filter((i) => i.line === 2).map((i) => [i.module, i.name, i.alias]),
    [['std::collections', 'HashMap', undefined], ['std::collections', 'HashSet', 'Set'], ['std::sync', 'Arc', undefined]]);
  assert.deepEqual(rr.imports.filter((i) => i.line === 6).map((i) => [i.module, i.name]), [['', 'tokio'], ['tokio::sync', 'Mutex']]);
  assert.deepEqual(rr.defs.find((d) => d.name === 'E')?.variants, ['u32, String']);
  assert.equal(rr.calls.find((c) => c.name === 'call_after_emoji')?.col, 43, 'UTF-16 code units after an emoji and an accent');
  assert.ok(rr.parseErrors > 0);
});
