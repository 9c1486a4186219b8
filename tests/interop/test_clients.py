"""Interop: the clients users have, as their own documentation uses them, against the built binary.

Python's requests (a generator body: chunked), aiohttp (a streamed body, and its WebSocket
client), urllib, websockets; curl with a 2 MiB body (Expect: 100-continue); and a real browser:
headless Chromium loads a page from another origin that connects with ?client=, publishes with
fetch through the CORS preflight, and reports what it received. Run by CTest with Debian's
python3 (the python3-* packages scripts/install-deps.sh installs).
"""

import asyncio
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.request

import aiohttp
import requests
import websockets

BINARY = os.environ["CDCSCOPE_BINARY"]

# Payloads a parser would change: key order, digits past a double, escapes, duplicate keys.
TRICKY = (
    '{"before":null,"after":{"id":123456789012345678901234567890,"amount":0.1000000000000000055511151231257827,'
    '"one":1.0,"zero":-0,"e":1E+2,"name":"caf\\u00e9 \\/ \\ud83d\\ude00 ok","raw":"Zo\u00eb"},"op":"c","op":"u"}'
)


class Server:
    """A headless cdcscope on an OS-chosen port."""

    def __init__(self, *flags, data_dir=None):
        args = [BINARY, "--headless", "--port", "0"] + list(flags)
        args += ["--data-dir", data_dir] if data_dir else ["--in-memory"]
        # The test environment says CDCSCOPE_IN_MEMORY=1; a journaled server must not inherit it.
        env = {k: v for k, v in os.environ.items() if k != "CDCSCOPE_IN_MEMORY"}
        self.process = subprocess.Popen(args, stderr=subprocess.PIPE, text=True, env=env)
        self.log = []
        deadline = time.monotonic() + 15
        self.port = None
        while self.port is None and time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line:
                break
            self.log.append(line)
            found = re.search(r"listening on ws://127\.0\.0\.1:(\d+)/ws", line)
            if found:
                self.port = int(found.group(1))
        if self.port is None:
            self.process.kill()
            raise RuntimeError("the server did not start:\n" + "".join(self.log))
        self._drainer = threading.Thread(target=self._drain, daemon=True)
        self._drainer.start()

    def _drain(self):
        for line in self.process.stderr:
            self.log.append(line)

    @property
    def http(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self):
        return f"ws://127.0.0.1:{self.port}/ws"

    def stop(self):
        self.process.terminate()
        self.process.wait(10)
        self._drainer.join(5)
        self.process.stderr.close()


def envelope(channel, payload_text):
    return '{"organization_id":' + json.dumps(channel) + ',"data":' + payload_text + "}"


def debezium_text(row_id):
    """A Debezium-shaped change of about 2 KB, as text, with bytes a parser would change."""
    columns = ",".join(f'"column_{c}":"caf\\u00e9 {row_id * 31 + c}"' for c in range(22))
    row = f'{{"id":{row_id},"amount":0.1000000000000000055511151231257827,{columns}}}'
    return (
        f'{{"before":{row},"after":{row},"source":{{"connector":"postgresql","db":"inventory","table":"orders",'
        f'"lsn":{330000 + row_id}}},"op":"u","op":"c","ts_ms":1700000000123}}'
    )


def payload_of(frame):
    """The payload's bytes inside an event frame, as sent: the frame ends with `"payload":P}}`."""
    marker = ',"payload":'
    assert frame.endswith("}}"), frame
    return frame[frame.index(marker) + len(marker) : -2]


async def travel_frames(url, channel, limit=100):
    async with websockets.connect(url, extra_headers={"X-Athena-Client": channel}) as ws:
        greeting = json.loads(await ws.recv())
        assert greeting["status"] == "subscribed", greeting
        await ws.send(json.dumps({"type": "travel", "organization_id": channel, "since_seq": 0, "limit": limit}))
        frames = []
        while True:
            frame = await asyncio.wait_for(ws.recv(), 10)
            if '"status":"travel_complete"' in frame:
                return frames
            frames.append(frame)


