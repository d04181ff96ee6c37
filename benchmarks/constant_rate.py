"""A constant-rate HTTP load generator (what wrk2 does; wrk cannot hold a rate and Debian
ships no wrk2), in asyncio over keep-alive HTTP/1.1 connections.

Request number i of a stream is due at start + i / rate. A connection takes the next due
request, waits for its moment, sends it and reads the answer; the latency is measured
from the moment the request was *due*, so a server that falls behind shows it in the
figures instead of slowing the generator down (no coordinated omission).
"""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import quantiles


@dataclass
class Stream:
    """One kind of request at a fixed rate: `build(i)` gives request i as bytes."""

    name: str
    rate: float
    connections: int
    build: Callable[[int], bytes]
    results: list = field(default_factory=list)  # (due, latency s, status)
    next_number: int = 0


async def read_answer(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """The status of one HTTP/1.1 answer, its body read to the end, and whether the
    connection stays open (gunicorn's sync workers close it after every answer)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readuntil(b"\r\n")
    else:
        await reader.read()  # to the end of the connection
        return status, False
    return status, headers.get("connection", "").strip().lower() != "close"


async def connection(host: str, port: int, stream: Stream, start: float, end: float):
    reader = writer = None
    loop = asyncio.get_running_loop()
    while True:
        number = stream.next_number
        due = start + number / stream.rate
        if due >= end:
            break
        stream.next_number += 1
        if (wait := due - loop.time()) > 0:
            await asyncio.sleep(wait)
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            writer.write(stream.build(number))
            status, keep = await read_answer(reader)
            if not keep:
                writer.close()
                reader = writer = None
        except (OSError, asyncio.IncompleteReadError, ValueError):
            status = 0  # a failed request counts as an error, then a new connection
            if writer is not None:
                writer.close()
            reader = writer = None
        stream.results.append((due - start, loop.time() - due, status))
    if writer is not None:
        writer.close()


async def drive(host: str, port: int, streams: list[Stream], seconds: float) -> None:
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.2
    await asyncio.gather(
        *(
            connection(host, port, stream, start, start + seconds)
            for stream in streams
            for _ in range(stream.connections)
        )
    )


def run(host: str, port: int, streams: list[Stream], seconds: float) -> float:
    """Drive the streams for `seconds`; every request is answered (or failed) on return.
    Returns the wall time, the answers to the last requests included."""
    began = time.monotonic()
    asyncio.run(drive(host, port, streams, seconds))
    return time.monotonic() - began


def percentile(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return quantiles(values, n=100, method="inclusive")[p - 1]


def windows(stream: Stream, width: float) -> list[dict]:
    """p50/p99 (ms), requests and errors per window of `width` seconds of due time."""
    by_window: dict[int, list] = {}
    for due, latency, status in stream.results:
        by_window.setdefault(int(due // width), []).append((latency, status))
    table = []
    for number in sorted(by_window):
        answers = by_window[number]
        latencies = [1000 * latency for latency, _status in answers]
        table.append(
            {
                "from_s": number * width,
                "requests": len(answers),
                "errors": sum(1 for _l, status in answers if status == 0 or status >= 400),
                "p50_ms": round(percentile(latencies, 50), 2),
                "p99_ms": round(percentile(latencies, 99), 2),
            }
        )
    return table
