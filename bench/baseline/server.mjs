// The benchmark baseline: what a user would write instead of CDC Scope — the CDC WebSocket
// protocol (POST /events, /ws with X-Athena-Client, subscribe/unsubscribe, travel with its ack)
// on Node's http and the `ws` package, events kept in memory. Written plainly but not naively:
// each event is serialized once and that string is sent to every subscriber.
//   node server.mjs [--port N]      prints "listening on ws://127.0.0.1:N/ws" on stderr
import http from "node:http";
import { WebSocketServer } from "ws";

const portArgument = process.argv.indexOf("--port");
const port = portArgument > 0 ? Number(process.argv[portArgument + 1]) : 4053;
const retainPerChannel = 100_000;
const defaultLimit = 10_000;
const maxLimit = 50_000;

const channels = new Map(); // name -> { events: [{seq, ts, frame}], nextSeq, lastTs, subscribers: Set }

function channelNamed(name) {
  let channel = channels.get(name);
  if (!channel) {
    channel = { events: [], nextSeq: 1, lastTs: 0, subscribers: new Set() };
    channels.set(name, channel);
  }
  return channel;
}

function append(name, payload) {
  const channel = channelNamed(name);
  const ts = Math.max(Date.now(), channel.lastTs);
  const seq = channel.nextSeq++;
  channel.lastTs = ts;
  const frame = JSON.stringify({ organization_id: name, data: { seq, ts_ms: ts, payload } });
  channel.events.push({ seq, ts, frame });
  // Trimmed in chunks: shift() per event would be O(n) each time and make the baseline unfairly slow.
  if (channel.events.length > retainPerChannel * 1.1) channel.events.splice(0, channel.events.length - retainPerChannel);
  for (const ws of channel.subscribers) ws.send(frame);
  return { organization_id: name, seq, ts_ms: ts };
}

function answer(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

function validEvent(event) {
  return event && typeof event === "object" && typeof event.organization_id === "string" &&
    event.organization_id.length > 0 && "data" in event;
}

const server = http.createServer((req, res) => {
  if (req.method === "GET" && req.url === "/health") return answer(res, 200, { status: "ok" });
  if (req.url !== "/events") return answer(res, 404, { error: "not_found", message: req.url });
  if (req.method !== "POST") return answer(res, 405, { error: "method_not_allowed", message: req.method });
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch (error) {
      return answer(res, 400, { error: "invalid_json", message: error.message });
    }
    const batch = Array.isArray(body) ? body : [body];
    if (!batch.every(validEvent)) return answer(res, 422, { error: "invalid_event", message: "organization_id and data" });
    const stored = batch.map((event) => append(event.organization_id, event.data));
    if (Array.isArray(body)) answer(res, 200, { status: "ok", count: stored.length, events: stored });
    else answer(res, 200, { status: "ok", ...stored[0] });
  });
});

const sockets = new WebSocketServer({ noServer: true });
server.on("upgrade", (req, socket, head) => {
  const client = (req.headers["x-athena-client"] ?? "").trim();
  if (!req.url.startsWith("/ws") || !client) {
    const text = JSON.stringify({ error: "Missing X-Athena-Client header", message: "", hint: "use ws://" });
    socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
    return;
  }
  sockets.handleUpgrade(req, socket, head, (ws) => connected(ws, client));
});

function subscribe(ws, name) {
  ws.subscriptions.add(name);
  channelNamed(name).subscribers.add(ws);
}

function travel(ws, request) {
  const names = typeof request.organization_id === "string" ? [request.organization_id] : [...ws.subscriptions];
  const limit = Math.min(Number.isInteger(request.limit) && request.limit > 0 ? request.limit : defaultLimit, maxLimit);
  const sinceSeq = Number.isInteger(request.since_seq) ? request.since_seq : null;
  const sinceTs = Number.isInteger(request.since_ts_ms) ? request.since_ts_ms : null;
  let matching = [];
  for (const name of names) {
    for (const event of channels.get(name)?.events ?? []) {
      if ((sinceSeq === null || event.seq > sinceSeq) && (sinceTs === null || event.ts >= sinceTs))
        matching.push({ name, ...event });
    }
  }
  matching.sort((a, b) => a.ts - b.ts || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || a.seq - b.seq);
  const truncated = matching.length > limit;
  // No since: the newest `limit`; with one: the oldest `limit` (so a client can page forward).
  matching = sinceSeq === null && sinceTs === null ? matching.slice(-limit) : matching.slice(0, limit);
  for (const event of matching) ws.send(event.frame);
  ws.send(JSON.stringify({
    status: "travel_complete", organization_id: request.organization_id ?? null,
    since_seq: sinceSeq, since_ts_ms: sinceTs, limit, count: matching.length, truncated,
  }));
}

function connected(ws, client) {
  ws.subscriptions = new Set();
  subscribe(ws, client);
  ws.send(JSON.stringify({ status: "subscribed", client_id: client, message: "Subscribed via X-Athena-Client header" }));
  ws.on("message", (data, isBinary) => {
    let message;
    try {
      if (isBinary) throw new Error("binary frame");
      message = JSON.parse(data.toString());
    } catch (error) {
      return ws.send(JSON.stringify({ status: "error", error: "invalid_json", message: error.message }));
    }
    if (message.type === "travel") return travel(ws, message);
    const target = message.organization_id ?? message.subscribe_to_organization_id;
    if ((message.type === "subscribe" || message.subscribe_to_organization_id) && typeof target === "string") {
      subscribe(ws, target);
      return ws.send(JSON.stringify({ status: "subscribed", organization_id: target, subscriptions: [...ws.subscriptions] }));
    }
    if (message.type === "unsubscribe" && typeof target === "string") {
      ws.subscriptions.delete(target);
      channels.get(target)?.subscribers.delete(ws);
      return ws.send(JSON.stringify({ status: "unsubscribed", organization_id: target, subscriptions: [...ws.subscriptions] }));
    }
    ws.send(JSON.stringify({ status: "error", error: "unknown_type", message: String(message.type) }));
  });
  ws.on("close", () => {
    for (const name of ws.subscriptions) channels.get(name)?.subscribers.delete(ws);
  });
}

server.listen(port, "127.0.0.1", () => {
  console.error(`listening on ws://127.0.0.1:${server.address().port}/ws and http://127.0.0.1:${server.address().port}/`);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));
