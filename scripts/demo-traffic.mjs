// Demo traffic for CDC Scope: a few subscribers (the Node `ws` client of the spec) and a producer
// publishing CDC-shaped events with athena's POST /events. Used by scripts/screenshot.sh.
//   node scripts/demo-traffic.mjs PORT SECONDS
import { createRequire } from "node:module";

const require = createRequire(new URL("../tests/e2e/package.json", import.meta.url));
const WebSocket = require("ws");
const port = Number(process.argv[2] ?? 4053);
const seconds = Number(process.argv[3] ?? 10);
const base = `http://127.0.0.1:${port}`;

const clients = ["billing_service", "audit_log", "search_indexer"].map(
  (name) => new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { "X-Athena-Client": name } }),
);
for (const ws of clients) ws.on("error", () => {});
clients[1].on("open", () => clients[1].send(JSON.stringify({ type: "subscribe", organization_id: "orders" })));

const tables = ["orders", "customers", "payments"];
let n = 0;
const timer = setInterval(async () => {
  const batch = [];
  for (let i = 0; i < 5; i++) {
    n++;
    const table = tables[n % tables.length];
    batch.push({
      organization_id: n % 4 === 0 ? "billing_service" : table === "orders" ? "orders" : "audit_log",
      data: {
        op: ["insert", "update", "delete"][n % 3],
        schema: "public",
        table,
        lsn: `0/16B${(0x3748 + n * 40).toString(16).toUpperCase()}`,
        commit_ts_ms: Date.now(),
        new: { id: 1000 + n, status: ["new", "paid", "shipped"][n % 3], total: Math.round(n * 13.7) / 10 },
      },
    });
  }
  try {
    await fetch(`${base}/events`, { method: "POST", body: JSON.stringify(batch) });
  } catch {}
}, 100);

setTimeout(() => {
  clearInterval(timer);
  for (const ws of clients) ws.close();
}, seconds * 1000);
