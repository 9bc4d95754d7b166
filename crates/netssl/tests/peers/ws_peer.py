"""The Python `websockets` peer for rpoco's interop tests (127.0.0.1 only).

server CERT KEY: echo servers offering permessage-deflate when the client asks: plain, then
    TLS; prints "listening on 127.0.0.1:PORT" for each, then
    "extensions: <Sec-WebSocket-Extensions answer>" per connection.
client CA [--no-deflate] URL MESSAGE... [-- [--no-deflate] URL MESSAGE...]...: one run per
    group (wss URLs trust CA): sends each message (text), prints each echo, then a
    200000-byte binary message that must come back equal; prints "extensions: ..." after
    each run. One process for all runs: starting Python is the slow part.
"""
import asyncio
import ssl
import sys

from websockets.asyncio.client import connect
from websockets.asyncio.server import serve


async def echo(ws):
    print("extensions:", ws.response.headers.get("Sec-WebSocket-Extensions", ""), flush=True)
    async for message in ws:
        await ws.send(message)


async def server(cert, key):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    async with serve(echo, "127.0.0.1", 0, compression="deflate", max_size=2**24) as plain, \
            serve(echo, "127.0.0.1", 0, ssl=context, compression="deflate", max_size=2**24) as tls:
        for srv in (plain, tls):
            print(f"listening on 127.0.0.1:{srv.sockets[0].getsockname()[1]}", flush=True)
        await asyncio.sleep(120)


async def run(ca, args):
    deflate = "--no-deflate" not in args
    args = [a for a in args if a != "--no-deflate"]
    url, messages = args[0], args[1:]
    context = ssl.create_default_context(cafile=ca) if url.startswith("wss:") else None
    async with connect(url, ssl=context, compression="deflate" if deflate else None, max_size=2**24,
                       open_timeout=10, close_timeout=5) as ws:
        for m in messages:
            await ws.send(m)
            print(await asyncio.wait_for(ws.recv(), 10), flush=True)
        blob = bytes(i % 251 for i in range(200000))
        await ws.send(blob)
        back = await asyncio.wait_for(ws.recv(), 10)
        assert back == blob, "binary echo differs"
        print("extensions:", ws.response.headers.get("Sec-WebSocket-Extensions", ""), flush=True)


async def client(ca, args):
    group = []
    for a in args + ["--"]:
        if a == "--":
            await run(ca, group)
            group = []
        else:
            group.append(a)


if __name__ == "__main__":
    mode, rest = sys.argv[1], sys.argv[2:]
    asyncio.run(server(*rest) if mode == "server" else client(rest[0], rest[1:]))
