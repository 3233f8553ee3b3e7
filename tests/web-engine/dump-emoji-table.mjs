#!/usr/bin/env node
// Writes the web engine's built-in emoji table as JSON (engine-emoji-table.json beside
// this script is its output, which tests/web_engine.rs checks against the engine):
//
//   node tests/web-engine/dump-emoji-table.mjs --modules "$(bash tests/web-engine/install.sh)" \
//     > tests/web-engine/engine-emoji-table.json
//
// The table is not exported: its two object literals are read out of the engine's bundle
// (the key -> picture file map that handleTextMessage's decodeText looks `[...]` tokens up
// in, and the key -> Chinese name map the conversation list shows as the last message's
// text when no translation is loaded). Then every key is drawn, alone in a text element,
// by draw.mjs, and "src" is the picture the engine drew for it: the file names are read
// from the bundle, the addresses are the engine's own.
//
// Output: {"engine": "name@version", "count": N, "emoji": [{"key", "file", "src",
// "preview"}, ...]} in the bundle's order; "preview" is null for a key without a name.

import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const ENGINE = "@tencentcloud/chat-uikit-engine-lite";

function fail(message) {
  process.stderr.write(`dump-emoji-table.mjs: ${message}\n`);
  process.exit(3);
}

const args = process.argv.slice(2);
let dir = process.env.TIML_WEB_ENGINE_MODULES || here;
if (args[0] === "--modules" && args.length === 2) dir = args[1];
else if (args.length > 0) fail("usage: dump-emoji-table.mjs [--modules DIR]");
dir = path.resolve(dir);

const require = createRequire(path.join(dir, "package.json"));
const manifest = require(`${ENGINE}/package.json`);
const bundle = fs.readFileSync(require.resolve(ENGINE), "utf8");

// The one object literal of `"[TUIEmoji_...]":"<value>"` pairs whose values match `value`.
function literal(value, what) {
  const pair = `"\\[TUIEmoji_[^"\\]]+\\]":"${value}"`;
  const found = bundle.match(new RegExp(`\\{${pair}(?:,${pair})*\\}`, "g")) || [];
  if (found.length !== 1) fail(`${found.length} ${what} tables in ${ENGINE} ${manifest.version}, not 1`);
  return JSON.parse(found[0]);
}
const files = literal("emoji_[0-9]+@2x\\.png", "picture");
const previews = literal("\\[[^\"\\]]+\\]", "name");

const keys = Object.keys(files);
const body = {
  MsgBody: keys.map((key) => ({ MsgType: "TIMTextElem", MsgContent: { Text: key } })),
};
const drawn = spawnSync(process.execPath, [path.join(here, "draw.mjs"), "--modules", dir], {
  input: `${JSON.stringify(body)}\n`,
  encoding: "utf8",
});
if (drawn.status !== 0) fail(`draw.mjs exited ${drawn.status}: ${drawn.stderr}`);
const entries = JSON.parse(drawn.stdout.trim());

const emoji = keys.map((key, i) => {
  const pieces = entries[i].engine && entries[i].engine.text;
  const single = pieces && pieces.length === 1 && pieces[0].name === "img" && pieces[0].emojiKey === key;
  if (!single) fail(`the engine did not draw ${key} as one picture: ${JSON.stringify(entries[i])}`);
  return { key, file: files[key], src: pieces[0].src, preview: previews[key] ?? null };
});
const table = { engine: `${ENGINE}@${manifest.version}`, count: emoji.length, emoji };
process.stdout.write(`${JSON.stringify(table, null, 2)}\n`);
