"""A whole class on one server: N real Streamlit sessions at once, each student with their own text.

    python -m benchmarks.classroom --sessions 40 [--scenario all] [--tokens 20] [--hog 0] [--lang pt-BR]
                                   [--url http://127.0.0.1:8501 | --port 8600] [--solo-check] [--seed S]

Each session is what a browser tab is to the server, without the rendering: it opens Streamlit's
websocket (`/_stcore/stream`), sends the `rerun_script` BackMsg the frontend sends on page load, and
reads the ForwardMsgs (new_session, deltas, script_finished ...) into the same element tree the
frontend builds. Scenarios, all sessions at once:

  attention  open /attention?text=<the student's sentence>; time until that run's script_finished,
             then check the page: the sentence in the `attention.text` box, heatmaps whose tokens
             spell the sentence, the check line against `output_attentions`;
  decoding   open /decoding?prompt=<the student's prompt>; same, with the prompt in `decoding.prompt`,
             the next-token chart and the prompt shown back decoded from the model's tokens;
  generate   those decoding pages press "generate" in the side-by-side widget (`decoding.sbs.go`),
             with the `decoding.max_new` slider at --tokens, all at the same moment; time to the
             first streamed token and until that run's script_finished, then check that every row
             holds its --tokens tokens (or says the model ended it) and that the run completed.
  all        the three in that order (the decoding sessions then press generate).

"Until the run's script_finished" means: the page is checked each time a run started by the request
finishes (the frontend's element tree at that moment); the time is the first finish at which it is
complete. A page that fills itself in later (a fragment that reruns itself on a timer while a busy
server works: the generator runs the frontend's auto-rerun timers) is waited for; otherwise the first
finished full run decides. Every page is also checked for exception elements and `st.error` alerts; a
disconnect, a timeout or wrong content counts as an error too. A busy server that shows a queue
position is not an error.
--solo-check afterwards runs each student's generation alone, one at a time, and requires the texts
seen under load to be the same (a mix-up between sessions shows as "got student j's text").

Without --url it starts its own `streamlit run streamlit_app.py` on a free port, with the app's
environment and not niced (run the whole command under `nice` on a shared machine). It warms the
server up first (one student, each page once) unless --no-warmup. --hog N runs N busy-loop
processes beside the server while measuring. The texts are drawn with --seed (default: new ones
every run, so the server's caches practically never answer for a student).

Last line:

    classroom: sessions=N errors=E generate_worst_s=X attention_worst_s=Y decoding_worst_s=Z peak_rss_gb=W

peak_rss_gb: the server's process tree (psutil, sampled every 0.2 s during the whole run), GiB.
Timings are figures, never pass/fail; tests/browser/test_classroom_load.py runs it at 4 sessions.

The generator talks to the server over the network only: it finds widgets by their user keys and
pages by their URL paths, never by the app's modules.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import itertools
import json
import os
import random
import re
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from gptlab.i18n import t as translate

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "benchmarks" / "output"

# --- what the pages are expected to hold (user keys and URL paths stay stable across layouts) ---------
ATTENTION_PATH, DECODING_PATH = "attention", "decoding"
ATTENTION_TEXT_KEY = "attention.text"
PROMPT_KEY = "decoding.prompt"
GENERATE_KEY = "decoding.sbs.go"
MAX_NEW_KEY = "decoding.max_new"
GRID_GO_KEY = "decoding.grid.go"  # the widget after the side-by-side one: bounds its section
# The decoding lab's generated text: a box of token spans (ui/decoding.py's generated_box).
GEN_BOX = 'class="gl-gen"'
PROMPT_SPAN = re.compile(r'<span class="gl-prompt">(.*?)</span>', re.S)
ENDED = {translate("decoding.ended", lang) for lang in ("pt-BR", "en")}  # the caption under a text the model ended
TOKEN_SPAN = re.compile(r'<span class="gl-chip gl-inline"[^>]*>(.*?)</span>', re.S)  # ui/chips.py's chips in running text
# The attention lab's live check of its recomputation against the model's own weights.
CHECK_LINE = "output_attentions"
MIN_HEATMAPS = 4

BROWSER_TIMEZONE, BROWSER_TZ_OFFSET = "America/Sao_Paulo", 180  # what a browser in Brazil reports


# --- every student's own text ------------------------------------------------------------------------
SUBJECTS = (
    "A professora Ana", "O meu avô", "Minha irmã mais nova", "O time da escola", "A cozinheira do bairro",
    "O cachorro do vizinho", "Um estudante de física", "A prefeita da cidade", "O velho pescador",
    "A médica do posto", "Meu primo Rafael", "A bibliotecária", "O motorista do ônibus", "Uma astronauta",
    "O padeiro da esquina", "A turma do terceiro ano", "Nosso professor de história", "A jardineira",
    "O engenheiro da ponte", "Minha tia Lúcia",
)
ACTIONS = (
    "explicou ontem como funciona", "contou uma história sobre", "achou na biblioteca um livro sobre",
    "sempre fala com carinho sobre", "escreveu uma carta sobre", "preparou uma aula sobre",
    "sonhou esta noite com", "desenhou no caderno", "fotografou de manhã", "estudou a semana inteira",
    "discutiu na feira sobre", "quer aprender tudo sobre",
)
OBJECTS = (
    "a fotossíntese das plantas", "o ciclo da água", "as estrelas do céu de inverno", "a história do Brasil",
    "os vulcões da Islândia", "o pão de queijo mineiro", "as baleias do litoral", "a chuva de verão",
    "os computadores antigos", "o rio São Francisco", "as abelhas do quintal", "a Lua cheia",
    "os trens de carga", "o futebol de várzea", "a música de Pixinguinha", "os dinossauros do Sul",
)
ENDINGS = ("e disse que", "porque", "enquanto a chuva caía, e", "e depois", "com muita calma, e", "mas")


def student_texts(n: int, seed: int, *, open_ended: bool) -> list[str]:
    """n distinct Portuguese texts of 5-15 words; open_ended ones end mid-sentence (prompts)."""
    rng = random.Random(seed)
    combos = list(itertools.product(*(range(len(parts)) for parts in (SUBJECTS, ACTIONS, OBJECTS, ENDINGS))))
    rng.shuffle(combos)
    texts: list[str] = []
    seen: set[tuple[int, int, int]] = set()
    for s, a, o, e in combos:
        if (s, a, o) in seen:
            continue
        text = f"{SUBJECTS[s]} {ACTIONS[a]} {OBJECTS[o]}" + (f" {ENDINGS[e]}" if open_ended else ".")
        if 5 <= len(text.split()) <= 15:
            seen.add((s, a, o))
            texts.append(text)
        if len(texts) == n:
            return texts
    raise ValueError(f"cannot draw {n} distinct texts")


# --- the frontend's element tree ---------------------------------------------------------------------
@dataclass
class Node:
    run_id: str
    element: object | None = None  # an Element proto, or None for a block
    block: object | None = None  # a Block proto
    children: dict[int, "Node"] = field(default_factory=dict)
    fragment_id: str = ""


class Page:
    """The element tree the frontend builds from deltas (frontend AppRoot.applyDelta, minus rendering).

    A new element replaces whatever was at its path. A block re-sent at a path where a block of the
    same kind stands keeps its children (the frontend does so to avoid flicker); when a full run
    finishes, whatever that run did not write is stale and dropped (ClearStaleNodeVisitor); when a
    fragment's run finishes, only what that fragment wrote before.
    """

    def __init__(self) -> None:
        self.roots: dict[int, Node] = {}

    def apply(self, msg: ForwardMsg, run_id: str) -> None:
        delta = msg.delta
        kind = delta.WhichOneof("type")
        path = list(msg.metadata.delta_path)
        if kind not in {"new_element", "add_block"} or not path:
            return  # new_transient (toasts) live outside the page
        children = self.roots
        for index in path[:-1]:
            parent = children.get(index)
            if parent is None:  # the frontend would not have it either; keep going
                parent = children[index] = Node(run_id, block=None)
            children = parent.children
        old = children.get(path[-1])
        if kind == "new_element":
            children[path[-1]] = Node(run_id, element=delta.new_element, fragment_id=delta.fragment_id)
        else:
            block = delta.add_block
            node = Node(run_id, block=block, fragment_id=delta.fragment_id)
            if old is not None and old.element is None and old.block is not None \
                    and old.block.WhichOneof("type") == block.WhichOneof("type"):
                node.children = old.children
            children[path[-1]] = node

    def clear_stale(self, run_id: str, fragment_ids=()) -> None:
        fragments = set(fragment_ids)

        def stale(n: Node) -> bool:
            return n.run_id != run_id and (not fragments or n.fragment_id in fragments)

        def prune(children: dict[int, Node]) -> None:
            for index in [i for i, n in children.items() if stale(n)]:
                del children[index]
            for n in children.values():
                prune(n.children)

        for root in self.roots.values():  # main, sidebar, event, bottom: always there
            prune(root.children)

    def elements(self):
        """(path, kind, proto) of every element, in document order."""
        def walk(prefix, children):
            for index in sorted(children):
                node = children[index]
                path = (*prefix, index)
                if node.element is not None:
                    kind = node.element.WhichOneof("type")
                    yield path, kind, getattr(node.element, kind) if kind else None
                walk_children = node.children
                if walk_children:
                    yield from walk(path, walk_children)

        yield from walk((), self.roots)


def widget_id(proto) -> str:
    field_ = proto.DESCRIPTOR.fields_by_name.get("id") if proto is not None else None
    return getattr(proto, "id", "") if field_ is not None and field_.type == field_.TYPE_STRING else ""


def user_key(wid: str) -> str | None:
    """Streamlit's element ids: "$$ID-<hash>-<user key>" (elements/lib/utils.py)."""
    if wid.startswith("$$ID-"):
        parts = wid.split("-", 2)
        return parts[2] if len(parts) == 3 else None
    return None


