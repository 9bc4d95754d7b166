"""An HTTP/1.1 server on 127.0.0.1 that authenticates with NTLM through pyspnego.

Users come from the file named by NTLM_USER_FILE (lines DOMAIN:user:password). GET answers
200 "hello DOMAIN\\user" once the connection is authenticated; the handshake state lives with
the connection, as NTLM requires.
"""
import base64
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import spnego


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    ctx = None
    user = None

    def log_message(self, *args):
        pass

    def reply(self, status, body, headers):
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.user is not None:
            return self.reply(200, ("hello again " + self.user).encode(), {})
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("NTLM "):
            return self.reply(401, b"", {"WWW-Authenticate": "NTLM"})
        token = base64.b64decode(auth[5:])
        if self.ctx is None or token[8:12] == b"\x01\x00\x00\x00":
            self.ctx = spnego.server(protocol="ntlm")
        try:
            out = self.ctx.step(token)
        except Exception as e:  # a wrong password lands here
            self.ctx = None
            return self.reply(401, str(e).encode(), {"WWW-Authenticate": "NTLM"})
        if not self.ctx.complete:
            value = "NTLM " + base64.b64encode(out).decode()
            return self.reply(401, b"", {"WWW-Authenticate": value})
        self.user = self.ctx.client_principal
        self.reply(200, ("hello " + self.user).encode(), {})


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print("listening on 127.0.0.1:%d" % server.server_address[1], flush=True)
server.serve_forever()
