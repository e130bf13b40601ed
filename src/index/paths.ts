/** Path conventions shared by every layer: test code, generated code, docs. */

const TEST_PATH = /(^|\/)(tests?|testing|test_utils|benches|benchmarks?)(\/|$)|(^|\/)test_[^/]*\.py$|_tests?\.(py|rs|cc|cpp|cu)$|(^|\/)conftest\.py$/;

/** Test code: left out of traces unless include_tests, ranked last in lookups. */
export function isTestPath(file: string): boolean {
  return TEST_PATH.test(file);
}

/** Test code inside a source file: Rust `#[test]` fns and `mod tests`, Python `test_*` methods of Test* classes. */
export function isTestDef(def: { name: string; container?: string; attrs?: string[] }): boolean {
  if (def.attrs?.some((a) => /^(test|tokio::test|rstest|cfg\(test\))\b/.test(a))) return true;
  if (def.container && /(^|::|\.)tests?($|::|\.)/.test(def.container)) return true;
  return /^Test[A-Z_]/.test(def.container ?? '') && def.name.startsWith('test');
}
