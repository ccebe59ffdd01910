"""A browser tab behind the proxy, over Streamlit's websocket protocol: cookies, forms, reconnects.

Built on the load generator's session (benchmarks/classroom.py: the element tree the frontend builds,
widget states as the frontend sends them); this adds what a proxy in front makes matter: the tab keeps
the cookies every response sets (nginx's replica cookie among them) and sends them back on every
request and on the websocket, as a browser does, and it can reconnect to its old session by id, as the
frontend does after a network blip. It finds widgets by their user keys and forms by their ids, never
by the app's modules.
"""

from __future__ import annotations

import asyncio
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie

import websockets
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks.classroom import Disconnected, Session, text_state, trigger_state, user_key, widget_id

REPLICA_COOKIE = "gptlab_replica"


class Tab(Session):
    """One browser tab: `visit` (the page's HTML, as the first request of a new tab), then `connect`."""

    def __init__(self, base_url: str, name: str, *, lang: str = "en", cookies: dict[str, str] | None = None,
                 timeout: float = 300.0) -> None:
        super().__init__(base_url, lang, name)
        self.cookies: dict[str, str] = dict(cookies or {})
        self.cookie_flags: dict[str, str] = {}  # cookie name -> its attributes as last set, lowercased
        self.timeout = timeout
        self.session_id = ""

    # -- HTTP with the browser's cookies ----------------------------------------------------------------

    def _store_cookies(self, headers) -> None:
        for header in headers.get_all("set-cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value
                self.cookie_flags[name] = header.split(";", 1)[1].lower() if ";" in header else ""

    def get(self, path: str) -> tuple[int, bytes]:
        """GET a path of the site as this tab would (its cookies sent, the response's kept)."""
        request = urllib.request.Request(self.base_url + path)
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                self._store_cookies(response.headers)
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            self._store_cookies(error.headers)
            return error.code, error.read()

    @property
    def replica(self) -> str | None:
        """The replica nginx pinned this tab to (its cookie), None before the first response."""
        return self.cookies.get(REPLICA_COOKIE)

    async def visit(self, path: str, params: dict[str, str] | None = None) -> None:
        """The tab's first request: the page itself (a new browser has no cookie yet)."""
        query = urllib.parse.urlencode(params or {})
        status, _ = await asyncio.to_thread(self.get, f"/{path}" + (f"?{query}" if query else ""))
        if status != 200:
            raise RuntimeError(f"GET /{path}: HTTP {status}")

    # -- the websocket ----------------------------------------------------------------------------------

    async def connect(self, timeout: float | None = None, existing_session_id: str = "") -> None:
        """The frontend's handshake: /_stcore/health (the XSRF cookie), then the websocket with the cookies."""
        timeout = timeout or self.timeout
        status, _ = await asyncio.to_thread(self.get, "/_stcore/health")
        if status != 200:
            raise RuntimeError(f"/_stcore/health: HTTP {status}")
        xsrf = self.cookies.get("_streamlit_xsrf", "PLACEHOLDER_AUTH_TOKEN")
        protocols = ["streamlit", xsrf] + ([existing_session_id] if existing_session_id else [])
        headers = {"Origin": self.base_url, "Accept-Language": self.lang,
                   "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        self._ws = await websockets.connect(
            "ws" + self.base_url[len("http"):] + "/_stcore/stream", subprotocols=protocols,
            additional_headers=headers, max_size=None, max_queue=None, ping_interval=None,
            open_timeout=timeout, close_timeout=5,
        )
        self._reader = asyncio.create_task(self._read(), name=f"reader-{self.name}")

    async def reconnect(self) -> None:
        """What the frontend does when its websocket drops: the same tab (its page, the widget values it
        holds) opens a new websocket naming its session's id, and sends nothing until the user acts."""
        if self._reader is not None:
            await asyncio.wait_for(self._reader, 30)
        self.closed = None
        await self.connect(existing_session_id=self.session_id)

    def _handle(self, data: bytes) -> None:
        msg = ForwardMsg()
        msg.ParseFromString(data)
        if msg.WhichOneof("type") == "new_session" and msg.new_session.HasField("initialize"):
            self.session_id = msg.new_session.initialize.session_id or self.session_id
        super()._handle(data)

    async def wait_closed(self, timeout: float) -> str:
        """Until the server side closes the websocket (e.g. its replica went away): why it closed."""
        deadline = time.perf_counter() + timeout
        while self.closed is None:
            if time.perf_counter() > deadline:
                raise asyncio.TimeoutError
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), 1)
            except asyncio.TimeoutError:
                pass
        return self.closed

    # -- pages and forms --------------------------------------------------------------------------------

    async def settle(self, runs_before: int) -> None:
        """Until the first full run started after the request has finished (the protocol's own signal)."""
        try:
            await self.wait_complete(runs_before, time.perf_counter() + self.timeout, lambda: [])
        except asyncio.TimeoutError:
            raise AssertionError(f"{self.name}: no finished run after {self.timeout:.0f} s") from None
        except Disconnected as error:
            raise AssertionError(f"{self.name}: disconnected: {error}") from None

    async def open(self, path: str, params: dict[str, str] | None = None) -> None:
        await self.settle(await self.open_page(path, params or {}))

    async def rerun_plain(self) -> None:
        """A rerun with the widget values the tab holds and no button pressed."""
        await self.settle(await self.rerun([]))

    def submit_button(self, form_id: str):
        for _, kind, proto in self.page.elements():
            if kind == "button" and proto.is_form_submitter and proto.form_id == form_id:
                return proto
        return None

    async def submit(self, form_id: str, values: dict[str, str]) -> None:
        """Fill a form's text inputs (by user key) and press its submit button, as the frontend sends it."""
        button = self.submit_button(form_id)
        if button is None:
            raise AssertionError(f"{self.name}: no form {form_id!r} on {self.current_path()!r}")
        widgets = []
        for key, value in values.items():
            found = self.widget(key)
            if found is None:
                raise AssertionError(f"{self.name}: no widget {key!r} in form {form_id!r}")
            widgets.append(text_state(found[2].id, value))
        widgets.append(trigger_state(button.id))
        await self.settle(await self.rerun(widgets))

    def has(self, key: str) -> bool:
        return self.widget(key) is not None

    def texts(self, kinds=("markdown", "alert", "heading")) -> list[str]:
        out = []
        for _, kind, proto in self.page.elements():
            if kind in kinds:
                out.append(getattr(proto, "body", ""))
        return out

    def alerts(self, fmt: str) -> list[str]:
        """Bodies of the alerts of a format ("SUCCESS", "ERROR", "WARNING", "INFO") on the page."""
        return [proto.body for _, kind, proto in self.page.elements()
                if kind == "alert" and proto.Format.Name(proto.format) == fmt]

    def sidebar_code_blocks(self) -> list[str]:
        """Code blocks in the sidebar (root container 1), e.g. a student's return code."""
        return [proto.code_text for path, kind, proto in self.page.elements() if kind == "code" and path[0] == 1]

    def download_url(self, key: str) -> str:
        found = self.widget(key)
        if found is None or found[1] != "download_button":
            raise AssertionError(f"{self.name}: no download button {key!r}")
        return found[2].url

    def keys(self) -> list[str]:
        """Every widget's user key on the page (for messages)."""
        return [k for _, _, proto in self.page.elements() if (k := user_key(widget_id(proto)))]
