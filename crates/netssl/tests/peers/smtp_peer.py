"""The SMTP peer of the mail tests: aiosmtpd on 127.0.0.1 in one of three modes (plain,
starttls, implicit TLS), optionally requiring AUTH (PLAIN/LOGIN) for user "user" with
password "secret". Every received message is parsed with Python's email package and written
as JSON to OUT_DIR/N.json (envelope, headers, leaf parts with their bytes in base64); the raw
bytes go to OUT_DIR/N.eml. Prints "listening on 127.0.0.1:PORT" when ready; stops on stdin EOF."""

import argparse
import base64
import email
import email.policy
import json
import os
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        parts = []
        for part in msg.walk():
            if part.is_multipart():
                continue
            payload = part.get_payload(decode=True) or b""
            parts.append({
                "content_type": part.get_content_type(),
                "filename": part.get_filename(),
                "disposition": part.get_content_disposition(),
                "payload": base64.b64encode(payload).decode(),
            })
        summary = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "headers": [[k, str(v)] for k, v in msg.items()],
            "subject": str(msg["subject"] or ""),
            "from": str(msg["from"] or ""),
            "to": [str(a) for a in (msg["to"].addresses if msg["to"] else [])],
            "cc": [str(a) for a in (msg["cc"].addresses if msg["cc"] else [])],
            "defects": [repr(d) for d in msg.defects],
            "parts": parts,
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "authenticated": bool(session.authenticated),
        }
        with self.lock:
            self.count += 1
            n = self.count
        with open(os.path.join(self.out_dir, f"{n}.eml"), "wb") as f:
            f.write(envelope.original_content)
        tmp = os.path.join(self.out_dir, f"{n}.json.tmp")
        with open(tmp, "w") as f:
            json.dump(summary, f)
        os.rename(tmp, os.path.join(self.out_dir, f"{n}.json"))
        return "250 Message accepted for delivery"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"user" and auth_data.password == b"secret"
    return AuthResult(success=ok, handled=False)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mode", choices=["plain", "starttls", "implicit"], default="plain")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--auth", action="store_true")
    p.add_argument("--out", required=True)
    a = p.parse_args()
    ctx = None
    if a.mode != "plain":
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.cert, a.key)
    kwargs = dict(hostname="127.0.0.1", port=0, server_hostname="mail.test")
    if a.mode == "implicit":
        kwargs["ssl_context"] = ctx
    elif a.mode == "starttls":
        kwargs["tls_context"] = ctx
        kwargs["require_starttls"] = True
    if a.auth:
        kwargs["authenticator"] = authenticator
        kwargs["auth_require_tls"] = False
        kwargs["auth_required"] = True
    controller = Controller(Handler(a.out), **kwargs)
    # Port 0: bind ourselves to learn the port (aiosmtpd's Controller needs a fixed one).
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    controller.port = port
    controller.start()
    print(f"listening on 127.0.0.1:{port}", flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
