"""Finds English on a Chinese page, as a reader sees it: the page title, the visible text (code
and preformatted text aside; a list box as its chosen option), the text of rows a "显示更多"
toggle hides, and the words people meet in attributes (placeholder, title, aria-label, alt, button values). URLs, e-mail addresses, ids, file names and numbers are removed first;
what remains of Latin script must be on a short allow-list (format names, API, DCAT, licence
abbreviations...) or in the page's own data (passed by the caller: dataset titles and the like).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ckanext.guangdong.metadata import vocab

# Words that are the field's standard terms in Chinese text too.
ALLOWED = {
    "API", "APIs", "DCAT", "CKAN", "JSONP", "HTTP", "HTTPS", "URL", "RDF", "SKOS", "UTF", "ID",
    "Markdown", "Accept-Language", "Hydra", "UTC",
    # licence abbreviations shown with their Chinese names
    "CC", "BY", "SA", "CC0", "ODC", "ODbL", "PDDL",
    # units and codes of the data
    "AQI", "PM2.5", "PM10", "GB", "KB", "MB", "KiB", "MiB", "GiB", "Bytes",
}
# What is not words: URLs, e-mails, paths, UUIDs and hex, identifiers with digits, file names,
# media types (text/csv), version-like tokens.
_NOT_WORDS = re.compile(
    r"(?:[a-z][a-z0-9+.-]*://|//)\S+"                   # URLs
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"                     # e-mail addresses
    r"|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"  # UUIDs
    r"|\b[\w-]*\d[\w-]*\b"                               # anything with a digit (ids, codes)
    r"|\b[\w-]+\.(?:csv|json|xlsx?|xml|txt|png|jpe?g|gif|html?|pdf|zip|ttl|rdf|jsonld|nt)\b"
    r"|\b(?:text|application|image)/[\w.+-]+"          # media types
    r"|\b[a-z]+(?:_[a-z0-9]+)+\b"                       # snake_case identifiers (kaifang_guangdong)
    r"|/[\w/.?=&%-]*",                                   # paths (with a query)
    re.I | re.ASCII)  # ASCII \w: Chinese text next to a code must not swallow an English word
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")

# Code (<code>, <pre>, <kbd>, <samp>) is literal technical text: an API call, a harvester's exception.
_COLLECT = """() => {
  const body = document.body.cloneNode(true);
  // A list box shows its chosen option, not all of them: before CKAN's modules turn the
  // language list into a dropdown (a slow machine), the raw <select> read as every language.
  const shown = s => !!(s.offsetWidth || s.offsetHeight || s.getClientRects().length);
  const chosen = [...document.body.querySelectorAll('select')].map(
    s => shown(s) && s.selectedIndex >= 0 ? s.options[s.selectedIndex].text : '');
  body.querySelectorAll('select').forEach((s, i) => s.replaceWith(document.createTextNode(chosen[i])));
  body.querySelectorAll('code, pre, kbd, samp, script, style, template').forEach(e => e.remove());
  document.body.appendChild(body); body.style.position = 'absolute'; body.style.left = '-99999px';
  const out = [document.title, body.innerText];
  body.remove();
  document.querySelectorAll('tr.toggle-more, .toggle-more').forEach(e => out.push(e.textContent));
  const visible = e => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
  document.querySelectorAll('[placeholder], [title], [aria-label], img[alt], input[type=submit], input[type=button]')
    .forEach(e => {
      if (e.closest('[name="repeating-template"]')) return;
      if (!visible(e) && e.tagName !== 'SELECT') return;
      for (const a of ['placeholder', 'title', 'aria-label', 'alt']) if (e.getAttribute(a)) out.push(e.getAttribute(a));
      if (e.tagName === 'INPUT' && (e.type === 'submit' || e.type === 'button')) out.push(e.value);
    });
  return out.join('\\n');
}"""


def format_names() -> set[str]:
    names = set()
    for entry in vocab.format_entries():
        for spelling in [entry["value"], *(entry.get("aliases") or []), *entry["label"].values()]:
            names.update(_WORD.findall(str(spelling)))
    return names


def english_words(text: str, data_words: Iterable[str] = ()) -> list[str]:
    """The Latin-script words of ``text`` that are neither allowed nor in the page's data."""
    allowed = ALLOWED | format_names()
    data = set()
    for item in data_words:
        data.update(w.lower() for w in _WORD.findall(_NOT_WORDS.sub(" ", str(item))))
    found = []
    for word in _WORD.findall(_NOT_WORDS.sub(" ", text)):
        if word in allowed or word.upper() in allowed or word.lower() in data:
            continue
        found.append(word)
    return found


def page_text(page: Any) -> str:
    return page.evaluate(_COLLECT)


def english_on(page: Any, data_words: Iterable[str] = ()) -> list[str]:
    return english_words(page_text(page), data_words)
