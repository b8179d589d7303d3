// Every string the page's scripts read (S.name) is in the catalogue: a missing one would show
// as "undefined" on the page. (That French says each of them: tests/test_translations.py.)
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { test } from "node:test";

const web = new URL("../../kokoro_tts/web/", import.meta.url);
const catalogue = (locale) => JSON.parse(readFileSync(new URL(`locales/${locale}.json`, web), "utf-8"));
const en = catalogue("en");
const scripts = readdirSync(new URL("static/", web)).filter((name) => name.endsWith(".mjs"));

test("the page's scripts are ES modules, each at most 250 lines", () => {
  assert.ok(scripts.includes("main.mjs"));
  for (const name of scripts) {
    const lines = readFileSync(new URL(`static/${name}`, web), "utf-8").split("\n").length - 1;
    assert.ok(lines <= 250, `${name}: ${lines} lines`);
  }
});

test("every S.name the scripts read is an English string", () => {
  for (const name of scripts) {
    const source = readFileSync(new URL(`static/${name}`, web), "utf-8");
    for (const [, key] of source.matchAll(/\bS\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
      assert.ok(key in en, `${name} reads S.${key}, which en.json lacks`);
    }
  }
});

test("each job status has its words; the picker's groups and genders theirs", () => {
  for (const status of ["queued", "running", "done", "failed", "cancelled", "cancelling"]) {
    assert.ok(`job_${status}` in en, `job_${status}`);
  }
  for (const key of ["favourites", "other_voices", "gender_female", "gender_male"]) assert.ok(key in en, key);
});

test("no string tells people who do not run the server to type a command", () => {
  for (const [key, text] of Object.entries(en)) {
    assert.ok(!/flask |--app|wsgi/.test(String(text)), `${key}: ${text}`);
  }
});
