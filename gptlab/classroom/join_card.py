"""The join card an instructor projects: the class code in large type, a link that opens GPT Lab with the code
filled in, and the same link as a QR code, drawn here (segno), never fetched from anywhere.

    link = join_link("http://192.168.0.10:8501", "NLP-2026", "pt-BR")
    html = card_html(JoinCard(code, name, link, texts...))      # for st.html
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from html import escape
from urllib.parse import urlencode, urlsplit, urlunsplit

import segno

CLASS_PARAM = "class"  # the URL parameter the app reads (ui.classroom.CLASS_PARAM)
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "0.0.0.0", "::", ""})


def app_base_url(page_url: str, page_path: str) -> str:
    """The app's address from a page's ('http://host:8501/base/instructor?x=1', 'instructor' -> 'http://host:8501/base/')."""
    parts = urlsplit(page_url)
    path = parts.path
    if path.rstrip("/").endswith("/" + page_path):
        path = path.rstrip("/")[: -len(page_path)]
    if not path.endswith("/"):
        path += "/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def join_link(base_url: str, class_code: str, lang: str) -> str:
    """The link that opens the app's home page with the class code filled in, in the instructor's language."""
    parts = urlsplit(base_url)
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode({CLASS_PARAM: class_code, "lang": lang}), ""))


def is_local(link: str) -> bool:
    """Whether the link names the serving computer itself (localhost, 127.0.0.1...): no student device can open it."""
    host = (urlsplit(link).hostname or "").lower()
    if host in LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def qr_svg_data_uri(link: str) -> str:
    """The link as an SVG QR code in a data: URI (error correction M: it still reads with a smudge on the screen),
    black on white with the quiet zone the standard asks for; an <img> scales it to its box, sharp at any size.
    (st.html's sanitizer keeps an <img> with a data: URI; it drops inline <svg>.)"""
    return segno.make(link, error="m").svg_data_uri(scale=1, border=4, dark="#000000", light="#ffffff", omitsize=True)


@dataclass(frozen=True)
class JoinCard:
    code: str
    class_name: str
    link: str
    code_label: str  # "Class code"
    steps: str  # how to join, one sentence
    qr_title: str  # the QR code's text alternative


def card_html(card: JoinCard) -> str:
    """The card as HTML for st.html: every text escaped, nothing loaded from anywhere."""
    return (
        '<div class="gl-join-card" role="group">'
        '<div class="gl-join-text">'
        f'<div class="gl-join-label">{escape(card.code_label)}</div>'
        f'<div class="gl-join-code" style="--gl-code-chars: {len(card.code)}">{escape(card.code)}</div>'
        f'<div class="gl-join-name">{escape(card.class_name)}</div>'
        f'<div class="gl-join-link"><a href="{escape(card.link, quote=True)}">{escape(card.link)}</a></div>'
        f'<p class="gl-join-steps">{escape(card.steps)}</p>'
        "</div>"
        f'<div class="gl-join-qr"><img src="{escape(qr_svg_data_uri(card.link), quote=True)}" '
        f'alt="{escape(card.qr_title, quote=True)}"></div>'
        "</div>"
    )
