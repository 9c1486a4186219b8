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
