// End-to-end: the spec's own Node `ws` client, and curl, against the built `cdcscope --headless`.
// Run by CTest (e2e_node_ws); CDCSCOPE_BINARY names the binary. `npm ci` in this folder first.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFile } from "node:child_process";
import { createRequire } from "node:module";
import { promisify } from "node:util";

const require = createRequire(import.meta.url);
let WebSocket;
try {
  WebSocket = require("ws");
} catch {
  throw new Error("the npm package 'ws' is missing: run `npm ci` in tests/e2e (scripts/test.sh does)");
}

const binary = process.env.CDCSCOPE_BINARY;
let server;
let port;
let serverLog = "";

function startServer() {
  return new Promise((resolve, reject) => {
    server = spawn(binary, ["--headless", "--port", "0"], { stdio: ["ignore", "ignore", "pipe"] });
    const timer = setTimeout(() => reject(new Error(`no listen line from cdcscope:\n${serverLog}`)), 10000);
    server.stderr.on("data", (chunk) => {
      serverLog += chunk.toString();
      const match = serverLog.match(/listening on ws:\/\/127\.0\.0\.1:(\d+)\/ws/);
      if (match && !port) {
        port = Number(match[1]);
        clearTimeout(timer);
        resolve();
      }
    });
    server.on("exit", (code) => reject(new Error(`cdcscope exited early (${code}):\n${serverLog}`)));
  });
}

// Collects every message of a socket, and lets a test wait for the n-th.
function recorder(ws) {
  const messages = [];
  const waiters = [];
  ws.on("message", (data) => {
    messages.push(JSON.parse(data.toString()));
    for (const waiter of [...waiters]) waiter();
  });
  const waitFor = (predicate, what, timeoutMs = 5000) =>
    new Promise((resolve, reject) => {
      const check = () => {
        if (predicate(messages)) {
          waiters.splice(waiters.indexOf(check), 1);
          clearTimeout(timer);
          resolve(messages);
        }
      };
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(messages)}`)), timeoutMs);
      waiters.push(check);
      check();
    });
  return { messages, waitFor };
}

async function publish(body) {
  const response = await fetch(`http://127.0.0.1:${port}/events`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

before(startServer);

after(async () => {
  if (!server || server.exitCode !== null) return;
  const exited = new Promise((resolve) => server.on("exit", resolve));
  server.kill("SIGTERM");
  const code = await exited;
  assert.equal(code, 0, `cdcscope should exit 0 on SIGTERM:\n${serverLog}`);
});

test("the spec's Node example connects, is greeted, and receives live events", async () => {
  // Verbatim from spec/cdc-websocket.md, with the port of this run.
  const ws = new WebSocket(`ws://localhost:${port}/ws`, {
    headers: { "X-Athena-Client": "athena_logging" },
  });
  const { waitFor } = recorder(ws);
  const [greeting] = await waitFor((m) => m.length >= 1, "the subscription confirmation");
  assert.deepEqual(greeting, {
    status: "subscribed",
    client_id: "athena_logging",
    message: "Subscribed via X-Athena-Client header",
  });

  const published = await publish({ organization_id: "athena_logging", data: { table: "users", op: "insert", id: 7 } });
  assert.equal(published.status, 200);
  assert.equal(published.json.seq, 1);

  const messages = await waitFor((m) => m.length >= 2, "the live event");
  const event = messages[1];
  assert.equal(event.organization_id, "athena_logging");
  assert.equal(event.data.seq, 1);
  assert.equal(event.data.ts_ms, published.json.ts_ms);
  assert.deepEqual(event.data.payload, { table: "users", op: "insert", id: 7 });
  ws.close();
});

test("travel replays buffered events and ends with travel_complete", async () => {
  for (let i = 0; i < 5; i++) await publish({ organization_id: "replay_me", data: { i } });
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { "X-Athena-Client": "replay_me" } });
  const { waitFor } = recorder(ws);
  await waitFor((m) => m.length >= 1, "greeting");
  ws.send(JSON.stringify({ type: "travel", organization_id: "replay_me", since_seq: 2, limit: 500 }));
  const messages = await waitFor((m) => m.some((x) => x.status === "travel_complete"), "travel_complete");
  const replayed = messages.filter((x) => x.data).map((x) => x.data.seq);
  assert.deepEqual(replayed, [3, 4, 5]);
  const ack = messages.find((x) => x.status === "travel_complete");
  assert.equal(ack.organization_id, "replay_me");
  assert.equal(ack.since_seq, 2);
  assert.equal(ack.since_ts_ms, null);
  assert.equal(ack.limit, 500);
  assert.equal(ack.count, 3);

  // The spec's first travel example: last 100 for the current client.
  ws.send(JSON.stringify({ type: "travel", limit: 100 }));
  const after = await waitFor((m) => m.filter((x) => x.status === "travel_complete").length >= 2, "second ack");
  const second = after.slice(after.indexOf(ack) + 1).filter((x) => x.data).map((x) => x.data.seq);
  assert.deepEqual(second, [1, 2, 3, 4, 5]);
  ws.close();
});