# --- one browser tab ---------------------------------------------------------------------------------
class Disconnected(Exception):
    pass


class Session:
    """One student's tab: the websocket, the element tree, the widget values the frontend holds."""

    def __init__(self, base_url: str, lang: str, name: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.lang = lang
        self.name = name
        self.page = Page()
        self.problems: list[str] = []
        self.runs: list[str] = []  # script_run_id of every run started, in order
        self.run_started_at: dict[str, float] = {}
        self.finished: dict[str, tuple[int, float]] = {}  # run id -> (status, time)
        self.current_run = ""
        self.page_script_hash = ""
        self.page_paths: dict[str, str] = {}  # page script hash -> url path
        self.query_string = ""
        self.url = ""
        self.text_values: dict[str, str] = {}  # widget id -> value, as the frontend's widget manager
        self.messages = 0
        self.closed: str | None = None
        self.on_delta = None  # callback(msg, now) while a scenario watches the stream
        self.on_finish = None  # callback(run id, status, now) at every script_finished
        self.full_runs_done: list[str] = []  # full (not fragment) runs that finished successfully
        self.auto_reruns: dict[str, tuple[float, asyncio.Task]] = {}  # fragment id -> (interval, task)
        self.widget_memory: dict[str, object] = {}  # widget id -> fill(): the values the frontend holds
        self._changed = asyncio.Event()
        self._ws = None
        self._reader: asyncio.Task | None = None

    # connection ---------------------------------------------------------------------------------
    async def connect(self, timeout: float) -> None:
        def fetch_cookie() -> str | None:
            # The frontend's first request: /_stcore/health, which sets the XSRF cookie.
            with urllib.request.urlopen(f"{self.base_url}/_stcore/health", timeout=timeout) as response:
                for header in response.headers.get_all("set-cookie") or []:
                    if header.startswith("_streamlit_xsrf="):
                        return header.split(";", 1)[0]
            return None

        cookie = await asyncio.to_thread(fetch_cookie)
        xsrf = cookie.split("=", 1)[1] if cookie else "PLACEHOLDER_AUTH_TOKEN"
        headers = {"Origin": self.base_url, "Accept-Language": self.lang}
        if cookie:
            headers["Cookie"] = cookie
        ws_url = "ws" + self.base_url[len("http"):] + "/_stcore/stream"
        # A browser never pings (the server does, and this answers); a browser buffers what arrives.
        self._ws = await websockets.connect(
            ws_url, subprotocols=["streamlit", xsrf], additional_headers=headers, max_size=None,
            max_queue=None, ping_interval=None, open_timeout=timeout, close_timeout=5,
        )
        self._reader = asyncio.create_task(self._read(), name=f"reader-{self.name}")

    async def close(self) -> None:
        for _, task in self.auto_reruns.values():
            task.cancel()
        self.auto_reruns.clear()
        if self._ws is not None:
            try:
                await self._ws.close()
            except Exception:  # noqa: BLE001 - closing a broken socket
                pass
        if self._reader is not None:
            try:
                await asyncio.wait_for(self._reader, 10)
            except (asyncio.TimeoutError, Exception):  # noqa: BLE001
                self._reader.cancel()
        if self.closed is None:
            self.closed = "closed by the client"

    async def _read(self) -> None:
        try:
            async for data in self._ws:
                self._handle(data)
        except websockets.ConnectionClosed as exc:
            self.closed = f"websocket closed: {exc}"
        except Exception as exc:  # noqa: BLE001 - reported as the session's problem
            self.closed = f"reader failed: {type(exc).__name__}: {exc}"
            self.problems.append(self.closed)
        else:
            self.closed = "websocket closed by the server"
        finally:
            self._changed.set()

    def _handle(self, data: bytes) -> None:
        now = time.perf_counter()
        msg = ForwardMsg()
        msg.ParseFromString(data)
        self.messages += 1
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.current_run = msg.metadata.run.script_run_id or f"run-{len(self.runs)}"
            self.runs.append(self.current_run)
            self.run_started_at[self.current_run] = now
        elif kind == "delta":
            self.page.apply(msg, self.current_run)
            if msg.delta.WhichOneof("type") == "new_element":
                self._track_widget(msg.delta.new_element)
                element_kind = msg.delta.new_element.WhichOneof("type")
                if element_kind == "exception":
                    e = msg.delta.new_element.exception
                    self.problems.append(f"exception shown: {e.type}: {e.message[:200]}")
            if self.on_delta is not None:
                self.on_delta(msg, now)
        elif kind == "script_finished":
            run = msg.metadata.run.script_run_id or self.current_run
            status = msg.script_finished
            self.finished[run] = (status, now)
            if status == ForwardMsg.FINISHED_SUCCESSFULLY:
                self.page.clear_stale(run, msg.metadata.run.fragment_ids)
                if not msg.metadata.run.fragment_ids:
                    self.full_runs_done.append(run)
            elif status == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
                self.page.clear_stale(run, msg.metadata.run.fragment_ids or ["?"])
            elif status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                self.problems.append("the script did not compile")
            if self.on_finish is not None:
                self.on_finish(run, status, now)
        elif kind == "auto_rerun":  # st.fragment(run_every=...): the frontend reruns it on a timer
            self._auto_rerun(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for fragment in msg.stop_auto_rerun.fragment_ids:
                entry = self.auto_reruns.pop(fragment, None)
                if entry is not None:
                    entry[1].cancel()
        elif kind == "navigation":
            self.page_script_hash = msg.navigation.page_script_hash
            self.page_paths = {p.page_script_hash: p.url_pathname for p in msg.navigation.app_pages}
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string  # the frontend updates the URL
        elif kind == "session_event":
            event = msg.session_event.WhichOneof("type")
            if event == "script_compilation_exception":
                e = msg.session_event.script_compilation_exception
                self.problems.append(f"script compilation exception: {e.type}: {e.message[:200]}")
        elif kind == "page_not_found":
            self.problems.append(f"page not found: {msg.page_not_found.page_name!r}")
        elif kind == "ref_hash":
            # The server only sends references to messages the client says it has cached; we say none.
            self.problems.append("unexpected cached-message reference (ref_hash)")
        self._changed.set()

    def _track_widget(self, element) -> None:
        """Text widgets: the value the frontend shows (the proto's value when set, else what it holds)."""
        kind = element.WhichOneof("type")
        if kind not in {"text_area", "text_input"}:
            return
        proto = getattr(element, kind)
        if proto.set_value and proto.HasField("value"):
            self.text_values[proto.id] = proto.value
        elif proto.id not in self.text_values:
            self.text_values[proto.id] = proto.default if proto.HasField("default") else ""

    # messages -----------------------------------------------------------------------------------
    def _context(self, client_state) -> None:
        info = client_state.context_info
        info.timezone = BROWSER_TIMEZONE
        info.timezone_offset = BROWSER_TZ_OFFSET
        info.locale = self.lang
        info.url = self.url
        info.is_embedded = False
        info.color_scheme = "light"

    async def open_page(self, path: str, params: dict[str, str]) -> int:
        """The frontend's first rerun_script for a URL: page by URL path, no page hash, no widgets."""
        self.query_string = urllib.parse.urlencode(params, quote_via=urllib.parse.quote)
        self.url = f"{self.base_url}/{path}" + (f"?{self.query_string}" if self.query_string else "")
        back = BackMsg()
        state = back.rerun_script
        state.query_string = self.query_string
        state.page_name = path
        state.page_script_hash = ""
        state.widget_states.SetInParent()
        self._context(state)
        return await self._send(back)

    async def rerun(self, widgets, *, fragment_id: str = "", auto: bool = False) -> int:
        """A widget interaction: the current page's hash, the URL's query string, the widget states.

        `widgets` are fill(WidgetState) functions; those that are not triggers are remembered, as the
        frontend's widget manager holds values, and sent again with every later rerun.
        """
        back = BackMsg()
        state = back.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = self.page_script_hash
        state.page_name = ""
        state.fragment_id = fragment_id
        state.is_auto_rerun = auto
        sent = set()
        for fill in widgets:
            w = state.widget_states.widgets.add()
            fill(w)
            sent.add(w.id)
            if w.WhichOneof("value") not in {"trigger_value", "string_trigger_value", "json_trigger_value"}:
                self.widget_memory[w.id] = fill
        for wid, fill in self.widget_memory.items():
            if wid not in sent:
                fill(state.widget_states.widgets.add())
        self._context(state)
        return await self._send(back)

    def _auto_rerun(self, fragment_id: str, interval: float) -> None:
        if not fragment_id or (fragment_id in self.auto_reruns and self.auto_reruns[fragment_id][0] == interval):
            return
        old = self.auto_reruns.pop(fragment_id, None)
        if old is not None:
            old[1].cancel()

        async def tick() -> None:
            while not self.closed:
                await asyncio.sleep(interval)
                try:
                    await self.rerun([], fragment_id=fragment_id, auto=True)
                except (Disconnected, websockets.ConnectionClosed):
                    return

        self.auto_reruns[fragment_id] = (interval, asyncio.create_task(tick()))

    async def _send(self, back: BackMsg) -> int:
        if self.closed:
            raise Disconnected(self.closed)
        runs_before = len(self.runs)
        await self._ws.send(back.SerializeToString())
        return runs_before

    async def wait_complete(self, runs_before: int, deadline: float, check) -> tuple[float, list[str]]:
        """Until the page the request asked for is complete: (time, what is still wrong with it).

        The page is checked (`check()`: its problems) each time a run started after the request
        finishes, in the order the frontend sees it, once the request's own full run is done. It is
        complete when nothing is wrong. Otherwise it is final when nothing more will come: no fragment
        reruns itself on a timer (a page may fill itself in while a busy server works), or an
        exception, an error alert or a missing page is shown.
        """
        outcome: list[tuple[float, list[str]]] = []
        mine = lambda run: run in self.runs[runs_before:]  # noqa: E731
        problems_before = len(self.problems)

        def on_finish(run: str, status: int, now: float) -> None:
            if outcome or not mine(run) or status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return
            if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                outcome.append((now, check()))
                return
            if not any(mine(r) for r in self.full_runs_done):
                return  # a fragment of the old page finished before the requested run did
            problems = check()
            if not problems or not self.auto_reruns or self.page_problems() or self.problems[problems_before:]:
                outcome.append((now, problems))

        self.on_finish = on_finish
        try:
            # the run may already be over
            for run in self.runs[runs_before:]:
                if run in self.finished:
                    on_finish(run, *self.finished[run])
            while not outcome:
                if self.closed:
                    raise Disconnected(self.closed)
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    raise asyncio.TimeoutError
                self._changed.clear()
                try:
                    await asyncio.wait_for(self._changed.wait(), remaining)
                except asyncio.TimeoutError:
                    pass
        finally:
            self.on_finish = None
        return outcome[0]

    # reading the page ---------------------------------------------------------------------------
    def widget(self, key: str):
        for path, kind, proto in self.page.elements():
            if user_key(widget_id(proto)) == key:
                return path, kind, proto
        return None

    def page_problems(self) -> list[str]:
        """Exceptions and error alerts in the final page, and the page itself."""
        out = []
        for path, kind, proto in self.page.elements():
            if kind == "exception":
                out.append(f"exception element: {proto.type}: {proto.message[:200]}")
            elif kind == "alert" and proto.format == proto.ERROR:
                out.append(f"error alert: {proto.body[:200]}")
        return out

    def current_path(self) -> str:
        return self.page_paths.get(self.page_script_hash, "?")


# --- scenarios ---------------------------------------------------------------------------------------
@dataclass
class Result:
    student: int
    scenario: str
    text: str
    seconds: float | None = None  # until the run's script_finished (None: it never finished)
    first_token_s: float | None = None
    problems: list[str] = field(default_factory=list)
    rows: tuple[str, ...] = ()  # generate: every strategy row's text, in page order
    messages: int = 0

    @property
    def ok(self) -> bool:
        return self.seconds is not None and not self.problems


def heatmap_sentence(proto) -> str | None:
    """The sentence a heatmap's rows spell: its labels are "<position> <token>" (▁ for a space)."""
    import pyarrow as pa

    for dataset in proto.datasets:
        try:
            table = pa.ipc.open_stream(dataset.data.data).read_all()
        except Exception:  # noqa: BLE001 - not Arrow: not a heatmap we can read
            continue
        for name in table.schema.names:
            column = table.column(name)
            if not str(column.type).startswith(("string", "large_string")):
                continue
            labels = list(dict.fromkeys(column.to_pylist()))
            if labels and all(isinstance(x, str) and re.match(r"^\d+ ", x) for x in labels):
                tokens = [x.split(" ", 1)[1] for x in sorted(labels, key=lambda x: int(x.split(" ", 1)[0]))]
                text = "".join(t for t in tokens if not (t.startswith("<") and t.endswith(">")))
                return text.replace("▁", " ").replace("␣", " ")
    return None


def normalized(text: str) -> str:
    return " ".join(text.split())


def check_attention(s: Session, text: str) -> list[str]:
    problems = []
    if s.current_path() != ATTENTION_PATH:
        problems.append(f"wrong page: {s.current_path()!r}")
    box = s.widget(ATTENTION_TEXT_KEY)
    if box is None:
        problems.append(f"no {ATTENTION_TEXT_KEY} box")
    elif s.text_values.get(box[2].id) != text:
        problems.append(f"the sentence box holds {s.text_values.get(box[2].id)!r}")
    heatmaps, spelled = 0, set()
    check_line = False
    for _, kind, proto in s.page.elements():
        if kind == "vega_lite_chart" and '"rect"' in proto.spec:
            heatmaps += 1
            sentence = heatmap_sentence(proto)
            if sentence is not None:
                spelled.add(normalized(sentence))
        elif kind == "markdown" and CHECK_LINE in proto.body and re.search(r"\de[-+]\d", proto.body):
            check_line = True
    if heatmaps < MIN_HEATMAPS:
        problems.append(f"{heatmaps} heatmaps (expected at least {MIN_HEATMAPS})")
    if normalized(text) not in spelled:
        problems.append(f"no heatmap spells the sentence (they spell {sorted(spelled)[:3]!r})")
    if not check_line:
        problems.append("no check line against output_attentions")
    return problems


def shown_prompts(s: Session) -> list[str]:
    """Prompts the decoding lab shows back, decoded from the model's tokens (the step-by-step box)."""
    out = []
    for _, kind, proto in s.page.elements():
        if kind == "markdown" and GEN_BOX in proto.body:
            m = PROMPT_SPAN.search(proto.body)
            if m and m.group(1):
                out.append(html.unescape(m.group(1)))
    return out


def check_decoding(s: Session, prompt: str) -> list[str]:
    problems = []
    if s.current_path() != DECODING_PATH:
        problems.append(f"wrong page: {s.current_path()!r}")
    box = s.widget(PROMPT_KEY)
    if box is None:
        problems.append(f"no {PROMPT_KEY} box")
    elif s.text_values.get(box[2].id) != prompt:
        problems.append(f"the prompt box holds {s.text_values.get(box[2].id)!r}")
    if normalized(prompt) not in {normalized(p) for p in shown_prompts(s)}:
        problems.append("the page does not show the prompt back from the model's tokens")
    if not any(kind == "vega_lite_chart" for _, kind, _ in s.page.elements()):
        problems.append("no next-token chart")
    if s.widget(GENERATE_KEY) is None:
        problems.append(f"no {GENERATE_KEY} button")
    return problems


def side_by_side_section(s: Session) -> tuple[tuple, tuple]:
    """Paths bounding the side-by-side widget, in document order: from its button to the grid's button."""
    go = s.widget(GENERATE_KEY)
    grid = s.widget(GRID_GO_KEY)
    return (go[0] if go else (0, 10**9)), (grid[0] if grid else (0, 10**9))


def generated_rows(s: Session, low: tuple, high: tuple) -> list[tuple[str, list[str], bool]]:
    """(path, token texts, ended by the model) of every generated box in the side-by-side section."""
    elements = [(p, k, e) for p, k, e in s.page.elements() if low < p < high]
    rows = []
    for i, (path, kind, proto) in enumerate(elements):
        if kind == "markdown" and GEN_BOX in proto.body:
            tokens = [html.unescape(t.replace("↵<br>", "\n")) for t in TOKEN_SPAN.findall(proto.body)]
            ended = any(q[:-1] == path[:-1] and q > path and k == "markdown" and e.element_type == e.CAPTION
                        and e.body in ENDED for q, k, e in elements[i + 1:])
            rows.append((path, tokens, ended))
    return rows


def check_generated(s: Session, tokens: int, low: tuple, high: tuple) -> tuple[list[str], tuple[str, ...]]:
    problems = []
    rows = generated_rows(s, low, high)
    if len(rows) < 2:
        problems.append(f"{len(rows)} generated rows in the side-by-side widget")
    for path, toks, ended in rows:
        if not toks and not ended:
            problems.append(f"an empty row at {list(path)}")
        elif len(toks) != tokens and not ended:
            problems.append(f"a row with {len(toks)} of {tokens} tokens and no end-of-text note")
    texts = tuple("".join(toks) for _, toks, _ in rows)
    if not "".join(texts).strip():
        problems.append("no generated text")
    section = [(p, k, e) for p, k, e in s.page.elements() if low < p < high]
    if any(k == "progress" for _, k, _ in section):
        problems.append("a progress bar is still shown: the run did not complete")
    if any(k == "alert" and e.format == e.WARNING for _, k, e in section):
        problems.append("a warning in the side-by-side widget (stopped?)")
    if not any(k == "dataframe" for _, k, _ in section):
        problems.append("no repetition table after the run")
    return problems, texts


def slider_state(wid: str, value: float):
    def fill(w) -> None:
        w.id = wid
        w.double_array_value.data.append(float(value))
    return fill


def trigger_state(wid: str):
    def fill(w) -> None:
        w.id = wid
        w.trigger_value = True
    return fill


def text_state(wid: str, value: str):
    def fill(w) -> None:
        w.id = wid
        w.string_value = value
    return fill


class Classroom:
    def __init__(self, base_url: str, lang: str, timeout: float, log=print) -> None:
        self.base_url = base_url
        self.lang = lang
        self.timeout = timeout
        self.log = log

    async def open(self, student: int, scenario: str, path: str, params: dict[str, str],
                   check) -> tuple[Session, Result]:
        text = params.get("text") or params.get("prompt") or ""
        s = Session(self.base_url, self.lang, f"{scenario}-{student}")
        result = Result(student, scenario, text)
        start = time.perf_counter()
        deadline = start + self.timeout
        try:
            await s.connect(self.timeout)
            runs_before = await s.open_page(path, params)
            finished_at, problems = await s.wait_complete(runs_before, deadline, lambda: check(s, text))
            result.seconds = finished_at - start
            result.problems += problems + s.page_problems()
        except asyncio.TimeoutError:
            result.problems.append(f"timeout: the page was not complete after {self.timeout:.0f} s")
        except Disconnected as exc:
            result.problems.append(f"disconnected: {exc}")
        except Exception as exc:  # noqa: BLE001 - a failed connection is this student's error
            result.problems.append(f"{type(exc).__name__}: {exc}")
        return s, result

    async def attention(self, student: int, text: str) -> Result:
        s, result = await self.open(student, "attention", ATTENTION_PATH, {"text": text}, check_attention)
        try:
            result.problems += s.problems
        finally:
            result.messages = s.messages
            await s.close()
        return result

    async def decoding(self, student: int, prompt: str) -> tuple[Session, Result]:
        s, result = await self.open(student, "decoding", DECODING_PATH, {"prompt": prompt}, check_decoding)
        result.problems += s.problems
        result.messages = s.messages
        return s, result

    async def generate(self, s: Session, student: int, prompt: str, tokens: int) -> Result:
        result = Result(student, "generate", prompt)
        start = time.perf_counter()
        seen_before = len(s.problems)
        try:
            go, max_new = s.widget(GENERATE_KEY), s.widget(MAX_NEW_KEY)
            box = s.widget(PROMPT_KEY)
            if go is None or max_new is None:
                raise LookupError(f"no {GENERATE_KEY} button or {MAX_NEW_KEY} slider on the page")
            low, high = side_by_side_section(s)

            def first_token(msg, now) -> None:
                if result.first_token_s is not None or msg.delta.WhichOneof("type") != "new_element":
                    return
                element = msg.delta.new_element
                path = tuple(msg.metadata.delta_path)
                if element.WhichOneof("type") == "markdown" and low < path < high \
                        and GEN_BOX in element.markdown.body and TOKEN_SPAN.search(element.markdown.body):
                    result.first_token_s = now - start

            s.on_delta = first_token
            widgets = [trigger_state(go[2].id), slider_state(max_new[2].id, tokens)]
            if box is not None:  # what the frontend holds in the prompt box, as a browser sends it
                widgets.append(text_state(box[2].id, s.text_values.get(box[2].id, prompt)))
            def check() -> list[str]:
                problems, result.rows = check_generated(s, tokens, low, high)
                if normalized(prompt) not in {normalized(p) for p in shown_prompts(s)}:
                    problems.append("after the run the page no longer shows the student's prompt")
                return problems

            runs_before = await s.rerun(widgets)
            finished_at, problems = await s.wait_complete(runs_before, start + self.timeout, check)
            result.seconds = finished_at - start
            result.problems += problems + s.page_problems()
        except asyncio.TimeoutError:
            result.problems.append(f"timeout: the generation had not finished after {self.timeout:.0f} s")
        except Disconnected as exc:
            result.problems.append(f"disconnected: {exc}")
        except Exception as exc:  # noqa: BLE001
            result.problems.append(f"{type(exc).__name__}: {exc}")
        finally:
            s.on_delta = None
        result.problems += s.problems[seen_before:]
        result.messages = s.messages
        return result


# --- the server, the hog, memory -------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int | None = None, log_path: Path | None = None, script: Path = ROOT / "streamlit_app.py",
                 **extra_env: str):
    """`streamlit run streamlit_app.py` on a free port, as the browser tests start it; waits for /_stcore/health."""
    port = port or free_port()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    log_path = log_path or OUTPUT / f"classroom-server-{port}.log"
    log = open(log_path, "w")  # a file, not a pipe nobody reads
    env = {**os.environ, "GPTLAB_AUTO_PREPARE": "0", "HF_HUB_OFFLINE": "1", **extra_env}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script),
         "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return proc, url, log_path
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"streamlit did not become healthy:\n{log_path.read_text()[-3000:]}")


