"""CPU time of one gateway → inference hop as the chat route makes it, in one process: a
``ChatCompletion`` unary-stream call over loopback gRPC (client and server on one loop), with the
reply as two messages (head, then the body) or whole in one (``whole_reply``), on asyncio's loop or
on uvloop. Process CPU time per call, gRPC's poller thread included.

    python bench/grpc_hop.py --loop asyncio --calls 3000 --clients 16
    python bench/grpc_hop.py --loop uvloop --calls 3000 --clients 16
"""

import argparse
import asyncio
import time

import grpc

from webui.inference.v1 import inference_pb2, inference_pb2_grpc

BODY = b'{"id":"x","choices":[{"message":{"role":"assistant","content":"hello there"}}]}' * 4
HEADERS = {"Content-Type": "application/json"}


class Servicer(inference_pb2_grpc.InferenceServiceServicer):
    async def ChatCompletion(self, request, context):  # noqa: N802 - gRPC method names
        if request.whole_reply:
            head = inference_pb2.HttpHead(status=200, headers=HEADERS, body=BODY)
            yield inference_pb2.ChatCompletionResponse(head=head)
            return
        yield inference_pb2.ChatCompletionResponse(head=inference_pb2.HttpHead(status=200, headers=HEADERS))
        yield inference_pb2.ChatCompletionResponse(chunk=BODY)


async def measure(whole: bool, calls: int, clients: int) -> float:
    """Microseconds of process CPU per call."""
    server = grpc.aio.server()
    inference_pb2_grpc.add_InferenceServiceServicer_to_server(Servicer(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    stub = inference_pb2_grpc.InferenceServiceStub(channel)
    request = inference_pb2.ChatCompletionRequest(body_json=b'{"model":"m"}', whole_reply=whole)

    async def client(count: int) -> None:
        for _ in range(count):
            [message async for message in stub.ChatCompletion(request, timeout=10)]

    await asyncio.gather(*(client(50) for _ in range(clients)))  # warm-up
    started = time.process_time()
    await asyncio.gather(*(client(calls // clients) for _ in range(clients)))
    cpu = time.process_time() - started
    await channel.close()
    await server.stop(0)
    return cpu / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    for whole in (False, True, False, True):
        coroutine = measure(whole, args.calls, args.clients)
        if args.loop == "uvloop":
            import uvloop

            micros = uvloop.run(coroutine)
        else:
            micros = asyncio.run(coroutine)
        print(f"{args.loop}, {'one message' if whole else 'two messages'}: {micros:.0f} µs CPU per call")


if __name__ == "__main__":
    main()
