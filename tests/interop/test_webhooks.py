"""Interop: the CDC tools people already run publish into CDC Scope unchanged.

Debezium Server's HTTP sink, Sequin's webhook sinks and Supabase's database webhooks each POST
their own JSON to a URL; POST /channels/{channel}/events stores each payload as sent (compact,
every token as written) in that channel, or in the one a payload field names. The bodies are the
shapes each tool's documentation shows, sent with Python's requests as the tools send them (one
payload, an array, NDJSON, or Sequin's {"data": [...]}). Run by CTest with Debian's python3.
"""

import asyncio
import unittest

import requests

from test_clients import TRICKY, Server, payload_of, travel_frames

# Debezium Server, http sink (debezium.sink.type=http), JSON with schemas off: the change event.
DEBEZIUM = (
    '{"before":null,"after":{"id":1004,"first_name":"Anne","email":"annek@noanswer.org"},'
    '"source":{"version":"2.5.0.Final","connector":"postgresql","name":"inventory","ts_ms":1700000000123,'
    '"db":"postgres","schema":"inventory","table":"customers","txId":771,"lsn":33832448},'
    '"op":"c","ts_ms":1700000000456}'
)

# Sequin, webhook sink: messages wrapped in a "data" array; each carries its idempotency key.
def sequin_message(order_id, key):
    return (
        '{"record":{"id":' + str(order_id) + ',"product":"Wireless Headphones","price":199.99,"status":"pending"},'
        '"changes":null,"action":"insert","metadata":{"table_schema":"public","table_name":"orders",'
        '"idempotency_key":"' + key + '","commit_timestamp":"2024-10-28T21:37:01.127470Z","commit_lsn":123456789}}'
    )


# Supabase, database webhook (pg_net): one payload per row change.
SUPABASE = (
    '{"type":"UPDATE","table":"todos","schema":"public","record":{"id":3,"task":"write docs","done":true},'
    '"old_record":{"id":3,"task":"write docs","done":false}}'
)


def exported(server, channel):
    answer = requests.get(f"{server.http}/channels/{channel}/export", timeout=10)
    answer.raise_for_status()
    return [payload_of(line) for line in answer.text.splitlines()]


class Webhooks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def post(self, path, body, content_type="application/json"):
        return requests.post(
            self.server.http + path, data=body.encode(), headers={"Content-Type": content_type}, timeout=10
        )

    def test_debezium_server_http_sink_one_event_per_request(self):
        answer = self.post("/channels/dbz-path/events", DEBEZIUM)
        self.assertEqual(answer.status_code, 200, answer.text)
        self.assertEqual(answer.json()["organization_id"], "dbz-path")
        self.assertEqual(exported(self.server, "dbz-path"), [DEBEZIUM])
        # The channel from the payload: source.table.
        answer = self.post("/channels/unused/events?channel=source.table", DEBEZIUM)
        self.assertEqual(answer.status_code, 200, answer.text)
        self.assertEqual(answer.json()["organization_id"], "customers")
        self.assertEqual(exported(self.server, "customers"), [DEBEZIUM])

    def test_sequin_batches_channel_from_metadata_and_a_retry_stored_once(self):
        body = '{"data":[' + sequin_message(1, "a1") + "," + sequin_message(2, "a2") + "]}"
        url = "/channels/sequin/events?items=data&channel=metadata.table_name"
        first = self.post(url, body)
        self.assertEqual(first.status_code, 200, first.text)
        self.assertEqual([e["organization_id"] for e in first.json()["events"]], ["orders", "orders"])
        # Sequin redelivers a batch it got no 200 for: the payloads' keys make it the same request.
        again = self.post(url, body)
        self.assertEqual(again.status_code, 200, again.text)
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(again.json(), first.json())
        self.assertEqual(exported(self.server, "orders"), [sequin_message(1, "a1"), sequin_message(2, "a2")])

    def test_supabase_database_webhook_channel_from_table(self):
        answer = self.post("/channels/supabase/events?channel=table", SUPABASE)
        self.assertEqual(answer.status_code, 200, answer.text)
        self.assertEqual(answer.json()["organization_id"], "todos")
        self.assertEqual(exported(self.server, "todos"), [SUPABASE])

    def test_array_and_ndjson_bodies_keep_every_token(self):
        # A JSON array with whitespace between tokens: stored compact, every token as written.
        spaced = "[ " + TRICKY + " ,\n  " + SUPABASE + " ]"
        answer = self.post("/channels/shapes/events", spaced)
        self.assertEqual(answer.status_code, 200, answer.text)
        self.assertEqual(answer.json()["count"], 2)
        ndjson = DEBEZIUM + "\r\n\n" + TRICKY + "\n"
        answer = self.post("/channels/shapes/events", ndjson, content_type="application/x-ndjson")
        self.assertEqual(answer.status_code, 200, answer.text)
        stored = exported(self.server, "shapes")
        self.assertEqual(stored, [TRICKY, SUPABASE, DEBEZIUM, TRICKY])
        # And as a WebSocket reader receives them.
        self.assertEqual([payload_of(f) for f in asyncio.run(travel_frames(self.server.ws, "shapes"))], stored)

    def test_bad_bodies_are_refused_with_their_place_and_nothing_is_stored(self):
        cases = [
            ("/channels/bad/events", '{"op":"c",}', 400, "column 11"),
            ("/channels/bad/events", DEBEZIUM + "\n" + '{"op": c}' + "\n", 400, "NDJSON line 2, column 8"),
            ("/channels/bad/events?channel=source.table", "[" + DEBEZIUM + "," + SUPABASE + "]", 422,
             "event 1: no string at source.table"),
            ("/channels/bad/events?items=data", SUPABASE, 422, "no array at data"),
            ("/channels/bad/events", "   ", 422, "the body is empty"),
        ]
        for path, body, status, words in cases:
            with self.subTest(body=body[:40]):
                answer = self.post(path, body)
                self.assertEqual(answer.status_code, status, answer.text)
                self.assertIn(words, answer.json()["message"])
        channels = requests.get(self.server.http + "/channels", timeout=10).json()
        self.assertNotIn("bad", [c["organization_id"] for c in channels["channels"]])


if __name__ == "__main__":
    unittest.main()