def stop_server(proc) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def server_pid_for(url: str) -> int | None:
    """The process listening on the URL's port on this machine (None if it is elsewhere)."""
    port = urllib.parse.urlparse(url).port
    try:
        for conn in psutil.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port and conn.pid:
                return conn.pid
    except (psutil.AccessDenied, PermissionError):
        pass
    return None


class RssSampler(threading.Thread):
    """Peak resident memory of a process and its children, sampled every `interval` seconds."""

    def __init__(self, pid: int | None, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak = 0
        self._stop_event = threading.Event()

    def sample(self) -> None:
        try:
            root = psutil.Process(self.pid)
            total = root.memory_info().rss
            for child in root.children(recursive=True):
                try:
                    total += child.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
        except psutil.Error:
            pass

    def run(self) -> None:
        if self.pid is None:
            return
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(self.interval)

    def stop(self) -> float:
        self._stop_event.set()
        self.join(5)
        if self.pid is not None:
            self.sample()
        return self.peak / 2**30 if self.pid is not None else float("nan")


HOG = "while True: pass"


def start_hogs(n: int) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "-c", HOG]) for _ in range(n)]


def stop_hogs(hogs: list[subprocess.Popen]) -> None:
    for p in hogs:
        p.terminate()
    for p in hogs:
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()


