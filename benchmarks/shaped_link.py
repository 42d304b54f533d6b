"""A loopback TCP proxy that behaves like a distant, narrow link: every byte is delayed by a one-way
latency and each direction is limited to a bandwidth shared by all connections (like one access
line). Each connection direction buffers at most a window of bytes in flight (like TCP), so a sender
is slowed down by the link instead of filling the proxy's memory.

    link = ShapedLink(target_port, latency=0.1, bandwidth=8e6 / 8)   # 100 ms each way, 8 Mbit/s
    link.start(); ... http://127.0.0.1:{link.port} ...; link.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import deque

READ = 64 * 1024


class _Direction:
    """One direction of the line: bytes leave one after another at ``bandwidth`` bytes/s."""

    def __init__(self, bandwidth: float) -> None:
        self.bandwidth = bandwidth
        self.free_at = 0.0

    def departure(self, size: int) -> float:
        """When the last byte of a block of ``size`` bytes queued now has left."""
        start = max(time.monotonic(), self.free_at)
        self.free_at = start + size / self.bandwidth
        return self.free_at


class ShapedLink:
    def __init__(
        self, target_port: int, *, latency: float, bandwidth: float, host: str = "127.0.0.1"
    ) -> None:
        self.target = (host, target_port)
        self.latency = latency
        self.bandwidth = bandwidth
        # Bytes a connection may have in flight per direction: the bandwidth-delay product, doubled.
        self.window = max(256 * 1024, int(2 * bandwidth * 2 * latency))
        self.up = _Direction(bandwidth)  # client -> server
        self.down = _Direction(bandwidth)  # server -> client
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._server: asyncio.base_events.Server | None = None

    # -- life ------------------------------------------------------------------------------------
    def start(self) -> ShapedLink:
        self._thread = threading.Thread(target=self._run, name="shaped-link", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None and self._loop.is_running():
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def __enter__(self) -> ShapedLink:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._server = self._loop.run_until_complete(asyncio.start_server(self._accept, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._server.close()
            self._loop.close()

    # -- connections -----------------------------------------------------------------------------
    async def _accept(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection(*self.target)
        except OSError:
            client_w.close()
            return
        with contextlib.suppress(asyncio.CancelledError):  # cancelled when the link stops
            await asyncio.sleep(self.latency)  # the handshake crosses the link (SYN / SYN-ACK)
            await asyncio.gather(
                self._pipe(client_r, server_w, self.up), self._pipe(server_r, client_w, self.down)
            )

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, line: _Direction
    ) -> None:
        queue: deque[tuple[float, bytes]] = deque()
        queued = 0
        more = asyncio.Event()
        room = asyncio.Event()
        room.set()
        done = False

        async def deliver() -> None:
            nonlocal queued
            while True:
                while not queue:
                    if done:
                        return
                    more.clear()
                    await more.wait()
                arrival, block = queue.popleft()
                wait = arrival - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                if block:
                    writer.write(block)
                    with contextlib.suppress(ConnectionError):
                        await writer.drain()
                    queued -= len(block)
                    room.set()
                else:  # end of stream
                    with contextlib.suppress(OSError, RuntimeError):
                        writer.write_eof()
                    return

        delivery = asyncio.ensure_future(deliver())
        try:
            while True:
                await room.wait()
                try:
                    block = await reader.read(READ)
                except ConnectionError:
                    block = b""
                arrival = (line.departure(len(block)) if block else time.monotonic()) + self.latency
                queue.append((arrival, block))
                queued += len(block)
                if queued >= self.window:
                    room.clear()
                more.set()
                if not block:
                    break
        finally:
            done = True
            more.set()
            with contextlib.suppress(BaseException):
                await delivery
            with contextlib.suppress(Exception):
                writer.close()


def one_stream_seconds(link: ShapedLink, size: int, sink_port: int) -> float:
    """Seconds ``size`` bytes take through ``link`` in one TCP stream to a sink that answers one byte
    when it has them all (the floor any protocol over this link is compared with)."""
    import socket

    block = b"\0" * READ
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", link.port)) as sock:
        sock.sendall(size.to_bytes(8, "big"))
        left = size
        while left > 0:
            n = min(left, len(block))
            sock.sendall(block[:n])
            left -= n
        assert sock.recv(1) == b"!"
    return time.perf_counter() - started


class Sink:
    """A TCP server that reads ``size`` (8 bytes) then that many bytes, and answers ``!``."""

    def __init__(self) -> None:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._drain, args=(conn,), daemon=True).start()

    @staticmethod
    def _drain(conn) -> None:  # type: ignore[no-untyped-def]
        with conn:
            head = b""
            while len(head) < 8:
                head += conn.recv(8 - len(head))
            left = int.from_bytes(head, "big")
            while left > 0:
                data = conn.recv(min(left, 1 << 20))
                if not data:
                    return
                left -= len(data)
            conn.sendall(b"!")

    def close(self) -> None:
        self.sock.close()
