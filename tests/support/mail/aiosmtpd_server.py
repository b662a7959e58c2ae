#!/usr/bin/python3
"""An SMTP server for kosmo-kiosk's tests, built on aiosmtpd (Debian: python3-aiosmtpd).

Each accepted message is written to OUT as NNNNNN.eml (the bytes as received) with NNNNNN.json
(envelope, TLS, login) beside it; the .json is written first and the .eml renamed into place last,
so a reader that sees the .eml sees both. Prints "READY <port>" on stdout once listening, and runs
until SIGTERM/SIGINT.
"""

import argparse
import json
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Handler:
    def __init__(self, args):
        self.args = args
        self.datas = 0
        self.seq = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.args.reject_rcpt:
            return self.args.reject_rcpt
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            n = self.datas
            self.datas += 1
            if n < self.args.fail_first:
                return self.args.fail_reply
            self.seq += 1
            seq = self.seq
        base = os.path.join(self.args.out, "%06d" % seq)
        # The authenticator below stores the login name as the session's auth_data.
        auth = session.auth_data if isinstance(session.auth_data, str) else None
        meta = {
            "from": envelope.mail_from,
            "to": list(envelope.rcpt_tos),
            # STARTTLS sets session.ssl; with TLS from the first byte the transport itself is TLS.
            "tls": session.ssl is not None
            or (server.transport is not None and server.transport.get_extra_info("ssl_object") is not None),
            "auth": auth,
        }
        with open(base + ".json", "w", encoding="utf-8") as f:
            json.dump(meta, f)
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        with open(base + ".eml.tmp", "wb") as f:
            f.write(content)
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 2.0.0 queued"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--fail-first", type=int, default=0)
    p.add_argument("--fail-reply", default="451 4.3.0 try again later")
    p.add_argument("--reject-rcpt", default=None)
    p.add_argument("--cert", default=None)
    p.add_argument("--key", default=None)
    p.add_argument("--implicit-tls", action="store_true")
    p.add_argument("--user", default=None)
    p.add_argument("--password", default=None)
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)

    kwargs = {}
    if args.cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.cert, args.key)
        if args.implicit_tls:
            kwargs["ssl_context"] = ctx
        else:
            kwargs["tls_context"] = ctx
            kwargs["require_starttls"] = True
    if args.user:
        def authenticator(server, session, envelope, mechanism, auth_data):
            login = auth_data.login.decode() if isinstance(auth_data.login, bytes) else auth_data.login
            password = auth_data.password.decode() if isinstance(auth_data.password, bytes) else auth_data.password
            ok = login == args.user and password == args.password
            return AuthResult(success=ok, auth_data=login if ok else None)
        kwargs["authenticator"] = authenticator
        kwargs["auth_required"] = True
        kwargs["auth_require_tls"] = bool(args.cert)

    controller = Controller(
        Handler(args),
        hostname="127.0.0.1",
        port=args.port,
        ready_timeout=10,
        **kwargs,
    )
    controller.start()
    print("READY %d" % args.port, flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