# --- running a class -----------------------------------------------------------------------------------
@dataclass
class Report:
    sessions: int
    results: dict[str, list[Result]] = field(default_factory=dict)
    solo: list[Result] = field(default_factory=list)
    warmup: list[Result] = field(default_factory=list)
    peak_rss_gb: float = float("nan")
    seeds: tuple[int, int] = (0, 0)

    @property
    def errors(self) -> int:
        return sum(not r.ok for rs in self.results.values() for r in rs) + sum(not r.ok for r in self.solo)

    def worst(self, scenario: str) -> float:
        times = [r.seconds for r in self.results.get(scenario, []) if r.seconds is not None]
        return max(times) if times else float("nan")

    def last_line(self) -> str:
        return (f"classroom: sessions={self.sessions} errors={self.errors} "
                f"generate_worst_s={self.worst('generate'):.1f} attention_worst_s={self.worst('attention'):.1f} "
                f"decoding_worst_s={self.worst('decoding'):.1f} peak_rss_gb={self.peak_rss_gb:.2f}")


def summary(name: str, results: list[Result]) -> str:
    done = [r.seconds for r in results if r.seconds is not None]
    bad = sum(not r.ok for r in results)
    if not done:
        return f"{name}: {len(results)} sessions, none finished, errors {bad}"
    line = (f"{name}: {len(results)} sessions, min {min(done):.2f} s, median {statistics.median(done):.2f} s, "
            f"worst {max(done):.2f} s, errors {bad}")
    firsts = [r.first_token_s for r in results if r.first_token_s is not None]
    if firsts:
        line += (f"; first token: min {min(firsts):.2f} s, median {statistics.median(firsts):.2f} s, "
                 f"worst {max(firsts):.2f} s")
    return line


