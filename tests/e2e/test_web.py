"""gdtui in a browser tab: `gdtui web` serves the app over HTTP and a websocket, as a browser sees it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import sys
from collections.abc import AsyncIterator

import aiohttp
import pyte
import pytest

from tests.e2e.lab import FIRST_SCREEN

TIMEOUT = 60.0


@contextlib.asynccontextmanager
async def web_server(*argv: str) -> AsyncIterator[int]:
    """`gdtui web` on a free port of 127.0.0.1, until the block ends; the port."""
    port = random.randint(20000, 60000)
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "gdtui",
        "web",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *argv,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
        env=dict(os.environ),
    )
    try:
        async with aiohttp.ClientSession() as client:
            for _ in range(int(TIMEOUT * 10)):
                assert server.returncode is None, "gdtui web ended"
                with contextlib.suppress(aiohttp.ClientError):
                    async with client.get(f"http://127.0.0.1:{port}/") as page:
                        if page.status == 200:
                            break
                await asyncio.sleep(0.1)
        yield port
    finally:
        server.terminate()
        await asyncio.wait_for(server.wait(), TIMEOUT)


async def test_a_browser_tab_gets_the_first_screen(tiny_mnist_dir) -> None:
    async with web_server("--data", str(tiny_mnist_dir)) as port, aiohttp.ClientSession() as client:
        async with client.get(f"http://127.0.0.1:{port}/") as page:
            assert page.status == 200
            assert "/ws" in await page.text()
        screen = pyte.Screen(80, 24)
        stream = pyte.ByteStream(screen)
        async with client.ws_connect(f"http://127.0.0.1:{port}/ws?width=80&height=24") as socket:

            async def first_screen() -> None:
                async for message in socket:
                    if message.type == aiohttp.WSMsgType.BINARY:
                        stream.feed(message.data)
                        if FIRST_SCREEN in "\n".join(screen.display):
                            return
                pytest.fail("the connection closed before the first screen: " + "\n".join(screen.display))

            await asyncio.wait_for(first_screen(), TIMEOUT)
            # Keys typed in the tab reach the app: 2 opens the Network step.
            await socket.send_json(["stdin", "2"])

            async def network_step() -> None:
                async for message in socket:
                    if message.type == aiohttp.WSMsgType.BINARY:
                        stream.feed(message.data)
                        if "Network" in screen.display[0]:
                            return

            await asyncio.wait_for(network_step(), TIMEOUT)


def test_without_the_extra_web_names_it_in_one_line():
    import subprocess

    code = "import sys\nsys.modules['textual_serve'] = None\nfrom gdtui.cli import main\nsys.exit(main(['web']))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stderr == "gdtui: error: the app in a browser needs its extra: pip install 'gdtui[web]'\n"
