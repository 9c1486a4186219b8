// Interop: Node's own HTTP clients against the built `cdcscope --headless` — `http.request` with
// a chunked body (write, then end, no length) and `fetch` — and the payload as the `ws` client
// receives it: byte for byte what was published. Run by CTest (e2e_node_http).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import http from "node:http";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const WebSocket = require("ws");

let server;
let port;

before(
  () =>
    new Promise((resolve, reject) => {
      let log = "";
      server = spawn(process.env.CDCSCOPE_BINARY, ["--headless", "--port", "0", "--in-memory"], {
        stdio: ["ignore", "ignore", "pipe"],
      });
      const timer = setTimeout(() => reject(new Error(`no listen line from cdcscope:\n${log}`)), 10000);
      server.stderr.on("data", (chunk) => {
        log += chunk.toString();
        const match = log.match(/listening on ws:\/\/127\.0\.0\.1:(\d+)\/ws/);
        if (match && !port) {
          port = Number(match[1]);
          clearTimeout(timer);
          resolve();
        }
      });
    }),
);

after(() => server?.kill("SIGTERM"));

// The first event frame a `ws` client of `channel` receives, as text.
function nextEvent(channel) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { "X-Athena-Client": channel } });
  const subscribed = new Promise((resolve) => ws.once("message", resolve));
  const event = new Promise((resolve, reject) => {
    ws.on("message", (data) => {
      const text = data.toString();
      if (text.includes('"payload"')) {
        ws.close();
        resolve(text);
      }
    });
    setTimeout(() => reject(new Error("no event within 10 s")), 10000).unref();
  });
  return { subscribed, event };
}

const payloadOf = (frame) => frame.slice(frame.indexOf(',"payload":') + 11, -2);

test("http.request with a chunked body (no Content-Length) publishes", async () => {
  const listener = nextEvent("node_chunked");
  await listener.subscribed;
  const answer = await new Promise((resolve, reject) => {
    const request = http.request({ host: "127.0.0.1", port, method: "POST", path: "/events" }, (response) => {
      let body = "";
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode, body }));
    });
    request.on("error", reject);
    request.write('{"organization_id":"node_chunked",');
    request.write('"data":{"z":1,"a":0.1000000000000000055511151231257827}}');
    request.end();
  });
  assert.equal(answer.status, 200, answer.body);
  assert.equal(JSON.parse(answer.body).seq, 1);
  assert.equal(payloadOf(await listener.event), '{"z":1,"a":0.1000000000000000055511151231257827}');
});

test("fetch publishes, reads, and HEAD answers without a body", async () => {
  const listener = nextEvent("node_fetch");
  await listener.subscribed;
  const published = await fetch(`http://127.0.0.1:${port}/events`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: '{"organization_id":"node_fetch","data":[1.0,-0,1E+2,"\\u00e9"]}',
  });
  assert.equal(published.status, 200);
  assert.equal((await published.json()).organization_id, "node_fetch");
  assert.equal(payloadOf(await listener.event), '[1.0,-0,1E+2,"\\u00e9"]');

  const channels = await (await fetch(`http://127.0.0.1:${port}/channels`)).json();
  assert.ok(channels.channels.some((channel) => channel.organization_id === "node_fetch"));
  const head = await fetch(`http://127.0.0.1:${port}/health`, { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), "");

  const refused = await fetch(`http://127.0.0.1:${port}/events`, {
    method: "POST",
    body: '{"organization_id":"node_fetch",\n"data":[1,]}',
  });
  assert.equal(refused.status, 400);
  assert.match((await refused.json()).message, /line 2, column 11/);
});

// The webhooks of other CDC tools, as Node's fetch sends them (docs/webhooks.md): a Sequin batch
// with its channel from metadata.table_name, a Supabase row change, and an NDJSON body refused at
// its bad line with nothing stored.
test("fetch posts Sequin and Supabase webhook bodies into channels", async () => {
  const base = `http://127.0.0.1:${port}`;
  const message = (id, key) =>
    `{"record":{"id":${id},"price":199.99},"changes":null,"action":"insert","metadata":{"table_schema":"public",` +
    `"table_name":"node_orders","idempotency_key":"${key}","commit_timestamp":"2024-10-28T21:37:01.127470Z"}}`;
  const listener = nextEvent("node_orders");
  await listener.subscribed;
  const sequin = await fetch(`${base}/channels/unused/events?items=data&channel=metadata.table_name`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: `{"data":[${message(1, "n1")}]}`,
  });
  assert.equal(sequin.status, 200);
  assert.equal((await sequin.json()).organization_id, "node_orders");
  assert.equal(payloadOf(await listener.event), message(1, "n1"));

  const supabase =
    '{"type":"INSERT","table":"node_todos","schema":"public","record":{"id":1,"done":false},"old_record":null}';
  const answer = await fetch(`${base}/channels/todos/events?channel=table`, { method: "POST", body: supabase });
  assert.equal(answer.status, 200);
  assert.equal((await answer.json()).organization_id, "node_todos");
  const exported = await (await fetch(`${base}/channels/node_todos/export`)).text();
  assert.equal(payloadOf(exported.trim()), supabase);

  const bad = await fetch(`${base}/channels/node_bad/events`, { method: "POST", body: '{"a":1}\n{"a":}\n' });
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).message, /NDJSON line 2, column 6/);
  const channels = await (await fetch(`${base}/channels`)).json();
  assert.ok(!channels.channels.some((channel) => channel.organization_id === "node_bad"));
});