def compare_with_solo(loaded: list[Result], solo: list[Result]) -> None:
    """The texts each student saw under load must be the ones they get alone, and nobody else's."""
    alone = {r.student: r.rows for r in solo if r.ok}
    for r in loaded:
        if r.student not in alone or not r.rows:
            continue
        if r.rows != alone[r.student]:
            others = [i for i, rows in alone.items() if i != r.student and rows == r.rows]
            r.problems.append(f"got student {others[0]}'s text" if others else
                              f"text differs from the student's solo run: {r.rows[0]!r} vs {alone[r.student][0]!r}")


async def run_class(base_url: str, *, sessions: int, scenario: str, tokens: int, lang: str, seed: int,
                    timeout: float, warmup: bool, solo_check: bool, report: Report, log=print,
                    on_measure_start=None) -> Report:
    room = Classroom(base_url, lang, timeout, log)
    sentences = student_texts(sessions, seed, open_ended=False)
    prompts = student_texts(sessions, seed + 1, open_ended=True)
    report.seeds = (seed, seed + 1)
    scenarios = ["attention", "decoding", "generate"] if scenario == "all" else [scenario]

    if warmup:
        # One student, each page once: model loads and first-run costs are not a class's figures.
        w_sentence = "Aquecendo o servidor antes da turma chegar."
        w_prompt = "O servidor acorda devagar e"
        report.warmup.append(await room.attention(-1, w_sentence))
        s, r = await room.decoding(-1, w_prompt)
        report.warmup.append(r)
        if s.widget(GENERATE_KEY) is not None:
            report.warmup.append(await room.generate(s, -1, w_prompt, min(tokens, 2)))
        await s.close()
        for r in report.warmup:
            log(f"warm-up {r.scenario}: {r.seconds if r.seconds is None else round(r.seconds, 2)} s"
                + (f" PROBLEMS {r.problems}" if r.problems else ""))
    if on_measure_start is not None:
        on_measure_start()

    if "attention" in scenarios:
        log(f"attention: {sessions} students open /attention with their own sentence, all at once")
        report.results["attention"] = list(await asyncio.gather(
            *(room.attention(i, sentences[i]) for i in range(sessions))))
        log(summary("attention", report.results["attention"]))

    pages: list[Session] = []
    try:
        if "decoding" in scenarios or "generate" in scenarios:
            timed = "decoding" in scenarios
            log(f"decoding: {sessions} students open /decoding with their own prompt, all at once"
                + ("" if timed else " (not timed: the generate scenario's page load)"))
            opened = await asyncio.gather(*(room.decoding(i, prompts[i]) for i in range(sessions)))
            pages = [s for s, _ in opened]
            if timed:
                report.results["decoding"] = [r for _, r in opened]
                log(summary("decoding", report.results["decoding"]))
        if "generate" in scenarios:
            log(f"generate: the {sessions} students press generate ({tokens} new tokens) at the same moment")
            ready = [(i, s) for i, s in enumerate(pages) if not s.closed and s.widget(GENERATE_KEY) is not None]
            results = list(await asyncio.gather(*(room.generate(s, i, prompts[i], tokens) for i, s in ready)))
            missing = sorted(set(range(sessions)) - {i for i, _ in ready})
            for i in missing:
                results.append(Result(i, "generate", prompts[i], problems=["the decoding page never got ready"]))
            if not timed:  # the page load is this scenario's first step: its problems are this scenario's
                for r in results:
                    r.problems[:0] = [f"page load: {p}" for p in opened[r.student][1].problems]
            report.results["generate"] = sorted(results, key=lambda r: r.student)
            log(summary("generate", report.results["generate"]))
    finally:
        await asyncio.gather(*(s.close() for s in pages))

    if solo_check and "generate" in scenarios:
        log(f"solo check: each student's generation again, alone")
        for i in range(sessions):
            s, r = await room.decoding(i, prompts[i])
            try:
                report.solo.append(await room.generate(s, i, prompts[i], tokens) if r.ok else r)
            finally:
                await s.close()
        log(summary("generate alone", report.solo))
        compare_with_solo(report.results["generate"], report.solo)
    return report


