#!/usr/bin/python3
"""A gRPC server speaking grpc.health.v1.Health/Check (python3-grpcio, real HTTP/2), for
testing gRPC probes. The answer is read from --status-file at every call (SERVING,
NOT_SERVING, ...; SERVING when the file is absent). Services named with --service are known
(the empty service always is); others get NOT_FOUND, as grpc-go's health server answers.
With --no-health the server implements nothing (every call is UNIMPLEMENTED).
Prints "listening <port>" once it serves.

    grpc_health_server.py [--host 127.0.0.1] [--port 0] [--status-file F] [--service S]...
"""

import argparse
import sys
import threading
from concurrent import futures
from pathlib import Path

import grpc

STATUSES = {"UNKNOWN": 0, "SERVING": 1, "NOT_SERVING": 2, "SERVICE_UNKNOWN": 3}


def decode_service(data):
    """HealthCheckRequest { string service = 1; }"""
    i, service = 0, ""
    while i < len(data):
        key = data[i]
        i += 1
        if key == 0x0A:
            length = 0
            shift = 0
            while True:
                b = data[i]
                i += 1
                length |= (b & 0x7F) << shift
                shift += 7
                if b < 0x80:
                    break
            service = data[i:i + length].decode()
            i += length
        else:
            raise ValueError("unexpected field")
    return service


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--status-file")
    ap.add_argument("--service", action="append", default=[])
    ap.add_argument("--no-health", action="store_true")
    args = ap.parse_args()

    def check(service, context):
        if service and service not in args.service:
            context.abort(grpc.StatusCode.NOT_FOUND, "unknown service")
        status = "SERVING"
        if args.status_file and Path(args.status_file).exists():
            status = Path(args.status_file).read_text().strip()
        return bytes([0x08, STATUSES[status]])

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    if not args.no_health:
        handler = grpc.unary_unary_rpc_method_handler(
            check, request_deserializer=decode_service, response_serializer=lambda b: b)
        server.add_generic_rpc_handlers(
            (grpc.method_handlers_generic_handler("grpc.health.v1.Health", {"Check": handler}),))
    port = server.add_insecure_port(f"{args.host}:{args.port}")
    server.start()
    print(f"listening {port}", flush=True)
    # Ends when stdin closes or the process is signalled.
    threading.Thread(target=lambda: (sys.stdin.read(), server.stop(0)), daemon=True).start()
    server.wait_for_termination()


if __name__ == "__main__":
    main()
