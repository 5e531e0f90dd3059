#!/usr/bin/env python3
"""A real SMTP server for the API tests: aiosmtpd (Debian's python3-aiosmtpd)
accepting every mail on HOST:PORT and writing each as one JSON file
{"from", "to", "data"} into FOLDER (written under a temporary name, then
renamed, so a reader never sees half a mail). Prints "ready" once it
listens; stops on SIGTERM or SIGINT.

    python3 tests/lib/smtp_sink.py 127.0.0.1 2525 /tmp/mails
"""
import json
import os
import signal
import sys
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder):
        self.folder = folder

    async def handle_DATA(self, server, session, envelope):
        name = os.path.join(self.folder, "%d.json" % time.time_ns())
        with open(name + ".tmp", "w", encoding="utf-8") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                       "data": envelope.content.decode("utf-8", "replace")}, f)
        os.rename(name + ".tmp", name)
        return "250 OK"


def main():
    host, port, folder = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    # Blocked before the server thread starts, so only sigwait takes them.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    ctl = Controller(Sink(folder), hostname=host, port=port)
    ctl.start()
    print("ready", flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    ctl.stop()


if __name__ == "__main__":
    main()