def print_problems(report: Report, log=print, limit: int = 30) -> None:
    shown = 0
    for name, results in [*report.results.items(), ("solo", report.solo)]:
        for r in results:
            for p in r.problems:
                if shown < limit:
                    log(f"  ERROR {name} student {r.student} ({r.text!r}): {p}")
                shown += 1
    if shown > limit:
        log(f"  ... and {shown - limit} more problems")


def run(args: argparse.Namespace, log=print) -> Report:
    proc = None
    url = args.url
    if url is None:
        proc, url, log_path = start_server(args.port)
        log(f"server: {url} (pid {proc.pid}, log {log_path})")
        pid = proc.pid
    else:
        pid = args.server_pid or server_pid_for(url)
        log(f"server: {url} (pid {pid or 'not on this machine: no memory figure'})")
    report = Report(args.sessions)
    sampler = RssSampler(pid)
    sampler.start()
    hogs: list[subprocess.Popen] = []

    def measuring() -> None:
        if args.hog:
            hogs.extend(start_hogs(args.hog))
            log(f"hog: {args.hog} busy-loop processes beside the server")

    try:
        asyncio.run(run_class(url, sessions=args.sessions, scenario=args.scenario, tokens=args.tokens,
                              lang=args.lang, seed=args.seed, timeout=args.timeout, warmup=not args.no_warmup,
                              solo_check=args.solo_check, report=report, log=log, on_measure_start=measuring))
    finally:
        stop_hogs(hogs)
        report.peak_rss_gb = sampler.stop()
        if proc is not None:
            stop_server(proc)
    return report


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.classroom", description=__doc__.split("\n\n")[0])
    p.add_argument("--sessions", type=int, default=40, help="students at once (default 40)")
    p.add_argument("--scenario", choices=("generate", "attention", "decoding", "all"), default="all")
    p.add_argument("--tokens", type=int, default=20, help="new tokens per generation (default 20)")
    p.add_argument("--url", help="a running server (default: start one on --port or a free port)")
    p.add_argument("--port", type=int, help="port for the server this starts")
    p.add_argument("--server-pid", type=int, help="the server's pid for the memory figure, with --url")
    p.add_argument("--hog", type=int, default=0, metavar="N", help="N busy-loop processes while measuring")
    p.add_argument("--lang", default="pt-BR", choices=("pt-BR", "en"), help="the browsers' language")
    p.add_argument("--seed", type=int, default=None, help="draws the students' texts (default: new every run)")
    p.add_argument("--timeout", type=float, default=900.0, help="seconds one page or one generation may take")
    p.add_argument("--no-warmup", action="store_true", help="measure a cold server")
    p.add_argument("--solo-check", action="store_true",
                   help="then run each generation alone and require the same texts")
    p.add_argument("--json", type=Path, help="also write every session's result here")
    args = p.parse_args(argv)
    if args.seed is None:
        args.seed = int(time.time()) % 100_000
    if args.sessions < 1 or args.tokens < 1:
        p.error("--sessions and --tokens must be at least 1")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    print(f"classroom: {args.sessions} sessions, scenario {args.scenario}, {args.tokens} tokens, "
          f"lang {args.lang}, hog {args.hog}, seed {args.seed}", flush=True)
    report = run(args, log=lambda line: print(line, flush=True))
    print_problems(report)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"the load generator itself used {usage.ru_utime + usage.ru_stime:.1f} s of CPU", flush=True)
    if args.json:
        args.json.write_text(json.dumps({
            name: [r.__dict__ | {"ok": r.ok} for r in results]
            for name, results in [*report.results.items(), ("solo", report.solo), ("warmup", report.warmup)]
        }, ensure_ascii=False, indent=1, default=str))
    print(report.last_line(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
