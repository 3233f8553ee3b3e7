#!/usr/bin/env node
// Draws timl's send_group_msg bodies with Tencent's own web chat UI engine,
// @tencentcloud/chat-uikit-engine-lite (the version package.json pins), in Node: no
// browser, no login, no network.
//
//   dir="$(bash tests/web-engine/install.sh)"
//   timl compile t.timl --data rows.csv | node tests/web-engine/draw.mjs --modules "$dir"
//
// --modules DIR: the folder holding node_modules/ (what install.sh prints). Without it,
// $TIML_WEB_ENGINE_MODULES, else this script's own folder. The engine is an ES module,
// which NODE_PATH does not reach: it is found with createRequire on DIR and imported by
// its path; its own imports (@tencentcloud/lite-chat) resolve from there.
//
// Input: JSON Lines on standard input, each a whole send_group_msg body as timl writes it
// ({"GroupId":...,"MsgBody":[...],...}). Blank lines are skipped.
//
// Output: for each body, one line: a JSON array with one entry per MsgBody element, in
// order. Each entry is
//   {"MsgType": <the element's MsgType>, "engine": <what the engine returned>}
// or, when the engine threw, {"MsgType": ..., "error": <the exception's message>}.
// "engine" is the engine's own return value, copied as JSON with its object keys sorted
// (nothing added, dropped or computed here):
//   TIMTextElem: TUIChat.messageHandler.handleTextMessage({type, payload: {text: Text}})
//     returns {"text": [piece, ...]}, each piece either
//       {"name": "text", "text": "..."}
//       {"emojiKey": "[TUIEmoji_Smile]", "name": "img", "src": "https://.../emoji_6@2x.png"}
//       {"emojiKey": "[x@custom]", "name": "img", "src": "", "type": "custom"}
//     (an empty Text gives {"text": []}).
//   TIMFaceElem: TUIChat.messageHandler.handleFaceMessage({type, payload: {index: Index, data: Data}})
//     returns {"name": "yz00@2x", "type": "", "url": "https://.../face-elem/yz00@2x.png"}
//     ({"name": Data, "type": "custom", "url": ""} when Data holds "@custom").
//   Any other MsgType: "engine" is null (not drawn here).
// The payloads are the ones the SDK makes of a pushed element (lite-chat's
// parseServerPushElement: MsgContent.Text -> payload.text; MsgContent.Index, Data ->
// payload.index, data); the message's `type` is the element's MsgType, as in the SDK.
//
// Exit codes: 0 drawn; 2 a line is not a body (the message names the line); 3 the
// engine is missing or not the pinned version, or it tried to reach the network.

import fs from "node:fs";
import path from "node:path";
import net from "node:net";
import dgram from "node:dgram";
import readline from "node:readline";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const ENGINE = "@tencentcloud/chat-uikit-engine-lite";

function fail(code, message) {
  process.stderr.write(`draw.mjs: ${message}\n`);
  process.exit(code);
}

// --- no network: any attempt is recorded, fails where it is made, and fails the run.
const networkAttempts = [];
function refuse(what) {
  networkAttempts.push(what);
  process.stderr.write(`draw.mjs: the engine tried to reach the network: ${what}\n`);
  process.exitCode = 3;
  throw new Error(`draw.mjs: no network here (${what})`);
}
net.Socket.prototype.connect = function (...args) {
  refuse(`socket connect ${JSON.stringify(args[0])}`);
};
dgram.Socket.prototype.send = function () {
  refuse("udp send");
};
globalThis.fetch = (url) => refuse(`fetch ${url}`);
globalThis.WebSocket = class {
  constructor(url) {
    refuse(`WebSocket ${url}`);
  }
};

// --- standard output is ours alone: the engine's console banners go to standard error.
for (const level of ["log", "info", "debug", "warn"]) {
  console[level] = (...args) => process.stderr.write(`${args.map(String).join(" ")}\n`);
}

function modulesDir() {
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--modules" && i + 1 < args.length) return path.resolve(args[i + 1]);
    if (args[i].startsWith("--modules=")) return path.resolve(args[i].slice("--modules=".length));
    fail(2, `unknown argument ${args[i]} (usage: draw.mjs [--modules DIR] < bodies.jsonl)`);
  }
  return path.resolve(process.env.TIML_WEB_ENGINE_MODULES || here);
}

async function loadEngine(dir) {
  const require = createRequire(path.join(dir, "package.json"));
  let manifest;
  let entry;
  try {
    manifest = require(`${ENGINE}/package.json`);
    entry = require.resolve(ENGINE);
  } catch (error) {
    fail(3, `${ENGINE} not found under ${dir}/node_modules (run install.sh): ${error.message}`);
  }
  const pinned = JSON.parse(fs.readFileSync(path.join(here, "package.json"), "utf8"))
    .dependencies[ENGINE];
  if (manifest.version !== pinned) {
    fail(3, `${ENGINE} under ${dir} is ${manifest.version}, package.json pins ${pinned} (run install.sh)`);
  }
  const module = await import(pathToFileURL(entry).href);
  const engine = module.TUIChatEngine || module.default;
  const handler = engine && engine.TUIChat && engine.TUIChat.messageHandler;
  if (!handler || typeof handler.handleTextMessage !== "function" || typeof handler.handleFaceMessage !== "function") {
    fail(3, `${ENGINE} ${manifest.version} has no TUIChat.messageHandler.handleTextMessage/handleFaceMessage`);
  }
  return { engine, handler };
}

// The engine's value as JSON, object keys sorted; undefined members dropped as JSON does.
function sorted(value) {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === "object") {
    const out = {};
    for (const key of Object.keys(value).sort()) {
      if (value[key] !== undefined) out[key] = sorted(value[key]);
    }
    return out;
  }
  return value;
}

function drawElement({ engine, handler }, element) {
  const type = element && element.MsgType;
  const content = (element && element.MsgContent) || {};
  try {
    if (type === engine.TYPES.MSG_TEXT) {
      return { MsgType: type, engine: sorted(handler.handleTextMessage({ type, payload: { text: content.Text } })) };
    }
    if (type === engine.TYPES.MSG_FACE) {
      return {
        MsgType: type,
        engine: sorted(handler.handleFaceMessage({ type, payload: { index: content.Index, data: content.Data } })),
      };
    }
    return { MsgType: type === undefined ? null : type, engine: null };
  } catch (error) {
    return { MsgType: type, error: String(error && error.message ? error.message : error) };
  }
}

const loaded = await loadEngine(modulesDir());
const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
let number = 0;
for await (const line of input) {
  number += 1;
  if (line.trim() === "") continue;
  let body;
  try {
    body = JSON.parse(line);
  } catch (error) {
    fail(2, `line ${number}: not JSON: ${error.message}`);
  }
  if (!body || !Array.isArray(body.MsgBody)) fail(2, `line ${number}: no MsgBody array`);
  process.stdout.write(`${JSON.stringify(body.MsgBody.map((element) => drawElement(loaded, element)))}\n`);
}
if (networkAttempts.length > 0) fail(3, `${networkAttempts.length} network attempt(s)`);
// The SDK keeps a timer of its own running: leave once standard output is written.
process.stdout.write("", () => process.exit(process.exitCode || 0));