test("a ws client without X-Athena-Client gets the 400", async () => {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  const status = await new Promise((resolve) => {
    ws.on("unexpected-response", (request, response) => resolve(response.statusCode));
    ws.on("open", () => resolve("opened"));
    ws.on("error", () => {});
  });
  assert.equal(status, 400);
});

test("curl sees the 400 with a JSON body naming the header", async () => {
  const { stdout } = await promisify(execFile)("curl", [
    "-s", "-i",
    "-H", "Connection: Upgrade",
    "-H", "Upgrade: websocket",
    "-H", "Sec-WebSocket-Version: 13",
    "-H", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    `http://127.0.0.1:${port}/ws`,
  ]);
  const [head, body] = stdout.split("\r\n\r\n");
  assert.match(head, /^HTTP\/1\.1 400 Bad Request/);
  assert.match(head, /Content-Type: application\/json/i);
  const json = JSON.parse(body);
  assert.equal(json.error, "Missing X-Athena-Client header");
  assert.ok(json.message.length > 0);
  assert.match(json.hint, /ws:\/\//);
});

// A Debezium-shaped change of about 2 KB, as text: bytes a parser would change (digits, escapes,
// a repeated key) must reach the reader unchanged, compressed or not.
function debeziumText(id) {
  const columns = Array.from({ length: 22 }, (_, c) => `"column_${c}":"caf\\u00e9 ${id * 31 + c}"`).join(",");
  const row = `{"id":${id},"amount":0.1000000000000000055511151231257827,${columns}}`;
  return `{"before":${row},"after":${row},"source":{"connector":"postgresql","db":"inventory","table":"orders",` +
    `"lsn":${330000 + id}},"op":"u","op":"c","ts_ms":1700000000123}`;
}

// Opens a ws client (options: ws's own) and collects the raw text of every message.
async function rawClient(channel, options = {}) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { "X-Athena-Client": channel }, ...options });
  const texts = [];
  const waiters = [];
  let agreed = "";
  ws.on("upgrade", (response) => { agreed = response.headers["sec-websocket-extensions"] ?? ""; });
  ws.on("message", (data) => {
    texts.push(data.toString());
    for (const waiter of [...waiters]) waiter();
  });
  await new Promise((resolve, reject) => { ws.on("open", resolve); ws.on("error", reject); });
  const waitFor = (predicate, what) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${texts.length} messages`)), 10000);
    const check = () => {
      if (!predicate(texts)) return;
      waiters.splice(waiters.indexOf(check), 1);
      clearTimeout(timer);
      resolve(texts);
    };
    waiters.push(check);
    check();
  });
  return { ws, texts, waitFor, agreed };
}

async function publishText(channel, payloadText) {
  const response = await fetch(`http://127.0.0.1:${port}/events`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: `{"organization_id":"${channel}","data":${payloadText}}`,
  });
  assert.equal(response.status, 200);
}

const payloadOf = (text) => text.slice(text.indexOf(',"payload":') + ',"payload":'.length, -2);

test("ws agrees permessage-deflate and reads compressed events and replays byte for byte", async () => {
  // ws offers permessage-deflate by default, and compresses its own messages of 1 KiB or more.
  const client = await rawClient("deflated");
  assert.equal(client.ws.extensions, "permessage-deflate");
  assert.equal(client.agreed, "permessage-deflate; server_no_context_takeover; client_no_context_takeover");
  await client.waitFor((t) => t.length >= 1, "greeting");
  const payloads = [1, 2, 3].map(debeziumText);
  for (const payload of payloads) await publishText("deflated", payload);
  await client.waitFor((t) => t.length >= 4, "three events");
  assert.deepEqual(client.texts.slice(1, 4).map(payloadOf), payloads);

  // A compressed request (padded past ws's threshold) is read; the replay comes back whole.
  client.ws.send(JSON.stringify({ type: "travel", limit: 3, note: "x".repeat(2000) }));
  const texts = await client.waitFor((t) => t.some((x) => x.includes('"travel_complete"')), "travel_complete");
  assert.deepEqual(texts.slice(4, 7).map(payloadOf), payloads);
  client.ws.close();
});

test("ws asking for a narrower server window, and ws without compression, read the same events", async () => {
  const narrow = await rawClient("windows", { perMessageDeflate: { serverMaxWindowBits: 10 } });
  assert.match(narrow.agreed, /; server_max_window_bits=10$/);
  const plain = await rawClient("windows", { perMessageDeflate: false });
  assert.equal(plain.ws.extensions, "");
  assert.equal(plain.agreed, "");
  await narrow.waitFor((t) => t.length >= 1, "greeting");
  await plain.waitFor((t) => t.length >= 1, "greeting");
  const payload = debeziumText(9);
  await publishText("windows", payload);
  await narrow.waitFor((t) => t.length >= 2, "the event");
  await plain.waitFor((t) => t.length >= 2, "the event");
  assert.equal(payloadOf(narrow.texts[1]), payload);
  assert.equal(narrow.texts[1], plain.texts[1]);
  narrow.ws.close();
  plain.ws.close();
});
