"""The Python `websockets` peer for rpoco's interop tests (127.0.0.1 only).

server [--tls CERT KEY] [--no-deflate]: echo server; prints "listening on 127.0.0.1:PORT",
    then "extensions: <Sec-WebSocket-Extensions answer>" per connection.
client URL [--ca FILE] [--no-deflate] MESSAGE...: sends each message (text), prints each echo,
    then a 200000-byte binary message that must come back equal; prints "extensions: ...".
"""
import asyncio
import ssl
import sys

from websockets.asyncio.client import connect
from websockets.asyncio.server import serve


def option(args, name, count=1):
    if name not in args:
        return None
    i = args.index(name)
    values = args[i + 1:i + 1 + count]
    del args[i:i + 1 + count]
    return values


async def echo(ws):
    print("extensions:", ws.response.headers.get("Sec-WebSocket-Extensions", ""), flush=True)
    async for message in ws:
        await ws.send(message)


async def server(args):
    tls = option(args, "--tls", 2)
    deflate = option(args, "--no-deflate", 0) is None
    context = None
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls[0], tls[1])
    async with serve(echo, "127.0.0.1", 0, ssl=context, compression="deflate" if deflate else None,
                     max_size=2**24) as srv:
        port = srv.sockets[0].getsockname()[1]
        print(f"listening on 127.0.0.1:{port}", flush=True)
        await asyncio.sleep(120)


async def client(args):
    ca = option(args, "--ca")
    deflate = option(args, "--no-deflate", 0) is None
    url, messages = args[0], args[1:]
    context = None
    if ca:
        context = ssl.create_default_context(cafile=ca[0])
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


if __name__ == "__main__":
    mode, rest = sys.argv[1], sys.argv[2:]
    asyncio.run(server(rest) if mode == "server" else client(rest))
