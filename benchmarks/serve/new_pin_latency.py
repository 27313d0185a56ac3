#!/usr/bin/env python3
"""Latency from POST /v1/pins to the new pin appearing in GET /v1/related, against a running ./pinsage serve.

Usage: new_pin_latency.py STORE_DIR PORT [TRIALS] [SEED]

Each trial copies a stored pin of 50 to 1,000 boards (its content features and its boards, read from the store's
generation files, 80-byte headers) into a new pin; pins of few boards have short embeddings that no pin's top 10
holds, by dot product. Untimed first: the new pin is embedded without being added, and a pin Q is found among its
related pins whose own 10th related pin scores below the new pin. Timed: POST the pin with an id, then
GET /v1/related?pin=Q&k=10 until the answer holds it.
Prints each trial and the median. Standard library only.
"""
import json
import random
import statistics
import struct
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HEADER = 80


def generation(store):
    # CURRENT reads "pinsage-store VERSION GENERATION", then a checksum line
    return Path(store) / (Path(store) / "CURRENT").read_text().split()[2]


def call(port, path, body=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body,
                                 headers={"Content-Type": "application/json"} if body else {})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def main():
    store, port = sys.argv[1], int(sys.argv[2])
    trials = int(sys.argv[3]) if len(sys.argv) > 3 else 7
    rnd = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    gen = generation(store)
    offsets = (gen / "left.offsets").read_bytes()
    nbr = (gen / "left.nbr.00000").read_bytes()
    feats = (gen / "left.features").read_bytes()
    pins = (len(offsets) - HEADER - 16) // 8 - 1
    dim = (len(feats) - HEADER - 16) // 4 // pins
    times = []
    while len(times) < trials:
        p = rnd.randrange(pins)
        a, b = struct.unpack_from("<2q", offsets, HEADER + 8 * p)
        if not 50 <= b - a <= 1000:
            continue
        boards = [{"board": str(x)} for x in struct.unpack_from(f"<{b - a}i", nbr, HEADER + 4 * a)]
        features = list(struct.unpack_from(f"<{dim}f", feats, HEADER + 4 * dim * p))
        probe = call(port, "/v1/pins", json.dumps({"features": features, "boards": boards, "k": 100}).encode())
        query = None
        for c in probe["related"][:30]:
            own = call(port, f"/v1/related?pin={c['id']}&k=10")["pins"]
            if len(own) == 10 and c["score"] > own[9]["score"] + 1e-3:
                query = c["id"]
                break
        if query is None:
            continue
        new_id = f"new-{p}-{len(times)}"
        t0 = time.perf_counter()
        posted = call(port, "/v1/pins", json.dumps({"features": features, "boards": boards, "k": 10,
                                                   "pin": new_id}).encode())
        t_post = time.perf_counter() - t0
        gets = 0
        while True:
            gets += 1
            if any(x["id"] == new_id for x in call(port, f"/v1/related?pin={query}&k=10")["pins"]):
                break
        total = time.perf_counter() - t0
        times.append(total)
        print(f"pin {p} ({b - a} boards) -> {new_id}: POST {1000 * t_post:.1f} ms, found in related?pin={query} "
              f"after {gets} GET(s), {1000 * total:.1f} ms in all; {len(posted['related'])} related")
    print(f"median {1000 * statistics.median(times):.1f} ms over {len(times)} new pins "
          f"(min {1000 * min(times):.1f}, max {1000 * max(times):.1f})")


if __name__ == "__main__":
    main()