class PythonClients(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_requests_generator_body_is_chunked_and_accepted(self):
        parts = [b'{"organization_id":"req",', b'"data":{"b":2,', b'"a":1.50}}']
        answer = requests.post(self.server.http + "/events", data=(part for part in parts), timeout=10)
        self.assertEqual(answer.status_code, 200, answer.text)
        self.assertEqual(answer.json()["seq"], 1)
        frames = asyncio.run(travel_frames(self.server.ws, "req"))
        self.assertEqual(payload_of(frames[-1]), '{"b":2,"a":1.50}')

    def test_requests_plain_body_and_json_errors(self):
        answer = requests.post(self.server.http + "/events", data=envelope("req2", TRICKY).encode(), timeout=10)
        self.assertEqual(answer.status_code, 200, answer.text)
        bad = requests.post(self.server.http + "/events", data=b'{"organization_id":"req2","data":[1,]}', timeout=10)
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(bad.headers["Content-Type"], "application/json")
        self.assertIn("line 1, column", bad.json()["message"])

    def test_aiohttp_streamed_body_and_websocket_client(self):
        async def scenario():
            async def body():
                yield envelope("aio", '{"z":1,').encode()[:-1]  # cut inside the envelope
                yield b'"a":[1.0,-0]}}'

            async with aiohttp.ClientSession() as session:
                async with session.ws_connect(self.server.ws, headers={"X-Athena-Client": "aio"}) as ws:
                    greeting = await ws.receive_json(timeout=10)
                    self.assertEqual(greeting["status"], "subscribed")
                    async with session.post(self.server.http + "/events", data=body()) as answer:
                        self.assertEqual(answer.status, 200, await answer.text())
                    message = await ws.receive(timeout=10)
                    self.assertEqual(message.type, aiohttp.WSMsgType.TEXT)
                    return message.data

        frame = asyncio.run(scenario())
        self.assertEqual(payload_of(frame), '{"z":1,"a":[1.0,-0]}')

    def test_urllib_post_and_head(self):
        request = urllib.request.Request(
            self.server.http + "/events", data=envelope("url", "[1E+2]").encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            self.assertEqual(json.loads(answer.read())["seq"], 1)
        head = urllib.request.Request(self.server.http + "/health", method="HEAD")
        with urllib.request.urlopen(head, timeout=10) as answer:
            self.assertEqual(answer.status, 200)
            self.assertEqual(answer.headers["Content-Type"], "application/json")
            self.assertEqual(answer.read(), b"")

    def test_websockets_live_and_travel(self):
        async def scenario():
            async with websockets.connect(self.server.ws, extra_headers={"X-Athena-Client": "wsl"}) as ws:
                self.assertEqual(json.loads(await ws.recv())["status"], "subscribed")
                await asyncio.to_thread(
                    requests.post, self.server.http + "/events", data=envelope("wsl", TRICKY).encode(), timeout=10
                )
                return await asyncio.wait_for(ws.recv(), 10)

        live = asyncio.run(scenario())
        self.assertEqual(payload_of(live), TRICKY)
        replayed = asyncio.run(travel_frames(self.server.ws, "wsl"))
        self.assertEqual([payload_of(frame) for frame in replayed], [TRICKY])

    def test_websockets_and_aiohttp_agree_compression_and_read_every_byte(self):
        # Both compress when asked to: websockets offers permessage-deflate by default, aiohttp with
        # compress=15. The server's own messages come compressed, and so do their requests.
        big = debezium_text(1)

        async def with_websockets(channel, **options):
            async with websockets.connect(self.server.ws, extra_headers={"X-Athena-Client": channel}, **options) as ws:
                agreed = [type(extension).__name__ for extension in ws.extensions]
                answer = ws.response_headers.get("Sec-WebSocket-Extensions")
                self.assertEqual(json.loads(await ws.recv())["status"], "subscribed")
                await asyncio.to_thread(
                    requests.post, self.server.http + "/events", data=envelope(channel, big).encode(), timeout=10
                )
                live = await asyncio.wait_for(ws.recv(), 10)
                await ws.send(json.dumps({"type": "travel", "limit": 1, "note": "n" * 3000}))
                replayed = await asyncio.wait_for(ws.recv(), 10)
                return agreed, answer, live, replayed

        agreed, answer, live, replayed = asyncio.run(with_websockets("wsz"))
        self.assertEqual(agreed, ["PerMessageDeflate"])
        self.assertEqual(answer, "permessage-deflate; server_no_context_takeover; client_no_context_takeover")
        self.assertEqual(payload_of(live), big)
        self.assertEqual(payload_of(replayed), big)

        agreed, answer, live, _ = asyncio.run(with_websockets("wsplain", compression=None))
        self.assertEqual((agreed, answer), ([], None))
        self.assertEqual(payload_of(live), big)

        async def with_aiohttp():
            async with aiohttp.ClientSession() as session:
                async with session.ws_connect(self.server.ws, headers={"X-Athena-Client": "aioz"}, compress=15) as ws:
                    self.assertEqual((await ws.receive_json(timeout=10))["status"], "subscribed")
                    async with session.post(self.server.http + "/events", data=envelope("aioz", big).encode()) as posted:
                        self.assertEqual(posted.status, 200)
                    live_frame = (await ws.receive(timeout=10)).data
                    return ws.compress, live_frame

        compress, frame = asyncio.run(with_aiohttp())
        self.assertEqual(compress, 15)
        self.assertEqual(payload_of(frame), big)

    def test_curl_two_mebibytes_gets_100_continue_before_the_body(self):
        body = envelope("curl", '"' + "x" * (2 << 20) + '"')
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
            file.write(body)
        try:
            run = subprocess.run(
                ["curl", "-sS", "-v", "--data-binary", "@" + file.name, self.server.http + "/events"],
                capture_output=True,
                text=True,
                timeout=30,
            )
        finally:
            os.unlink(file.name)
        self.assertEqual(run.returncode, 0, run.stderr[-2000:])
        self.assertIn("> Expect: 100-continue", run.stderr)
        self.assertIn("< HTTP/1.1 100 Continue", run.stderr)
        self.assertEqual(json.loads(run.stdout)["seq"], 1)
        # curl logs when it gives up waiting for the 100 and sends the body anyway.
        self.assertNotIn("Done waiting for 100-continue", run.stderr)


class Fidelity(unittest.TestCase):
    """The same bytes come back live, by travel, by export and after a restart from the journal."""

    def test_bytes_survive_every_path(self):
        data_dir = tempfile.mkdtemp(prefix="cdcscope-fidelity-")
        payloads = [
            TRICKY,
            "123456789012345678901234567890123",
            "-0",
            "1.0",
            '"\\u00e9\\/\\ud83d\\ude00"',
            '{"a":1,"a":2}',
            "[" * 1000 + "]" * 1000,
        ]
        try:
            server = Server(data_dir=data_dir)
            try:

                async def live():
                    async with websockets.connect(server.ws, extra_headers={"X-Athena-Client": "fid"}) as ws:
                        await ws.recv()
                        batch = "[" + ",".join(envelope("fid", p) for p in payloads) + "]"
                        answer = await asyncio.to_thread(
                            requests.post, server.http + "/events", data=batch.encode(), timeout=10
                        )
                        self.assertEqual(answer.status_code, 200, answer.text)
                        return [await asyncio.wait_for(ws.recv(), 10) for _ in payloads]

                self.assertEqual([payload_of(f) for f in asyncio.run(live())], payloads)
                self.assertEqual([payload_of(f) for f in asyncio.run(travel_frames(server.ws, "fid"))], payloads)
                exported = requests.get(server.http + "/channels/fid/export", timeout=10)
                self.assertEqual(exported.encoding, "utf-8")
                export = exported.text.splitlines()
                self.assertEqual([payload_of(line) for line in export], payloads)
            finally:
                server.stop()
            restarted = Server(data_dir=data_dir)
            try:
                self.assertEqual(
                    [payload_of(f) for f in asyncio.run(travel_frames(restarted.ws, "fid"))], payloads
                )
            finally:
                restarted.stop()
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)


PAGE = """<!doctype html><meta charset="utf-8"><title>interop</title><script>
(async () => {
  const server = new URLSearchParams(location.search).get("server");
  const report = (result) => fetch("/report", {method: "POST", body: JSON.stringify(result)});
  try {
    const ws = new WebSocket(`ws://${server}/ws?client=browser`);
    const frames = [];
    const gotEvent = new Promise((resolve, reject) => {
      ws.onmessage = (e) => { frames.push(e.data); if (e.data.includes('"payload"')) resolve(); };
      ws.onerror = () => reject(new Error("websocket error"));
      setTimeout(() => reject(new Error("no event within 10 s")), 10000);
    });
    await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onclose = reject; });
    // application/json makes this a non-simple request: the browser sends a preflight first.
    const published = await fetch(`http://${server}/events`, {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: '{"organization_id":"browser","data":{"b":1,"a":1.0,"n":123456789012345678901234567890}}'});
    const answer = await published.json();
    await gotEvent;
    // A 2 KB change: it comes compressed (the browser offered permessage-deflate); the travel
    // request the page sends after it goes compressed the other way.
    const until = (predicate, what) => new Promise((resolve, reject) => {
      const check = () => predicate() ? resolve() : setTimeout(check, 20);
      check();
      setTimeout(() => reject(new Error(`no ${what} within 10 s`)), 10000);
    });
    await fetch(`http://${server}/events`, {method: "POST", headers: {"Content-Type": "application/json"},
      body: '{"organization_id":"browser","data":' + BIG + '}'});
    await until(() => frames.length >= 3, "large event");
    ws.send(JSON.stringify({type: "travel", limit: 2, note: "n".repeat(3000)}));
    await until(() => frames.some((f) => f.includes('"travel_complete"')), "travel_complete");
    const channels = await (await fetch(`http://${server}/channels`)).json();
    await report({ok: true, status: published.status, seq: answer.seq, frames, channels, extensions: ws.extensions});
  } catch (error) {
    await report({ok: false, error: String(error)});
  }
})();
</script>""".replace("BIG", json.dumps(debezium_text(5)))


class Browser(unittest.TestCase):
    def test_page_from_another_origin_connects_publishes_and_reads(self):
        reports = []
        received = threading.Event()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = PAGE.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                reports.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.end_headers()
                received.set()

            def log_message(self, *args):
                pass

        page_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=page_server.serve_forever, daemon=True).start()
        origin = f"http://127.0.0.1:{page_server.server_port}"
        server = Server("--allowed-origins", origin)
        profile = tempfile.mkdtemp(prefix="cdcscope-chromium-")
        browser = subprocess.Popen(
            [
                "chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-dev-shm-usage", f"--user-data-dir={profile}",
                f"{origin}/?server=127.0.0.1:{server.port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            self.assertTrue(received.wait(60), "the page reported nothing within 60 s")
        finally:
            browser.kill()
            browser.wait(10)
            server.stop()
            page_server.shutdown()
            shutil.rmtree(profile, ignore_errors=True)
        result = reports[0]
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["status"], 200)
        self.assertEqual(result["seq"], 1)
        self.assertEqual(json.loads(result["frames"][0])["status"], "subscribed")
        event = next(frame for frame in result["frames"] if '"payload"' in frame)
        self.assertEqual(payload_of(event), '{"b":1,"a":1.0,"n":123456789012345678901234567890}')
        self.assertEqual(result["extensions"], "permessage-deflate; server_no_context_takeover; client_no_context_takeover")
        self.assertEqual(payload_of(result["frames"][2]), debezium_text(5))
        replayed = [payload_of(frame) for frame in result["frames"][3:-1]]
        self.assertEqual(replayed, ['{"b":1,"a":1.0,"n":123456789012345678901234567890}', debezium_text(5)])
        self.assertEqual(result["channels"]["channels"][0]["organization_id"], "browser")


if __name__ == "__main__":
    unittest.main()
