"""The command line's cluster parts: `--cluster` on `grid`, and `regstudio worker` / `scheduler`.

    regstudio grid ... --cluster local[:N]                     local worker processes (127.0.0.1)
    regstudio grid ... --cluster tls://HOST:8786 --tls-ca CA --tls-cert CERT --tls-key KEY
    regstudio scheduler --tls-ca CA --tls-cert CERT --tls-key KEY [--host H] [--port 8786]
    regstudio worker tls://HOST:8786 --tls-ca CA --tls-cert CERT --tls-key KEY [--slots N]

Every side of a TLS cluster presents a certificate signed by the same authority (the CA file):
nobody without one can connect, submit work or read the data. Plain tcp:// is refused unless
--insecure is given, with a warning.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import sys
from typing import Any

from .core.errors import Problem, SpecError
from .core.experiments.cluster.where import (
    INSECURE_RISK,
    INSECURE_WARNING,
    MAX_WORKERS_PER_COMPUTER,
    Where,
    default_local_workers,
    parse_where,
)

DEFAULT_PORT = 8786


def _add_tls(parser: argparse.ArgumentParser, whose: str) -> None:
    parser.add_argument("--tls-ca", metavar="PEM",
                        help="the certificate authority every computer of the cluster trusts")
    parser.add_argument("--tls-cert", metavar="PEM", help=f"{whose} certificate, signed by that authority")
    parser.add_argument("--tls-key", metavar="PEM", help=f"{whose} private key")
    parser.add_argument("--insecure", action="store_true",
                        help=f"allow a plain tcp:// address: {INSECURE_RISK}")


def add_cluster_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cluster", metavar="WHERE", default="here",
                        help="where the trials train: here (default), local[:N] worker processes on this "
                             "computer, or a scheduler such as tls://192.168.1.10:8786")
    _add_tls(parser, "this computer's")


def where_of(args: argparse.Namespace) -> Where:
    where = parse_where(args.cluster, args.tls_ca, args.tls_cert, args.tls_key, args.insecure)
    if where.insecure:
        print("regstudio: " + INSECURE_WARNING.format(address=where.address), file=sys.stderr)
    return where


def add_cluster_commands(sub: Any) -> None:
    worker = sub.add_parser("worker", help="lend this computer's cores to searches run from other computers")
    worker.add_argument("address", help="the scheduler's address, e.g. tls://192.168.1.10:8786")
    worker.add_argument("--slots", type=int, help="trials trained at once, one process each (default: the "
                        "cores, as many as memory allows at about 750 MB each)")
    worker.add_argument("--host", help="the address this computer's workers listen on (default: the one "
                        "that reaches the scheduler)")
    worker.add_argument("--ports", metavar="FIRST:LAST", help="the ports they listen on, e.g. 8800:8899, for a "
                        "firewall rule (default: any free port)")
    _add_tls(worker, "this worker's")
    scheduler = sub.add_parser("scheduler", help="the meeting point of workers and searches (or use "
                               "'dask scheduler' with the same TLS files)")
    scheduler.add_argument("--host", default="0.0.0.0",
                           help="the address to listen on (default: every network of this computer)")
    scheduler.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default: {DEFAULT_PORT}")
    _add_tls(scheduler, "the scheduler's")


def _security(args: argparse.Namespace, address: str, role: str) -> Any:
    """Security for `role` ("worker" or "scheduler") from the TLS files, or None for --insecure tcp."""
    where = parse_where(address, args.tls_ca, args.tls_cert, args.tls_key, args.insecure)
    if where.insecure:
        print("regstudio: " + INSECURE_WARNING.format(address=address), file=sys.stderr)
        return None
    from distributed.security import Security

    assert where.tls is not None
    files = {"tls_ca_file": str(where.tls.ca), f"tls_{role}_cert": str(where.tls.cert),
             f"tls_{role}_key": str(where.tls.key), "require_encryption": True}
    if role == "worker":  # a worker's tasks reach the scheduler as a client too (the cancel flag)
        files.update(tls_client_cert=str(where.tls.cert), tls_client_key=str(where.tls.key))
    return Security(**files)


def _quiet_dask() -> None:
    # Dask logs every task and connection at INFO; a teacher's terminal shows RegStudio's lines
    # and Dask's warnings (a worker lost, a refused certificate).
    import logging

    logging.getLogger("distributed").setLevel(logging.WARNING)


def run_worker(args: argparse.Namespace) -> int:
    slots = args.slots if args.slots is not None else default_local_workers()
    if not 1 <= slots <= MAX_WORKERS_PER_COMPUTER:
        raise SpecError([Problem("--slots", slots, f"a whole number from 1 to {MAX_WORKERS_PER_COMPUTER}")])
    security = _security(args, args.address, "worker")
    if args.ports is not None and not re.fullmatch(r"\d{1,5}:\d{1,5}", args.ports):
        raise SpecError([Problem("--ports", args.ports, "FIRST:LAST, e.g. 8800:8899")])
    from .core.experiments.cluster.connect import WATCHDOG, WORKER_ENV, dask_settings

    dask_settings()
    _quiet_dask()

    async def serve() -> None:
        from distributed import Nanny

        name = socket.gethostname()
        # A name per process: two PCs cloned from one image share a host name, and the scheduler
        # refuses a second worker of the same name.
        nannies = [Nanny(args.address, nthreads=1, security=security, env=dict(WORKER_ENV), preload=[WATCHDOG],
                         name=f"{name}-{os.getpid()}-{i + 1}", host=args.host, port=args.ports,
                         worker_port=args.ports) for i in range(slots)]
        try:
            await asyncio.wait_for(asyncio.gather(*nannies), timeout=60)
        except Exception as exc:
            why = str(exc) or type(exc).__name__
            raise SpecError([Problem("address", args.address, f"a scheduler that answers ({why})")]) from None
        print(f"{slots} worker slot{'s' if slots != 1 else ''} of {name} joined {args.address}; Ctrl-C ends them.",
              flush=True)
        await asyncio.gather(*(nanny.finished() for nanny in nannies))

    asyncio.run(serve())
    return 0


def run_scheduler(args: argparse.Namespace) -> int:
    if not 0 <= args.port < 65536:
        raise SpecError([Problem("--port", args.port, "0 (any free port) to 65535")])
    scheme = "tcp" if args.insecure and not args.tls_ca else "tls"
    # The files are checked as a client's would be; port 0 (any free one) is the scheduler's own business.
    security = _security(args, f"{scheme}://{args.host}:{args.port or DEFAULT_PORT}", "scheduler")
    from .core.experiments.cluster.connect import dask_settings

    dask_settings()  # a unit whose worker is lost is tried once more, then failed with its sentence
    _quiet_dask()

    async def serve() -> None:
        from distributed import Scheduler

        # Its web pages (the dashboard, health) stay on this computer: only the TLS port is shared.
        async with Scheduler(host=args.host, port=args.port, security=security, protocol=f"{scheme}://",
                             dashboard_address="127.0.0.1:0") as scheduler:
            print(f"Scheduler listening at {scheduler.address}; workers: regstudio worker "
                  f"{scheme}://THIS-PC:{scheduler.port} ...; Ctrl-C ends it.", flush=True)
            await scheduler.finished()

    asyncio.run(serve())
    return 0
