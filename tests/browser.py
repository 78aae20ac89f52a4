"""Save web pages the way users do, with a real headless Chromium.

A page is served on loopback under a news site's host name (Chromium maps
the name to the local server), then saved as the DOM ("Webpage, HTML only"),
as MHTML ("Webpage, Single File", through the DevTools protocol) or printed
to PDF with the browser's own header and footer.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import re
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from tests.read_fixtures import require_tool

HOST = "baonghean.vn"


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[int]:
    """Serve `folder` on 127.0.0.1; yield the port."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base signature
        pass


def _command(port: int, profile: Path, *extra: str) -> list[str]:
    binary = require_tool("chromium", "Debian package chromium")
    return [
        binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        f"--user-data-dir={profile}", f"--host-resolver-rules=MAP {HOST} 127.0.0.1:{port}",
        *extra,
    ]


def save_dom(url: str, port: int, out: Path) -> Path:
    """The page's DOM after its scripts ran, as "Save as: Webpage, HTML only" writes it."""
    done = subprocess.run(
        _command(port, out.parent / "profile-dom", "--dump-dom", url),
        capture_output=True, check=True, timeout=120,
    )
    out.write_bytes(done.stdout)
    return out


def print_pdf(url: str, port: int, out: Path) -> Path:
    """The page printed to PDF, with Chromium's header (time, title) and footer (address, page)."""
    subprocess.run(
        _command(port, out.parent / "profile-pdf", f"--print-to-pdf={out}", url),
        capture_output=True, check=True, timeout=120,
    )
    return out


def save_mhtml(url: str, port: int, out: Path) -> Path:
    """The page as one MHTML file ("Webpage, Single File"), through the DevTools protocol."""
    from websockets.sync.client import connect

    browser = subprocess.Popen(
        _command(port, out.parent / "profile-mhtml", "--remote-debugging-port=0", "about:blank"),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        endpoint = _devtools_endpoint(browser)
        port_match = re.search(r":(\d+)/", endpoint)
        assert port_match, endpoint
        with urllib.request.urlopen(f"http://127.0.0.1:{port_match.group(1)}/json", timeout=30) as r:
            targets = json.load(r)
        page = next(t for t in targets if t["type"] == "page")["webSocketDebuggerUrl"]
        with connect(page, max_size=None, open_timeout=30) as socket:
            session = _Session(socket)
            session.call("Page.enable")
            session.call("Page.navigate", url=url)
            session.wait_for("Page.loadEventFired")
            snapshot = session.call("Page.captureSnapshot", format="mhtml")
        out.write_text(snapshot["data"], encoding="utf-8", newline="")
    finally:
        browser.kill()
        browser.wait(timeout=30)
    return out


def _devtools_endpoint(browser: subprocess.Popen) -> str:
    assert browser.stderr is not None
    for line in browser.stderr:
        match = re.search(r"DevTools listening on (ws://\S+)", line)
        if match:
            return match.group(1)
    raise RuntimeError("Chromium exited before opening its DevTools endpoint")


class _Session:
    """Minimal DevTools protocol calls over one page's websocket."""

    def __init__(self, socket, on_event=None) -> None:
        self.socket, self.next_id, self.on_event = socket, 0, on_event or (lambda _message: None)

    def call(self, method: str, **params) -> dict:
        """Send a command and return its result; events that arrive meanwhile go to `on_event`."""
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=60))
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]
            self.on_event(message)

    def wait_for(self, event: str) -> None:
        while json.loads(self.socket.recv(timeout=60)).get("method") != event:
            pass


class Browser:
    """A headless Chromium driven over the DevTools protocol: open pages, click, type, read the DOM, screenshot.

    The window is a 1366x768 laptop screen. Dialogs a page opens (alert,
    confirm) and console messages are recorded, so a test can tell whether
    any script ran.
    """

    def __init__(self, profile: Path, width: int = 1366, height: int = 768) -> None:
        from websockets.sync.client import connect

        binary = require_tool("chromium", "Debian package chromium")
        self.process = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
             f"--user-data-dir={profile}", "--remote-debugging-port=0", f"--window-size={width},{height}",
             "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        try:
            endpoint = _devtools_endpoint(self.process)
            port = re.search(r":(\d+)/", endpoint).group(1)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=30) as r:
                targets = json.load(r)
            page = next(t for t in targets if t["type"] == "page")["webSocketDebuggerUrl"]
            self.socket = connect(page, max_size=None, open_timeout=30)
        except BaseException:
            self.process.kill()
            raise
        self.session = _Session(self.socket, on_event=self._note)
        self.events: list[str] = []
        self.dialogs: list[str] = []
        self.console: list[str] = []
        for domain in ("Page", "Runtime"):
            self.call(f"{domain}.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.socket.close()
        self.process.kill()
        self.process.wait(timeout=30)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def _note(self, message: dict) -> None:
        method = message.get("method")
        if method == "Page.javascriptDialogOpening":
            self.dialogs.append(message["params"].get("message", ""))
            self.socket.send(json.dumps({"id": 10**9 + len(self.dialogs), "method": "Page.handleJavaScriptDialog",
                                         "params": {"accept": True}}))
        elif method == "Runtime.consoleAPICalled":
            self.console.append(" ".join(str(a.get("value", "")) for a in message["params"].get("args", [])))
        elif method:
            self.events.append(method)

    def call(self, method: str, **params) -> dict:
        return self.session.call(method, **params)

    def _wait_for_load(self) -> None:
        while "Page.loadEventFired" not in self.events:
            self._note(json.loads(self.socket.recv(timeout=60)))

    def goto(self, url: str) -> None:
        self.events.clear()
        self.call("Page.navigate", url=url)
        self._wait_for_load()

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, selector: str) -> None:
        """Click the element and wait for the page it leads to."""
        self.events.clear()
        found = self.evaluate(f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                              f" if (!e) return false; e.click(); return true; }})()")
        if not found:
            raise LookupError(f"no element {selector!r} on {self.url}")
        self._wait_for_load()

    def click_text(self, selector: str, text: str) -> None:
        """Click the first `selector` element whose text contains `text`, and wait for the page it leads to."""
        self.events.clear()
        found = self.evaluate(f"(() => {{ const e = [...document.querySelectorAll({json.dumps(selector)})]"
                              f".find(e => e.innerText.includes({json.dumps(text)}));"
                              f" if (!e) return false; e.click(); return true; }})()")
        if not found:
            raise LookupError(f"no element {selector!r} with {text!r} on {self.url}")
        self._wait_for_load()

    def fill(self, selector: str, value: str) -> None:
        found = self.evaluate(f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                              f" if (!e) return false; e.value = {json.dumps(value)}; return true; }})()")
        if not found:
            raise LookupError(f"no element {selector!r} on {self.url}")

    def text(self, selector: str = "body") -> str:
        return self.evaluate(f"(document.querySelector({json.dumps(selector)}) || {{}}).innerText || ''")

    def count(self, selector: str) -> int:
        return self.evaluate(f"document.querySelectorAll({json.dumps(selector)}).length")

    @property
    def url(self) -> str:
        return self.evaluate("location.href")

    def screenshot(self, path: Path, *, full_page: bool = False) -> Path:
        import base64

        params: dict = {"format": "png"}
        if full_page:
            size = self.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            params |= {"captureBeyondViewport": True,
                       "clip": {"x": 0, "y": 0, "width": size[0], "height": min(size[1], 4000), "scale": 1}}
        data = self.call("Page.captureScreenshot", **params)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path
